package org.rtc4j.server.echo;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.DataChannelMessage;
import org.rtc4j.webrtc.DataChannelState;
import org.rtc4j.webrtc.RtcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code rtc4j echo} does with a data channel the remote opened.
 *
 * <ul>
 *   <li>Any label but {@code sink}: every message is sent back on the same channel, text as text,
 *       binary as binary, in the order received. Back-pressure: at most {@link #HIGH_WATER} bytes
 *       are handed to {@link DataChannel#send}; further echoes wait in a local queue drained by
 *       {@code onBufferedAmountLow}. That queue is bounded too ({@link #MAX_PENDING}): a remote
 *       that keeps sending without reading its echoes gets its channel closed rather than our heap
 *       filled.
 *   <li>{@code sink}: counts the bytes received (binary bytes and the UTF-8 bytes of text) and
 *       hashes them in order; on the text message {@code done} it replies
 *       {@code bytes=<N> sha256=<hex>} (and starts a new count).
 * </ul>
 *
 * <p>Threading: every callback of a channel runs on its connection's serial callback executor,
 * so this per-channel state needs no locks.
 */
final class DataChannelEcho {

  private static final Logger LOG = LoggerFactory.getLogger(DataChannelEcho.class);

  /** The label of the counting channel. */
  static final String SINK_LABEL = "sink";
  /** Most bytes of echoes the channel may buffer before we queue locally. */
  static final long HIGH_WATER = 1L << 20;
  /** onBufferedAmountLow fires at this level, when we refill. */
  static final long LOW_WATER = 256L << 10;
  /** Most bytes waiting in the local queue before the channel is closed as abusive. */
  static final long MAX_PENDING = 64L << 20;

  private final String session;
  private final DataChannel channel;
  private final ArrayDeque<DataChannelMessage> pending = new ArrayDeque<>();
  private long pendingBytes;
  private boolean overflowed;
  // sink state
  private MessageDigest digest;
  private long sinkBytes;

  private DataChannelEcho(String session, DataChannel channel) {
    this.session = session;
    this.channel = channel;
  }

  /** Wires {@code channel} (called from onDataChannel, before its first message). */
  static void attach(String session, DataChannel channel) {
    DataChannelEcho e = new DataChannelEcho(session, channel);
    LOG.info("session {}: data channel '{}' id={} ordered={} maxRetransmits={} maxPacketLifeTime={} protocol='{}'",
        session, channel.label(), channel.id(), channel.ordered(), channel.maxRetransmits(),
        channel.maxPacketLifeTime(), channel.protocol());
    if (SINK_LABEL.equals(channel.label())) {
      e.digest = sha256();
      channel.onMessage(e::sink);
    } else {
      channel.setBufferedAmountLowThreshold(LOW_WATER);
      channel.onMessage(e::echo);
      channel.onBufferedAmountLow(e::lowWater);
    }
    channel.onClose(() -> LOG.info("session {}: data channel '{}' closed", session, channel.label()));
    channel.onError(err -> LOG.info("session {}: data channel '{}' error: {}", session, channel.label(),
        err.getMessage()));
  }

  private void echo(DataChannelMessage m) {
    if (overflowed) {
      return;
    }
    drain();
    if (pending.isEmpty() && maySend()) {
      send(m);
      return;
    }
    pending.add(m);
    pendingBytes += m.size();
    if (pendingBytes > MAX_PENDING) {
      overflowed = true;
      pending.clear();
      LOG.warn("session {}: data channel '{}' closed: {} bytes of echoes wait for a peer that does not read",
          session, channel.label(), pendingBytes);
      channel.close();
    }
  }

  /** onBufferedAmountLow: bufferedAmount() already shows the fallen value (W3C), so refill up to HIGH_WATER. */
  private void lowWater() {
    drain();
  }

  private boolean maySend() {
    return channel.bufferedAmount() < HIGH_WATER;
  }

  private void drain() {
    while (!pending.isEmpty() && maySend()) {
      DataChannelMessage m = pending.poll();
      pendingBytes -= m.size();
      send(m);
    }
  }

  private void send(DataChannelMessage m) {
    if (channel.readyState() != DataChannelState.OPEN) {
      return;
    }
    try {
      if (m.isText()) {
        channel.send(m.text());
      } else {
        channel.send(m.data());
      }
    } catch (RtcException e) {
      LOG.info("session {}: echo on '{}' failed: {}", session, channel.label(), e.getMessage());
    }
  }

  private void sink(DataChannelMessage m) {
    if (m.isText() && "done".equals(m.text())) {
      String reply = "bytes=" + sinkBytes + " sha256=" + HexFormat.of().formatHex(digest.digest());
      LOG.info("session {}: sink '{}': {}", session, channel.label(), reply);
      sinkBytes = 0;
      try {
        channel.send(reply);
      } catch (RtcException e) {
        LOG.info("session {}: sink reply failed: {}", session, e.getMessage());
      }
      return;
    }
    ByteBuffer data = m.data();
    sinkBytes += data.remaining();
    digest.update(data);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
