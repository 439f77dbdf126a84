package org.rtc4j.bench.signaling;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Opens {@code --peers} PeerJS WebSocket clients against a signaling server, then for
 * {@code --seconds} relays OFFER and CANDIDATE messages (alternating; a 600-byte SDP-like payload
 * for OFFER, a candidate line for CANDIDATE) from the first peer of each pair to the second, with
 * {@code --window} messages in flight per pair (a closed loop: each arrival sends the next).
 * Reports connections/s, relayed messages/s, p50/p99 latency (send → arrival), and the server's
 * RSS when {@code --server-pid} is given. Bounded: peers ≤ 50,000, seconds ≤ 120; every wait
 * has a deadline.
 */
@Command(name = "signaling-load", mixinStandardHelpOptions = true,
    description = "Bounded PeerJS signaling load: N peers, OFFER/CANDIDATE relayed between pairs.")
public final class SignalingLoad implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--url", defaultValue = "ws://127.0.0.1:9000/peerjs", description = "WebSocket endpoint ({path}peerjs).")
  String url;

  @Option(names = "--key", defaultValue = "peerjs")
  String key;

  @Option(names = "--peers", defaultValue = "1000")
  int peers;

  @Option(names = "--seconds", defaultValue = "10", description = "Relay phase duration.")
  int seconds;

  @Option(names = "--window", defaultValue = "2", description = "Messages in flight per pair.")
  int window;

  @Option(names = "--threads", defaultValue = "2", description = "Client event-loop threads.")
  int threads;

  @Option(names = "--connect-concurrency", defaultValue = "200", description = "Handshakes in flight.")
  int connectConcurrency;

  @Option(names = "--server-pid", description = "PID of the server, for its RSS.")
  Long serverPid;

  @Option(names = "--label", defaultValue = "server")
  String label;

  private static final String SDP = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
      + "a=group:BUNDLE 0\\r\\na=extmap-allow-mixed\\r\\na=msid-semantic: WMS\\r\\nm=application 9 UDP/DTLS/SCTP "
      + "webrtc-datachannel\\r\\nc=IN IP4 0.0.0.0\\r\\na=ice-ufrag:abcd\\r\\na=ice-pwd:abcdefghijklmnopqrstuvwx\\r\\n"
      + "a=ice-options:trickle\\r\\na=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:"
      + "33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\\r\\na=setup:actpass\\r\\na=mid:0\\r\\na=sctp-port:5000\\r\\n"
      + "a=max-message-size:262144\\r\\n";

  private final class Peer {
    final int index;
    final String id;
    volatile Channel channel;
    volatile boolean open;
    int next; // sequence, touched on the receiving peer's loop only through sendFrom

    Peer(int index) {
      this.index = index;
      this.id = "bench" + index;
    }
  }

  private Peer[] all;
  private final AtomicLong received = new AtomicLong();
  private volatile boolean measuring;
  private volatile boolean running = true;
  private long[] samples;
  private final AtomicInteger sampleCount = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private AtomicLongArray seqs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SignalingLoad()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (peers < 2 || peers > 50_000 || peers % 2 != 0) {
      throw new IllegalArgumentException("--peers must be even, 2..50000");
    }
    if (seconds < 1 || seconds > 120) {
      throw new IllegalArgumentException("--seconds must be 1..120");
    }
    samples = new long[4_000_000];
    seqs = new AtomicLongArray(peers / 2);
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("load", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    try {
      all = new Peer[peers];
      URI base = URI.create(url);
      Semaphore inFlight = new Semaphore(connectConcurrency);
      CountDownLatch done = new CountDownLatch(peers);
      long t0 = System.nanoTime();
      for (int i = 0; i < peers; i++) {
        Peer p = new Peer(i);
        all[i] = p;
        if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("handshakes stalled at " + opened.get() + " peers");
        }
        connect(group, epoll, base, p, () -> {
          inFlight.release();
          done.countDown();
        });
      }
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException("only " + opened.get() + " of " + peers + " peers opened");
      }
      double connectSeconds = (System.nanoTime() - t0) / 1e9;
      // as real peerjs clients do: a HEARTBEAT every 5 s (peerjs-server drops silent clients after alive_timeout)
      group.next().scheduleAtFixedRate(() -> {
        for (Peer p : all) {
          Channel ch = p.channel;
          if (p.open && ch != null) {
            ch.writeAndFlush(new TextWebSocketFrame("{\"type\":\"HEARTBEAT\"}"));
          }
        }
      }, 0, 5, TimeUnit.SECONDS);
      if (failed.get() > 0) {
        System.err.println(failed.get() + " peers failed to open");
      }
      long rssConnected = rss();
      // relay phase: warm up 1 s, then measure
      for (int pair = 0; pair < peers / 2; pair++) {
        for (int w = 0; w < window; w++) {
          sendFrom(pair);
        }
      }
      Thread.sleep(1000);
      received.set(0);
      sampleCount.set(0);
      measuring = true;
      long m0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      measuring = false;
      long count = received.get();
      double elapsed = (System.nanoTime() - m0) / 1e9;
      running = false;
      long rssPeak = rss();
      int n = Math.min(sampleCount.get(), samples.length);
      long[] lat = Arrays.copyOf(samples, n);
      Arrays.sort(lat);
      double p50 = n == 0 ? Double.NaN : lat[n / 2] / 1e6;
      double p99 = n == 0 ? Double.NaN : lat[(int) (n * 0.99)] / 1e6;
      System.out.printf(Locale.ROOT, "RESULT server=%s peers=%d opened=%d connect_s=%.2f conn_per_s=%.0f "
          + "relayed=%d msgs_per_s=%.0f p50_ms=%.2f p99_ms=%.2f rss_connected_mb=%s rss_end_mb=%s%n",
          label, peers, opened.get(), connectSeconds, opened.get() / connectSeconds, count, count / elapsed, p50, p99,
          rssConnected < 0 ? "n/a" : String.valueOf(rssConnected / 1024), rssPeak < 0 ? "n/a" : String.valueOf(rssPeak / 1024));
      for (Peer p : all) {
        if (p.channel != null) {
          p.channel.close();
        }
      }
      return opened.get() == peers ? 0 : 1;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  /** Sends the next message of {@code pair} from its first peer to its second. */
  private void sendFrom(int pair) {
    if (!running) {
      return;
    }
    Peer from = all[2 * pair];
    Peer to = all[2 * pair + 1];
    long seq = seqs.getAndIncrement(pair);
    long now = System.nanoTime();
    String frame = (seq & 1) == 0
        ? "{\"type\":\"OFFER\",\"dst\":\"" + to.id + "\",\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"" + SDP
            + "\"},\"type\":\"data\",\"connectionId\":\"dc_" + pair + "\",\"t\":" + now + "}}"
        : "{\"type\":\"CANDIDATE\",\"dst\":\"" + to.id + "\",\"payload\":{\"candidate\":{\"candidate\":\"candidate:1 1 "
            + "udp 2122260223 127.0.0.1 50000 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},\"type\":\"data\","
            + "\"connectionId\":\"dc_" + pair + "\",\"t\":" + now + "}}";
    Channel ch = from.channel;
    if (ch != null) {
      ch.writeAndFlush(new TextWebSocketFrame(frame));
    }
  }

  private void onText(Peer p, String text) {
    if (!p.open) {
      if (text.startsWith("{\"type\":\"OPEN\"")) {
        p.open = true;
        opened.incrementAndGet();
      } else {
        failed.incrementAndGet();
        System.err.println(p.id + ": " + text);
      }
      return;
    }
    int t = text.lastIndexOf("\"t\":");
    if (t < 0 || (p.index & 1) == 0) {
      return; // heartbeats of others, EXPIRE... not ours
    }
    long now = System.nanoTime();
    int end = t + 4;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    long sent = Long.parseLong(text, t + 4, end, 10);
    if (measuring) {
      received.incrementAndGet();
      int i = sampleCount.getAndIncrement();
      if (i < samples.length) {
        samples[i] = now - sent;
      }
    }
    sendFrom(p.index / 2);
  }

  private void connect(EventLoopGroup group, boolean epoll, URI base, Peer p, Runnable settled) {
    URI uri = URI.create(base + "?key=" + key + "&id=" + p.id + "&token=t" + p.index + "&version=1.5.4");
    WebSocketClientProtocolConfig cfg = WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri)
        .version(WebSocketVersion.V13).customHeaders(new DefaultHttpHeaders()).maxFramePayloadLength(1 << 20)
        .handshakeTimeoutMillis(120_000).build();
    AtomicInteger once = new AtomicInteger();
    Runnable settleOnce = () -> {
      if (once.getAndIncrement() == 0) {
        settled.run();
      }
    };
    new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 60_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                new WebSocketClientProtocolHandler(cfg), new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                    boolean wasOpen = p.open;
                    onText(p, f.text());
                    if (!wasOpen) {
                      settleOnce.run();
                    }
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    if (!p.open) {
                      failed.incrementAndGet();
                    }
                    settleOnce.run();
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
            p.channel = ((io.netty.channel.ChannelFuture) f).channel();
          } else {
            failed.incrementAndGet();
            settleOnce.run();
          }
        });
  }

  /** The server's resident set in KiB from /proc, or -1. */
  private long rss() {
    if (serverPid == null) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }
}
