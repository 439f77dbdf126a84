package org.rtc4j.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.DataChannelInit;
import org.rtc4j.webrtc.DataChannelMessage;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcIceCandidate;
import org.rtc4j.webrtc.RtcIceConnectionState;
import org.rtc4j.webrtc.RtcSdpType;
import org.rtc4j.webrtc.RtcSessionDescription;

/**
 * A peerjs DataConnection: one rtc4j {@link PeerConnection} with one data channel, negotiated through the
 * {@link Peer}'s signaling socket (OFFER/ANSWER/CANDIDATE with this connection's id).
 *
 * <p>{@link #send(Object)} serializes per {@link #serialization()}: binary = {@link BinaryPack}, split into
 * {@code {__peerData, n, data, total}} chunks over 16300 bytes (peerjs's chunkedMTU); json = JSON UTF-8 bytes
 * (error {@code message-too-big} at 16300 bytes); raw = String as text, bytes as binary. Sends are queued while the
 * channel's bufferedAmount exceeds 8 MiB (retried every 50 ms and on bufferedamountlow), as peerjs does;
 * {@link #bufferSize()} is the number of queued messages (a large binary message counts its unsent chunks, which
 * are encoded only as the channel takes them). Events run on the peer's event thread.
 */
public final class DataConnection {
  static final int CHUNKED_MTU = 16300;
  static final long MAX_BUFFERED_AMOUNT = 8L * 1024 * 1024;

  private final Peer provider;
  private final String peer;
  private final String connectionId;
  private final String label;
  private final Object metadata;
  private final Serialization serialization;
  private final boolean reliable;
  private final boolean originator;
  private final PeerConnection pc;
  private volatile DataChannel dc;
  private volatile boolean open;
  private volatile boolean closed;
  private CompletableFuture<Void> remoteReady = new CompletableFuture<>();

  private final ArrayDeque<Object> buffer = new ArrayDeque<>(); // String, byte[] or Chunked
  /** Messages in {@link #buffer}, each chunk of a {@link Chunked} counted as peerjs counts its queued chunks. */
  private int queued;
  private volatile int bufferSize;
  private boolean retryScheduled;
  private int dataCount = 1;
  private final ChunkAssembler chunks = new ChunkAssembler();

  private final List<Runnable> onOpen = new CopyOnWriteArrayList<>();
  private final List<Consumer<Object>> onData = new CopyOnWriteArrayList<>();
  private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
  private final List<Consumer<PeerError>> onError = new CopyOnWriteArrayList<>();

  /**
   * A BinaryPack message over {@link #CHUNKED_MTU}, cut into peerjs chunks only as the channel takes them: the
   * packed form is {@code header} + {@code body} (for a byte[] the value itself, not copied again), and each chunk
   * is encoded straight from it. Encoding every chunk up front held the whole file two more times in the queue and
   * copied it four more times.
   */
  private static final class Chunked {
    final long msgId;
    final byte[] header;
    final byte[] body;
    final long size;
    final int total;
    int next;

    Chunked(long msgId, byte[] header, byte[] body) {
      this.msgId = msgId;
      this.header = header;
      this.body = body;
      this.size = (long) header.length + body.length;
      this.total = (int) ((size + CHUNKED_MTU - 1) / CHUNKED_MTU);
    }

    byte[] chunk(int n) {
      long start = (long) n * CHUNKED_MTU;
      return BinaryPack.encodeChunk(msgId, n, total, header, body, start, (int) Math.min(CHUNKED_MTU, size - start));
    }
  }


