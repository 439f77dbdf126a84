package org.rtc4j.signaling;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the server, and the WebSocket upgrade. Routes (relative to {@code path}):
 * <ul>
 *   <li>{@code GET {path}} — upstream's description JSON;</li>
 *   <li>{@code GET {path}{key}/id} — a fresh id from the CSPRNG (UUID v4), {@code text/html} as
 *       upstream; the key is not checked, as upstream;</li>
 *   <li>{@code GET {path}{key}/peers} — the connected ids when discovery is on, else 401;</li>
 *   <li>{@code GET {path}{key}/ice-servers[?id=ID]} — rtc4j only: an RTCConfiguration
 *       {@code iceServers} list with freshly minted TURN REST credentials (404 when no TURN
 *       secret is configured, 401 for a key that is not served);</li>
 *   <li>{@code GET {path}peerjs?key&id&token&version} with {@code Upgrade: websocket} — the
 *       PeerJS socket, handed to {@link PeerConnection}.</li>
 * </ul>
 * CORS as upstream's {@code cors({origin: true})}: the request's Origin is echoed, preflights are
 * answered; with an origin allow-list, other origins get 403 (HTTP and WebSocket upgrade alike).
 *
 * <p>Threading: one instance per TCP connection, on its event loop.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger log = LoggerFactory.getLogger(HttpHandler.class);

  /** The id rule of the peerjs client ({@code lib/util.ts validateId}). */
  static final Pattern PEERJS_ID = Pattern.compile("^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$");

  static final String DESCRIPTION = "{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker "
      + "connections between PeerJS clients.\",\"website\":\"https://peerjs.com/\"}";

  private final SignalingServer server;
  private final SignalingConfig config;

  HttpHandler(SignalingServer server) {
    this.server = server;
    this.config = server.config();
  }

  /**
   * Requests that arrived (pipelined on this keep-alive connection) while an earlier one waits for the registry.
   * HTTP/1.1 answers in request order, so they are handled only after that answer is written.
   */
  private final ArrayDeque<FullHttpRequest> held = new ArrayDeque<>();
  private boolean awaiting;

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (awaiting) {
      held.add(req.retain()); // reading is paused meanwhile: at most what one read already decoded waits here
      return;
    }
    handle(ctx, req);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    held.forEach(FullHttpRequest::release);
    held.clear();
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "bad request\n", false);
      return;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !originAllowed(origin)) {
      server.stats().countRejected(SignalingStats.Rejection.ORIGIN);
      log.debug("origin {} refused from {}", origin, clientAddress(ctx, req));
      respond(ctx, req, HttpResponseStatus.FORBIDDEN, "text/plain; charset=utf-8", "origin not allowed\n", false);
      return;
    }
    QueryStringDecoder qs = new QueryStringDecoder(req.uri());
    String path = qs.path();
    if (path.equals(config.webSocketPath()) && isUpgrade(req)) {
      upgrade(ctx, req, qs.parameters());
      return;
    }
    if (HttpMethod.OPTIONS.equals(req.method())) {
      preflight(ctx, req);
      return;
    }
    if (!HttpMethod.GET.equals(req.method()) && !HttpMethod.HEAD.equals(req.method())) {
      FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
          "method not allowed\n");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, OPTIONS");
      send(ctx, req, r);
      return;
    }
    String base = config.path();
    String rest;
    if (path.equals(base) || (path + "/").equals(base)) {
      rest = "";
    } else if (path.startsWith(base)) {
      rest = path.substring(base.length());
    } else {
      staticOrNotFound(ctx, req, path);
      return;
    }
    if (rest.isEmpty()) {
      String accept = req.headers().get(HttpHeaderNames.ACCEPT, "");
      if (config.webRoot() != null && accept.contains("text/html") && path.equals("/")) {
        staticOrNotFound(ctx, req, path);
      } else {
        respond(ctx, req, HttpResponseStatus.OK, "application/json; charset=utf-8", DESCRIPTION, true);
      }
      return;
    }
    int slash = rest.indexOf('/');
    if (slash <= 0 || rest.indexOf('/', slash + 1) >= 0) {
      staticOrNotFound(ctx, req, path);
      return;
    }
    String key = rest.substring(0, slash);
    String action = rest.substring(slash + 1);
    switch (action) {
      case "id" -> id(ctx, req, key);
      case "peers" -> peers(ctx, req, key);
      case "ice-servers" -> iceServers(ctx, req, key, qs.parameters());
      default -> staticOrNotFound(ctx, req, path);
    }
  }

  /** The static web app (when configured) for paths the API does not claim; else 404. */
  private void staticOrNotFound(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    String root = config.webRoot();
    String raw = req.uri();
    if (root == null || path.contains("..") || path.contains("\\") || raw.toLowerCase(java.util.Locale.ROOT).contains("%2e")
        || path.contains("//")) {
      notFound(ctx, req);
      return;
    }
    String rel = path.substring(1);
    if (rel.isEmpty() || rel.endsWith("/")) {
      rel = rel + "index.html";
    }
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    if (cl == null) {
      cl = HttpHandler.class.getClassLoader();
    }
    byte[] body;
    try (java.io.InputStream in = cl.getResourceAsStream(root + rel)) {
      if (in == null) {
        notFound(ctx, req);
        return;
      }
      body = in.readAllBytes();
    } catch (java.io.IOException e) {
      notFound(ctx, req);
      return;
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType(rel));
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    r.headers().set("X-Content-Type-Options", "nosniff");
    send(ctx, req, r);
  }

  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT);
    return switch (ext) {
      case "html", "htm" -> "text/html; charset=utf-8";
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "json", "map" -> "application/json; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "ico" -> "image/x-icon";
      case "txt" -> "text/plain; charset=utf-8";
      default -> "application/octet-stream";
    };
  }

  private void id(ChannelHandlerContext ctx, FullHttpRequest req, String key) {
    Optional<Tenant> tenant = config.tenant(key);
    String id;
    do {
      id = randomId();
      // Only what this node knows without I/O (a Redis round trip here would stall the loop): a
      // clash with an id held elsewhere is a 2^-122 chance, and the id's token still guards it.
    } while (tenant.isPresent() && server.registry().isRegisteredLocally(tenant.get(), id));
    server.stats().countIdIssued();
    FullHttpResponse r = response(HttpResponseStatus.OK, "text/html; charset=utf-8", id);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    send(ctx, req, r);
  }

  /** A UUID v4 from the configured CSPRNG (upstream: crypto.randomUUID). */
  private String randomId() {
    byte[] b = new byte[16];
    synchronized (config.random()) {
      config.random().nextBytes(b);
    }
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = (hi << 8) | (b[i] & 0xff);
      lo = (lo << 8) | (b[i + 8] & 0xff);
    }
    return new UUID(hi, lo).toString();
  }

  private void peers(ChannelHandlerContext ctx, FullHttpRequest req, String key) {
    Optional<Tenant> tenant = config.tenant(key);
    if (!config.allowDiscovery() || tenant.isEmpty()) {
      respond(ctx, req, HttpResponseStatus.UNAUTHORIZED, "text/plain; charset=utf-8", "Unauthorized", true);
      return;
    }
    CompletableFuture<List<String>> ids = server.registry().ids(tenant.get()).toCompletableFuture();
    if (ids.isDone()) { // the in-memory registry: answer in place
      answerPeers(ctx, req, ids);
      return;
    }
    // A Redis round trip: answer later, and hold any request pipelined behind this one until then.
    awaiting = true;
    ctx.channel().config().setAutoRead(false);
    req.retain();
    ids.whenComplete((v, e) -> ctx.executor().execute(() -> {
      try {
        answerPeers(ctx, req, ids);
      } finally {
        req.release();
      }
      awaiting = false;
      while (!awaiting && !held.isEmpty() && ctx.channel().isActive()) {
        FullHttpRequest next = held.poll();
        try {
          handle(ctx, next);
        } finally {
          next.release();
        }
      }
      if (!awaiting) {
        ctx.channel().config().setAutoRead(true);
      }
    }));
  }

  private void answerPeers(ChannelHandlerContext ctx, FullHttpRequest req, CompletableFuture<List<String>> ids) {
    List<String> list;
    try {
      list = ids.join();
    } catch (RuntimeException e) {
      list = null;
      log.debug("listing peers failed", e);
    }
    if (list == null) {
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
          "Server is temporarily unavailable, try again later\n", true);
      return;
    }
    ArrayNode a = server.mapper().createArrayNode();
    list.forEach(a::add);
    respond(ctx, req, HttpResponseStatus.OK, "application/json; charset=utf-8", a.toString(), true);
  }

  private void iceServers(ChannelHandlerContext ctx, FullHttpRequest req, String key, Map<String, List<String>> params) {
    if (config.turnSecret() == null) {
      respond(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
          "TURN credentials are not configured on this server\n", true);
      return;
    }
    if (config.tenant(key).isEmpty()) {
      respond(ctx, req, HttpResponseStatus.UNAUTHORIZED, "text/plain; charset=utf-8", "Invalid key provided\n", true);
      return;
    }
    List<String> ids = params.get("id");
    String user;
    if (ids == null || ids.isEmpty() || ids.get(0).isEmpty()) {
      user = randomId();
    } else {
      user = ids.get(0);
      if (user.length() > 128 || !PEERJS_ID.matcher(user).matches()) {
        respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8",
            "id must match the peerjs id rule [A-Za-z0-9]+([ _-][A-Za-z0-9]+)* (at most 128 characters)\n", true);
        return;
      }
    }
    Duration ttl = config.turnCredentialTtl();
    long expiry = config.clock().instant().getEpochSecond() + ttl.toSeconds();
    TurnCredentials c = TurnCredentials.mint(config.turnSecret(), user, expiry);
    server.stats().countTurnCredentialsIssued();
    ObjectNode body = server.mapper().createObjectNode();
    ArrayNode servers = body.putArray("iceServers");
    ArrayNode stun = server.mapper().createArrayNode();
    ArrayNode turn = server.mapper().createArrayNode();
    String reqHost = hostName(req.headers().get(HttpHeaderNames.HOST));
    for (String url : config.turnUrls()) {
      String u = url.replace("{host}", reqHost);
      (u.startsWith("stun:") || u.startsWith("stuns:") ? stun : turn).add(u);
    }
    if (!stun.isEmpty()) {
      servers.addObject().set("urls", stun);
    }
    if (!turn.isEmpty()) {
      ObjectNode t = servers.addObject();
      t.set("urls", turn);
      t.put("username", c.username());
      t.put("credential", c.credential());
    }
    body.put("ttl", ttl.toSeconds());
    body.put("expires", expiry);
    FullHttpResponse r = response(HttpResponseStatus.OK, "application/json; charset=utf-8", body.toString());
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    send(ctx, req, r);
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, List<String>> params) {
    if (!"13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      // RFC 6455 is version 13 (what every browser and peerjs send); others get 426 naming it (§4.4)
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    String scheme = config.tls() ? "wss" : "ws";
    String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
    PeerConnection peer = new PeerConnection(server, first(params, "key"), first(params, "id"),
        first(params, "token"), clientAddress(ctx, req));
    SignalingServer.Scratch scratch = server.scratch();
    int max = config.maxMessageBytes();
    // Netty's handshake (accept key, response, encoder), with our frame decoder in place of its own:
    // no frame object per message, and it hands whole messages (fragments joined) to the peer.
    // No extensions are offered: a permessage-deflate frame could inflate past the size cap.
    WebSocketServerHandshaker hs = new WebSocketServerHandshaker13(scheme + "://" + host + config.webSocketPath(), null,
        WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(max).allowExtensions(false).build()) {
      @Override
      protected WebSocketFrameDecoder newWebsocketDecoder() {
        return new WsFrameDecoder(max, peer, scratch::bytes);
      }
    };
    ctx.pipeline().replace(this, "peer", peer);
    hs.handshake(ctx.channel(), req).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        peer.handshakeDone();
      } else {
        f.channel().close();
      }
    });
  }

  /** The host part of a Host header ("[::1]:9000" → "[::1]", "a.example:9000" → "a.example"). */
  static String hostName(String hostHeader) {
    if (hostHeader == null || hostHeader.isBlank()) {
      return "127.0.0.1";
    }
    String h = hostHeader.strip();
    if (!h.matches("[A-Za-z0-9.\\-:\\[\\]]{1,255}")) {
      return "127.0.0.1"; // reflected into URLs: only host-name characters
    }
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(0, end + 1) : h;
    }
    int colon = h.indexOf(':');
    return colon >= 0 ? h.substring(0, colon) : h;
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static boolean isUpgrade(FullHttpRequest req) {
    return HttpMethod.GET.equals(req.method())
        && req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && req.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private boolean originAllowed(String origin) {
    return config.allowedOrigins().isEmpty() || config.allowedOrigins().contains(origin);
  }

  private void preflight(ChannelHandlerContext ctx, FullHttpRequest req) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    HttpHeaders h = r.headers();
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS");
      String asked = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
      if (asked != null) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, asked);
      }
      h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    }
    send(ctx, req, r);
  }

  private void notFound(ChannelHandlerContext ctx, FullHttpRequest req) {
    respond(ctx, req, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "not found\n", true);
  }

  private void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String type,
      String body, boolean keepAlive) {
    FullHttpResponse r = response(status, type, body);
    if (!keepAlive) {
      HttpUtil.setKeepAlive(r, false);
    }
    send(ctx, req, r);
  }

  private static FullHttpResponse response(HttpResponseStatus status, String type, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    return r;
  }

  private void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse r) {
    HttpHeaders h = r.headers();
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && originAllowed(origin)) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      h.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
    }
    if (HttpMethod.HEAD.equals(req.method())) {
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
      r = r.replace(Unpooled.EMPTY_BUFFER);
    } else {
      HttpUtil.setContentLength(r, r.content().readableBytes());
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req) && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(
        h.get(HttpHeaderNames.CONNECTION, ""));
    if (keepAlive) {
      if (!req.protocolVersion().isKeepAliveDefault()) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ctx.writeAndFlush(r);
    } else {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The peer's address; with {@code proxied}, the first X-Forwarded-For entry (upstream: trust proxy). */
  private String clientAddress(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (config.proxied()) {
      String xff = req.headers().get("X-Forwarded-For");
      if (xff != null && !xff.isBlank()) {
        return xff.split(",")[0].strip();
      }
    }
    return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "?";
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP connection error from {}", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
