package org.rtc4j.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A grouping of sources (RFC 5576 §4.2).
 *
 * <pre>
 * ssrc-group-attr = "ssrc-group:" semantics *(SP ssrc-id)
 * </pre>
 */
public record SsrcGroup(String semantics, List<Long> ssrcs) {
  public SsrcGroup {
    Objects.requireNonNull(semantics);
    ssrcs = List.copyOf(ssrcs);
  }

  public static SsrcGroup parse(String value) throws SdpParseException {
    List<String> w = Text.words(value);
    if (w.isEmpty() || !Text.isToken(w.get(0))) {
      throw SdpParseException.reason("ssrc-group needs <semantics> <ssrc-id>...");
    }
    List<Long> ids = new ArrayList<>();
    for (String s : w.subList(1, w.size())) {
      ids.add(Text.number(s, 0, 0xFFFFFFFFL, "ssrc"));
    }
    return new SsrcGroup(w.get(0), ids);
  }

  public String value() {
    StringBuilder sb = new StringBuilder(semantics);
    for (long id : ssrcs) {
      sb.append(' ').append(id);
    }
    return sb.toString();
  }
}
