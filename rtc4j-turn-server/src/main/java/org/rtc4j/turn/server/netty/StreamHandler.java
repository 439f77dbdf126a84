package org.rtc4j.turn.server.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.rtc4j.net.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the framed STUN messages and ChannelData frames of one TCP or TLS client connection to
 * the shard of the loop the connection is registered on, and reports the connection's end
 * (RFC 8656 §3.1: its allocations go with it). Connections that send no whole frame for the
 * idle timeout are closed, so half-open and trickling connections cannot pile up.
 *
 * <p>Threading: one instance per connection, on its loop.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);

  private final Shard shard;
  private final Transport transport;
  private final long idleNanos;
  private final long allocatedIdleNanos;
  private ConnKey key;
  private long lastFrameNanos;
  private ScheduledFuture<?> idleCheck;

  /**
   * @param idleSeconds close a connection without an allocation after this long without a whole frame
   * @param allocatedIdleSeconds the same for a connection that holds an allocation (its lifetime has
   *     surely run out by then)
   */
  StreamHandler(Shard shard, Transport transport, int idleSeconds, int allocatedIdleSeconds) {
    this.shard = shard;
    this.transport = transport;
    this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    this.allocatedIdleNanos = TimeUnit.SECONDS.toNanos(allocatedIdleSeconds);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    key = new ConnKey((InetSocketAddress) ch.localAddress(), (InetSocketAddress) ch.remoteAddress());
    shard.addStream(key, ch);
    lastFrameNanos = System.nanoTime();
    // Counted in whole frames, not bytes: a client trickling a byte at a time is idle too.
    long period = Math.max(TimeUnit.SECONDS.toNanos(1), idleNanos / 2);
    idleCheck = ctx.executor().scheduleAtFixedRate(() -> checkIdle(ctx), period, period, TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (key != null) {
        lastFrameNanos = System.nanoTime();
        shard.receive(transport, key.remote(), key.local(), frame);
      }
    } finally {
      frame.release();
    }
  }

  private void checkIdle(ChannelHandlerContext ctx) {
    long idle = System.nanoTime() - lastFrameNanos;
    if (idle >= (shard.hasAllocation(key) ? allocatedIdleNanos : idleNanos)) {
      log.debug("{} {}: idle for {} s, closing", transport, key.remote(), TimeUnit.NANOSECONDS.toSeconds(idle));
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
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
