package org.rtc4j.signaling;

import java.util.Objects;

/**
 * One PeerJS {@code key} served by a {@link SignalingServer}, with its own id namespace and limits.
 * Upstream peerjs-server has exactly one key per process; rtc4j serves several (tenants), each an
 * independent realm: the same peer id may exist under two keys, and messages never cross keys.
 *
 * @param key the PeerJS key clients pass as {@code ?key=} (and in {@code /{key}/id})
 * @param concurrentLimit most peers registered under this key at a time (upstream
 *     {@code concurrent_limit}); the next one gets ERROR "Server has reached its concurrent user limit"
 * @param messagesPerSecond sustained rate of frames one client of this key may send (token bucket)
 * @param messageBurst bucket size: frames a client may send at once before the rate applies
 * @param maxQueuedPerDestination most messages held for one id that is not connected (yet)
 * @param maxQueuedPerSender most messages one sender may have waiting in queues at a time
 * @param maxQueuedTotal most messages queued under this key altogether
 */
public record Tenant(String key, int concurrentLimit, int messagesPerSecond, int messageBurst,
    int maxQueuedPerDestination, int maxQueuedPerSender, int maxQueuedTotal) {

  /** Defaults: upstream's concurrent limit 5000; 100 frames/s with bursts of 500; queues 256/1024/100000. */
  public static Tenant withDefaults(String key) {
    return new Tenant(key, 5000, 100, 500, 256, 1024, 100_000);
  }

  public Tenant {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.contains("/") || key.contains("?") || key.contains("&")) {
      throw new IllegalArgumentException("a key must be non-empty and contain no '/', '?' or '&': '" + key + "'");
    }
    positive("concurrentLimit", concurrentLimit);
    positive("messagesPerSecond", messagesPerSecond);
    positive("messageBurst", messageBurst);
    positive("maxQueuedPerDestination", maxQueuedPerDestination);
    positive("maxQueuedPerSender", maxQueuedPerSender);
    positive("maxQueuedTotal", maxQueuedTotal);
  }

  /** A copy with another concurrent limit. */
  public Tenant withConcurrentLimit(int limit) {
    return new Tenant(key, limit, messagesPerSecond, messageBurst, maxQueuedPerDestination, maxQueuedPerSender,
        maxQueuedTotal);
  }

  /** A copy with another rate limit. */
  public Tenant withRate(int perSecond, int burst) {
    return new Tenant(key, concurrentLimit, perSecond, burst, maxQueuedPerDestination, maxQueuedPerSender,
        maxQueuedTotal);
  }

  /** A copy with other queue bounds. */
  public Tenant withQueues(int perDestination, int perSender, int total) {
    return new Tenant(key, concurrentLimit, messagesPerSecond, messageBurst, perDestination, perSender, total);
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be at least 1: " + v);
    }
  }
}
