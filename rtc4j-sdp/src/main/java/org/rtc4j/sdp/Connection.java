package org.rtc4j.sdp;

import java.util.Objects;

/**
 * Connection data (RFC 8866 §5.7).
 *
 * <pre>
 * connection-field =  [%d99 "=" nettype SP addrtype SP connection-address CRLF]
 * </pre>
 *
 * JSEP descriptions carry {@code c=IN IP4 0.0.0.0} or the default candidate's address; the
 * address is kept as text (it may carry a TTL or a name).
 */
public record Connection(String netType, String addrType, String address) implements SdpLine {
  public Connection {
    Objects.requireNonNull(netType, "netType");
    Objects.requireNonNull(addrType, "addrType");
    Objects.requireNonNull(address, "address");
  }

  static Connection parse(String value) throws SdpParseException {
    String[] t = Text.split(value, 3);
    if (t.length != 3) {
      throw SdpParseException.reason("c= needs <nettype> <addrtype> <connection-address>");
    }
    return new Connection(t[0], t[1], t[2]);
  }

  @Override
  public char type() {
    return 'c';
  }

  @Override
  public String value() {
    return netType + " " + addrType + " " + address;
  }
}
