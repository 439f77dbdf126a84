package org.rtc4j.signaling;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link SignalingServer}, cheap to bump from any I/O thread (LongAdders); read
 * them directly in tests, or through {@link SignalingMetrics} as Prometheus meters.
 */
public final class SignalingStats {

  /** Why a connection was refused or cut off. */
  public enum Rejection {
    MISSING_PARAMETERS, INVALID_KEY, ID_TAKEN, CONCURRENT_LIMIT, ORIGIN, RATE_LIMIT, FRAME_TOO_LARGE, TOO_MANY_ERRORS,
    /** The client broke RFC 6455 framing (close 1002), sent text that is not UTF-8 (1007), or a message in too many fragments (1008). */
    PROTOCOL_ERROR,
    /** The registry's shared state (Redis) could not be reached in time: ERROR, socket closed. */
    REGISTRY_UNAVAILABLE
  }

  /** Why a frame was not relayed. */
  public enum Drop {
    /** A queue bound was reached. */
    QUEUE_FULL,
    /** The destination is connected but its outbound buffer is above the high-water mark. */
    BACKLOGGED,
    /** The destination's socket was closing. */
    PEER_CLOSED,
    /** LEAVE/EXPIRE to an id that is not connected (never queued, as upstream). */
    OFFLINE,
    /** Queued and not collected within expire_timeout. */
    EXPIRED,
    /** Not JSON, not an object, no type, bad dst, or a binary frame. */
    MALFORMED,
    /** A type the server does not know (ignored, as upstream). */
    UNKNOWN_TYPE,
    /** A pong not written because the pinging client's outbound buffer was above the high-water mark. */
    PONG_BACKLOGGED,
    /** The registry's shared state (Redis) could not be reached in time; the sender got EXPIRE. */
    REGISTRY_UNAVAILABLE
  }

  private final LongAdder connections = new LongAdder();
  private final LongAdder disconnections = new LongAdder();
  private final LongAdder relayed = new LongAdder();
  private final LongAdder queued = new LongAdder();
  private final LongAdder deliveredFromQueue = new LongAdder();
  private final LongAdder expireSent = new LongAdder();
  private final LongAdder heartbeats = new LongAdder();
  private final LongAdder aliveTimeouts = new LongAdder();
  private final LongAdder idsIssued = new LongAdder();
  private final LongAdder turnCredentialsIssued = new LongAdder();
  private final Map<Rejection, LongAdder> rejections = new EnumMap<>(Rejection.class);
  private final Map<Drop, LongAdder> drops = new EnumMap<>(Drop.class);

  SignalingStats() {
    for (Rejection r : Rejection.values()) {
      rejections.put(r, new LongAdder());
    }
    for (Drop d : Drop.values()) {
      drops.put(d, new LongAdder());
    }
  }

  void countConnected() {
    connections.increment();
  }

  void countDisconnected() {
    disconnections.increment();
  }

  void countRelayed() {
    relayed.increment();
  }

  void countQueued() {
    queued.increment();
  }

  void countDeliveredFromQueue(int n) {
    deliveredFromQueue.add(n);
  }

  void countExpireSent() {
    expireSent.increment();
  }

  void countHeartbeat() {
    heartbeats.increment();
  }

  void countAliveTimeout() {
    aliveTimeouts.increment();
  }

  void countIdIssued() {
    idsIssued.increment();
  }

  void countTurnCredentialsIssued() {
    turnCredentialsIssued.increment();
  }

  void countRejected(Rejection r) {
    rejections.get(r).increment();
  }

  void countDropped(Drop d, long n) {
    drops.get(d).add(n);
  }

  /** Peers that completed registration (OPEN or re-attach). */
  public long connections() {
    return connections.sum();
  }

  /** Registered peers that went away (close, LEAVE, alive timeout). */
  public long disconnections() {
    return disconnections.sum();
  }

  /** Frames handed to a connected destination. */
  public long relayed() {
    return relayed.sum();
  }

  /** Frames queued for an id that was not connected. */
  public long queuedTotal() {
    return queued.sum();
  }

  /** Queued frames delivered when their destination connected. */
  public long deliveredFromQueue() {
    return deliveredFromQueue.sum();
  }

  /** EXPIRE messages sent. */
  public long expireSent() {
    return expireSent.sum();
  }

  /** HEARTBEATs received. */
  public long heartbeats() {
    return heartbeats.sum();
  }

  /** Clients disconnected for lack of HEARTBEAT. */
  public long aliveTimeouts() {
    return aliveTimeouts.sum();
  }

  /** Ids handed out by {@code GET /{key}/id}. */
  public long idsIssued() {
    return idsIssued.sum();
  }

  /** TURN credentials minted. */
  public long turnCredentialsIssued() {
    return turnCredentialsIssued.sum();
  }

  /** Connections refused or cut off for {@code r}. */
  public long rejections(Rejection r) {
    return rejections.get(r).sum();
  }

  /** Frames not relayed for {@code d}. */
  public long drops(Drop d) {
    return drops.get(d).sum();
  }
}
