package org.rtc4j.sdp;

import java.util.Objects;

/**
 * An attribute line (RFC 8866 §5.13).
 *
 * <pre>
 * attribute-fields =  *(%d97 "=" attribute CRLF)
 * attribute        =  (attribute-name ":" attribute-value) / attribute-name
 * attribute-name   =  token
 * attribute-value  =  byte-string
 * </pre>
 *
 * @param name the attribute name (a token)
 * @param value the text after the first ':' exactly as written, or {@code null} for a property
 *     attribute such as {@code a=rtcp-mux}
 */
public record Attribute(String name, String value) implements SdpLine {
  public Attribute {
    Objects.requireNonNull(name, "name");
  }

  public static Attribute property(String name) {
    return new Attribute(name, null);
  }

  @Override
  public char type() {
    return 'a';
  }

  @Override
  public String toLine() {
    return value == null ? "a=" + name : "a=" + name + ":" + value;
  }

  /** The text after the first ':' as written, or {@code null} for a property attribute. */
  @Override
  public String value() {
    return value;
  }

  public boolean isProperty() {
    return value == null;
  }
}
