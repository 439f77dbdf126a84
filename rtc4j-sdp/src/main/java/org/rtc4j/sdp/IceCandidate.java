package org.rtc4j.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An ICE candidate line (RFC 8839 §5.1; TCP candidates RFC 6544 §4.5).
 *
 * <pre>
 * candidate-attribute   = "candidate" ":" foundation SP component-id SP
 *                         transport SP priority SP connection-address SP port
 *                         SP cand-type [SP rel-addr] [SP rel-port]
 *                         *(SP cand-extension)
 * foundation            = 1*32ice-char
 * component-id          = 1*3DIGIT              ; 1..256
 * transport             = "UDP" / transport-extension   ; "TCP" with tcptype (RFC 6544)
 * priority              = 1*10DIGIT             ; 1..2^31-1
 * cand-type             = "typ" SP candidate-types
 * candidate-types       = "host" / "srflx" / "prflx" / "relay" / token
 * rel-addr              = "raddr" SP connection-address
 * rel-port              = "rport" SP port
 * cand-extension        = extension-att-name SP extension-att-value
 * </pre>
 *
 * The address is an IPv4 or IPv6 literal or an mDNS name ending in {@code .local} (what browsers
 * send instead of private addresses); other host names are refused since resolving them would let
 * a remote description make us send DNS queries. Unknown candidate types are refused: there is no
 * type preference or pairing rule for them. Extensions (generation, ufrag, network-id,
 * network-cost, ...) are kept in order.
 *
 * @param tcpType {@code active}, {@code passive} or {@code so} for TCP candidates, else {@code null}
 * @param relatedAddress {@code null} when absent
 * @param relatedPort -1 when absent
 * @param extensions every cand-extension except tcptype, in order
 */
