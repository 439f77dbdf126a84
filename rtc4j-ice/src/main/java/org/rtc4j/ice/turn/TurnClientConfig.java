package org.rtc4j.ice.turn;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.transaction.StunTimers;

/**
 * What one {@link TurnAllocation} needs: the server, how to reach it, the local socket and the
 * long-term credentials. Immutable; build with {@link #builder}.
 *
 * @param server the TURN server's transport address
 * @param transport how the client reaches the server: UDP, TCP or TLS (the relay is always UDP)
 * @param local the local address datagrams leave from (for TCP/TLS: the connection's local address)
 * @param username long-term credential user name
 * @param password long-term credential password
 * @param lifetime requested allocation lifetime (600 s by default, RFC 8656 §3.2)
 * @param software SOFTWARE attribute value, or null for none
 * @param timers request retransmission schedule (RFC 8489 §6.2.1 defaults)
 * @param useChannels bind a channel on the first send to a peer and use ChannelData (default true)
 */
public record TurnClientConfig(InetSocketAddress server, Transport transport, InetSocketAddress local,
    String username, String password, Duration lifetime, String software, StunTimers timers, boolean useChannels) {

  /** Default requested lifetime, RFC 8656 §3.2. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(600);

  public TurnClientConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(lifetime, "lifetime");
    Objects.requireNonNull(timers, "timers");
    if (lifetime.getSeconds() < 1 || lifetime.getSeconds() > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("lifetime must be 1 s .. 2^32-1 s: " + lifetime);
    }
  }

  /** A builder with the required fields; UDP, 600 s, default timers, channels on. */
  public static Builder builder(InetSocketAddress server, InetSocketAddress local, String username, String password) {
    return new Builder(server, local, username, password);
  }

  /** Builder for {@link TurnClientConfig}. */
  public static final class Builder {
    private final InetSocketAddress server;
    private final InetSocketAddress local;
    private final String username;
    private final String password;
    private Transport transport = Transport.UDP;
    private Duration lifetime = DEFAULT_LIFETIME;
    private String software;
    private StunTimers timers = StunTimers.DEFAULT;
    private boolean useChannels = true;

    private Builder(InetSocketAddress server, InetSocketAddress local, String username, String password) {
      this.server = server;
      this.local = local;
      this.username = username;
      this.password = password;
    }

    /** UDP (default), TCP or TLS to the server. */
    public Builder transport(Transport t) {
      this.transport = t;
      return this;
    }

    /** Requested allocation lifetime. */
    public Builder lifetime(Duration d) {
      this.lifetime = d;
      return this;
    }

    /** SOFTWARE value, or null. */
    public Builder software(String s) {
      this.software = s;
      return this;
    }

    /** Retransmission schedule. */
    public Builder timers(StunTimers t) {
      this.timers = t;
      return this;
    }

    /** Whether to bind channels (ChannelData) or always use Send indications. */
    public Builder useChannels(boolean on) {
      this.useChannels = on;
      return this;
    }

    /** The config. */
    public TurnClientConfig build() {
      return new TurnClientConfig(server, transport, local, username, password, lifetime, software, timers, useChannels);
    }
  }
}
