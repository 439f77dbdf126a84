package org.rtc4j.webrtc;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** W3C {@code RTCStatsReport}: the stats objects of one {@link PeerConnection#getStats()} call, by id. */
public final class RtcStatsReport {
  private final Map<String, RtcStats> byId;

  /** A report of these entries (ids must be unique; a later duplicate replaces an earlier one). */
  public RtcStatsReport(Collection<RtcStats> stats) {
    Map<String, RtcStats> m = new LinkedHashMap<>();
    for (RtcStats s : stats) {
      m.put(s.id(), s);
    }
    this.byId = Collections.unmodifiableMap(m);
  }

  /** Every entry by id, in report order. */
  public Map<String, RtcStats> asMap() {
    return byId;
  }

  /** The entry with that id. */
  public Optional<RtcStats> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every entry of a W3C type, e.g. {@code "candidate-pair"}. */
  public List<RtcStats> ofType(String type) {
    return byId.values().stream().filter(s -> s.type().equals(type)).toList();
  }

  /** Number of entries. */
  public int size() {
    return byId.size();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RtcStatsReport[\n");
    for (RtcStats s : byId.values()) {
      sb.append("  ").append(s.type()).append(' ').append(s.id()).append(' ').append(s.members()).append('\n');
    }
    return sb.append(']').toString();
  }
}
