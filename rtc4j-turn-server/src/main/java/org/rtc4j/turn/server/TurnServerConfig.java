package org.rtc4j.turn.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import org.rtc4j.stun.LongTermCredentials;

/**
 * Immutable configuration of a TURN server (every {@link TurnServerCore} shard and their
 * {@link TurnSharedState}). Built with {@link #builder()}; option names follow coturn's where one
 * exists, so that coturn users recognise them.
 *
 * <p>Secrets (user passwords, the REST shared secret) are kept only as derived keys or bytes and
 * never appear in {@link #toString()} (trust test SC-14). Long-term keys
 * {@code MD5(username ":" realm ":" SASLprep(password))} (RFC 8489 §9.2.2) are computed once, here.
 *
 * <p>Thread-safe: immutable.
 */
public final class TurnServerConfig {

  private final String realm;
  private final String software;
  private final Map<String, byte[]> userKeys;
  private final String authSecret;
  private final PeerAddressPolicy peerPolicy;
  private final int userQuota;
  private final int totalQuota;
  private final long maxBps;
  private final long bpsCapacity;
  private final int defaultLifetimeSeconds;
  private final int maxLifetimeSeconds;
  private final int permissionLifetimeSeconds;
  private final int channelLifetimeSeconds;
  private final int nonceLifetimeSeconds;
  private final int maxPermissionsPerAllocation;
  private final boolean allowAnonymousBinding;
  private final boolean secureStun;
  private final boolean ipv4Relay;
  private final boolean ipv6Relay;
  private final int unauthenticatedRateLimit;
  private final boolean legacyChannelRange;
  private final LongUnaryOperator epochSecondsAt;

  private TurnServerConfig(Builder b) {
    this.realm = b.realm;
    this.software = b.software;
    Map<String, byte[]> keys = new LinkedHashMap<>();
    b.users.forEach((user, password) -> keys.put(user, longTermKey(user, b.realm, password)));
    this.userKeys = Collections.unmodifiableMap(keys);
    this.authSecret = b.authSecret;
    this.peerPolicy = b.peerPolicy;
    this.userQuota = b.userQuota;
    this.totalQuota = b.totalQuota;
    this.maxBps = b.maxBps;
    this.bpsCapacity = b.bpsCapacity;
    this.defaultLifetimeSeconds = b.defaultLifetimeSeconds;
    this.maxLifetimeSeconds = b.maxLifetimeSeconds;
    this.permissionLifetimeSeconds = b.permissionLifetimeSeconds;
    this.channelLifetimeSeconds = b.channelLifetimeSeconds;
    this.nonceLifetimeSeconds = b.nonceLifetimeSeconds;
    this.maxPermissionsPerAllocation = b.maxPermissionsPerAllocation;
    this.allowAnonymousBinding = b.allowAnonymousBinding;
    this.secureStun = b.secureStun;
    this.ipv4Relay = b.ipv4Relay;
    this.ipv6Relay = b.ipv6Relay;
    this.unauthenticatedRateLimit = b.unauthenticatedRateLimit;
    this.legacyChannelRange = b.legacyChannelRange;
    this.epochSecondsAt = b.epochSecondsAt != null ? b.epochSecondsAt : systemWallClock();
  }

  private TurnServerConfig(TurnServerConfig base, PeerAddressPolicy policy) {
    this.realm = base.realm;
    this.software = base.software;
    this.userKeys = base.userKeys;
    this.authSecret = base.authSecret;
    this.peerPolicy = policy;
    this.userQuota = base.userQuota;
    this.totalQuota = base.totalQuota;
    this.maxBps = base.maxBps;
    this.bpsCapacity = base.bpsCapacity;
    this.defaultLifetimeSeconds = base.defaultLifetimeSeconds;
    this.maxLifetimeSeconds = base.maxLifetimeSeconds;
    this.permissionLifetimeSeconds = base.permissionLifetimeSeconds;
    this.channelLifetimeSeconds = base.channelLifetimeSeconds;
    this.nonceLifetimeSeconds = base.nonceLifetimeSeconds;
    this.maxPermissionsPerAllocation = base.maxPermissionsPerAllocation;
    this.allowAnonymousBinding = base.allowAnonymousBinding;
    this.secureStun = base.secureStun;
    this.ipv4Relay = base.ipv4Relay;
    this.ipv6Relay = base.ipv6Relay;
    this.unauthenticatedRateLimit = base.unauthenticatedRateLimit;
    this.legacyChannelRange = base.legacyChannelRange;
    this.epochSecondsAt = base.epochSecondsAt;
  }

