package org.rtc4j.sdp;

/**
 * A candidate line that was kept in the description (so it round-trips) but is not usable; RFC
 * 8839 §5.1 and trust test BI-16 want a bad candidate ignored without failing the description.
 *
 * @param mid the section's mid, or {@code null}
 * @param value the attribute value as written
 */
public record RejectedCandidate(String mid, String value, String reason) {}
