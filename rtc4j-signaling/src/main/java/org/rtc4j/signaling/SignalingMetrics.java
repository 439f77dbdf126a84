package org.rtc4j.signaling;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/**
 * Publishes a {@link SignalingServer}'s state and counters as Micrometer meters; with the
 * Prometheus registry they read {@code rtc4j_signaling_peers{key="peerjs"}},
 * {@code rtc4j_signaling_queued_messages{key}}, {@code rtc4j_signaling_messages_relayed_total},
 * {@code rtc4j_signaling_messages_queued_total}, {@code rtc4j_signaling_messages_dropped_total{reason}},
 * {@code rtc4j_signaling_connections_rejected_total{reason}}, {@code rtc4j_signaling_connections_total},
 * {@code rtc4j_signaling_expire_sent_total}, {@code rtc4j_signaling_alive_timeouts_total},
 * {@code rtc4j_signaling_turn_credentials_issued_total}.
 */
public final class SignalingMetrics implements MeterBinder {

  private final SignalingServer server;

  public SignalingMetrics(SignalingServer server) {
    this.server = server;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    PeerRegistry peers = server.registry();
    SignalingStats s = server.stats();
    for (Tenant t : server.config().tenants()) {
      Gauge.builder("rtc4j.signaling.peers", peers, p -> p.peers(t)).tag("key", t.key())
          .description("peers registered").register(registry);
      Gauge.builder("rtc4j.signaling.queued.messages", peers, p -> p.queued(t)).tag("key", t.key())
          .description("messages waiting for an id that is not connected").register(registry);
    }
    counter(registry, "rtc4j.signaling.connections", s, SignalingStats::connections, "peers registered (OPEN or re-attach)");
    counter(registry, "rtc4j.signaling.disconnections", s, SignalingStats::disconnections, "registered peers gone");
    counter(registry, "rtc4j.signaling.messages.relayed", s, SignalingStats::relayed, "frames relayed to a connected peer");
    counter(registry, "rtc4j.signaling.messages.queued", s, SignalingStats::queuedTotal, "frames queued for an absent id");
    counter(registry, "rtc4j.signaling.messages.delivered.from.queue", s, SignalingStats::deliveredFromQueue,
        "queued frames delivered on connect");
    counter(registry, "rtc4j.signaling.expire.sent", s, SignalingStats::expireSent, "EXPIRE messages sent");
    counter(registry, "rtc4j.signaling.heartbeats", s, SignalingStats::heartbeats, "HEARTBEATs received");
    counter(registry, "rtc4j.signaling.alive.timeouts", s, SignalingStats::aliveTimeouts,
        "clients closed for missing HEARTBEATs");
    counter(registry, "rtc4j.signaling.ids.issued", s, SignalingStats::idsIssued, "ids handed out");
    counter(registry, "rtc4j.signaling.turn.credentials.issued", s, SignalingStats::turnCredentialsIssued,
        "TURN REST credentials minted");
    for (SignalingStats.Drop d : SignalingStats.Drop.values()) {
      FunctionCounter.builder("rtc4j.signaling.messages.dropped", s, x -> x.drops(d))
          .tag("reason", d.name().toLowerCase(Locale.ROOT)).description("frames not relayed").register(registry);
    }
    for (SignalingStats.Rejection r : SignalingStats.Rejection.values()) {
      FunctionCounter.builder("rtc4j.signaling.connections.rejected", s, x -> x.rejections(r))
          .tag("reason", r.name().toLowerCase(Locale.ROOT)).description("connections refused or cut off")
          .register(registry);
    }
  }

  private static void counter(MeterRegistry registry, String name, SignalingStats s,
      java.util.function.ToDoubleFunction<SignalingStats> f, String description) {
    FunctionCounter.builder(name, s, f).description(description).register(registry);
  }
}
