package org.rtc4j.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PeerJS peer (peerjs 1.5.x {@code Peer}): registers an id with a PeerJS signaling server over a WebSocket,
 * sends HEARTBEAT every {@link PeerOptions#pingInterval()}, opens {@link DataConnection}s with {@link #connect}
 * and accepts incoming ones (OFFER), relaying ANSWER and trickled CANDIDATE messages as peerjs does.
 *
 * <p>Events ({@code on…} setters; every handler runs on this peer's single event thread): open(id),
 * connection(DataConnection), call(MediaConnection), close, disconnected(id), error(PeerError).
 */
public final class Peer implements AutoCloseable {
  static final String NO_MEDIA = "rtc4j has no media (audio/video) support yet: peerjs call/answer are unavailable;"
      + " use DataConnections";
  static final String CLIENT_VERSION = "1.5.5";
  private static final Pattern ID_RULE = Pattern.compile("^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$");
  private static final Logger LOG = LoggerFactory.getLogger(Peer.class);

  final ObjectMapper json = new ObjectMapper();
  final PeerOptions options;
  final ScheduledExecutorService events;
  private final HttpClient http;
  private final SecureRandom random = new SecureRandom();
  private final String token;
  private final Map<String, List<DataConnection>> connections = new ConcurrentHashMap<>();
  /**
   * Messages for a connection id not known yet (candidates that overtook their offer), as peerjs keeps
   * them. Bounded, unlike peerjs: any peer can send them, with as many made-up ids as it likes, and
   * candidates for a call this peer cannot answer would otherwise stay forever.
   */
  private final Map<String, Lost> lostMessages = new ConcurrentHashMap<>();
  static final int MAX_LOST_CONNECTIONS = 64;
  static final int MAX_LOST_PER_CONNECTION = 256;
  /** And at most this many bytes of them in all: a message may be as large as the server lets it be. */
  static final int MAX_LOST_BYTES = 1 << 20;
  /** One unknown connection's held messages and their bytes. */
  private static final class Lost {
    final List<JsonNode> messages = new ArrayList<>();
    int bytes;
  }

  private final java.util.concurrent.atomic.AtomicInteger lostBytes = new java.util.concurrent.atomic.AtomicInteger();

  private volatile String id;
  private volatile String lastServerId;
  private volatile boolean open;
  private volatile boolean disconnected;
  private volatile boolean destroyed;
  private volatile WebSocket socket;
  private CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
  private ScheduledFuture<?> heartbeat;

  private final List<Consumer<String>> onOpen = new CopyOnWriteArrayList<>();
  private final List<Consumer<DataConnection>> onConnection = new CopyOnWriteArrayList<>();
  private final List<Consumer<MediaConnection>> onCall = new CopyOnWriteArrayList<>();
  private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> onDisconnected = new CopyOnWriteArrayList<>();
  private final List<Consumer<PeerError>> onError = new CopyOnWriteArrayList<>();
  /** Errors raised before any error handler was attached; touched only on the event thread. */
  private final List<PeerError> unclaimedErrors = new java.util.ArrayList<>();

  /** A peer that asks the server for an id. */
  public Peer(PeerOptions options) {
    this(null, options);
  }

  /**
   * A peer with a chosen id (null: ask the server's {@code /id}). Connecting starts at once, asynchronously;
   * register handlers right after construction (events are delivered on the event thread, after this returns).
   */
  public Peer(String id, PeerOptions options) {
    this.options = options;
    this.token = options.token() != null ? options.token() : randomToken();
    this.events = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "peerjs-" + (id == null ? "peer" : id));
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    events.execute(() -> start(id));
  }

  private String randomToken() {
    return Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
  }

  String randomSuffix() {
    return randomToken();
  }

  private void start(String requested) {
    if (requested != null) {
      if (!ID_RULE.matcher(requested).matches()) {
        delayedAbort(PeerError.INVALID_ID, "ID \"" + requested + "\" is invalid");
        return;
      }
      initialize(requested);
      return;
    }
    String base = (options.secure() ? "https://" : "http://") + options.host() + ":" + options.port() + options.path()
        + options.key() + "/id?ts=" + System.currentTimeMillis() + random.nextInt(1_000_000) + "&version="
        + CLIENT_VERSION;
    http.sendAsync(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).whenCompleteAsync((r, e) -> {
          if (e != null || r.statusCode() != 200) {
            String why = e != null ? String.valueOf(e) : "HTTP " + r.statusCode();
            abort(PeerError.SERVER_ERROR, "Could not get an ID from the server. (" + why + ")");
          } else {
            initialize(r.body().trim());
          }
        }, events);
  }

  private void delayedAbort(String type, String message) {
    events.execute(() -> abort(type, message));
  }

  private void initialize(String newId) {
    this.id = newId;
    openSocket();
  }

  private void openSocket() {
    String url = (options.secure() ? "wss://" : "ws://") + options.host() + ":" + options.port() + options.path()
        + "peerjs?key=" + enc(options.key()) + "&id=" + enc(id) + "&token=" + enc(token) + "&version=" + CLIENT_VERSION;
    http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(URI.create(url), new Listener())
        .whenCompleteAsync((ws, e) -> {
          if (e != null) {
            if (!disconnected && !destroyed) { // not when the caller disconnected meanwhile
              lostConnection(e);
            }
            return;
          }
          if (disconnected || destroyed) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
            return;
          }
          socket = ws;
          synchronized (this) {
            sendChain = CompletableFuture.completedFuture(null);
          }
          long ms = options.pingInterval().toMillis();
          heartbeat = events.scheduleAtFixedRate(this::sendHeartbeat, ms, ms, TimeUnit.MILLISECONDS);
        }, events);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private void sendHeartbeat() {
    if (socket != null && !disconnected) {
      sendRaw("{\"type\":\"HEARTBEAT\"}");
    }
  }

  /** Sends {type, payload, dst} to the server (WebSocket sends are chained: one outstanding at a time). */
  void send(String type, String dst, JsonNode payload) {
    ObjectNode m = json.createObjectNode();
    m.put("type", type);
    if (payload != null) {
      m.set("payload", payload);
    }
    m.put("dst", dst);
    sendRaw(m.toString());
  }

  private synchronized void sendRaw(String text) {
    WebSocket ws = socket;
    if (ws == null || disconnected) {
      return;
    }
    sendChain = sendChain.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true));
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        events.execute(() -> handleMessage(text));
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      events.execute(() -> {
        if (ws != socket || disconnected) {
          return;
        }
        lostConnection(null);
      });
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      events.execute(() -> {
        if (ws != socket || disconnected) {
          return;
        }
        lostConnection(error);
      });
    }
  }

  /**
   * The signaling socket failed to open, failed or was closed by the server (alive_timeout, a same-token
   * re-attach elsewhere): peerjs 1.5.5 reports all of these as its socket's "disconnected" event, i.e. error
   * {@code network} "Lost connection to server." and then {@link #disconnect()}, which keeps id and token for
   * {@link #reconnect()}. (Its {@code socket-error}/{@code socket-closed} are never raised for these.) The
   * cause, if any, is the error's cause: peerjs's message alone would hide why a server could not be reached.
   */
  private void lostConnection(Throwable cause) {
    emitError(new PeerError(PeerError.NETWORK, "Lost connection to server.", cause));
    disconnectNow();
  }

  private void handleMessage(String text) {
    JsonNode m;
    try {
      m = json.readTree(text);
    } catch (Exception e) {
      debug(1, "invalid server message: {}", text);
      return;
    }
    String type = m.path("type").asText("");
    JsonNode payload = m.get("payload");
    String src = m.path("src").asText(null);
    switch (type) {
      case "OPEN" -> {
        lastServerId = id;
        open = true;
        emit(onOpen, id);
      }
      case "ERROR" -> abort(PeerError.SERVER_ERROR, payload == null ? "" : payload.path("msg").asText(""));
      case "ID-TAKEN" -> abort(PeerError.UNAVAILABLE_ID, "ID \"" + id + "\" is taken");
      case "INVALID-KEY" -> abort(PeerError.INVALID_KEY, "API KEY \"" + options.key() + "\" is invalid");
      case "LEAVE" -> {
        List<DataConnection> list = connections.remove(src);
        if (list != null) {
          new ArrayList<>(list).forEach(DataConnection::close);
        }
      }
      case "EXPIRE" -> emitError(new PeerError(PeerError.PEER_UNAVAILABLE, "Could not connect to peer " + src));
      case "OFFER" -> handleOffer(src, payload);
      default -> {
        if (payload == null) {
          debug(2, "malformed message from {} of type {}", src, type);
          return;
        }
        String connectionId = payload.path("connectionId").asText(null);
        DataConnection c = getConnection(src, connectionId);
        if (c != null) {
          c.handleMessage(type, payload);
        } else if (connectionId != null) {
          keepLost(connectionId, m, text.length());
        }
      }
    }
  }

  private void keepLost(String connectionId, JsonNode m, int size) {
    Lost lost = lostMessages.get(connectionId);
    if (lostBytes.get() + size > MAX_LOST_BYTES) {
      debug(2, "dropped a message for unknown connection {}: {} bytes held for unknown connections", connectionId,
          lostBytes.get());
      return;
    }
    if (lost == null && lostMessages.size() >= MAX_LOST_CONNECTIONS) {
      debug(2, "dropped a message for unknown connection {}: {} unknown connections held", connectionId,
          MAX_LOST_CONNECTIONS);
      return;
    }
    lost = lost != null ? lost : lostMessages.computeIfAbsent(connectionId, k -> new Lost());
    if (lost.messages.size() >= MAX_LOST_PER_CONNECTION) {
      debug(2, "dropped a message for unknown connection {}: {} held for it", connectionId, MAX_LOST_PER_CONNECTION);
      return;
    }
    lost.messages.add(m);
    lost.bytes += size;
    lostBytes.addAndGet(size);
  }

  /** Removes and returns what was held for {@code connectionId}, or null. */
  private List<JsonNode> takeLost(String connectionId) {
    Lost lost = lostMessages.remove(connectionId);
    if (lost == null) {
      return null;
    }
    lostBytes.addAndGet(-lost.bytes);
    return lost.messages;
  }

  /** Messages held for connections not known yet (tests). */
  int lostMessageCount() {
    return lostMessages.values().stream().mapToInt(l -> l.messages.size()).sum();
  }

  /** Their bytes (tests). */
  int lostMessageBytes() {
    return lostBytes.get();
  }

  private void handleOffer(String src, JsonNode payload) {
    if (payload == null) {
      return;
    }
    String connectionId = payload.path("connectionId").asText("");
    DataConnection existing = getConnection(src, connectionId);
    if (existing != null) {
      existing.close();
    }
    String kind = payload.path("type").asText("");
    if ("media".equals(kind)) {
      MediaConnection mc = new MediaConnection(src, connectionId, DataConnection.toJava(payload.get("metadata")));
      emit(onCall, mc);
      return;
    }
    if (!"data".equals(kind)) {
      debug(2, "malformed connection type {}", kind);
      return;
    }
    Serialization ser = Serialization.fromWire(payload.path("serialization").asText("binary"));
    if (ser == null) {
      emitError(new PeerError(PeerError.WEBRTC, "Unsupported serialization " + payload.path("serialization")));
      return;
    }
    DataConnection c = new DataConnection(this, src, connectionId, payload.path("label").asText(connectionId),
        DataConnection.toJava(payload.get("metadata")), ser, payload.path("reliable").asBoolean(false), false);
    addConnection(src, c);
    for (Consumer<DataConnection> h : onConnection) {
      safe(() -> h.accept(c));
    }
    c.acceptOffer(payload.get("sdp"));
    List<JsonNode> lost = takeLost(connectionId);
    if (lost != null) {
      for (JsonNode m : lost) {
        c.handleMessage(m.path("type").asText(), m.get("payload"));
      }
    }
  }

  /**
   * Opens a data connection to {@code peer} (peerjs {@code peer.connect(id, options)}): label (default the
   * connection id), metadata (any JSON-able value), serialization (default binary), reliable (default false:
   * an unordered — but still fully reliable — channel, as peerjs creates it with {@code {ordered: reliable}}).
   */
  public DataConnection connect(String peer, ConnectOptions connectOptions) {
    ConnectOptions o = connectOptions == null ? ConnectOptions.defaults() : connectOptions;
    if (disconnected) {
      emitError(new PeerError(PeerError.DISCONNECTED, "You cannot connect to a new Peer because you called "
          + ".disconnect() on this Peer and ended your connection with the server. You can create a new Peer to reconnect."));
      return null;
    }
    String connectionId = "dc_" + randomSuffix();
    DataConnection c = new DataConnection(this, peer, connectionId, o.label() == null ? connectionId : o.label(),
        o.metadata(), o.serialization(), o.reliable(), true);
    addConnection(peer, c);
    events.execute(c::startAsOriginator);
    return c;
  }

  public DataConnection connect(String peer) {
    return connect(peer, null);
  }

  /** Unavailable: rtc4j has no media yet. */
  public MediaConnection call(String peer, Object stream) {
    throw new UnsupportedOperationException(NO_MEDIA);
  }

  private void addConnection(String peer, DataConnection c) {
    connections.computeIfAbsent(peer, k -> new CopyOnWriteArrayList<>()).add(c);
  }

  void removeConnection(DataConnection c) {
    List<DataConnection> list = connections.get(c.peer());
    if (list != null) {
      list.remove(c);
    }
    takeLost(c.connectionId());
  }

  /** The connection with this id to {@code peer}, or null. */
  public DataConnection getConnection(String peer, String connectionId) {
    List<DataConnection> list = peer == null ? null : connections.get(peer);
    if (list == null) {
      return null;
    }
    for (DataConnection c : list) {
      if (c.connectionId().equals(connectionId)) {
        return c;
      }
    }
    return null;
  }

  /** All connections, by remote peer id. */
  public Map<String, List<DataConnection>> connections() {
    return Map.copyOf(connections);
  }

  /** Disconnects from the server (keeping connections), as peerjs {@code disconnect()}. */
  public void disconnect() {
    events.execute(this::disconnectNow);
  }

  /** On the event thread. */
  private void disconnectNow() {
    if (disconnected) {
      return;
    }
    String current = id;
    disconnected = true;
    open = false;
    closeSocket();
    lastServerId = current;
    id = null;
    emit(onDisconnected, current);
  }

  private void closeSocket() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
      heartbeat = null;
    }
    WebSocket ws = socket;
    socket = null;
    if (ws != null) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((w, e) -> ws.abort());
    }
  }

  /** Reconnects to the server with the previous id and token, as peerjs {@code reconnect()}. */
  public void reconnect() {
    events.execute(() -> {
      if (destroyed) {
        throw new PeerError(PeerError.DISCONNECTED, "This peer cannot reconnect to the server. It has already been destroyed.");
      }
      if (disconnected && !open) {
        disconnected = false;
        initialize(lastServerId);
      }
    });
  }

  /** Closes every connection and the server socket; the peer cannot be used again (emits close). */
  public void destroy() {
    if (events.isShutdown()) {
      return;
    }
    events.execute(this::destroyNow);
  }

  /** On the event thread. */
  private void destroyNow() {
    if (destroyed) {
      return;
    }
    for (List<DataConnection> list : connections.values()) {
      new ArrayList<>(list).forEach(DataConnection::close);
    }
    connections.clear();
    if (!disconnected) {
      disconnected = true;
      open = false;
      closeSocket();
      lastServerId = id;
      emit(onDisconnected, id);
    }
    destroyed = true;
    for (Runnable r : onClose) {
      safe(r);
    }
    events.schedule(() -> events.shutdown(), 2, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    destroy();
  }

  /**
   * On the event thread, as peerjs's {@code _abort}: the error, then destroy (never opened) or disconnect, at
   * once: the server closes its socket right after a refusal, and that close, already queued, must find this
   * peer disconnected rather than report a lost connection too.
   */
  private void abort(String type, String message) {
    debug(1, "aborting: {} {}", type, message);
    emitError(new PeerError(type, message));
    if (lastServerId == null) {
      destroyNow();
    } else {
      disconnectNow();
    }
  }

  void emitError(PeerError e) {
    debug(1, "error: {}", e);
    if (onError.isEmpty()) {
      // peerjs raises early errors (invalid id) on a later tick, after the caller attached its
      // handlers; a Java caller attaches them after the constructor returned, possibly after the
      // event thread already failed. Keep such errors and hand them to the first handler.
      unclaimedErrors.add(e);
      return;
    }
    emit(onError, e);
  }

  private <T> void emit(List<Consumer<T>> handlers, T value) {
    for (Consumer<T> h : handlers) {
      safe(() -> h.accept(value));
    }
  }

  void safe(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("peerjs event handler threw", e);
    }
  }

  void debug(int level, String format, Object... args) {
    if (options.debug() >= level) {
      if (level == 1) {
        LOG.error(format, args);
      } else if (level == 2) {
        LOG.warn(format, args);
      } else {
        LOG.info(format, args);
      }
    } else {
      LOG.debug(format, args);
    }
  }

  /** This peer's id (null until known; null again after disconnect, like peerjs). */
  public String id() {
    return id;
  }

  public boolean open() {
    return open;
  }

  public boolean disconnected() {
    return disconnected;
  }

  public boolean destroyed() {
    return destroyed;
  }

  public PeerOptions options() {
    return options;
  }

  public Peer onOpen(Consumer<String> h) {
    onOpen.add(h);
    return this;
  }

  public Peer onConnection(Consumer<DataConnection> h) {
    onConnection.add(h);
    return this;
  }

  public Peer onCall(Consumer<MediaConnection> h) {
    onCall.add(h);
    return this;
  }

  public Peer onClose(Runnable h) {
    onClose.add(h);
    return this;
  }

  public Peer onDisconnected(Consumer<String> h) {
    onDisconnected.add(h);
    return this;
  }

  public Peer onError(Consumer<PeerError> h) {
    onError.add(h);
    try {
      events.execute(() -> {
        List<PeerError> pending = List.copyOf(unclaimedErrors);
        unclaimedErrors.clear();
        for (PeerError e : pending) {
          emit(onError, e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException destroyed) {
      // destroyed: nothing more will be reported
    }
    return this;
  }
}
