package org.rtc4j.webrtc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One W3C {@code RTCStats} dictionary (webrtc-stats): an id, a type ({@code transport},
 * {@code candidate-pair}, {@code local-candidate}, {@code remote-candidate}, {@code certificate},
 * {@code peer-connection}, {@code data-channel}), a timestamp and members under their W3C names
 * ({@code bytesSent}, {@code selected}...). Values are String, Long, Double or Boolean.
 *
 * @param id unique within one report
 * @param type the W3C {@code RTCStatsType} string
 * @param timestamp milliseconds since the Unix epoch, as {@code DOMHighResTimeStamp}
 * @param members the type-specific members in insertion order (unmodifiable)
 */
public record RtcStats(String id, String type, double timestamp, Map<String, Object> members) {

  public RtcStats {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
  }

  /** A member's value, or null. */
  public Object get(String name) {
    return members.get(name);
  }

  /** A numeric member as a long (0 when absent). */
  public long getLong(String name) {
    return members.get(name) instanceof Number n ? n.longValue() : 0L;
  }

  /** A string member, or null. */
  public String getString(String name) {
    return members.get(name) instanceof String s ? s : null;
  }
}
