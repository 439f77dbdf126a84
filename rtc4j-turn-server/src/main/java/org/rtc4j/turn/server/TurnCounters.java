package org.rtc4j.turn.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The TURN server's metrics: every shard ({@link TurnServerCore}) adds to the same
 * {@link LongAdder}s, and any thread reads them (the driver exports them to Prometheus).
 *
 * <p>Each counter is a public final field and has an accessor of the same name that returns
 * its current sum. Fields documented as gauges go up and down; the others only grow.
 * {@link #snapshot()} lists them all by a stable snake_case name.
 *
 * <p>Thread-safe.
 */
public final class TurnCounters {

  /** Gauge: allocations that exist now. */
  public final LongAdder allocations = new LongAdder();
  /** Allocations created (Allocate success responses sent). */
  public final LongAdder allocationsCreated = new LongAdder();
  /** Allocations deleted for any reason (Refresh lifetime 0, expiry, connection closed). */
  public final LongAdder allocationsDeleted = new LongAdder();
  /** Allocations deleted because their lifetime ran out. */
  public final LongAdder allocationsExpired = new LongAdder();
  /** Gauge: permissions that exist now. */
  public final LongAdder permissions = new LongAdder();
  /** Gauge: channel bindings that exist now. */
  public final LongAdder channels = new LongAdder();
  /** Application bytes relayed from clients to peers (Send indications and ChannelData). */
  public final LongAdder clientToPeerBytes = new LongAdder();
  /** Packets relayed from clients to peers. */
  public final LongAdder clientToPeerPackets = new LongAdder();
  /** Application bytes relayed from peers to clients (Data indications and ChannelData). */
  public final LongAdder peerToClientBytes = new LongAdder();
  /** Packets relayed from peers to clients. */
  public final LongAdder peerToClientPackets = new LongAdder();
  /** STUN requests received (any method). */
  public final LongAdder stunRequests = new LongAdder();
  /** Binding requests received. */
  public final LongAdder bindingRequests = new LongAdder();
  /** 401 challenges to requests that carried no credentials (the normal first round trip). */
  public final LongAdder authChallenges = new LongAdder();
  /** Requests whose credentials failed: unknown user, wrong password, expired REST username, wrong realm (401), or a user mismatch (441). */
  public final LongAdder authFailures = new LongAdder();
  /** 438 Stale Nonce responses. */
  public final LongAdder staleNonces = new LongAdder();
  /** 486 Allocation Quota Reached responses. */
  public final LongAdder quotaRejections = new LongAdder();
  /** 403 Forbidden responses: a peer address denied by the {@link PeerAddressPolicy}. */
  public final LongAdder peerDenied = new LongAdder();
  /** 508 responses because an allocation holds the maximum number of permissions. */
  public final LongAdder permissionLimitRejections = new LongAdder();
  /** Error responses sent (any code). */
  public final LongAdder errorResponses = new LongAdder();
  /** Well-formed packets dropped: no allocation, no permission, no channel, rate or amplification limit. */
  public final LongAdder droppedPackets = new LongAdder();
  /** Packets dropped by the per-allocation bandwidth cap ({@code max-bps}). */
  public final LongAdder bandwidthDroppedPackets = new LongAdder();
  /** Bytes dropped by the per-allocation bandwidth cap. */
  public final LongAdder bandwidthDroppedBytes = new LongAdder();
  /** Malformed packets dropped (not STUN, not ChannelData, or failing to parse). */
  public final LongAdder malformed = new LongAdder();

  /** Current number of allocations (gauge). */
  public long allocations() {
    return allocations.sum();
  }

  /** Total allocations created. */
  public long allocationsCreated() {
    return allocationsCreated.sum();
  }

  /** Total allocations deleted. */
  public long allocationsDeleted() {
    return allocationsDeleted.sum();
  }

  /** Total allocations that expired. */
  public long allocationsExpired() {
    return allocationsExpired.sum();
  }

  /** Current number of permissions (gauge). */
  public long permissions() {
    return permissions.sum();
  }

  /** Current number of channels (gauge). */
  public long channels() {
    return channels.sum();
  }

  /** Bytes relayed client to peer. */
  public long clientToPeerBytes() {
    return clientToPeerBytes.sum();
  }

  /** Packets relayed client to peer. */
  public long clientToPeerPackets() {
    return clientToPeerPackets.sum();
  }

  /** Bytes relayed peer to client. */
  public long peerToClientBytes() {
    return peerToClientBytes.sum();
  }

  /** Packets relayed peer to client. */
  public long peerToClientPackets() {
    return peerToClientPackets.sum();
  }

  /** STUN requests received. */
  public long stunRequests() {
    return stunRequests.sum();
  }

  /** Binding requests received. */
  public long bindingRequests() {
    return bindingRequests.sum();
  }

  /** 401 challenges sent. */
  public long authChallenges() {
    return authChallenges.sum();
  }

  /** Failed authentications. */
  public long authFailures() {
    return authFailures.sum();
  }

  /** 438 responses sent. */
  public long staleNonces() {
    return staleNonces.sum();
  }

  /** 486 responses sent. */
  public long quotaRejections() {
    return quotaRejections.sum();
  }

  /** 403 responses sent for denied peers. */
  public long peerDenied() {
    return peerDenied.sum();
  }

  /** 508 responses for the permission limit. */
  public long permissionLimitRejections() {
    return permissionLimitRejections.sum();
  }

  /** Error responses sent. */
  public long errorResponses() {
    return errorResponses.sum();
  }

  /** Well-formed packets dropped. */
  public long droppedPackets() {
    return droppedPackets.sum();
  }

  /** Packets dropped by the bandwidth cap. */
  public long bandwidthDroppedPackets() {
    return bandwidthDroppedPackets.sum();
  }

  /** Bytes dropped by the bandwidth cap. */
  public long bandwidthDroppedBytes() {
    return bandwidthDroppedBytes.sum();
  }

  /** Malformed packets dropped. */
  public long malformed() {
    return malformed.sum();
  }

  /** Every counter by snake_case name, in a stable order; gauges are named in {@link #gauges()}. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("allocations", allocations());
    m.put("allocations_created", allocationsCreated());
    m.put("allocations_deleted", allocationsDeleted());
    m.put("allocations_expired", allocationsExpired());
    m.put("permissions", permissions());
    m.put("channels", channels());
    m.put("client_to_peer_bytes", clientToPeerBytes());
    m.put("client_to_peer_packets", clientToPeerPackets());
    m.put("peer_to_client_bytes", peerToClientBytes());
    m.put("peer_to_client_packets", peerToClientPackets());
    m.put("stun_requests", stunRequests());
    m.put("binding_requests", bindingRequests());
    m.put("auth_challenges", authChallenges());
    m.put("auth_failures", authFailures());
    m.put("stale_nonces", staleNonces());
    m.put("quota_rejections", quotaRejections());
    m.put("peer_denied", peerDenied());
    m.put("permission_limit_rejections", permissionLimitRejections());
    m.put("error_responses", errorResponses());
    m.put("dropped_packets", droppedPackets());
    m.put("bandwidth_dropped_packets", bandwidthDroppedPackets());
    m.put("bandwidth_dropped_bytes", bandwidthDroppedBytes());
    m.put("malformed", malformed());
    return m;
  }

  /** The names in {@link #snapshot()} that are gauges (can go down); the rest are counters. */
  public static java.util.Set<String> gauges() {
    return java.util.Set.of("allocations", "permissions", "channels");
  }

  @Override
  public String toString() {
    return "TurnCounters" + snapshot();
  }
}
