package org.rtc4j.ice;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of one {@link IceAgent}. Immutable; build with {@link #builder()}.
 *
 * @param role initial role (RFC 8445 §6.1.1: the offerer is controlling in JSEP)
 * @param localCredentials our ufrag/pwd
 * @param servers STUN/TURN servers (hosts must be IP literals; see {@link IceServer#literalAddress()})
 * @param policy {@link IceTransportPolicy#RELAY} signals and pairs relay candidates only
 * @param hostAddresses the UDP sockets the runtime bound, one per usable interface address
 * @param tieBreaker the 64-bit role-conflict tie-breaker (RFC 8445 §7.3.1.1), random per agent
 * @param ta pacing of new checks (RFC 8445 §14.2), default 20 ms
 * @param consentInterval base interval of RFC 7675 consent checks on the selected pair, default 5 s;
 *     the agent checks every min(consentInterval, disconnectedTimeout/2), each time ±20 %
 * @param disconnectedTimeout DISCONNECTED after this long without a consent response, default 5 s
 * @param failedTimeout FAILED (consent expired: no more data) after this long without one, default 30 s
 * @param checklistTimeout FAILED when no pair succeeded this long after checks began, default 30 s
 * @param maxPairs checklist size limit (RFC 8445 §6.1.2.5), default 100
 * @param software SOFTWARE attribute for server requests, or null
 */
public record IceConfig(IceRole role, IceCredentials localCredentials, List<IceServer> servers, IceTransportPolicy policy,
    List<InetSocketAddress> hostAddresses, long tieBreaker, Duration ta, Duration consentInterval,
    Duration disconnectedTimeout, Duration failedTimeout, Duration checklistTimeout, int maxPairs, String software) {

  public IceConfig {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(localCredentials, "localCredentials");
    Objects.requireNonNull(policy, "policy");
    servers = List.copyOf(servers);
    hostAddresses = List.copyOf(hostAddresses);
    positive(ta, "ta");
    positive(consentInterval, "consentInterval");
    positive(disconnectedTimeout, "disconnectedTimeout");
    positive(failedTimeout, "failedTimeout");
    positive(checklistTimeout, "checklistTimeout");
    if (maxPairs < 1) {
      throw new IllegalArgumentException("maxPairs must be >= 1: " + maxPairs);
    }
    for (InetSocketAddress a : hostAddresses) {
      if (a.isUnresolved() || a.getAddress().isAnyLocalAddress() || a.getPort() == 0) {
        throw new IllegalArgumentException("host addresses must be bound sockets with a concrete IP and port: " + a);
      }
    }
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.role = role;
    b.localCredentials = localCredentials;
    b.servers = servers;
    b.policy = policy;
    b.hostAddresses = hostAddresses;
    b.tieBreaker = tieBreaker;
    b.ta = ta;
    b.consentInterval = consentInterval;
    b.disconnectedTimeout = disconnectedTimeout;
    b.failedTimeout = failedTimeout;
    b.checklistTimeout = checklistTimeout;
    b.maxPairs = maxPairs;
    b.software = software;
    return b;
  }

  /** Builder of {@link IceConfig}; role and credentials are required. */
  public static final class Builder {
    private IceRole role = IceRole.CONTROLLING;
    private IceCredentials localCredentials;
    private List<IceServer> servers = List.of();
    private IceTransportPolicy policy = IceTransportPolicy.ALL;
    private List<InetSocketAddress> hostAddresses = List.of();
    private long tieBreaker;
    private Duration ta = Duration.ofMillis(20);
    private Duration consentInterval = Duration.ofSeconds(5);
    private Duration disconnectedTimeout = Duration.ofSeconds(5);
    private Duration failedTimeout = Duration.ofSeconds(30);
    private Duration checklistTimeout = Duration.ofSeconds(30);
    private int maxPairs = 100;
    private String software;

    private Builder() {}

    public Builder role(IceRole v) {
      role = v;
      return this;
    }

    public Builder localCredentials(IceCredentials v) {
      localCredentials = v;
      return this;
    }

    public Builder servers(List<IceServer> v) {
      servers = v;
      return this;
    }

    public Builder policy(IceTransportPolicy v) {
      policy = v;
      return this;
    }

    public Builder hostAddresses(List<InetSocketAddress> v) {
      hostAddresses = v;
      return this;
    }

    public Builder tieBreaker(long v) {
      tieBreaker = v;
      return this;
    }

    public Builder ta(Duration v) {
      ta = v;
      return this;
    }

    public Builder consentInterval(Duration v) {
      consentInterval = v;
      return this;
    }

    public Builder disconnectedTimeout(Duration v) {
      disconnectedTimeout = v;
      return this;
    }

    public Builder failedTimeout(Duration v) {
      failedTimeout = v;
      return this;
    }

    public Builder checklistTimeout(Duration v) {
      checklistTimeout = v;
      return this;
    }

    public Builder maxPairs(int v) {
      maxPairs = v;
      return this;
    }

    public Builder software(String v) {
      software = v;
      return this;
    }

    public IceConfig build() {
      return new IceConfig(role, localCredentials, servers, policy, hostAddresses, tieBreaker, ta, consentInterval,
          disconnectedTimeout, failedTimeout, checklistTimeout, maxPairs, software);
    }
  }
}
