package org.rtc4j.signaling;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The state of a PeerJS server behind one interface: which id is connected (and with which
 * token), where its frames go, and the queues of messages for ids that are not connected yet.
 * {@link InMemoryPeerRegistry} keeps it in this process; a clustered implementation (Redis) keeps
 * the id registry and the queues shared and forwards frames between nodes, with the same
 * semantics (ID-TAKEN across nodes, FIFO queues, EXPIRE, LEAVE).
 *
 * <p>Contract: every method is thread-safe. The calls a connection makes ({@link #register},
 * {@link #unregister}, {@link #relay}, {@link #expire}, {@link #ids}) never block: they return a
 * {@link CompletionStage} that completes on any thread (the caller's, at once, or a Redis I/O
 * thread); a caller that touches a channel continues on its event loop. An implementation that
 * answers without I/O returns an already completed {@code CompletableFuture} (for the enum
 * outcomes, shared instances: callers must not complete them), so a caller can test
 * {@code toCompletableFuture().isDone()} and continue inline, without allocation or a thread hop.
 * Calls a caller makes one after another (the next after the previous stage completed) take effect
 * in that order; calls made without waiting are not ordered. When the shared state cannot be
 * reached, stages complete normally with {@link Outcome#UNAVAILABLE} or {@link Delivery#UNAVAILABLE}
 * (callers treat an exceptional completion the same way). The queries {@link #isRegistered},
 * {@link #peers} and {@link #queued} may block on the network (tests, metrics), so never call
 * them on an event loop; {@link #isRegisteredLocally} never does.
 *
 * <p>Frames are handed to {@link PeerSink#send}, which never blocks. Time is passed in
 * ({@code nowNanos}, a monotonic clock); the registry never reads a clock, so tests drive it
 * directly. Limits come from the {@link Tenant} passed in; ids are namespaced by {@link Tenant#key()}.
 */
public interface PeerRegistry extends AutoCloseable {

  /** The outcome of {@link #register}. */
  enum Outcome {
    /** A new registration: the greeting (OPEN) and then the queued messages were sent. */
    OPENED,
    /** Same id and same token: the new sink replaced the old one; greeting and queue were sent. */
    REATTACHED,
    /** The id is registered with another token: nothing changed. */
    ID_TAKEN,
    /** The tenant's concurrent limit is reached: nothing changed. */
    LIMIT_REACHED,
    /** The shared state (Redis) could not be reached in time: not registered here. */
    UNAVAILABLE
  }

  /**
   * @param outcome what happened
   * @param replaced on {@link Outcome#REATTACHED}, the sink that was replaced (the caller closes it), else null
   * @param delivered queued messages delivered to the new sink
   */
  record Registration(Outcome outcome, PeerSink replaced, int delivered) {}

  /** The outcome of {@link #relay}. */
  enum Delivery {
    /** Handed to the destination's sink. */
    DELIVERED,
    /** The destination is not connected; held until it connects or the message expires. */
    QUEUED,
    /** The destination is not connected and the message type is never queued (LEAVE, EXPIRE). */
    OFFLINE,
    /** The destination's sink is closed (it is going away). */
    CLOSED,
    /** The destination is connected but too far behind; the frame was dropped. */
    BACKLOGGED,
    /** A queue bound (per destination, per sender, total) was reached; the frame was dropped. */
    QUEUE_FULL,
    /**
     * The shared state (Redis) could not be reached in time; the frame is not delivered (a
     * request that timed out may still take effect when Redis answers late).
     */
    UNAVAILABLE
  }

  /** Receives one call per distinct (src, dst) pair whose queued messages expired. */
  @FunctionalInterface
  interface ExpiryListener {
    void expired(Tenant tenant, String src, String dst);
  }

  /**
   * Registers {@code id} with {@code token} (tokens are compared in constant time, {@link Tokens}). On success the
   * {@code greeting} frame (may be null) is sent to {@code sink}, followed by every message queued
   * for {@code id}, in arrival order, before the stage completes — so nothing relayed concurrently
   * can overtake them.
   */
  CompletionStage<Registration> register(Tenant tenant, String id, String token, PeerSink sink, String greeting, long nowNanos);

  /**
   * Removes {@code id} if {@code sink} is still its current sink (a re-attached peer survives its
   * old socket closing).
   *
   * @return whether the registration was removed (here; the shared state follows without waiting)
   */
  CompletionStage<Boolean> unregister(Tenant tenant, String id, PeerSink sink);

  /**
   * Relays one frame (already rewritten with the sender's id) to {@code dst}, or queues it when
   * {@code dst} is not connected and {@code queueIfAbsent}.
   */
  CompletionStage<Delivery> relay(Tenant tenant, String src, String dst, String frame, boolean queueIfAbsent, long nowNanos);

  /**
   * {@link #relay(Tenant, String, String, String, boolean, long)} for a frame already encoded as a
   * whole server-to-client WebSocket frame (see {@link PeerSink#sendEncoded}); the caller keeps
   * {@code wsFrame} and may reuse it once this returns (the registry copies what it keeps). This
   * default decodes it and relays the text; the in-memory registry hands the bytes to a connected
   * destination's sink.
   */
  default CompletionStage<Delivery> relay(Tenant tenant, String src, String dst, io.netty.buffer.ByteBuf wsFrame,
      boolean queueIfAbsent, long nowNanos) {
    return relay(tenant, src, dst, WsText.decode(wsFrame), queueIfAbsent, nowNanos);
  }

  /**
   * For every (src, dst) pair whose oldest queued message is older than {@code timeoutNanos},
   * drops all of that pair's queued messages and reports the pair once to {@code listener}
   * (called without any registry lock held, on any thread, before the stage completes).
   *
   * @return how many messages were dropped
   */
  CompletionStage<Integer> expire(long nowNanos, long timeoutNanos, ExpiryListener listener);

  /** Whether {@code id} is registered under the tenant (may block on the network: not on an event loop). */
  boolean isRegistered(Tenant tenant, String id);

  /**
   * Whether {@code id} is registered as far as this node knows without I/O (never blocks): exact
   * in memory; in a cluster, the ids connected to this node.
   */
  boolean isRegisteredLocally(Tenant tenant, String id);

  /** The registered ids of the tenant (for discovery), in no particular order. */
  CompletionStage<List<String>> ids(Tenant tenant);

  /** Number of registered peers of the tenant (may block on the network: not on an event loop). */
  int peers(Tenant tenant);

  /** Number of queued messages of the tenant (may block on the network: not on an event loop). */
  int queued(Tenant tenant);

  /** Releases what the registry holds (connections to a shared store); registrations are dropped. */
  @Override
  void close();
}