  DataConnection(Peer provider, String peer, String connectionId, String label, Object metadata,
      Serialization serialization, boolean reliable, boolean originator) {
    this.provider = provider;
    this.peer = peer;
    this.connectionId = connectionId;
    this.label = label;
    this.metadata = metadata;
    this.serialization = serialization;
    this.reliable = reliable;
    this.originator = originator;
    this.pc = new PeerConnection(provider.options.config());
    pc.onIceCandidate(c -> {
      if (c == null || c.candidate() == null || c.candidate().isEmpty()) {
        return; // peerjs never signals end-of-candidates
      }
      ObjectNode cand = provider.json.createObjectNode();
      cand.put("candidate", c.candidate());
      cand.put("sdpMid", c.sdpMid());
      if (c.sdpMLineIndex() != null) {
        cand.put("sdpMLineIndex", c.sdpMLineIndex());
      }
      if (c.usernameFragment() != null) {
        cand.put("usernameFragment", c.usernameFragment());
      }
      ObjectNode payload = provider.json.createObjectNode();
      payload.set("candidate", cand);
      payload.put("type", "data");
      payload.put("connectionId", connectionId);
      provider.send("CANDIDATE", peer, payload);
    });
    pc.onIceConnectionStateChange(s -> provider.events.execute(() -> {
      if (s == RtcIceConnectionState.FAILED) {
        emitError(new PeerError(PeerError.NEGOTIATION_FAILED, "Negotiation of connection to " + peer + " failed."));
        close();
      } else if (s == RtcIceConnectionState.CLOSED && !closed) {
        emitError(new PeerError(PeerError.CONNECTION_CLOSED, "Connection to " + peer + " closed."));
        close();
      }
    }));
    // handlers are attached on the connection's own thread at once: hopping first could miss the open event
    pc.onDataChannel(this::initializeDataChannel);
  }

  // ------------------------------------------------------------ negotiation

  void startAsOriginator() {
    initializeDataChannel(pc.createDataChannel(label, DataChannelInit.builder().ordered(reliable).build()));
    pc.createOffer().thenCompose(offer -> pc.setLocalDescription(offer).thenApply(v -> offer))
        .whenCompleteAsync((offer, e) -> {
          if (e != null) {
            failWebrtc(e);
            return;
          }
          ObjectNode payload = provider.json.createObjectNode();
          payload.set("sdp", sdpJson(offer));
          payload.put("type", "data");
          payload.put("connectionId", connectionId);
          payload.set("metadata", provider.json.valueToTree(metadata));
          payload.put("label", label);
          payload.put("reliable", reliable);
          payload.put("serialization", serialization.wire());
          provider.send("OFFER", peer, payload);
        }, provider.events);
  }

  void acceptOffer(JsonNode sdp) {
    RtcSessionDescription offer = new RtcSessionDescription(RtcSdpType.OFFER, sdp == null ? "" : sdp.path("sdp").asText(""));
    pc.setRemoteDescription(offer).thenRun(() -> remoteReady.complete(null))
        .thenCompose(v -> pc.createAnswer())
        .thenCompose(answer -> pc.setLocalDescription(answer).thenApply(v -> answer))
        .whenCompleteAsync((answer, e) -> {
          if (e != null) {
            failWebrtc(e);
            return;
          }
          ObjectNode payload = provider.json.createObjectNode();
          payload.set("sdp", sdpJson(answer));
          payload.put("type", "data");
          payload.put("connectionId", connectionId);
          payload.put("browser", "rtc4j");
          provider.send("ANSWER", peer, payload);
        }, provider.events);
  }

  private ObjectNode sdpJson(RtcSessionDescription d) {
    ObjectNode s = provider.json.createObjectNode();
    s.put("type", d.type().value());
    s.put("sdp", d.sdp());
    return s;
  }

  void handleMessage(String type, JsonNode payload) {
    if (closed || payload == null) {
      return;
    }
    switch (type) {
      case "ANSWER" -> {
        RtcSessionDescription answer = new RtcSessionDescription(RtcSdpType.ANSWER, payload.path("sdp").path("sdp").asText(""));
        pc.setRemoteDescription(answer).whenComplete((v, e) -> {
          if (e != null) {
            provider.events.execute(() -> failWebrtc(e));
          } else {
            remoteReady.complete(null);
          }
        });
      }
      case "CANDIDATE" -> {
        JsonNode c = payload.get("candidate");
        if (c == null || c.path("candidate").asText("").isEmpty()) {
          return;
        }
        RtcIceCandidate cand = new RtcIceCandidate(c.path("candidate").asText(), c.path("sdpMid").asText(null),
            c.hasNonNull("sdpMLineIndex") ? c.get("sdpMLineIndex").asInt() : null, c.path("usernameFragment").asText(null));
        // candidates may arrive before the remote description is set: apply them after it
        remoteReady.thenCompose(v -> pc.addIceCandidate(cand)).whenComplete((v, e) -> {
          if (e != null) {
            provider.debug(2, "candidate {} refused: {}", cand.candidate(), e.toString());
          }
        });
      }
      default -> provider.debug(2, "Unrecognized message type {} from {}", type, peer);
    }
  }

