package org.rtc4j.sdp;

import java.util.Objects;

/**
 * A line this library does not interpret (t=, b=, i=, u=, e=, p=, r=, z=, k= or an unknown
 * type letter). It is kept verbatim, in order.
 */
public record OtherLine(char type, String value) implements SdpLine {
  public OtherLine {
    Objects.requireNonNull(value, "value");
  }
}