  /**
   * A copy with another peer policy; the driver uses it to add the listening and relay IPs it
   * bound to the policy's server addresses. (Passwords are kept only as keys, so there is no
   * {@code toBuilder()}.)
   */
  public TurnServerConfig withPeerPolicy(PeerAddressPolicy policy) {
    return new TurnServerConfig(this, Objects.requireNonNull(policy, "policy"));
  }

  private static byte[] longTermKey(String user, String realm, String password) {
    try {
      return LongTermCredentials.md5Key(user, realm, password);
    } catch (IllegalArgumentException e) {
      // Not chained: the cause names the offending character of the password.
      throw new IllegalArgumentException("the password of user " + user + " is not valid under SASLprep (RFC 4013)");
    }
  }

  /** A builder with the defaults listed on each of its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A mapping from {@code System.nanoTime()} values to Unix seconds, anchored once when this is
   * called. It is the default for {@link Builder#epochSecondsAt}; the cores themselves never read
   * a clock, they only apply the mapping to the {@code nowNanos} they are given.
   */
  public static LongUnaryOperator systemWallClock() {
    long anchorNanos = System.nanoTime();
    long anchorMillis = System.currentTimeMillis();
    return nanos -> Math.floorDiv(anchorMillis + Math.floorDiv(nanos - anchorNanos, 1_000_000L), 1000L);
  }

  /** REALM (RFC 8489 §14.9); default {@code "rtc4j"}. */
  public String realm() {
    return realm;
  }

  /** SOFTWARE value for responses to authenticated requests; empty means none. Default {@code "rtc4j"}. */
  public String software() {
    return software;
  }

  /** The names of the static long-term users (never their passwords). */
  public Set<String> userNames() {
    return userKeys.keySet();
  }

  /** The long-term key of a static user, or null; a fresh copy. */
  byte[] userKey(String user) {
    byte[] k = userKeys.get(user);
    return k == null ? null : k.clone();
  }

  /** The long-term key of a static user, or null; shared, must not be modified. */
  byte[] userKeyShared(String user) {
    return userKeys.get(user);
  }

  /** Whether the TURN REST API shared secret (coturn {@code use-auth-secret}) is configured. */
  public boolean hasAuthSecret() {
    return authSecret != null;
  }

  /** The TURN REST API shared secret, if set (coturn {@code static-auth-secret}). */
  public Optional<String> authSecret() {
    return Optional.ofNullable(authSecret);
  }

  /** Which peers allocations may relay to. */
  public PeerAddressPolicy peerPolicy() {
    return peerPolicy;
  }

  /** Maximum concurrent allocations per user (coturn {@code user-quota}); 0 = unlimited. */
  public int userQuota() {
    return userQuota;
  }

  /** Maximum concurrent allocations on the server (coturn {@code total-quota}); 0 = unlimited. */
  public int totalQuota() {
    return totalQuota;
  }

  /** Relay bandwidth cap per allocation and direction, in bytes per second (coturn {@code max-bps}); 0 = unlimited. */
  public long maxBps() {
    return maxBps;
  }

  /**
   * Total bandwidth the server grants, in bytes per second (coturn {@code bps-capacity}); each
   * allocation reserves {@link #maxBps()} of it, and an Allocate beyond it gets 486. 0 = unlimited.
   */
  public long bpsCapacity() {
    return bpsCapacity;
  }

