package org.rtc4j.sdp;

import java.util.List;
import java.util.Objects;

/**
 * A media grouping (RFC 5888 §5; BUNDLE is RFC 8843).
 *
 * <pre>
 * group-attribute     = "a=group:" semantics *(SP identification-tag)
 * </pre>
 */
public record Group(String semantics, List<String> mids) {
  public Group {
    Objects.requireNonNull(semantics);
    mids = List.copyOf(mids);
  }

  public static Group parse(String value) throws SdpParseException {
    List<String> w = Text.words(value);
    if (w.isEmpty() || !Text.isToken(w.get(0))) {
      throw SdpParseException.reason("group needs <semantics> <mid>...");
    }
    return new Group(w.get(0), w.subList(1, w.size()));
  }

  public boolean isBundle() {
    return semantics.equalsIgnoreCase("BUNDLE");
  }

  public String value() {
    return mids.isEmpty() ? semantics : semantics + " " + String.join(" ", mids);
  }
}
