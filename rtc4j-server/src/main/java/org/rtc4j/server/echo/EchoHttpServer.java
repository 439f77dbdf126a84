package org.rtc4j.server.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rtc4j.sdp.SdpLimits;
import org.rtc4j.sdp.SdpParseException;
import org.rtc4j.sdp.SessionDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP signaling of {@code rtc4j echo}: plain HTTP/1.1, one SDP per request, every candidate
 * inside the SDP (no trickle), in the WHIP pattern (draft-ietf-wish-whip: POST an offer, get
 * {@code 201 Created}, the answer and a {@code Location} naming the session).
 *
 * <pre>
 * POST   /offer                  body: SDP offer (application/sdp)  -> 201, SDP answer, Location: /sessions/{id}
 * GET    /offer                  -> 200, SDP offer of a new session, Location: /sessions/{id}
 *                                   (closed when no answer came within 4 request timeouts)
 * POST   /answer?session={id}    body: SDP answer to that offer     -> 204 (session may be omitted when
 *                                                                       exactly one offer awaits an answer)
 * POST   /sessions/{id}/answer   the same
 * GET    /sessions/{id}          -> 200, JSON: the W3C states of the session's PeerConnection
 * GET    /sessions               -> 200, JSON: every session's states
 * DELETE /sessions/{id}          -> 204, closes the session
 * OPTIONS *                      -> 204, CORS preflight
 * </pre>
 *
 * <p>Errors are {@code text/plain} with a sentence naming the problem: 400 (malformed or refused
 * SDP, missing session), 404 (unknown path or session), 405 (method), 413 (body over 64 KiB, the SDP
 * parser's own limit), 415 (Content-Type not {@code application/sdp}), 503 (too many sessions),
 * 500 (ICE gathering did not complete in time, or another failure of the peer).
 *
 * <p>Every response carries CORS headers allowing any origin (the server holds no cookies or
 * credentials: a page on another origin, e.g. a test page or a web app, may drive it) and
 * exposing {@code Location}.
 *
 * <p>Why Netty and not the JDK's {@code com.sun.net.httpserver}: an answer is ready only after ICE
 * gathering completes, on another thread; Netty writes the response from the future's completion
 * without holding a thread per waiting request, bounds the body ({@link HttpObjectAggregator}),
 * and is already the server suite's network library (TURN, signaling), so the jar gains nothing.
 *
 * <p>Threading: one Netty event loop thread; sessions live in a concurrent map; {@link #close()}
 * closes every session, then the listening socket and the loop.
 */
public final class EchoHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EchoHttpServer.class);

  /** The media type of SDP bodies (RFC 4566 §8.1). */
  public static final String APPLICATION_SDP = "application/sdp";

  private final EchoPeerFactory factory;
  private final Duration timeout;
  private final int maxSessions;
  private final MultiThreadIoEventLoopGroup group;
  private final Channel listener;
  private final Map<String, EchoPeer> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private volatile boolean closed;

  private EchoHttpServer(EchoPeerFactory factory, Duration timeout, int maxSessions, MultiThreadIoEventLoopGroup group,
      InetSocketAddress bind) throws IOException {
    this.factory = factory;
    this.timeout = timeout;
    this.maxSessions = maxSessions;
    this.group = group;
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(SdpLimits.MAX_DESCRIPTION_LENGTH),
                new Handler());
          }
        });
    try {
      this.listener = b.bind(bind).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + bind, e);
    } catch (Exception e) {
      throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
    }
  }

  /**
   * Starts listening on {@code bind} (port 0 picks a free one).
   *
   * @param timeout how long a request may wait for the peer (ICE gathering, applying a description)
   * @param maxSessions sessions kept at most at once (503 beyond)
   * @throws IOException when the address cannot be bound
   */
  public static EchoHttpServer start(InetSocketAddress bind, EchoPeerFactory factory, Duration timeout, int maxSessions)
      throws IOException {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(factory, "factory");
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        (java.util.concurrent.ThreadFactory) r -> new Thread(r, "rtc4j-echo-http"), NioIoHandler.newFactory());
    try {
      return new EchoHttpServer(factory, timeout, maxSessions, group, bind);
    } catch (IOException | RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
      throw e;
    }
  }

  /** {@link #start(InetSocketAddress, EchoPeerFactory, Duration, int)} with a 15 s timeout and 256 sessions. */
  public static EchoHttpServer start(InetSocketAddress bind, EchoPeerFactory factory) throws IOException {
    return start(bind, factory, Duration.ofSeconds(15), 256);
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  /** {@code http://host:port} (IPv6 in brackets). */
  public String baseUrl() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + a.getPort();
  }

  /** The live sessions by id. */
  public Map<String, EchoPeer> sessions() {
    return Map.copyOf(sessions);
  }

  /** Closes every session, then stops listening. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      listener.close().awaitUninterruptibly();
    } finally {
      for (String id : List.copyOf(sessions.keySet())) {
        EchoPeer p = sessions.remove(id);
        if (p != null) {
          LOG.info("session {}: closing (server shutdown)", id);
          p.close();
        }
      }
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  // ------------------------------------------------------------------ request handling

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (!req.decoderResult().isSuccess()) {
        send(ctx, false, Reply.text(400, "malformed HTTP request"));
        return;
      }
      CompletableFuture<Reply> reply;
      try {
        reply = route(req);
      } catch (RuntimeException e) {
        LOG.warn("{} {} failed", req.method(), req.uri(), e);
        reply = CompletableFuture.completedFuture(Reply.text(500, "internal error: " + e));
      }
      String what = req.method() + " " + req.uri();
      reply.whenComplete((r, e) -> send(ctx, keepAlive, r != null ? r : failure(what, e)));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("HTTP connection error", cause);
      ctx.close();
    }
  }

  private CompletableFuture<Reply> route(FullHttpRequest req) {
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    String path = q.path();
    HttpMethod m = req.method();
    if (m.equals(HttpMethod.OPTIONS)) {
      return done(new Reply(204, null, new byte[0], Map.of()));
    }
    if (path.equals("/offer")) {
      if (m.equals(HttpMethod.POST)) {
        return postOffer(req);
      }
      if (m.equals(HttpMethod.GET)) {
        return getOffer();
      }
      return done(notAllowed("GET, POST, OPTIONS"));
    }
    if (path.equals("/answer")) {
      if (!m.equals(HttpMethod.POST)) {
        return done(notAllowed("POST, OPTIONS"));
      }
      List<String> ids = q.parameters().get("session");
      return postAnswer(req, ids == null || ids.isEmpty() ? null : ids.get(0));
    }
    if (path.equals("/sessions")) {
      if (!m.equals(HttpMethod.GET)) {
        return done(notAllowed("GET, OPTIONS"));
      }
      StringBuilder json = new StringBuilder("{");
      sessions.forEach((id, p) -> json.append(json.length() > 1 ? "," : "").append(Json.quote(id)).append(':')
          .append(Json.object(p.status())));
      return done(Reply.json(200, json.append('}').toString()));
    }
    if (path.startsWith("/sessions/")) {
      String rest = path.substring("/sessions/".length());
      if (rest.endsWith("/answer")) {
        if (!m.equals(HttpMethod.POST)) {
          return done(notAllowed("POST, OPTIONS"));
        }
        return postAnswer(req, rest.substring(0, rest.length() - "/answer".length()));
      }
      EchoPeer p = sessions.get(rest);
      if (p == null) {
        return done(Reply.text(404, "no session " + rest));
      }
      if (m.equals(HttpMethod.GET)) {
        Map<String, String> st = new LinkedHashMap<>();
        st.put("id", rest);
        st.putAll(p.status());
        return done(Reply.json(200, Json.object(st)));
      }
      if (m.equals(HttpMethod.DELETE)) {
        if (sessions.remove(rest, p)) {
          LOG.info("session {}: closing (DELETE)", rest);
          p.close();
        }
        return done(new Reply(204, null, new byte[0], Map.of()));
      }
      return done(notAllowed("GET, DELETE, OPTIONS"));
    }
    return done(Reply.text(404, "no such resource: " + path
        + " (POST /offer, GET /offer, POST /answer?session=ID, GET|DELETE /sessions/ID)"));
  }

  private CompletableFuture<Reply> postOffer(FullHttpRequest req) {
    Reply bad = checkSdpBody(req, "offer");
    if (bad != null) {
      return done(bad);
    }
    String sdp = req.content().toString(StandardCharsets.UTF_8);
    Session s = newSession();
    if (s == null) {
      return done(Reply.text(503, "too many sessions (" + maxSessions + "); DELETE some or try later"));
    }
    LOG.info("session {}: remote offer received ({} bytes)", s.id, sdp.length());
    return s.peer.answer(sdp).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((answer, e) -> {
      if (e != null) {
        forget(s.id, s.peer);
        return failure("session " + s.id + ": answering", e);
      }
      LOG.info("session {}: answer sent", s.id);
      // an offer whose ICE never gets going (no usable candidate: the checklist never starts, so
      // it never fails either) would hold its sockets and a session slot forever
      group.schedule(() -> {
        String state = s.peer.status().get("connectionState");
        if (("new".equals(state) || "connecting".equals(state)) && sessions.get(s.id) == s.peer) {
          LOG.info("session {}: not connected within {} s, closing", s.id, offerLifetime().toSeconds());
          forget(s.id, s.peer);
        }
      }, offerLifetime().toMillis(), TimeUnit.MILLISECONDS);
      return new Reply(201, APPLICATION_SDP, answer.getBytes(StandardCharsets.UTF_8), Map.of("Location", s.location()));
    });
  }

  private CompletableFuture<Reply> getOffer() {
    Session s = newSession();
    if (s == null) {
      return done(Reply.text(503, "too many sessions (" + maxSessions + "); DELETE some or try later"));
    }
    return s.peer.offer().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((offer, e) -> {
      if (e != null) {
        forget(s.id, s.peer);
        return failure("session " + s.id + ": offering", e);
      }
      LOG.info("session {}: offer sent, awaiting POST /answer?session={}", s.id, s.id);
      // an offer nobody answers would hold its sockets forever: closed after 4 request timeouts
      group.schedule(() -> {
        if (s.peer.awaitingAnswer() && sessions.get(s.id) == s.peer) {
          LOG.info("session {}: no answer within {} s, closing", s.id, offerLifetime().toSeconds());
          forget(s.id, s.peer);
        }
      }, offerLifetime().toMillis(), TimeUnit.MILLISECONDS);
      return new Reply(200, APPLICATION_SDP, offer.getBytes(StandardCharsets.UTF_8), Map.of("Location", s.location()));
    });
  }

  /** How long an offer of {@code GET /offer} waits for its answer. */
  Duration offerLifetime() {
    return timeout.multipliedBy(4);
  }

  private CompletableFuture<Reply> postAnswer(FullHttpRequest req, String id) {
    Reply bad = checkSdpBody(req, "answer");
    if (bad != null) {
      return done(bad);
    }
    EchoPeer peer;
    if (id == null) {
      List<Map.Entry<String, EchoPeer>> waiting = sessions.entrySet().stream().filter(e -> e.getValue().awaitingAnswer())
          .toList();
      if (waiting.size() != 1) {
        return done(Reply.text(400, waiting.isEmpty() ? "no offer awaits an answer (GET /offer first)"
            : waiting.size() + " offers await an answer: name the session, POST /answer?session=ID"));
      }
      id = waiting.get(0).getKey();
      peer = waiting.get(0).getValue();
    } else {
      peer = sessions.get(id);
      if (peer == null) {
        return done(Reply.text(404, "no session " + id));
      }
    }
    if (!peer.awaitingAnswer()) {
      return done(Reply.text(400, "session " + id + " awaits no answer (its offer was answered, or it answered an offer)"));
    }
    String sdp = req.content().toString(StandardCharsets.UTF_8);
    String sid = id;
    LOG.info("session {}: remote answer received ({} bytes)", sid, sdp.length());
    return peer.acceptAnswer(sdp).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((v, e) -> e != null ? failure("session " + sid + ": applying the answer", e)
            : new Reply(204, null, new byte[0], Map.of("Location", "/sessions/" + sid)));
  }

  /** 415/400 for a body that is not SDP, or null when it parses. */
  private static Reply checkSdpBody(FullHttpRequest req, String kind) {
    String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals(APPLICATION_SDP)) {
      return Reply.text(415, "the body must be an SDP " + kind + " with Content-Type: application/sdp (got "
          + (type == null ? "none" : "'" + type + "'") + ")");
    }
    ByteBuf body = req.content();
    if (body.readableBytes() == 0) {
      return Reply.text(400, "empty body: expected an SDP " + kind);
    }
    try {
      SessionDescription.parse(body.toString(StandardCharsets.UTF_8));
    } catch (SdpParseException e) {
      return Reply.text(400, "malformed SDP " + kind + ": " + e.getMessage());
    }
    return null;
  }

  private record Session(String id, EchoPeer peer) {
    String location() {
      return "/sessions/" + id;
    }
  }

  private Session newSession() {
    if (closed || sessions.size() >= maxSessions) {
      return null;
    }
    byte[] b = new byte[8];
    random.nextBytes(b);
    String id = HexFormat.of().formatHex(b);
    EchoPeer[] holder = new EchoPeer[1];
    EchoPeer peer = factory.create(id, () -> {
      if (holder[0] != null && sessions.remove(id, holder[0])) {
        LOG.info("session {}: ended", id);
      }
    });
    holder[0] = peer;
    sessions.put(id, peer);
    if (closed) { // close() ran between the check and the put: it may have missed this one
      forget(id, peer);
      return null;
    }
    return new Session(id, peer);
  }

  private void forget(String id, EchoPeer peer) {
    if (sessions.remove(id, peer)) {
      peer.close();
    }
  }

  private static Reply failure(String what, Throwable e) {
    Throwable c = e;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof RejectedDescriptionException) {
      LOG.info("{}: refused: {}", what, c.getMessage());
      return Reply.text(400, c.getMessage());
    }
    if (c instanceof TimeoutException) {
      LOG.warn("{}: timed out", what);
      return Reply.text(500, what + ": no result in time (ICE gathering did not complete?)");
    }
    LOG.warn("{} failed", what, c);
    return Reply.text(500, what + " failed: " + c);
  }

  private static Reply notAllowed(String allow) {
    return new Reply(405, "text/plain; charset=utf-8", ("method not allowed; allowed: " + allow + "\n")
        .getBytes(StandardCharsets.UTF_8), Map.of("Allow", allow));
  }

  private static CompletableFuture<Reply> done(Reply r) {
    return CompletableFuture.completedFuture(r);
  }

  private record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static Reply text(int status, String message) {
      return new Reply(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply json(int status, String json) {
      return new Reply(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }
  }

  private static void send(ChannelHandlerContext ctx, boolean keepAlive, Reply r) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
        Unpooled.wrappedBuffer(r.body()));
    var h = res.headers();
    if (r.contentType() != null) {
      h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    }
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, DELETE, OPTIONS");
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
    h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "Location");
    h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    r.headers().forEach(h::set);
    if (keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res);
    } else {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Just enough JSON for flat string maps. */
  static final class Json {
    private Json() {}

    static String object(Map<String, String> m) {
      StringBuilder sb = new StringBuilder("{");
      m.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(quote(k)).append(':').append(quote(v)));
      return sb.append('}').toString();
    }

    static String quote(String s) {
      if (s == null) {
        return "null";
      }
      StringBuilder sb = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) {
              sb.append(String.format("\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      return sb.append('"').toString();
    }
  }
}