  private void failWebrtc(Throwable e) {
    provider.emitError(new PeerError(PeerError.WEBRTC, String.valueOf(e), e));
    close();
  }

  private void initializeDataChannel(DataChannel channel) {
    this.dc = channel;
    channel.setBufferedAmountLowThreshold(MAX_BUFFERED_AMOUNT / 2);
    channel.onOpen(() -> provider.events.execute(() -> {
      if (closed || open) {
        return;
      }
      open = true;
      onOpen.forEach(provider::safe);
    }));
    channel.onMessage(m -> provider.events.execute(() -> handleDataMessage(m)));
    channel.onClose(() -> provider.events.execute(this::close));
    channel.onBufferedAmountLow(() -> provider.events.execute(this::tryBuffer));
    if (channel.readyState() == org.rtc4j.webrtc.DataChannelState.OPEN) {
      // a remote-opened channel may be announced already open: its onOpen then never fires
      provider.events.execute(() -> {
        if (!open && !closed) {
          open = true;
          onOpen.forEach(provider::safe);
        }
      });
    }
  }

  // ------------------------------------------------------------ data

  private void handleDataMessage(DataChannelMessage m) {
    if (closed) {
      return;
    }
    markOpenIfChannelOpen();
    try {
      switch (serialization) {
        case RAW -> emitData(m.isText() ? m.text() : m.bytes());
        case JSON -> {
          String text = m.isText() ? m.text() : new String(m.bytes(), StandardCharsets.UTF_8);
          Object v = toJava(provider.json.readTree(text));
          if (isCloseSentinel(v)) {
            close();
            return;
          }
          emitData(v);
        }
        case BINARY -> handleBinary(m.isText() ? BinaryPack.utf8(m.text()) : m.bytes());
      }
    } catch (Exception e) {
      provider.debug(1, "undecodable message on {}: {}", connectionId, e.toString());
    }
  }

  private void handleBinary(byte[] bytes) {
    Object v = BinaryPack.decode(bytes);
    if (v instanceof Map<?, ?> map && map.containsKey("__peerData")) {
      Object pd = map.get("__peerData");
      if (pd instanceof Map<?, ?> pdm && "close".equals(pdm.get("type"))) {
        close();
        return;
      }
      if (pd instanceof Long msgId && map.get("n") instanceof Long n && map.get("total") instanceof Long total
          && map.get("data") instanceof byte[] data) {
        byte[] all = chunks.accept(msgId, n, total, data);
        if (all != null) {
          handleBinary(all);
        }
        return;
      }
      // peerjs would treat any truthy __peerData as a chunk; anything else is user data
      if (pd != null && !Boolean.FALSE.equals(pd) && !Long.valueOf(0).equals(pd) && !"".equals(pd)) {
        return;
      }
    }
    emitData(v);
  }

  private static boolean isCloseSentinel(Object v) {
    return v instanceof Map<?, ?> map && map.get("__peerData") instanceof Map<?, ?> pd && "close".equals(pd.get("type"));
  }

  private void emitData(Object v) {
    for (Consumer<Object> h : onData) {
      provider.safe(() -> h.accept(v));
    }
  }

