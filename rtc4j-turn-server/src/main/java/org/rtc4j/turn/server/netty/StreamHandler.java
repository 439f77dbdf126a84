package org.rtc4j.turn.server.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.net.InetSocketAddress;
import org.rtc4j.net.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the framed STUN messages and ChannelData frames of one TCP or TLS client connection to
 * the shard of the loop the connection is registered on, and reports the connection's end
 * (RFC 8656 §3.1: its allocations go with it).
 *
 * <p>Threading: one instance per connection, on its loop.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);

  private final Shard shard;
  private final Transport transport;
  private ConnKey key;

  StreamHandler(Shard shard, Transport transport) {
    this.shard = shard;
    this.transport = transport;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    key = new ConnKey((InetSocketAddress) ch.localAddress(), (InetSocketAddress) ch.remoteAddress());
    shard.addStream(key, ch);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (key != null) {
        shard.receive(transport, key.remote(), key.local(), frame);
      }
    } finally {
      frame.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (key != null) {
      shard.streamClosed(transport, key, ctx.channel());
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets, TLS handshake failures, bad records: the connection is unusable, close it.
    Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    log.debug("{} {}: {}, closing", transport, ctx.channel().remoteAddress(), c.toString());
    ctx.close();
  }
}
