package org.rtc4j.turn.server.netty;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.rtc4j.net.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands UDP datagrams of one shard's sockets (listening sockets: from clients; relay sockets: from
 * peers) to the shard. The destination given to the core is the socket's own local address, which
 * is how the core tells a client datagram from a peer datagram.
 *
 * <p>Sharable: one instance serves every UDP socket of its shard, all on the shard's loop (one
 * instance per relay socket when relay addresses are advertised as external addresses).
 */
@ChannelHandler.Sharable
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private static final Logger log = LoggerFactory.getLogger(UdpHandler.class);

  private final Shard shard;
  private final InetSocketAddress advertised;

  /** A handler that reports each socket's own local address as the destination. */
  UdpHandler(Shard shard) {
    this(shard, null);
  }

  /**
   * A handler for one relay socket whose address is advertised differently (behind a 1:1 NAT,
   * {@code --external-ip}): the core only ever sees the advertised address.
   */
  UdpHandler(Shard shard, InetSocketAddress advertised) {
    super(true);
    this.shard = shard;
    this.advertised = advertised;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    InetSocketAddress to = advertised != null ? advertised : (InetSocketAddress) ctx.channel().localAddress();
    shard.receive(Transport.UDP, packet.sender(), to, packet.content());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A UDP socket serves many remotes: one failed send or receive must not close it.
    log.debug("UDP {}: {}", ctx.channel().localAddress(), cause.toString());
  }
}