  /** Jackson tree → plain Java (Map/List/String/Long/Double/Boolean/null). */
  static Object toJava(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    } else if (n.isBoolean()) {
      return n.booleanValue();
    } else if (n.isIntegralNumber()) {
      return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
    } else if (n.isNumber()) {
      return n.doubleValue();
    } else if (n.isTextual()) {
      return n.textValue();
    } else if (n.isArray()) {
      List<Object> l = new java.util.ArrayList<>(n.size());
      n.forEach(e -> l.add(toJava(e)));
      return l;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> m.put(e.getKey(), toJava(e.getValue())));
    return m;
  }

  /**
   * Sends {@code data} (peerjs {@code send}). Emits error {@code not-open-yet} before open, {@code message-too-big}
   * for a json message of 16300 bytes or more. Thread-safe; ordering is the call order.
   */
  public void send(Object data) {
    // Everything the caller may reuse is captured now: the send runs later on the event thread, and then
    // chunk by chunk as the channel drains, so a byte[] or ByteBuffer refilled right after this call (the
    // usual NIO pattern) must not change what goes out. Containers are serialized here for the same reason.
    Object owned;
    try {
      owned = capture(data);
    } catch (Exception e) {
      provider.events.execute(() -> emitError(new PeerError(PeerError.WEBRTC, "could not send: " + e.getMessage(), e)));
      return;
    }
    provider.events.execute(() -> doSend(owned));
  }

  /** The bytes of a message serialized at the call, sent as they are. */
  private record Serialized(byte[] bytes) {}

  private Object capture(Object data) throws Exception {
    if (data instanceof byte[] b) {
      return b.clone();
    }
    if (data instanceof ByteBuffer bb) {
      byte[] b = new byte[bb.remaining()];
      bb.duplicate().get(b);
      return b;
    }
    if (data == null || data instanceof CharSequence || serialization == Serialization.RAW) {
      return data instanceof CharSequence s ? s.toString() : data;
    }
    return new Serialized(serialization == Serialization.JSON
        ? provider.json.writeValueAsBytes(data) : BinaryPack.encode(data));
  }

  /** A channel that is open (or already delivers messages) counts as open even if its open event was not seen. */
  private void markOpenIfChannelOpen() {
    DataChannel channel = dc;
    if (!open && !closed && channel != null && channel.readyState() == org.rtc4j.webrtc.DataChannelState.OPEN) {
      open = true;
      onOpen.forEach(provider::safe);
    }
  }

  private void doSend(Object data) {
    markOpenIfChannelOpen();
    if (!open) {
      emitError(new PeerError(PeerError.NOT_OPEN_YET,
          "Connection is not open. You should listen for the `open` event before sending messages."));
      return;
    }
    try {
      switch (serialization) {
        case RAW -> {
          if (data instanceof CharSequence s) {
            bufferedSend(s.toString());
          } else if (data instanceof byte[] b) {
            bufferedSend(b);
          } else {
            throw new IllegalArgumentException("raw serialization sends String, byte[] or ByteBuffer, not "
                + (data == null ? "null" : data.getClass().getName()));
          }
        }
        case JSON -> {
          byte[] b = data instanceof Serialized z ? z.bytes() : provider.json.writeValueAsBytes(data);
          if (b.length >= CHUNKED_MTU) {
            emitError(new PeerError(PeerError.MESSAGE_TOO_BIG, "Message too big for JSON channel"));
            return;
          }
          bufferedSend(b);
        }
        case BINARY -> {
          byte[] header;
          byte[] body;
          if (data instanceof byte[] raw && raw.length > CHUNKED_MTU) {
            header = BinaryPack.binHeader(raw.length);
            body = raw;
          } else {
            header = new byte[0];
            body = data instanceof Serialized z ? z.bytes() : BinaryPack.encode(data);
          }
          if (header.length + (long) body.length > CHUNKED_MTU) {
            bufferedSend(new Chunked(dataCount++, header, body));
          } else {
            bufferedSend(body);
          }
        }
      }
    } catch (Exception e) {
      emitError(new PeerError(PeerError.WEBRTC, "could not send: " + e.getMessage(), e));
    }
  }

  private void bufferedSend(Object msg) {
    if (buffer.isEmpty() && (msg instanceof Chunked ch ? trySendChunks(ch) : trySend(msg))) {
      return;
    }
    if (closed) {
      return;
    }
    buffer.add(msg);
    queued += msg instanceof Chunked ch ? ch.total - ch.next : 1;
    bufferSize = queued;
  }

  /** Sends the chunks of {@code ch} from its next one while the channel takes them; true when all are sent. */
  private boolean trySendChunks(Chunked ch) {
    while (ch.next < ch.total) {
      if (!canSend() || !sendNow(ch.chunk(ch.next))) {
        return false;
      }
      ch.next++;
    }
    return true;
  }

  private boolean trySend(Object msg) {
    return canSend() && sendNow(msg);
  }

  /** Whether the channel is open and below peerjs's bufferedAmount limit (else a retry in 50 ms is scheduled). */
  private boolean canSend() {
    DataChannel channel = dc;
    if (!open || channel == null) {
      return false;
    }
    if (channel.bufferedAmount() > MAX_BUFFERED_AMOUNT) {
      if (!retryScheduled) {
        retryScheduled = true;
        provider.events.schedule(() -> {
          retryScheduled = false;
          tryBuffer();
        }, 50, TimeUnit.MILLISECONDS);
      }
      return false;
    }
    return true;
  }

  private boolean sendNow(Object msg) {
    DataChannel channel = dc;
    try {
      if (msg instanceof String s) {
        channel.send(s);
      } else {
        channel.send((byte[]) msg);
      }
    } catch (RuntimeException e) {
      emitError(new PeerError(PeerError.WEBRTC, "Error when sending: " + e.getMessage(), e));
      close();
      return false;
    }
    return true;
  }

  private void tryBuffer() {
    while (open && !buffer.isEmpty()) {
      Object head = buffer.peek();
      if (head instanceof Chunked ch) {
        int before = ch.next;
        boolean all = trySendChunks(ch);
        queued -= ch.next - before;
        if (!all) {
          break;
        }
      } else {
        if (!trySend(head)) {
          break;
        }
        queued--;
      }
      buffer.poll();
    }
    if (buffer.isEmpty()) {
      queued = 0;
    }
    bufferSize = queued;
  }

  /** Closes the connection (peerjs {@code close()}); emits close once. */
  public void close() {
    provider.events.execute(this::doClose);
  }

  /**
   * peerjs {@code close({flush: true})}: sends the close sentinel after everything queued, so the remote closes when
   * it has received all data (binary and json only; raw closes at once).
   */
  public void closeAfterFlush() {
    provider.events.execute(() -> {
      if (serialization == Serialization.RAW || !open) {
        doClose();
        return;
      }
      Map<String, Object> type = Map.of("type", "close");
      doSend(Map.of("__peerData", type));
    });
  }

  private void doClose() {
    if (closed) {
      return;
    }
    closed = true;
    open = false;
    buffer.clear();
    queued = 0;
    bufferSize = 0;
    provider.removeConnection(this);
    try {
      pc.close();
    } catch (RuntimeException e) {
      provider.debug(2, "close: {}", e.toString());
    }
    onClose.forEach(provider::safe);
  }

  private void emitError(PeerError e) {
    provider.debug(1, "connection {} error: {}", connectionId, e);
    for (Consumer<PeerError> h : onError) {
      provider.safe(() -> h.accept(e));
    }
  }

  public DataConnection onOpen(Runnable h) {
    onOpen.add(h);
    if (open) {
      provider.events.execute(() -> provider.safe(h));
    }
    return this;
  }

  public DataConnection onData(Consumer<Object> h) {
    onData.add(h);
    return this;
  }

  public DataConnection onClose(Runnable h) {
    onClose.add(h);
    return this;
  }

  public DataConnection onError(Consumer<PeerError> h) {
    onError.add(h);
    return this;
  }

  public String peer() {
    return peer;
  }

  public String connectionId() {
    return connectionId;
  }

  public String label() {
    return label;
  }

  public Object metadata() {
    return metadata;
  }

  public Serialization serialization() {
    return serialization;
  }

  public boolean reliable() {
    return reliable;
  }

  public boolean open() {
    return open;
  }

  /** Messages queued by back-pressure (not yet handed to the data channel). */
  public int bufferSize() {
    return bufferSize;
  }

  /** The data channel's bufferedAmount (0 before the channel exists). */
  public long bufferedAmount() {
    DataChannel channel = dc;
    return channel == null ? 0 : channel.bufferedAmount();
  }

  public PeerConnection peerConnection() {
    return pc;
  }

  public DataChannel dataChannel() {
    return dc;
  }
}
