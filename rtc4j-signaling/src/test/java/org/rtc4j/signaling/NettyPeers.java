package org.rtc4j.signaling;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Many light PeerJS WebSocket clients on a couple of Netty threads (java.net.http's WebSocket
 * costs too much per connection for thousands of peers on two cores). Each frame goes to the
 * listener with its arrival time.
 */
final class NettyPeers implements AutoCloseable {

  interface Listener {
    void onText(Peer peer, String text, long atNanos);
  }

  /** One connected client. */
  static final class Peer {
    final String id;
    final CompletableFuture<String> first = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile Channel channel;

    Peer(String id) {
      this.id = id;
    }

    void send(String text) {
      channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    /** Drops the TCP connection (no close frame). */
    void close() {
      Channel ch = channel;
      if (ch != null) {
        ch.close();
      }
    }

    /** The WebSocket closing handshake: a close frame (1000); the server answers and closes. */
    void closeWithFrame() {
      channel.writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(1000, "bye"));
    }
  }

  private final EventLoopGroup group;
  private final Listener listener;

  NettyPeers(int threads, Listener listener) {
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("test-peers", true),
        NioIoHandler.newFactory());
    this.listener = listener;
  }

  /** Connects one peer; the future completes with its first frame (OPEN, ERROR...) in {@link Peer#first}. */
  Peer connect(URI uri, String id) {
    Peer peer = new Peer(id);
    WebSocketClientProtocolConfig cfg = WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri)
        .version(WebSocketVersion.V13).customHeaders(new DefaultHttpHeaders()).maxFramePayloadLength(1 << 20)
        .handleCloseFrames(true).dropPongFrames(true).build();
    new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // Set here, before connecting: the connect listener below can run after OPEN has already
            // arrived (it is queued on the loop when added after the connect completed), and a caller
            // that waited for OPEN found no channel once (CI).
            peer.channel = ch;
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                new WebSocketClientProtocolHandler(cfg), new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                    long now = System.nanoTime();
                    String text = f.text();
                    if (!peer.first.isDone()) {
                      peer.first.complete(text);
                    } else {
                      listener.onText(peer, text, now);
                    }
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    peer.first.completeExceptionally(new IllegalStateException("closed before a frame"));
                    peer.closed.complete(null);
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    ctx.close();
                  }
                });
          }
        })
        .connect(uri.getHost(), uri.getPort()).addListener(f -> {
          if (f.isSuccess()) {
            peer.channel = ((io.netty.channel.ChannelFuture) f).channel();
          } else {
            peer.first.completeExceptionally(f.cause());
            peer.closed.complete(null);
          }
        });
    return peer;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
