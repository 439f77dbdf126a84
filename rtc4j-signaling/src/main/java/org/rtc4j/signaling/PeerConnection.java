package org.rtc4j.signaling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PeerJS WebSocket: the handshake outcome (ERROR, ID-TAKEN or OPEN, in upstream's order and
 * with its exact strings), then the client's frames: HEARTBEAT refreshes liveness; OFFER, ANSWER,
 * CANDIDATE, LEAVE and EXPIRE are relayed with {@code src} rewritten to this client's id; LEAVE
 * without {@code dst} unregisters; unknown types are ignored. Per-client limits: a token bucket on
 * frames (a flooding client gets ERROR "Rate limit exceeded" and is closed with 1008), the frame size
 * cap (the decoder closes with 1009), and at most {@value #MAX_MALFORMED} malformed frames.
 *
 * <p>Threading: frames are handled on the channel's event loop; {@link #send} and
 * {@link #close} may be called from any thread (a call from another thread is handed to the loop).
 * Frames for this client are appended to a batch (one pooled buffer) on its loop and written and
 * flushed once per loop iteration, by the loop's {@link SignalingServer.Scratch} task; anything
 * written directly (pong, close, ERROR before a close) first writes the batch, so order holds. Registry calls
 * never block the loop: an outcome that is already complete (in memory) is handled inline; one
 * that is not (Redis) is handled back on the loop when it completes, and this client's later
 * relays wait in a FIFO until then, so a client's messages are relayed in the order it sent them
 * whatever order Redis answers in. With {@value #MAX_WAITING} waiting, reading pauses.
 */
final class PeerConnection extends ChannelInboundHandlerAdapter implements PeerSink, WsFrameDecoder.Handler {

  private static final Logger log = LoggerFactory.getLogger(PeerConnection.class);

  static final String MSG_MISSING_PARAMETERS = "No id, token, or key supplied to websocket server";
  static final String MSG_INVALID_KEY = "Invalid key provided";
  static final String MSG_ID_TAKEN = "ID is taken";
  static final String MSG_LIMIT = "Server has reached its concurrent user limit";
  static final String MSG_RATE_LIMIT = "Rate limit exceeded";
  static final String MSG_INVALID_MESSAGE = "Invalid message: ";
  static final String MSG_UNAVAILABLE = "Server is temporarily unavailable, try again later";
  static final int MAX_MALFORMED = 10;
  /** Relays waiting behind one in flight before this client's reads pause (autoRead off). */
  static final int MAX_WAITING = 64;
  /** A batch's first buffer: a few relayed frames (SDP offers run to a few KiB and grow it). */
  static final int BATCH_INITIAL_BYTES = 2048;
  /** A batch this large is written at once and a new one started: bounds the copy when it grows. */
  static final int BATCH_MAX_BYTES = 64 * 1024;
  /** How long a session the server closed waits for the client's close frame before the socket closes. */
  static final long CLOSE_LINGER_MILLIS = 2000;
  /** What a closing session may still send us (read and dropped) before it is closed at once. */
  static final long CLOSE_LINGER_MAX_BYTES = 1 << 20;
  /** The smallest header of a client frame: two bytes and the 4-byte masking key (RFC 6455 §5.2). */
  private static final int MIN_FRAME_HEADER = 6;

  /** A relay waiting for this client's previous registry call to complete. */
  private record Waiting(ClientMessage message, long nowNanos) {}

  private final SignalingServer server;
  private final String key;
  private final String id;
  private final String token;
  private final String remote;
  private Channel channel;
  private Tenant tenant;
  private volatile boolean registered;
  private volatile long lastPingNanos = System.nanoTime();
  private double tokens;
  private long refilledAtNanos;
  private int malformed;
  /** A registry call of this client is in flight (registration or relay): later relays wait. Loop only. */
  private boolean busy;
  private ArrayDeque<Waiting> waiting;
  /** This client's id as it appears in relayed frames' {@code src} (JSON-escaped UTF-8), made at the first relay. */
  private byte[] srcEscaped;
  /** The destination of this client's last relayed frame, as bytes and as the String id (see {@link #destination}). Loop only. */
  private byte[] lastDstBytes;
  private String lastDst;
  /** Frames for this client batched in this loop iteration, not yet written to the channel. Loop only. */
  private ByteBuf batch;
  /** The server sent its close frame ({@link #closeWith}): nothing more is read or sent. Written on the loop. */
  private volatile boolean closing;
  private io.netty.util.concurrent.ScheduledFuture<?> lingerTimer;
  /** Frame bytes received since our close frame ({@link #CLOSE_LINGER_MAX_BYTES} at most). Loop only. */
  private long closingBytes;
  /**
   * Bytes handed to this client's loop from other threads and not yet in its batch: counted against
   * the high-water mark with what the channel holds, so a client that does not read cannot pin
   * memory through tasks queued by other loops or Redis (review H1).
   */
  private final java.util.concurrent.atomic.AtomicLong handedOver = new java.util.concurrent.atomic.AtomicLong();

  PeerConnection(SignalingServer server, String key, String id, String token,
      String remote) {
    this.server = server;
    this.key = key;
    this.id = id;
    this.token = token;
    this.remote = remote;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.channel = ctx.channel();
  }

  /** Runs on the event loop once the 101 response is written. */
  void handshakeDone() {
    if (server.isClosed()) {
      channel.close();
      return;
    }
    server.opened(this);
    if (isEmpty(id) || isEmpty(token) || isEmpty(key)) {
      reject(SignalingStats.Rejection.MISSING_PARAMETERS, ClientMessage.ERROR, MSG_MISSING_PARAMETERS);
      return;
    }
    Optional<Tenant> t = server.config().tenant(key);
    if (t.isEmpty()) {
      reject(SignalingStats.Rejection.INVALID_KEY, ClientMessage.ERROR, MSG_INVALID_KEY);
      return;
    }
    tenant = t.get();
    tokens = tenant.messageBurst();
    refilledAtNanos = System.nanoTime();
    lastPingNanos = refilledAtNanos;
    String open = "{\"type\":\"OPEN\"}";
    busy = true; // frames arriving before the outcome wait for it
    CompletableFuture<PeerRegistry.Registration> f =
        server.registry().register(tenant, id, token, this, open, System.nanoTime()).toCompletableFuture();
    if (f.isDone()) {
      registered(f.isCompletedExceptionally() ? null : f.getNow(null));
    } else {
      f.whenComplete((r, e) -> channel.eventLoop().execute(() -> registered(e == null ? r : null)));
    }
  }

  /** On the loop: the registration's outcome (null: the registry failed). */
  private void registered(PeerRegistry.Registration r) {
    busy = false;
    PeerRegistry.Outcome outcome = r == null ? PeerRegistry.Outcome.UNAVAILABLE : r.outcome();
    if (closing) {
      // Cut off (rate limit, malformed, too large, shutdown) while the registry answered: undo it.
      if (outcome == PeerRegistry.Outcome.OPENED || outcome == PeerRegistry.Outcome.REATTACHED) {
        server.registry().unregister(tenant, id, this);
      }
      return;
    }
    switch (outcome) {
      case ID_TAKEN -> reject(SignalingStats.Rejection.ID_TAKEN, ClientMessage.ID_TAKEN, MSG_ID_TAKEN);
      case LIMIT_REACHED -> reject(SignalingStats.Rejection.CONCURRENT_LIMIT, ClientMessage.ERROR, MSG_LIMIT);
      case UNAVAILABLE -> reject(SignalingStats.Rejection.REGISTRY_UNAVAILABLE, ClientMessage.ERROR, MSG_UNAVAILABLE);
      case OPENED, REATTACHED -> {
        if (!channel.isActive()) {
          // The client left while the registry answered: channelInactive found nothing to remove.
          server.registry().unregister(tenant, id, this);
          return;
        }
        registered = true;
        server.stats().countConnected();
        server.stats().countDeliveredFromQueue(r.delivered());
        if (r.replaced() != null && r.replaced() != this) {
          // Upstream leaves the old socket open; it can never be used again, so close it.
          r.replaced().close();
        }
        log.debug("peer {} {} under key {} from {}", id, r.outcome(), key, remote);
        drainWaiting();
      }
    }
  }

  private void reject(SignalingStats.Rejection why, String type, String msg) {
    waiting = null;
    server.stats().countRejected(why);
    log.debug("refused {} (id {}, key {}) from {}: {}", why, id, key, remote, msg);
    writeBatch();
    channel.write(new TextWebSocketFrame(ClientMessage.errorFrame(server.mapper(), type, msg)), channel.voidPromise());
    closeWith(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
  }

  @Override
  public void message(boolean isText, byte[] b, int len) {
    if (closing) {
      lingering(len + MIN_FRAME_HEADER);
      return; // anything after our close frame is dropped
    }
    if (!registered && !(busy && tenant != null)) {
      return; // a frame before the handshake outcome is kept only while the registration is in flight
    }
    long now = System.nanoTime();
    if (!takeToken(now)) {
      rateLimited();
      return;
    }
    if (!isText) {
      malformed("binary frames are not supported");
      return;
    }
    SignalingServer.Scratch sc = server.scratch();
    int[] r = sc.ranges;
    ClientMessage m;
    if (sc.envelope.scan(b, len, r)) {
      // the hot path: nothing allocated (the destination's String is reused, its frame built in the scratch)
      String type = ClientMessage.type(b, r[AsciiEnvelope.TYPE_START], r[AsciiEnvelope.TYPE_END]);
      if (type == ClientMessage.HEARTBEAT) {
        lastPingNanos = now;
        server.stats().countHeartbeat();
        return;
      }
      if (!busy && r[AsciiEnvelope.DST_START] >= 0 && isRelayed(type)) {
        relayEncoded(sc, type, b, r, now);
        return;
      }
      m = new ClientMessage(type, ascii(b, r[AsciiEnvelope.DST_START], r[AsciiEnvelope.DST_END]),
          ascii(b, r[AsciiEnvelope.PAYLOAD_START], r[AsciiEnvelope.PAYLOAD_END]));
    } else {
      try {
        m = ClientMessage.parse(server.mapper(), java.util.Arrays.copyOf(b, len));
      } catch (SignalingMessageException e) {
        malformed(e.getMessage());
        return;
      }
    }
    handle(m, now);
  }

  @Override
  public void ping(byte[] b, int len) {
    if (!controlFrameAdmitted(len)) {
      return;
    }
    // The pong is only written while the channel is writable: a client that pings and never reads
    // must not grow our outbound buffer.
    if (channel.isWritable()) {
      writeBatch();
      channel.writeAndFlush(new PongWebSocketFrame(Unpooled.wrappedBuffer(b, 0, len)), channel.voidPromise());
    } else {
      server.stats().countDropped(SignalingStats.Drop.PONG_BACKLOGGED, 1);
    }
  }

  @Override
  public void pong() {
    // Nothing to answer (we never ping; liveness is the client's HEARTBEAT, as upstream); it is only
    // charged, so that a client gets no unlimited frames by sending pongs.
    controlFrameAdmitted(0);
  }

  /**
   * Whether a ping or pong with {@code len} payload bytes is to be handled: not while closing (then
   * it counts against the linger budget), and it costs a token like any frame, also while the
   * registration is in flight, as a message does (out of tokens: the client is cut off).
   */
  private boolean controlFrameAdmitted(int len) {
    if (closing) {
      lingering(len + MIN_FRAME_HEADER);
      return false;
    }
    if (tenant != null && (registered || busy) && !takeToken(System.nanoTime())) {
      rateLimited();
      return false;
    }
    return true;
  }

  @Override
  public void closed(byte[] b, int len) {
    if (closing) {
      channel.close(); // the client answered our close frame
      return;
    }
    writeBatch();
    closing = true; // nothing may follow our close frame
    // RFC 6455 §5.5.1: answer with a close frame (echoing the code), then close the TCP connection;
    // bounded in time too, for a client that never reads our answer.
    channel.writeAndFlush(new CloseWebSocketFrame(true, 0, Unpooled.wrappedBuffer(b, 0, len)))
        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    startLingerTimer();
  }

  @Override
  public void violated(WebSocketCloseStatus status, String why) {
    if (closing) {
      // The decoder reads no more; the linger timer closes. Closing now, over unread input, could
      // reset the connection and destroy the ERROR and close frame the client has not read yet.
      return;
    }
    boolean tooBig = status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
    server.stats().countRejected(tooBig ? SignalingStats.Rejection.FRAME_TOO_LARGE : SignalingStats.Rejection.PROTOCOL_ERROR);
    log.debug("peer {} from {} broke the WebSocket framing ({}): {}", id, remote, status.code(), why);
    if (registered) {
      leaveRegistry();
    }
    closeWith(new CloseWebSocketFrame(status));
  }

  @Override
  public void discarded(int bytes) {
    if (closing) {
      lingering(bytes); // after a violation the budget still holds (the decoder reads no more frames)
    }
  }

  /** Closes the channel after {@value #CLOSE_LINGER_MILLIS} ms, whatever the client does. */
  private void startLingerTimer() {
    lingerTimer = server.scheduleForConnection(channel, this::closeNow, CLOSE_LINGER_MILLIS);
  }

  /** While closing: input is read and dropped, within a budget (a frame counts its smallest header too). */
  private void lingering(long bytes) {
    closingBytes += bytes;
    if (closingBytes > CLOSE_LINGER_MAX_BYTES) {
      closeNow();
    }
  }

  /**
   * Ends a linger: the socket closes now. Under TLS the close goes below the SslHandler, which would
   * otherwise first try to flush close_notify to a client that may not be reading, for up to 3 s,
   * still reading its input meanwhile (past the budget).
   */
  private void closeNow() {
    ChannelHandlerContext tls = tls();
    if (tls != null) {
      tls.close();
    } else {
      channel.close();
    }
  }

  private static boolean isRelayed(String type) {
    return type == ClientMessage.OFFER || type == ClientMessage.CANDIDATE || type == ClientMessage.ANSWER
        || type == ClientMessage.LEAVE || type == ClientMessage.EXPIRE;
  }

  private static String ascii(byte[] b, int s, int e) {
    return s < 0 ? null : new String(b, s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** {@link #relayNow} for a frame {@link AsciiEnvelope#ranges} parsed (dst present, nothing of ours in flight). */
  private void relayEncoded(SignalingServer.Scratch sc, String type, byte[] b, int[] r, long now) {
    String dst = destination(b, r[AsciiEnvelope.DST_START], r[AsciiEnvelope.DST_END]);
    if (srcEscaped == null) {
      srcEscaped = ClientMessage.escapedUtf8(id);
    }
    ByteBuf frame = ClientMessage.encodedRelayFrame(sc.frame.clear(), b, r, srcEscaped);
    boolean queue = type != ClientMessage.LEAVE && type != ClientMessage.EXPIRE;
    CompletableFuture<PeerRegistry.Delivery> f =
        server.registry().relay(tenant, id, dst, frame, queue, now).toCompletableFuture();
    if (f.isDone()) {
      delivered(f.isCompletedExceptionally() ? PeerRegistry.Delivery.UNAVAILABLE : f.getNow(null), dst);
      return;
    }
    busy = true;
    f.whenComplete((d, e) -> channel.eventLoop().execute(() -> {
      busy = false;
      delivered(e == null ? d : PeerRegistry.Delivery.UNAVAILABLE, dst);
      drainWaiting();
    }));
  }

  /**
   * The id in {@code b[s, e)} (ASCII): the previous frame's String when it names the same peer. A
   * client sends its offer and then its trickled candidates to one peer, so this is nearly always
   * a hit: no String to allocate and its hash already computed for the registry's lookup.
   */
  private String destination(byte[] b, int s, int e) {
    byte[] last = lastDstBytes;
    if (last != null && java.util.Arrays.equals(last, 0, last.length, b, s, e)) {
      return lastDst;
    }
    lastDstBytes = java.util.Arrays.copyOfRange(b, s, e);
    return lastDst = new String(lastDstBytes, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private void rateLimited() {
    leaveRegistry();
    server.stats().countRejected(SignalingStats.Rejection.RATE_LIMIT);
    log.debug("peer {} from {} exceeded {} frames/s; cut off", id, remote, tenant.messagesPerSecond());
    writeBatch();
    channel.write(new TextWebSocketFrame(ClientMessage.errorFrame(server.mapper(), ClientMessage.ERROR, MSG_RATE_LIMIT)),
        channel.voidPromise());
    closeWith(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, MSG_RATE_LIMIT));
  }

  private void handle(ClientMessage m, long now) {
    switch (m.type()) {
      case ClientMessage.HEARTBEAT -> {
        lastPingNanos = now;
        server.stats().countHeartbeat();
      }
      case ClientMessage.OFFER, ClientMessage.ANSWER, ClientMessage.CANDIDATE, ClientMessage.LEAVE,
          ClientMessage.EXPIRE -> relay(m, now);
      default -> server.stats().countDropped(SignalingStats.Drop.UNKNOWN_TYPE, 1);
    }
  }

  private void relay(ClientMessage m, long now) {
    if (busy) {
      // An earlier registry call of this client has not completed: keep the client's order.
      if (waiting == null) {
        waiting = new ArrayDeque<>();
      }
      waiting.add(new Waiting(m, now));
      if (waiting.size() >= MAX_WAITING) {
        channel.config().setAutoRead(false);
      }
      return;
    }
    relayNow(m, now);
  }

  /** On the loop, when nothing of this client is in flight: the next waiting relays, in order. */
  private void drainWaiting() {
    while (!busy && waiting != null && !waiting.isEmpty()) {
      Waiting w = waiting.poll();
      if (!registered) {
        waiting = null;
        return;
      }
      relayNow(w.message(), w.nowNanos());
    }
    if (!channel.config().isAutoRead() && (waiting == null || waiting.size() < MAX_WAITING / 2)) {
      channel.config().setAutoRead(true);
    }
  }

  private void relayNow(ClientMessage m, long now) {
    boolean leave = ClientMessage.LEAVE.equals(m.type());
    if (m.dst() == null) {
      if (leave) {
        // LEAVE without dst: the client unregisters itself (upstream removes it from the realm).
        leaveRegistry();
        close();
        return;
      }
      malformed("\"dst\" is missing");
      return;
    }
    String frame = ClientMessage.relayFrame(server.mapper(), m.type(), id, m.dst(), m.payload());
    boolean queue = !leave && !ClientMessage.EXPIRE.equals(m.type());
    CompletableFuture<PeerRegistry.Delivery> f =
        server.registry().relay(tenant, id, m.dst(), frame, queue, now).toCompletableFuture();
    if (f.isDone()) {
      delivered(f.isCompletedExceptionally() ? PeerRegistry.Delivery.UNAVAILABLE : f.getNow(null), m.dst());
      return;
    }
    busy = true;
    f.whenComplete((d, e) -> channel.eventLoop().execute(() -> {
      busy = false;
      delivered(e == null ? d : PeerRegistry.Delivery.UNAVAILABLE, m.dst());
      drainWaiting();
    }));
  }

  /** On the loop: counts the outcome and tells the sender when its message will not arrive. */
  private void delivered(PeerRegistry.Delivery d, String dst) {
    SignalingStats stats = server.stats();
    switch (d) {
      case DELIVERED -> stats.countRelayed();
      case QUEUED -> stats.countQueued();
      case OFFLINE -> stats.countDropped(SignalingStats.Drop.OFFLINE, 1);
      case BACKLOGGED -> stats.countDropped(SignalingStats.Drop.BACKLOGGED, 1);
      case CLOSED -> {
        stats.countDropped(SignalingStats.Drop.PEER_CLOSED, 1);
        // As upstream when forwarding fails: tell the sender the destination left.
        send(ClientMessage.noticeFrame(server.mapper(), ClientMessage.LEAVE, dst, id));
      }
      case QUEUE_FULL, UNAVAILABLE -> {
        stats.countDropped(d == PeerRegistry.Delivery.QUEUE_FULL ? SignalingStats.Drop.QUEUE_FULL
            : SignalingStats.Drop.REGISTRY_UNAVAILABLE, 1);
        // The message will never arrive: say so now rather than at expiry.
        if (send(ClientMessage.noticeFrame(server.mapper(), ClientMessage.EXPIRE, dst, id))) {
          stats.countExpireSent();
        }
      }
    }
  }

  /** Stops relaying for this client and removes its registration (if still its own). */
  private void leaveRegistry() {
    registered = false;
    waiting = null;
    server.registry().unregister(tenant, id, this).thenAccept(removed -> {
      if (removed) {
        server.stats().countDisconnected();
      }
    });
  }

  private void malformed(String reason) {
    server.stats().countDropped(SignalingStats.Drop.MALFORMED, 1);
    malformed++;
    log.debug("malformed frame from peer {} ({}): {}", id, remote, reason);
    send(ClientMessage.errorFrame(server.mapper(), ClientMessage.ERROR, MSG_INVALID_MESSAGE + reason));
    if (malformed >= MAX_MALFORMED) {
      leaveRegistry();
      server.stats().countRejected(SignalingStats.Rejection.TOO_MANY_ERRORS);
      closeWith(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, "too many invalid messages"));
    }
  }

  /** Token bucket: {@code messagesPerSecond} refill, {@code messageBurst} capacity. */
  private boolean takeToken(long now) {
    double elapsed = (now - refilledAtNanos) / 1e9;
    refilledAtNanos = now;
    tokens = Math.min(tenant.messageBurst(), tokens + elapsed * tenant.messagesPerSecond());
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Called by the liveness sweep (another thread): closes a registered client silent for {@code timeout}. */
  void checkAlive(long now, long timeoutNanos) {
    if (registered && now - lastPingNanos >= timeoutNanos) {
      registered = false;
      server.stats().countAliveTimeout();
      log.debug("peer {} sent no HEARTBEAT for {} ms; closing", id, timeoutNanos / 1_000_000);
      channel.eventLoop().execute(() -> {
        leaveRegistry();
        close();
      });
    }
  }

  @Override
  public boolean send(String frame) {
    Channel ch = channel;
    if (!admits(ch)) {
      return false; // above the high-water mark: a slow reader does not get to hold our memory
    }
    if (ch.eventLoop().inEventLoop()) {
      int len = io.netty.buffer.ByteBufUtil.utf8Bytes(frame);
      WsText.write(batchFor(WsText.headerLength(len) + len), frame, len);
    } else {
      appendLater(ch, WsText.encode(ch.alloc(), frame));
    }
    return true;
  }

  @Override
  public boolean sendEncoded(ByteBuf wsFrame) {
    Channel ch = channel;
    if (!admits(ch)) {
      return false;
    }
    if (ch.eventLoop().inEventLoop()) {
      append(wsFrame);
    } else {
      int n = wsFrame.readableBytes();
      appendLater(ch, ch.alloc().ioBuffer(n).writeBytes(wsFrame, wsFrame.readerIndex(), n));
    }
    return true;
  }

  /**
   * Whether a frame for this client is accepted: open, not closing, and below the high-water mark
   * counting what other threads have handed to its loop (the batch of the current iteration is
   * not counted: it is at most {@value #BATCH_MAX_BYTES} bytes before it is written and counts).
   */
  private boolean admits(Channel ch) {
    return ch != null && !closing && ch.isActive() && ch.isWritable()
        && handedOver.get() < ch.bytesBeforeUnwritable();
  }

  /** From another thread (another loop, Redis): {@code frame} (owned) joins the batch on this client's loop. */
  private void appendLater(Channel ch, ByteBuf frame) {
    int n = frame.readableBytes();
    handedOver.addAndGet(n);
    try {
      ch.eventLoop().execute(() -> {
        handedOver.addAndGet(-n);
        try {
          if (!closing && ch.isActive()) {
            append(frame);
          }
        } finally {
          frame.release();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      handedOver.addAndGet(-n);
      frame.release(); // the server is shutting down
    }
  }

  /** On the loop: {@code frame}'s readable bytes onto this iteration's batch ({@code frame} is not consumed). */
  private void append(ByteBuf frame) {
    int n = frame.readableBytes();
    ByteBuf b = batchFor(n);
    if (frame.hasArray()) {
      // from the array: copying buffer to buffer made two NIO views per frame (a JFR profile at
      // 10,000 peers: all but 2 % of what the relay path still allocated)
      b.writeBytes(frame.array(), frame.arrayOffset() + frame.readerIndex(), n);
    } else {
      b.writeBytes(frame, frame.readerIndex(), n);
    }
  }

  /** On the loop: this iteration's batch with room for {@code n} more bytes (started, or written and restarted, as needed). */
  private ByteBuf batchFor(int n) {
    ByteBuf b = batch;
    if (b != null && b.readableBytes() + n <= BATCH_MAX_BYTES) {
      return b;
    }
    if (b == null) {
      server.scratch().batched(this, channel.eventLoop());
    } else {
      batch = null;
      channel.write(b, channel.voidPromise()); // full: written now, flushed with the next
    }
    return batch = channel.alloc().ioBuffer(Math.max(BATCH_INITIAL_BYTES, n));
  }

  /** On the loop: hands this iteration's batch (if any) to the channel, unflushed. */
  private void writeBatch() {
    ByteBuf b = batch;
    if (b != null) {
      batch = null;
      channel.write(b, channel.voidPromise());
    }
  }

  /** On the loop, from the loop's flush task: writes and flushes this iteration's batch. */
  void flushBatch() {
    ByteBuf b = batch;
    if (b == null) {
      return; // written earlier, ahead of a direct write that flushed it
    }
    batch = null;
    if (!closing && channel.isActive()) {
      channel.writeAndFlush(b, channel.voidPromise());
    } else {
      b.release();
    }
  }

  /**
   * On the loop: the server ends the session. The batch, then {@code frame}, then a half-close
   * (under TLS close_notify, then the FIN) once that is flushed; the socket closes when the
   * client's close frame arrives (RFC 6455 §7.1.1: the server closes the TCP connection first,
   * after the closing handshake) or after
   * {@value #CLOSE_LINGER_MILLIS} ms. Closing at once would leave the client's unread frames in
   * our receive buffer, and the kernel answers those with a reset that can destroy our ERROR and
   * close frame before the client reads them (a flooding client, cut off by the rate limit, lost
   * its ERROR that way in a test run).
   */
  private void closeWith(CloseWebSocketFrame frame) {
    Channel ch = channel;
    if (closing || !ch.isActive()) {
      frame.release();
      return;
    }
    closing = true;
    writeBatch();
    ch.config().setAutoRead(true); // read (and drop) what still comes, even if relays had paused reading
    ch.writeAndFlush(frame).addListener((io.netty.channel.ChannelFutureListener) f -> {
      if (f.isSuccess() && ch instanceof io.netty.channel.socket.DuplexChannel d) {
        ChannelHandlerContext tls = tls();
        if (tls == null) {
          d.shutdownOutput();
        } else {
          // close_notify before the FIN (the FIN bypasses the TLS layer): a bare FIN reads as truncation
          ((io.netty.handler.ssl.SslHandler) tls.handler()).closeOutbound().addListener(sent -> d.shutdownOutput());
        }
      } else {
        ch.close();
      }
    });
    startLingerTimer();
  }

  /** The TLS handler's context, or null without TLS. */
  private ChannelHandlerContext tls() {
    return channel.pipeline().context(io.netty.handler.ssl.SslHandler.class);
  }

  /** On the loop: drops an unwritten batch (the channel is gone). */
  private void releaseBatch() {
    ByteBuf b = batch;
    if (b != null) {
      batch = null;
      b.release();
    }
  }

  String id() {
    return id;
  }

  Channel channel() {
    return channel;
  }

  /** Relays waiting for an earlier registry call of this client; on the loop (tests). */
  int waitingCount() {
    return waiting == null ? 0 : waiting.size();
  }

  /** Bytes written to this client's channel and not yet handed to the kernel (tests). */
  long pendingOutboundBytes() {
    Channel ch = channel;
    io.netty.channel.ChannelOutboundBuffer b = ch == null ? null : ch.unsafe().outboundBuffer();
    return handedOver.get() + (b == null ? 0 : b.totalPendingWriteBytes());
  }

  @Override
  public boolean isOpen() {
    Channel ch = channel;
    return ch != null && !closing && ch.isActive();
  }

  @Override
  public void close() {
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    if (ch.eventLoop().inEventLoop()) {
      // the frames batched before the close go first (a flush that cannot finish is dropped, as before)
      writeBatch();
      ch.flush();
      ch.close();
    } else {
      try {
        ch.eventLoop().execute(this::close);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        ch.close(); // the server is shutting down: nothing is batched any more
      }
    }
  }

  /**
   * The server is shutting down: a close frame with 1001 (going away, RFC 6455 §7.4.1), then the
   * TCP close, so the client sees a clean close it can act on (peerjs reconnects) rather than an
   * abnormal 1006; a client that never saw a close frame could also miss the bare FIN for a while.
   */
  ChannelFuture goingAway() {
    Channel ch = channel;
    if (ch == null) {
      return null;
    }
    ch.eventLoop().execute(() -> {
      closeWith(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "server shutting down"));
    });
    return ch.closeFuture();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseBatch();
    if (lingerTimer != null) {
      lingerTimer.cancel(false);
    }
    if (tenant != null) {
      leaveRegistry();
    }
    registered = false;
    server.closedConnection(this);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("WebSocket error on peer {} from {}", id, remote, cause);
    ctx.close();
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  @Override
  public String toString() {
    return "PeerConnection[" + key + "/" + id + " from " + remote + "]";
  }
}
