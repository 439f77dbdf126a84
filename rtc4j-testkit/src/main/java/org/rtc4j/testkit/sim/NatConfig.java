package org.rtc4j.testkit.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SimNat} behaves. Build with {@link #of(NatType)} or {@link #builder(NatType)}.
 *
 * @param mapping mapping behaviour (RFC 4787 §4.1)
 * @param filtering filtering behaviour (RFC 4787 §5)
 * @param mappingTimeout idle time after which a mapping (and its filter permissions) is removed
 *     (RFC 4787 §4.3: REQ-5 asks for at least 2 minutes; 5 minutes recommended)
 * @param inboundRefresh whether inbound packets also keep a mapping alive (RFC 4787 REQ-6 makes
 *     outbound refresh mandatory and inbound optional)
 * @param portAssignment how external ports are chosen (RFC 4787 §4.2)
 * @param firstPort where {@link PortAssignment#SEQUENTIAL} starts counting
 * @param hairpinning whether a packet from inside to the NAT's own external address loops back
 *     inside (RFC 4787 §6, REQ-9), arriving with the sender's external address as source
 */
public record NatConfig(
    NatType.Behavior mapping,
    NatType.Behavior filtering,
    Duration mappingTimeout,
    boolean inboundRefresh,
    PortAssignment portAssignment,
    int firstPort,
    boolean hairpinning) {

  /** How external ports are picked for new mappings. */
  public enum PortAssignment {
    /** Keep the internal port when it is free on the external address, else {@link #SEQUENTIAL}. */
    PRESERVE,
    /** The next free port counting up from {@code firstPort} (wrapping to 1024). */
    SEQUENTIAL,
    /** A free port drawn from the simulation's seeded random generator in 1024..65535. */
    RANDOM
  }

  public NatConfig {
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(filtering, "filtering");
    Objects.requireNonNull(mappingTimeout, "mappingTimeout");
    Objects.requireNonNull(portAssignment, "portAssignment");
    if (mappingTimeout.isNegative() || mappingTimeout.isZero()) {
      throw new IllegalArgumentException("mappingTimeout must be positive");
    }
    if (firstPort < 1024 || firstPort > 65535) {
      throw new IllegalArgumentException("firstPort must be 1024..65535: " + firstPort);
    }
  }

  /** Defaults for {@code type}: 2 minute timeout, outbound refresh only, random ports, hairpinning on. */
  public static NatConfig of(NatType type) {
    return builder(type).build();
  }

  /** A builder with {@link #of(NatType)}'s defaults. */
  public static Builder builder(NatType type) {
    return new Builder(type.mapping(), type.filtering());
  }

  /** A builder for any mapping/filtering combination. */
  public static Builder builder(NatType.Behavior mapping, NatType.Behavior filtering) {
    return new Builder(mapping, filtering);
  }

  /** The classic type this configuration matches, or null for a combination without a name. */
  public NatType type() {
    for (NatType t : NatType.values()) {
      if (t.mapping() == mapping && t.filtering() == filtering) {
        return t;
      }
    }
    return null;
  }

  /** Builds a {@link NatConfig}. */
  public static final class Builder {
    private final NatType.Behavior mapping;
    private final NatType.Behavior filtering;
    private Duration mappingTimeout = Duration.ofMinutes(2);
    private boolean inboundRefresh;
    private PortAssignment portAssignment = PortAssignment.RANDOM;
    private int firstPort = 40000;
    private boolean hairpinning = true;

    private Builder(NatType.Behavior mapping, NatType.Behavior filtering) {
      this.mapping = mapping;
      this.filtering = filtering;
    }

    /** Idle timeout of mappings. */
    public Builder mappingTimeout(Duration d) {
      this.mappingTimeout = d;
      return this;
    }

    /** Whether inbound traffic refreshes mappings. */
    public Builder inboundRefresh(boolean on) {
      this.inboundRefresh = on;
      return this;
    }

    /** Port assignment policy. */
    public Builder portAssignment(PortAssignment p) {
      this.portAssignment = p;
      return this;
    }

    /** First port for {@link PortAssignment#SEQUENTIAL}. */
    public Builder firstPort(int port) {
      this.firstPort = port;
      return this;
    }

    /** Whether hairpinning works. */
    public Builder hairpinning(boolean on) {
      this.hairpinning = on;
      return this;
    }

    /** The configuration. */
    public NatConfig build() {
      return new NatConfig(mapping, filtering, mappingTimeout, inboundRefresh, portAssignment, firstPort, hairpinning);
    }
  }
}