  /** Allocation lifetime when the client asks for less or nothing (RFC 8656 §3.2: 600 s). */
  public int defaultLifetimeSeconds() {
    return defaultLifetimeSeconds;
  }

  /** Longest allocation lifetime granted (default 3600 s). */
  public int maxLifetimeSeconds() {
    return maxLifetimeSeconds;
  }

  /** Permission lifetime (RFC 8656 §9: 300 s). */
  public int permissionLifetimeSeconds() {
    return permissionLifetimeSeconds;
  }

  /** Channel binding lifetime (RFC 8656 §12: 600 s). */
  public int channelLifetimeSeconds() {
    return channelLifetimeSeconds;
  }

  /** How long a NONCE stays valid before the server answers 438 Stale Nonce (default 600 s). */
  public int nonceLifetimeSeconds() {
    return nonceLifetimeSeconds;
  }

  /** Maximum permissions per allocation (coturn's {@code TURN_MAX_PERMISSIONS_PER_ALLOCATION}: 1024); beyond it: 508. */
  public int maxPermissionsPerAllocation() {
    return maxPermissionsPerAllocation;
  }

  /** Whether Binding requests without credentials are answered (default true). */
  public boolean allowAnonymousBinding() {
    return allowAnonymousBinding;
  }

  /** coturn's {@code secure-stun}: Binding requests need long-term credentials (default false). */
  public boolean secureStun() {
    return secureStun;
  }

  /** Whether Binding requests need long-term credentials: {@link #secureStun()} or not {@link #allowAnonymousBinding()}. */
  boolean bindingNeedsAuth() {
    return secureStun || !allowAnonymousBinding;
  }

  /** Whether IPv4 relayed addresses can be allocated (default true); otherwise 440. */
  public boolean ipv4Relay() {
    return ipv4Relay;
  }

  /** Whether IPv6 relayed addresses can be allocated (default true); otherwise 440. */
  public boolean ipv6Relay() {
    return ipv6Relay;
  }

  /**
   * Error responses per second answered to one source IP before credentials are proven (coturn
   * {@code 401-req-limit}); 0 = unlimited (default). Kept in a fixed-size table per shard, so
   * spoofed sources do not make the server grow.
   */
  public int unauthenticatedRateLimit() {
    return unauthenticatedRateLimit;
  }

  /**
   * Whether channel numbers 0x5000–0x7FFF (RFC 5766 §11, which coturn's {@code turnutils_uclient}
   * and libwebrtc still use) are accepted besides RFC 8656's 0x4000–0x4FFF. Default false.
   */
  public boolean legacyChannelRange() {
    return legacyChannelRange;
  }

  /** The highest channel number accepted: 0x4FFF, or 0x7FFF with {@link #legacyChannelRange()}. */
  public int maxChannelNumber() {
    return legacyChannelRange ? 0x7FFF : 0x4FFF;
  }

  /** Maps a core's {@code nowNanos} to Unix seconds (TURN REST API expiry checks). */
  public LongUnaryOperator epochSecondsAt() {
    return epochSecondsAt;
  }

  @Override
  public String toString() {
    return "TurnServerConfig[realm=" + realm + ", software=" + software + ", users=" + userKeys.keySet()
        + ", authSecret=" + (authSecret == null ? "none" : "<redacted>") + ", peerPolicy=" + peerPolicy
        + ", userQuota=" + userQuota + ", totalQuota=" + totalQuota + ", maxBps=" + maxBps
        + ", bpsCapacity=" + bpsCapacity + ", lifetime=" + defaultLifetimeSeconds + ".." + maxLifetimeSeconds
        + "s, permissionLifetime=" + permissionLifetimeSeconds + "s, channelLifetime=" + channelLifetimeSeconds
        + "s, nonceLifetime=" + nonceLifetimeSeconds + "s, maxPermissionsPerAllocation=" + maxPermissionsPerAllocation
        + ", allowAnonymousBinding=" + allowAnonymousBinding + ", secureStun=" + secureStun
        + ", ipv4Relay=" + ipv4Relay + ", ipv6Relay=" + ipv6Relay
        + ", unauthenticatedRateLimit=" + unauthenticatedRateLimit + ", legacyChannelRange=" + legacyChannelRange + "]";
  }

