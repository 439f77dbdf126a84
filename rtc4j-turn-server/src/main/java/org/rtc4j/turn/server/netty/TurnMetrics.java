package org.rtc4j.turn.server.netty;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.rtc4j.turn.server.TurnCounters;

/**
 * Exports a {@link TurnServer}'s {@link TurnCounters} to a Micrometer registry. With the
 * Prometheus registry the names come out as {@code turn_allocations} (gauge),
 * {@code turn_allocation_creations_total}, {@code turn_relayed_bytes_total{direction="client_to_peer"}},
 * {@code turn_auth_failures_total}, ...: every entry of {@link TurnCounters#snapshot()}, the four
 * relay counters folded into two with a {@code direction} tag, plus the driver's relay ports in use.
 *
 * <p>Meters read the counters' {@code LongAdder}s when scraped: nothing is added to the relay path.
 */
public final class TurnMetrics implements MeterBinder {

  private final TurnServer server;

  public TurnMetrics(TurnServer server) {
    this.server = server;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    TurnCounters c = server.counters();
    for (String key : c.snapshot().keySet()) {
      String name = "turn." + meterName(key);
      if (key.startsWith("client_to_peer_") || key.startsWith("peer_to_client_")) {
        String direction = key.startsWith("client") ? "client_to_peer" : "peer_to_client";
        String unit = key.endsWith("bytes") ? "bytes" : "packets";
        counter(registry, "turn.relayed." + unit, "Application " + unit + " relayed", c, key, "direction", direction);
      } else if (TurnCounters.gauges().contains(key)) {
        Gauge.builder(name, c, x -> value(x, key)).description("Current " + key.replace('_', ' '))
            .register(registry);
      } else {
        counter(registry, name, key.replace('_', ' '), c, key);
      }
    }
    Gauge.builder("turn.relay.ports", server, s -> s.relayPortsInUse())
        .description("Relay ports held (bound UDP relay sockets)").register(registry);
    Gauge.builder("turn.shards", server, s -> s.shardCount())
        .description("Event loops, each with one TURN core").register(registry);
  }

  /**
   * {@code allocations_created} would clash with the {@code allocations} gauge: Prometheus
   * reserves the {@code _created} suffix (OpenMetrics), so those become {@code allocation_creations} etc.
   */
  static String meterName(String key) {
    String k = switch (key) {
      case "allocations_created" -> "allocation_creations";
      case "allocations_deleted" -> "allocation_deletions";
      case "allocations_expired" -> "allocation_expirations";
      default -> key;
    };
    return k.replace('_', '.');
  }

  private static void counter(MeterRegistry registry, String name, String description, TurnCounters c, String key,
      String... tags) {
    ToLongFunction<TurnCounters> f = x -> value(x, key);
    FunctionCounter.builder(name, c, x -> f.applyAsLong(x)).description(description).tags(tags).register(registry);
  }

  private static long value(TurnCounters c, String key) {
    Map<String, Long> snapshot = c.snapshot();
    Long v = snapshot.get(key);
    return v == null ? 0 : v;
  }
}
