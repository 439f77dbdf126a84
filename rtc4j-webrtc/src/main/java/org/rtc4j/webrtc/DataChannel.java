package org.rtc4j.webrtc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * W3C {@code RTCDataChannel}: a bidirectional message channel on the connection's SCTP
 * association (RFC 8831), opened by {@link PeerConnection#createDataChannel} or by the peer
 * ({@link PeerConnection#onDataChannel}).
 *
 * <pre>{@code
 * DataChannel dc = pc.createDataChannel("chat", DataChannelInit.defaults());
 * dc.onOpen(() -> dc.send("hello"));
 * dc.onMessage(m -> System.out.println(m.isText() ? m.text() : m.size() + " bytes"));
 * }</pre>
 *
 * <p>{@link #send} never blocks: it queues the message and returns; {@link #bufferedAmount()}
 * says how many bytes are queued and not yet sent, {@link #onBufferedAmountLow} says when it fell
 * to {@link #bufferedAmountLowThreshold()} — the W3C back-pressure pair. A message larger than
 * the peer's {@code a=max-message-size} is refused with {@link TypeException}; queuing more than
 * {@link #MAX_BUFFERED_AMOUNT} bytes is refused with {@link OperationException}; sending on a
 * channel that is not open throws {@link InvalidStateException}.
 *
 * <p>{@code bufferedAmount} follows webrtc-pc §6.2: {@link #send} raises it at once by the
 * message's size (UTF-8 bytes for text); it falls as the SCTP layer hands the bytes to the
 * network, and {@link #onBufferedAmountLow} fires once each time it fell from above the threshold
 * to or below it; inside the handler it reads at or below the threshold (exactly so when the
 * application sends from its callbacks, as on W3C's single event loop: bytes another thread sends
 * meanwhile count too). It is not reset to zero when the channel closes (bytes never sent stay
 * counted).
 *
 * <p>Callbacks run on the connection's callback executor, in order with the connection's own.
 */
public final class DataChannel {

  /** The most bytes {@link #send} queues before refusing (what Chromium allows: 16 MiB). */
  public static final long MAX_BUFFERED_AMOUNT = 16L * 1024 * 1024;

  private final PeerConnection pc;
  private final int handle;
  private final String label;
  private final String protocol;
  private final boolean ordered;
  private final Integer maxRetransmits;
  private final Integer maxPacketLifeTime;
  private final boolean negotiated;
  private volatile Integer id;
  private volatile DataChannelState readyState = DataChannelState.CONNECTING;
  // bufferedAmount = admitted - drained, two counters that only grow, so a reader on any thread
  // sees a value that never dips below the truth: admitted grows in send() on the caller's thread,
  // drained (bytes that left the SCTP send queue) is published by the loop. The loop computes
  // drained from its own count of bytes handed to the engine minus what the engine still holds.
  // onBufferedAmountLow is decided on the callback executor, in order with the application's own
  // handlers (W3C: the decrease is a task on the application's event loop): send() arms it when
  // bufferedAmount rises above the threshold, and a check posted by the loop fires it once when
  // bufferedAmount is at or below the threshold when the check runs, so the handler reads that value.
  /** Bytes accepted by send(). */
  private final AtomicLong admitted = new AtomicLong();
  /** Bytes of those the SCTP layer handed to the network (or refused), as last published by the loop. */
  private volatile long drained;
  /** Loop thread only: bytes whose send task ran (handed to the engine). */
  private long handedToEngine;
  /** Set when the engine forgot the channel (closed) or the connection closed: drained stays. */
  private volatile boolean frozen;
  /** bufferedAmount went above the threshold since the last onBufferedAmountLow. */
  private final java.util.concurrent.atomic.AtomicBoolean lowArmed = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long lowThreshold;
  private final AtomicLong messagesSent = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong messagesReceived = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();

  private volatile Runnable onOpen = () -> { };
  private volatile Consumer<DataChannelMessage> onMessage = m -> { };
  private volatile Runnable onClosing = () -> { };
  private volatile Runnable onClose = () -> { };
  private volatile Consumer<RtcException> onError = e -> { };
  private volatile Runnable onBufferedAmountLow = () -> { };

  DataChannel(PeerConnection pc, int handle, String label, String protocol, boolean ordered, Integer maxRetransmits,
      Integer maxPacketLifeTime, boolean negotiated, Integer id) {
    this.pc = pc;
    this.handle = handle;
    this.label = label;
    this.protocol = protocol;
    this.ordered = ordered;
    this.maxRetransmits = maxRetransmits;
    this.maxPacketLifeTime = maxPacketLifeTime;
    this.negotiated = negotiated;
    this.id = id;
  }

  /** The label given at creation (not unique). */
  public String label() {
    return label;
  }

  /** The sub-protocol name ("" when none). */
  public String protocol() {
    return protocol;
  }

  /** Whether messages are delivered in order. */
  public boolean ordered() {
    return ordered;
  }

  /** The retransmission limit, or null for reliable or lifetime-limited channels. */
  public Integer maxRetransmits() {
    return maxRetransmits;
  }

  /** The lifetime limit in ms, or null. */
  public Integer maxPacketLifeTime() {
    return maxPacketLifeTime;
  }

  /** Whether the channel was negotiated by the application (no DCEP open). */
  public boolean negotiated() {
    return negotiated;
  }

  /** The SCTP stream id, or null until the DTLS role fixed it (RFC 8832 §6: even for the DTLS client). */
  public Integer id() {
    return id;
  }

  /** W3C {@code readyState}: connecting, open, closing or closed. */
  public DataChannelState readyState() {
    return readyState;
  }

  /**
   * W3C {@code bufferedAmount}: bytes queued by {@link #send} and not yet handed to the network.
   * Raised synchronously by {@code send}; kept (not reset to zero) after the channel closed.
   */
  public long bufferedAmount() {
    long d = drained; // first: a concurrent send may only make the result larger, never negative
    return admitted.get() - d;
  }

  /** W3C {@code bufferedAmountLowThreshold} (0 by default). */
  public long bufferedAmountLowThreshold() {
    return lowThreshold;
  }

  /** Sets the level at (or below) which {@link #onBufferedAmountLow} fires. */
  public void setBufferedAmountLowThreshold(long threshold) {
    if (threshold < 0) {
      throw new TypeException("threshold must be >= 0");
    }
    lowThreshold = threshold; // read by the loop, which derives the event (PeerConnection.afterPump)
  }

  /** Sends a text message (PPID 51; the empty string as PPID 56). */
  public void send(String text) {
    requireOpenForSend();
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    admit(utf8.length);
    pc.runOnLoop(engine -> {
      handedToEngine += utf8.length;
      try {
        engine.sendOwned(pc.nanoTime(), handle, true, utf8); // encoded once, handed over without a copy
      } catch (RtcException e) {
        pc.deliverChannelError(this, e);
      }
    });
  }

  /** Sends the buffer's remaining bytes as a binary message (copied now; the buffer is not kept). */
  public void send(ByteBuffer data) {
    requireOpenForSend();
    byte[] copy = new byte[data.remaining()];
    data.duplicate().get(copy);
    sendOwned(copy); // the only copy: SCTP queues this array as it is
  }

  /** Sends a binary message (copied now). */
  public void send(byte[] data) {
    send(ByteBuffer.wrap(data));
  }

  private void sendOwned(byte[] copy) {
    int size = copy.length;
    admit(size);
    pc.runOnLoop(engine -> {
      handedToEngine += size;
      try {
        engine.sendOwned(pc.nanoTime(), handle, false, copy);
      } catch (RtcException e) {
        pc.deliverChannelError(this, e);
      }
    });
  }

  /** W3C close(): closing now, closed when the peer reset its direction too. */
  public void close() {
    if (readyState == DataChannelState.CLOSING || readyState == DataChannelState.CLOSED) {
      return;
    }
    readyState = DataChannelState.CLOSING;
    pc.runOnLoop(engine -> engine.closeDataChannel(pc.nanoTime(), handle));
  }

  /** W3C {@code onopen}: the channel can send. */
  public void onOpen(Runnable handler) {
    onOpen = handler == null ? () -> { } : handler;
  }

  /** Each message, text or binary ({@link DataChannelMessage#isText()}). */
  public void onMessage(Consumer<DataChannelMessage> handler) {
    onMessage = handler == null ? m -> { } : handler;
  }

  /** W3C {@code onclosing}: the channel is being closed (its queued data still goes out). */
  public void onClosing(Runnable handler) {
    onClosing = handler == null ? () -> { } : handler;
  }

  /** W3C {@code onclose}: the channel is closed, by either side or with the connection. */
  public void onClose(Runnable handler) {
    onClose = handler == null ? () -> { } : handler;
  }

  /** W3C {@code onerror}: a message could not be sent or the channel failed. */
  public void onError(Consumer<RtcException> handler) {
    onError = handler == null ? e -> { } : handler;
  }

  /** W3C {@code onbufferedamountlow}: {@link #bufferedAmount()} fell to the threshold. */
  public void onBufferedAmountLow(Runnable handler) {
    onBufferedAmountLow = handler == null ? () -> { } : handler;
  }

  @Override
  public String toString() {
    return "DataChannel[" + label + ", id=" + id + ", " + readyState.value() + "]";
  }

  // ---- package-private: driven by PeerConnection on the callback executor (or the loop where noted)

  int handle() {
    return handle;
  }

  void assignId(int streamId) {
    id = streamId;
  }

  /**
   * On the loop, after each pump: publishes what left the send queue, given the bytes the SCTP
   * layer still holds for this channel. Returns true when bufferedAmount fell to or below the
   * threshold while an onBufferedAmountLow is armed: the caller then posts {@link #takeLow()}.
   */
  boolean refreshOnLoop(long engineBuffered) {
    if (frozen) {
      return false;
    }
    long d = handedToEngine - engineBuffered;
    if (d <= drained) {
      return false;
    }
    drained = d;
    return lowArmed.get() && admitted.get() - d <= lowThreshold;
  }

  /**
   * On the callback executor: whether onBufferedAmountLow fires now (armed, and bufferedAmount is
   * at or below the threshold now: bytes sent since the loop's check count).
   */
  boolean takeLow() {
    return bufferedAmount() <= lowThreshold && lowArmed.compareAndSet(true, false);
  }

  /** On the loop (channel closed in the engine) or on close(): bufferedAmount keeps its value. */
  void freezeBuffered() {
    frozen = true;
  }

  void opened(Integer streamId) {
    if (streamId != null) {
      id = streamId;
    }
    if (readyState == DataChannelState.CONNECTING) {
      readyState = DataChannelState.OPEN;
      onOpen.run();
    }
  }

  void message(DataChannelMessage m) {
    messagesReceived.incrementAndGet();
    bytesReceived.addAndGet(m.size());
    if (readyState == DataChannelState.OPEN || readyState == DataChannelState.CLOSING) {
      onMessage.accept(m);
    }
  }

  void closing() {
    if (readyState != DataChannelState.CLOSED) {
      readyState = DataChannelState.CLOSING;
      onClosing.run();
    }
  }

  void closed() {
    if (readyState != DataChannelState.CLOSED) {
      readyState = DataChannelState.CLOSED;
      onClose.run();
    }
  }

  /** Closed without events (PeerConnection.close(), W3C: no events after close). */
  void closedSilently() {
    readyState = DataChannelState.CLOSED;
    frozen = true;
  }

  void error(RtcException e) {
    onError.accept(e);
  }

  void bufferedAmountLow() {
    onBufferedAmountLow.run();
  }

  private void requireOpenForSend() {
    if (readyState != DataChannelState.OPEN) {
      throw new InvalidStateException("data channel " + label + " is " + readyState.value());
    }
  }

  private void admit(long size) {
    long max = pc.remoteMaxMessageSize();
    if (max > 0 && size > max) {
      throw new TypeException("message of " + size + " bytes exceeds the peer's max-message-size " + max);
    }
    while (true) {
      long d = drained;
      long a = admitted.get();
      if (a - d + size > MAX_BUFFERED_AMOUNT) {
        // W3C send() step "not enough buffer space": OperationError, and nothing is queued.
        throw new OperationException("send buffer full: " + (a - d) + " bytes queued (limit "
            + MAX_BUFFERED_AMOUNT + ")");
      }
      if (admitted.compareAndSet(a, a + size)) {
        if (a + size - d > lowThreshold) {
          lowArmed.set(true); // before the send task exists, so the loop sees it when the bytes drain
        }
        break;
      }
    }
    messagesSent.incrementAndGet();
    bytesSent.addAndGet(size);
  }

  /** W3C RTCDataChannelStats members for getStats(). */
  java.util.Map<String, Object> statsMembers() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("label", label);
    m.put("protocol", protocol);
    if (id != null) {
      m.put("dataChannelIdentifier", (long) id);
    }
    m.put("state", readyState.value());
    m.put("messagesSent", messagesSent.get());
    m.put("bytesSent", bytesSent.get());
    m.put("messagesReceived", messagesReceived.get());
    m.put("bytesReceived", bytesReceived.get());
    return m;
  }
}