  /** Builds a {@link TurnServerConfig}. Not thread-safe. Its {@link #toString()} hides secrets. */
  public static final class Builder {
    private String realm = "rtc4j";
    private String software = "rtc4j";
    private final Map<String, String> users = new LinkedHashMap<>();
    private String authSecret;
    private PeerAddressPolicy peerPolicy = PeerAddressPolicy.defaults();
    private int userQuota;
    private int totalQuota;
    private long maxBps;
    private long bpsCapacity;
    private int defaultLifetimeSeconds = 600;
    private int maxLifetimeSeconds = 3600;
    private int permissionLifetimeSeconds = 300;
    private int channelLifetimeSeconds = 600;
    private int nonceLifetimeSeconds = 600;
    private int maxPermissionsPerAllocation = 1024;
    private boolean allowAnonymousBinding = true;
    private boolean secureStun;
    private boolean ipv4Relay = true;
    private boolean ipv6Relay = true;
    private int unauthenticatedRateLimit;
    private boolean legacyChannelRange;
    private LongUnaryOperator epochSecondsAt;

    private Builder() {
    }

    /** REALM; default {@code "rtc4j"}. At most 127 characters (RFC 8489 §14.9). */
    public Builder realm(String realm) {
      Objects.requireNonNull(realm, "realm");
      if (realm.isEmpty() || realm.length() > 127) {
        throw new IllegalArgumentException("realm must be 1..127 characters");
      }
      this.realm = realm;
      return this;
    }

    /** SOFTWARE attribute value; empty or null for none. Default {@code "rtc4j"}. */
    public Builder software(String software) {
      String s = software == null ? "" : software;
      if (s.length() > 127) {
        throw new IllegalArgumentException("software must be at most 127 characters");
      }
      this.software = s;
      return this;
    }