public record IceCandidate(String foundation, int component, Transport transport, long priority,
    String address, int port, Type type, String relatedAddress, int relatedPort, String tcpType,
    List<Extension> extensions) {

  /** Transport protocol of a candidate. */
  public enum Transport { UDP, TCP }

  /** Candidate type (RFC 8445 §5.1.1) with the RFC 8445 §5.1.2.2 recommended type preference. */
  public enum Type {
    HOST(126), SRFLX(100), PRFLX(110), RELAY(0);

    private final int recommendedPreference;

    Type(int recommendedPreference) {
      this.recommendedPreference = recommendedPreference;
    }

    public int recommendedPreference() {
      return recommendedPreference;
    }

    public String token() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One {@code name value} extension pair. */
  public record Extension(String name, String value) {
    public Extension {
      Objects.requireNonNull(name);
      Objects.requireNonNull(value);
    }
  }

  private static final int MAX_EXTENSIONS = 32;

  public IceCandidate {
    Objects.requireNonNull(foundation);
    Objects.requireNonNull(transport);
    Objects.requireNonNull(address);
    Objects.requireNonNull(type);
    extensions = List.copyOf(extensions);
  }

  /**
   * Parses {@code a=candidate:...}, {@code candidate:...} (W3C {@code RTCIceCandidate.candidate})
   * or the bare attribute value.
   */
  public static IceCandidate parse(String line) throws SdpParseException {
    try {
      return parseValue(stripPrefix(line));
    } catch (SdpParseException e) {
      throw new SdpParseException(0, line, e.reason());
    }
  }

  private static String stripPrefix(String line) {
    String s = line;
    if (s.startsWith("a=")) {
      s = s.substring(2);
    }
    if (s.regionMatches(true, 0, "candidate:", 0, 10)) {
      s = s.substring(10);
    }
    return s;
  }

  static IceCandidate parseValue(String value) throws SdpParseException {
    if (value.length() > SdpLimits.MAX_LINE_LENGTH) {
      throw SdpParseException.reason("candidate longer than " + SdpLimits.MAX_LINE_LENGTH);
    }
    String[] t = value.split(" ", -1);
    if (t.length < 8) {
      throw SdpParseException.reason("candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type>");
    }
    for (String f : t) {
      if (f.isEmpty()) {
        throw SdpParseException.reason("candidate fields are separated by single spaces");
      }
    }
    String foundation = t[0];
    if (foundation.length() > 32 || !isIceChars(foundation)) {
      throw SdpParseException.reason("foundation must be 1..32 ice-chars");
    }
    int component = Text.integer(t[1], 1, 256, "component-id");
    Transport transport;
    if (t[2].equalsIgnoreCase("udp")) {
      transport = Transport.UDP;
    } else if (t[2].equalsIgnoreCase("tcp")) {
      transport = Transport.TCP;
    } else {
      throw SdpParseException.reason("transport must be UDP or TCP");
    }
    long priority = Text.number(t[3], 1, 0x7FFFFFFFL, "priority");
    String address = t[4];
    if (!isAddress(address)) {
      throw SdpParseException.reason("address must be an IPv4/IPv6 literal or an mDNS .local name");
    }
    int port = Text.integer(t[5], 0, 65535, "port");
    if (!t[6].equals("typ")) {
      throw SdpParseException.reason("expected \"typ\" after the port");
    }
    Type type = switch (t[7].toLowerCase(Locale.ROOT)) {
      case "host" -> Type.HOST;
      case "srflx" -> Type.SRFLX;
      case "prflx" -> Type.PRFLX;
      case "relay" -> Type.RELAY;
      default -> throw SdpParseException.reason("candidate type must be host, srflx, prflx or relay");
    };
    String raddr = null;
    int rport = -1;
    String tcpType = null;
    List<Extension> ext = new ArrayList<>();
    int i = 8;
    if (i + 1 < t.length && t[i].equals("raddr")) {
      raddr = t[i + 1];
      if (!isAddress(raddr)) {
        throw SdpParseException.reason("raddr must be an IPv4/IPv6 literal or an mDNS .local name");
      }
      i += 2;
    }
    if (i + 1 < t.length && t[i].equals("rport")) {
      rport = Text.integer(t[i + 1], 0, 65535, "rport");
      i += 2;
    }
    if ((t.length - i) % 2 != 0) {
      throw SdpParseException.reason("candidate extensions must be <name> <value> pairs");
    }
    if ((t.length - i) / 2 > MAX_EXTENSIONS) {
      throw SdpParseException.reason("more than " + MAX_EXTENSIONS + " candidate extensions");
    }
    for (; i < t.length; i += 2) {
      String name = t[i];
      if (name.equals("raddr") || name.equals("rport")) {
        throw SdpParseException.reason(name + " out of order or repeated");
      }
      if (name.equals("tcptype")) {
        if (tcpType != null) {
          throw SdpParseException.reason("tcptype repeated");
        }
        String v = t[i + 1];
        if (!(v.equals("active") || v.equals("passive") || v.equals("so"))) {
          throw SdpParseException.reason("tcptype must be active, passive or so");
        }
        tcpType = v;
      } else {
        ext.add(new Extension(name, t[i + 1]));
      }
    }
    if (tcpType != null && transport != Transport.TCP) {
      throw SdpParseException.reason("tcptype on a UDP candidate");
    }
    return new IceCandidate(foundation, component, transport, priority, address, port, type, raddr,
        rport, tcpType, ext);
  }

  /** The attribute value (what follows {@code a=candidate:}). */
  public String toValue() {
    StringBuilder sb = new StringBuilder(96);
    sb.append(foundation).append(' ').append(component).append(' ')
        .append(transport.name().toLowerCase(Locale.ROOT)).append(' ').append(priority).append(' ')
        .append(address).append(' ').append(port).append(" typ ").append(type.token());
    if (relatedAddress != null) {
      sb.append(" raddr ").append(relatedAddress);
    }
    if (relatedPort >= 0) {
      sb.append(" rport ").append(relatedPort);
    }
    if (tcpType != null) {
      sb.append(" tcptype ").append(tcpType);
    }
    for (Extension e : extensions) {
      sb.append(' ').append(e.name()).append(' ').append(e.value());
    }
    return sb.toString();
  }

  /** {@code candidate:...}, the W3C {@code RTCIceCandidate.candidate} form. */
  public String toCandidateLine() {
    return "candidate:" + toValue();
  }

  public Attribute toAttribute() {
    return new Attribute("candidate", toValue());
  }

  /** The first extension with that name, or {@code null}. */
  public String extension(String name) {
    for (Extension e : extensions) {
      if (e.name().equals(name)) {
        return e.value();
      }
    }
    return null;
  }

  /** An mDNS name (RFC 8839 §5.1 allows FQDNs; browsers use random UUIDs under .local). */
  public boolean isMdns() {
    return isMdnsName(address);
  }

  /** The local preference encoded in the priority (RFC 8445 §5.1.2.1). */
  public int localPreference() {
    return IcePriority.localPreference(priority);
  }

  /** The type preference encoded in the priority. */
  public int typePreference() {
    return IcePriority.typePreference(priority);
  }

  static boolean isIceChars(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+'
          || c == '/')) {
        return false;
      }
    }
    return true;
  }

  static boolean isAddress(String s) {
    return Addresses.isIpv4(s) || Addresses.isIpv6(s) || isMdnsName(s);
  }

  static boolean isMdnsName(String s) {
    if (s.length() > 253 || !s.regionMatches(true, s.length() - 6, ".local", 0, 6)
        || s.length() <= 6) {
      return false;
    }
    for (String label : s.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
          return false;
        }
      }
    }
    return true;
  }
}
