package org.rtc4j.sctp.dcep;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.rtc4j.sctp.SctpAssociation;
import org.rtc4j.sctp.SctpEvent;
import org.rtc4j.sctp.SctpParseException;
import org.rtc4j.sctp.SctpState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebRTC data channels over one {@link SctpAssociation} (RFC 8831, DCEP RFC 8832), a sans-IO
 * core that owns the association: the peer connection feeds it DTLS application data and sends
 * what {@link #pollTransmit()} returns, exactly as it would drive the association itself.
 *
 * <ul>
 *   <li>Stream ids: the DTLS client uses even ids, the server odd ones (RFC 8832 §6); a
 *       negotiated channel uses the id the application chose, and sends no DCEP message.
 *   <li>A locally created channel opens when the association is established: DATA_CHANNEL_OPEN
 *       goes out (ordered, reliable) and the channel is OPEN at once, as browsers do. Until the
 *       ACK (or any message from the peer on that stream) arrives, its messages are sent ordered,
 *       so none overtakes the OPEN (RFC 8832 §6).
 *   <li>A peer's OPEN creates the channel, answers ACK and reports {@link
 *       DataChannelEvent.RemoteChannelOpened}. A malformed OPEN is dropped and counted; it never
 *       tears down the association.
 *   <li>PPIDs: 51 text, 53 binary, 56/57 their empty forms (sent as one zero byte, RFC 8831 §6.6);
 *       the deprecated partial forms 52/54 are accepted.
 *   <li>Close (RFC 8831 §6.7): an outgoing stream reset; the peer answers with its own, and the
 *       channel is CLOSED when both directions are reset. A peer-initiated reset is answered the
 *       same way.
 *   <li>bufferedAmount per channel and {@link DataChannelEvent.BufferedAmountLow} when it falls to
 *       the channel's threshold.
 * </ul>
 *
 * <p>Events are translated lazily: a message stays in the association (counted against its
 * receive window) until {@link #pollEvent()} takes it, so a slow reader slows the sender.
 *
 * <p>Not thread-safe: one owner thread.
 */
public final class DataChannels {
  private static final Logger LOG = LoggerFactory.getLogger(DataChannels.class);

  private final SctpAssociation sctp;
  private boolean dtlsClient;
  private final TreeMap<Integer, Channel> channels = new TreeMap<>();
  private final ArrayDeque<DataChannelEvent> events = new ArrayDeque<>();
  private boolean established;
  private boolean closed;
  private long malformedDcep;
  private long lastNow;

  /**
   * @param association the association this manager drives (it takes over its events)
   * @param dtlsClient whether this side is the DTLS client (even stream ids) or server (odd)
   */
  public DataChannels(SctpAssociation association, boolean dtlsClient) {
    this.sctp = Objects.requireNonNull(association, "association");
    this.dtlsClient = dtlsClient;
  }

  /** The association underneath (for stats and configuration). */
  public SctpAssociation association() {
    return sctp;
  }

  /** Sets the DTLS role when it becomes known; affects ids allocated afterwards. */
  public void setDtlsClient(boolean dtlsClient) {
    this.dtlsClient = dtlsClient;
  }

  /** Malformed DCEP messages dropped so far. */
  public long malformedDcepMessages() {
    return malformedDcep;
  }

  // --- sans-IO surface ---------------------------------------------------------------------------

  public void handleReceive(long nowNanos, ByteBuffer packet) {
    lastNow = nowNanos;
    sctp.handleReceive(nowNanos, packet);
  }

  public void handleTimeout(long nowNanos) {
    lastNow = nowNanos;
    sctp.handleTimeout(nowNanos);
  }

  public Optional<ByteBuffer> pollTransmit() {
    return sctp.pollTransmit();
  }

  /** {@link SctpAssociation#pollTransmitTransient()}: the packet is overwritten by the next call. */
  public Optional<ByteBuffer> pollTransmitTransient() {
    return sctp.pollTransmitTransient();
  }

  public long pollTimeout() {
    return sctp.pollTimeout();
  }

  /** The next event; association events are translated as they are taken. */
  public Optional<DataChannelEvent> pollEvent() {
    while (events.isEmpty()) {
      Optional<SctpEvent> e = sctp.pollEvent();
      if (e.isEmpty()) {
        break;
      }
      translate(lastNow, e.get());
    }
    return Optional.ofNullable(events.poll());
  }

  /** Starts the SCTP handshake (both sides may call it). */
  public void connect(long nowNanos) {
    lastNow = nowNanos;
    sctp.connect(nowNanos);
  }

  // --- channels ----------------------------------------------------------------------------------

  /**
   * Creates a channel (W3C {@code createDataChannel}).
   *
   * @param maxRetransmits -1 when unset
   * @param maxPacketLifeTime in ms, -1 when unset
   * @param negotiated true when both sides create it with the same {@code id} (no DCEP)
   * @param id the stream id, or -1 to allocate one by DTLS role
   * @return the channel id (SCTP stream id)
   * @throws IllegalArgumentException on invalid settings or an id in use
   */
  public int open(long nowNanos, String label, String protocol, boolean ordered, int maxRetransmits,
      long maxPacketLifeTime, boolean negotiated, int id) {
    lastNow = nowNanos;
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(protocol, "protocol");
    if (closed) {
      throw new IllegalStateException("the SCTP association is closed");
    }
    if (maxRetransmits >= 0 && maxPacketLifeTime >= 0) {
      throw new IllegalArgumentException("maxRetransmits and maxPacketLifeTime are mutually exclusive");
    }
    if (label.getBytes(StandardCharsets.UTF_8).length > 0xFFFF
        || protocol.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
      throw new IllegalArgumentException("label or protocol longer than 65535 bytes");
    }
    if (negotiated && id < 0) {
      throw new IllegalArgumentException("a negotiated channel needs an id");
    }
    if (id > 65534) {
      throw new IllegalArgumentException("id " + id + " above 65534");
    }
    if (id < 0) {
      id = allocateId();
    } else if (channels.containsKey(id)) {
      throw new IllegalArgumentException("id " + id + " is in use");
    }
    Channel c = new Channel();
    c.id = id;
    c.label = label;
    c.protocol = protocol;
    c.ordered = ordered;
    c.maxRetransmits = maxRetransmits;
    c.maxPacketLifeTime = maxPacketLifeTime;
    c.negotiated = negotiated;
    c.state = DataChannelState.CONNECTING;
    channels.put(id, c);
    if (established) {
      announce(nowNanos, c);
    }
    return id;
  }

  private int allocateId() {
    int limit = established ? Math.min(sctp.outboundStreams(), 65535) : 65535;
    for (int i = dtlsClient ? 0 : 1; i < limit; i += 2) {
      if (!channels.containsKey(i)) {
        return i;
      }
    }
    throw new IllegalStateException("no free stream id");
  }

  private void announce(long now, Channel c) {
    if (c.id >= sctp.outboundStreams()) {
      c.state = DataChannelState.CLOSED;
      channels.remove(c.id);
      events.add(new DataChannelEvent.ChannelError(c.id, "id beyond the negotiated stream count"));
      events.add(new DataChannelEvent.ChannelClosed(c.id));
      return;
    }
    if (!c.negotiated) {
      ChannelType type = ChannelType.of(c.ordered, c.maxRetransmits, c.maxPacketLifeTime);
      long rel = c.maxRetransmits >= 0 ? c.maxRetransmits : Math.max(0, c.maxPacketLifeTime);
      DataChannelOpen open = new DataChannelOpen(type, 256, rel, c.label, c.protocol);
      sctp.send(now, c.id, Ppid.DCEP, open.encode(), false, -1, -1);
    } else {
      c.acked = true;
    }
    c.state = DataChannelState.OPEN;
    events.add(new DataChannelEvent.ChannelOpen(c.info()));
  }

  /** Sends a text message (PPID 51, or 56 when empty). */
  public void send(long nowNanos, int channelId, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    sendRaw(nowNanos, channelId, b.length == 0 ? Ppid.STRING_EMPTY : Ppid.STRING, ByteBuffer.wrap(b));
  }

  /** Sends a binary message (PPID 53, or 57 when empty). */
  public void send(long nowNanos, int channelId, ByteBuffer data) {
    sendRaw(nowNanos, channelId, data.hasRemaining() ? Ppid.BINARY : Ppid.BINARY_EMPTY, data);
  }

  /**
   * Sends a message whose array the caller hands over (UTF-8 when {@code text}): queued without
   * a copy, so the caller must not change it afterwards.
   */
  public void sendOwned(long nowNanos, int channelId, boolean text, byte[] data) {
    int ppid = text ? (data.length == 0 ? Ppid.STRING_EMPTY : Ppid.STRING)
        : (data.length == 0 ? Ppid.BINARY_EMPTY : Ppid.BINARY);
    lastNow = nowNanos;
    Channel c = channels.get(channelId);
    if (c == null || c.state != DataChannelState.OPEN) {
      throw new IllegalStateException("channel " + channelId + " is not open");
    }
    byte[] payload = data.length > 0 ? data : new byte[1];
    boolean unordered = !c.ordered && c.acked;
    sctp.sendOwned(nowNanos, channelId, ppid, payload, unordered, c.maxRetransmits, c.maxPacketLifeTime);
  }

  private void sendRaw(long now, int id, int ppid, ByteBuffer data) {
    lastNow = now;
    Channel c = channels.get(id);
    if (c == null || c.state != DataChannelState.OPEN) {
      throw new IllegalStateException("channel " + id + " is not open");
    }
    ByteBuffer payload = data.hasRemaining() ? data : ByteBuffer.wrap(new byte[1]);
    boolean unordered = !c.ordered && c.acked;
    sctp.send(now, id, ppid, payload, unordered, c.maxRetransmits, c.maxPacketLifeTime);
  }

  /** Closes a channel (W3C {@code close()}): outgoing stream reset once queued data is sent. */
  public void close(long nowNanos, int channelId) {
    lastNow = nowNanos;
    Channel c = channels.get(channelId);
    if (c == null || c.state == DataChannelState.CLOSED || c.state == DataChannelState.CLOSING) {
      return;
    }
    if (!established || sctp.state() != SctpState.ESTABLISHED) {
      finish(c);
      return;
    }
    c.state = DataChannelState.CLOSING;
    events.add(new DataChannelEvent.ChannelClosing(c.id));
    c.outgoingResetRequested = true;
    sctp.resetStreams(nowNanos, c.id);
  }

  public long bufferedAmount(int channelId) {
    return sctp.bufferedAmount(channelId);
  }

  /** Sets the W3C bufferedAmountLowThreshold of a channel. */
  public void setBufferedAmountLowThreshold(int channelId, long threshold) {
    Channel c = channels.get(channelId);
    if (c != null) {
      c.lowThreshold = Math.max(0, threshold);
    }
  }

  public Optional<DataChannelInfo> channel(int channelId) {
    Channel c = channels.get(channelId);
    return c == null ? Optional.empty() : Optional.of(c.info());
  }

  public Collection<DataChannelInfo> channels() {
    List<DataChannelInfo> out = new ArrayList<>(channels.size());
    for (Channel c : channels.values()) {
      out.add(c.info());
    }
    return out;
  }

  /** Graceful SCTP shutdown. */
  public void shutdown(long nowNanos) {
    lastNow = nowNanos;
    sctp.shutdown(nowNanos);
  }

  /** SCTP ABORT. */
  public void abort(long nowNanos, String reason) {
    lastNow = nowNanos;
    sctp.abort(nowNanos, reason);
  }

  // --- association events ------------------------------------------------------------------------

  private void translate(long now, SctpEvent e) {
    if (e instanceof SctpEvent.Established) {
      established = true;
      events.add(new DataChannelEvent.AssociationEstablished());
      for (Channel c : new ArrayList<>(channels.values())) {
        if (c.state == DataChannelState.CONNECTING) {
          announce(now, c);
        }
      }
    } else if (e instanceof SctpEvent.Message m) {
      onMessage(now, m);
    } else if (e instanceof SctpEvent.StreamsReset r) {
      for (int id : r.incomingStreamIds()) {
        Channel c = channels.get(id);
        if (c == null) {
          continue;
        }
        c.incomingReset = true;
        if (!c.outgoingResetRequested) {
          c.outgoingResetRequested = true;
          if (c.state != DataChannelState.CLOSING) {
            c.state = DataChannelState.CLOSING;
            events.add(new DataChannelEvent.ChannelClosing(id));
          }
          sctp.resetStreams(now, id);
        }
        if (c.outgoingResetDone) {
          finish(c);
        }
      }
    } else if (e instanceof SctpEvent.OutgoingStreamsReset r) {
      for (int id : r.streamIds()) {
        Channel c = channels.get(id);
        if (c == null) {
          continue;
        }
        c.outgoingResetDone = true;
        if (c.incomingReset) {
          finish(c);
        }
      }
    } else if (e instanceof SctpEvent.BufferedAmountDecreased d) {
      Channel c = channels.get(d.streamId());
      if (c != null) {
        long after = d.bufferedAmount(); // at the decrease, not now: several may be queued
        long before = after + d.amount();
        if (before > c.lowThreshold && after <= c.lowThreshold) {
          events.add(new DataChannelEvent.BufferedAmountLow(c.id, after));
        }
      }
    } else if (e instanceof SctpEvent.Closed cl) {
      endAll(cl.reason(), false);
    } else if (e instanceof SctpEvent.Aborted ab) {
      endAll(ab.reason(), true);
    }
  }

  private void endAll(String reason, boolean aborted) {
    closed = true;
    for (Channel c : new ArrayList<>(channels.values())) {
      finish(c);
    }
    events.add(new DataChannelEvent.AssociationClosed(reason, aborted));
  }

  private void finish(Channel c) {
    if (c.state == DataChannelState.CLOSED) {
      return;
    }
    c.state = DataChannelState.CLOSED;
    channels.remove(c.id);
    events.add(new DataChannelEvent.ChannelClosed(c.id));
  }

  private void onMessage(long now, SctpEvent.Message m) {
    int id = m.streamId();
    Channel c = channels.get(id);
    switch (m.ppid()) {
      case Ppid.DCEP -> onDcep(now, id, c, m.data());
      case Ppid.STRING, Ppid.STRING_PARTIAL, Ppid.BINARY, Ppid.BINARY_PARTIAL -> {
        if (c != null && c.state == DataChannelState.OPEN) {
          c.acked = true;
          boolean text = m.ppid() == Ppid.STRING || m.ppid() == Ppid.STRING_PARTIAL;
          events.add(new DataChannelEvent.MessageReceived(id, m.data(), text));
        }
      }
      case Ppid.STRING_EMPTY, Ppid.BINARY_EMPTY -> {
        if (c != null && c.state == DataChannelState.OPEN) {
          c.acked = true;
          events.add(new DataChannelEvent.MessageReceived(id, ByteBuffer.allocate(0),
              m.ppid() == Ppid.STRING_EMPTY));
        }
      }
      default -> LOG.debug("message with unknown PPID {} on stream {} dropped", m.ppid(), id);
    }
  }

  private void onDcep(long now, int id, Channel c, ByteBuffer data) {
    if (!data.hasRemaining()) {
      malformedDcep++;
      return;
    }
    int type = data.get(data.position()) & 0xFF;
    if (type == DataChannelAck.MESSAGE_TYPE) {
      if (c != null) {
        c.acked = true;
      }
      return;
    }
    if (type != DataChannelOpen.MESSAGE_TYPE) {
      malformedDcep++;
      return;
    }
    DataChannelOpen open;
    try {
      open = DataChannelOpen.parse(data.duplicate());
    } catch (SctpParseException ex) {
      malformedDcep++;
      LOG.debug("malformed DATA_CHANNEL_OPEN on stream {}: {}", id, ex.getMessage());
      return;
    }
    if (c != null) {
      // The id is taken (a negotiated channel, or both sides picked it): keep ours.
      malformedDcep++;
      LOG.debug("DATA_CHANNEL_OPEN for stream {} in use", id);
      return;
    }
    if (closed || sctp.state() != SctpState.ESTABLISHED) {
      return;
    }
    ChannelType t = open.channelType();
    Channel n = new Channel();
    n.id = id;
    n.label = open.label();
    n.protocol = open.protocol();
    n.ordered = !t.unordered();
    n.maxRetransmits = (t == ChannelType.PARTIAL_RELIABLE_REXMIT || t == ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED)
        ? (int) Math.min(Integer.MAX_VALUE, open.reliabilityParameter()) : -1;
    n.maxPacketLifeTime = (t == ChannelType.PARTIAL_RELIABLE_TIMED || t == ChannelType.PARTIAL_RELIABLE_TIMED_UNORDERED)
        ? open.reliabilityParameter() : -1;
    n.remote = true;
    n.acked = true;
    n.state = DataChannelState.OPEN;
    channels.put(id, n);
    if (id < sctp.outboundStreams()) {
      sctp.send(now, id, Ppid.DCEP, new DataChannelAck().encode(), false, -1, -1);
    }
    events.add(new DataChannelEvent.RemoteChannelOpened(n.info()));
  }

  private static final class Channel {
    int id;
    String label;
    String protocol;
    boolean ordered;
    int maxRetransmits;
    long maxPacketLifeTime;
    boolean negotiated;
    boolean remote;
    boolean acked;
    DataChannelState state;
    long lowThreshold;
    boolean outgoingResetRequested;
    boolean outgoingResetDone;
    boolean incomingReset;

    DataChannelInfo info() {
      return new DataChannelInfo(id, label, protocol, ordered, maxRetransmits, maxPacketLifeTime, negotiated, remote,
          state);
    }
  }
}