    /** Adds a static long-term user (coturn {@code --user USER:PASSWORD}). */
    public Builder user(String name, String password) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(password, "password");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("empty user name");
      }
      users.put(name, password);
      return this;
    }

    /** Adds static long-term users, name to password. */
    public Builder users(Map<String, String> namesToPasswords) {
      namesToPasswords.forEach(this::user);
      return this;
    }

    /** Enables the TURN REST API with this shared secret (coturn {@code --use-auth-secret --static-auth-secret}); null disables. */
    public Builder authSecret(String secret) {
      if (secret != null && secret.isEmpty()) {
        throw new IllegalArgumentException("empty auth secret");
      }
      this.authSecret = secret;
      return this;
    }

    /** Peer address policy; default {@link PeerAddressPolicy#defaults()}. */
    public Builder peerPolicy(PeerAddressPolicy policy) {
      this.peerPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Concurrent allocations per user; 0 (default) = unlimited. */
    public Builder userQuota(int quota) {
      this.userQuota = nonNegative(quota, "userQuota");
      return this;
    }

    /** Concurrent allocations in total; 0 (default) = unlimited. */
    public Builder totalQuota(int quota) {
      this.totalQuota = nonNegative(quota, "totalQuota");
      return this;
    }

    /** Bytes per second per allocation and direction; 0 (default) = unlimited. */
    public Builder maxBps(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException("maxBps < 0");
      }
      this.maxBps = bytesPerSecond;
      return this;
    }

    /** Total bytes per second granted to allocations (each reserves {@code maxBps}); 0 (default) = unlimited. */
    public Builder bpsCapacity(long bytesPerSecond) {
      if (bytesPerSecond < 0) {
        throw new IllegalArgumentException("bpsCapacity < 0");
      }
      this.bpsCapacity = bytesPerSecond;
      return this;
    }

    /** Default allocation lifetime, seconds (default 600). */
    public Builder defaultLifetimeSeconds(int seconds) {
      this.defaultLifetimeSeconds = positive(seconds, "defaultLifetimeSeconds");
      return this;
    }

    /** Maximum allocation lifetime, seconds (default 3600). */
    public Builder maxLifetimeSeconds(int seconds) {
      this.maxLifetimeSeconds = positive(seconds, "maxLifetimeSeconds");
      return this;
    }

    /** Permission lifetime, seconds (default 300). */
    public Builder permissionLifetimeSeconds(int seconds) {
      this.permissionLifetimeSeconds = positive(seconds, "permissionLifetimeSeconds");
      return this;
    }

    /** Channel lifetime, seconds (default 600). */
    public Builder channelLifetimeSeconds(int seconds) {
      this.channelLifetimeSeconds = positive(seconds, "channelLifetimeSeconds");
      return this;
    }

    /** Nonce lifetime, seconds (default 600; coturn {@code stale-nonce}). */
    public Builder nonceLifetimeSeconds(int seconds) {
      this.nonceLifetimeSeconds = positive(seconds, "nonceLifetimeSeconds");
      return this;
    }

    /** Permissions per allocation (default 1024). */
    public Builder maxPermissionsPerAllocation(int max) {
      this.maxPermissionsPerAllocation = positive(max, "maxPermissionsPerAllocation");
      return this;
    }

    /** Answer Binding requests without credentials (default true). */
    public Builder allowAnonymousBinding(boolean allow) {
      this.allowAnonymousBinding = allow;
      return this;
    }

    /** Require credentials on Binding requests (coturn {@code secure-stun}; default false). */
    public Builder secureStun(boolean secure) {
      this.secureStun = secure;
      return this;
    }

    /** Whether IPv4 relays are offered (default true). */
    public Builder ipv4Relay(boolean enabled) {
      this.ipv4Relay = enabled;
      return this;
    }

    /** Whether IPv6 relays are offered (default true). */
    public Builder ipv6Relay(boolean enabled) {
      this.ipv6Relay = enabled;
      return this;
    }

    /** Unauthenticated error responses per second per source IP; 0 (default) = unlimited. */
    public Builder unauthenticatedRateLimit(int perSecond) {
      this.unauthenticatedRateLimit = nonNegative(perSecond, "unauthenticatedRateLimit");
      return this;
    }

    /** Also accept channel numbers 0x5000–0x7FFF (RFC 5766's range); default false (RFC 8656: 0x4000–0x4FFF only). */
    public Builder legacyChannelRange(boolean legacy) {
      this.legacyChannelRange = legacy;
      return this;
    }

    /**
     * Maps {@code nowNanos} values given to the cores to Unix seconds, for the REST API's expiry
     * timestamps. Default: {@link TurnServerConfig#systemWallClock()} anchored at {@link #build()}
     * (right for drivers that pass {@code System.nanoTime()}). Tests pass a fixed mapping.
     */
    public Builder epochSecondsAt(LongUnaryOperator nanosToEpochSeconds) {
      this.epochSecondsAt = nanosToEpochSeconds;
      return this;
    }

    /** The immutable configuration. */
    public TurnServerConfig build() {
      if (maxLifetimeSeconds < defaultLifetimeSeconds) {
        throw new IllegalArgumentException("maxLifetimeSeconds < defaultLifetimeSeconds");
      }
      return new TurnServerConfig(this);
    }

    private static int nonNegative(int v, String name) {
      if (v < 0) {
        throw new IllegalArgumentException(name + " < 0");
      }
      return v;
    }

    private static int positive(int v, String name) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " <= 0");
      }
      return v;
    }

    @Override
    public String toString() {
      return "TurnServerConfig.Builder[realm=" + realm + ", users=" + users.keySet()
          + ", authSecret=" + (authSecret == null ? "none" : "<redacted>") + "]";
    }
  }
}
