package org.rtc4j.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A STUN or TURN server from an {@code RTCIceServer} URL (RFC 7064 {@code stun:}/{@code stuns:},
 * RFC 7065 {@code turn:}/{@code turns:}).
 *
 * <pre>
 * stunURI  = scheme ":" host [ ":" port ]          scheme = "stun" / "stuns"
 * turnURI  = scheme ":" host [ ":" port ]
 *            [ "?transport=" transport ]             scheme = "turn" / "turns"
 * transport = "udp" / "tcp"
 * </pre>
 *
 * Default ports: 3478 for stun/turn, 5349 for stuns/turns (TLS over TCP). IPv6 literals are in
 * brackets. The agent is sans-IO and does no DNS: it uses servers whose host is an IP literal
 * ({@link #literalAddress()}); the runtime resolves names first and passes literals.
 *
 * @param scheme the URI scheme
 * @param host host name or IP literal (without brackets)
 * @param port 1..65535
 * @param protocol UDP or TCP (TLS when the scheme is STUNS/TURNS)
 * @param username TURN user name, or null
 * @param credential TURN password, or null
 */
public record IceServer(Scheme scheme, String host, int port, IceProtocol protocol, String username, String credential) {

  /** URI scheme. */
  public enum Scheme {
    STUN, STUNS, TURN, TURNS;

    /** Whether this is a TURN scheme. */
    public boolean isTurn() {
      return this == TURN || this == TURNS;
    }

    /** Whether the transport is TLS. */
    public boolean isTls() {
      return this == STUNS || this == TURNS;
    }
  }

  public IceServer {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(protocol, "protocol");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535: " + port);
    }
    if (scheme.isTls() && protocol != IceProtocol.TCP) {
      throw new IllegalArgumentException(scheme.name().toLowerCase(Locale.ROOT) + ": runs over TLS/TCP only");
    }
  }

  /**
   * Parses an ICE server URL.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static IceServer parse(String url, String username, String credential) {
    Objects.requireNonNull(url, "url");
    int colon = url.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("ICE server URL needs a scheme (stun:, stuns:, turn:, turns:): " + url);
    }
    Scheme scheme = switch (url.substring(0, colon).toLowerCase(Locale.ROOT)) {
      case "stun" -> Scheme.STUN;
      case "stuns" -> Scheme.STUNS;
      case "turn" -> Scheme.TURN;
      case "turns" -> Scheme.TURNS;
      default -> throw new IllegalArgumentException("unknown ICE server scheme \"" + url.substring(0, colon) + "\" in " + url);
    };
    String rest = url.substring(colon + 1);
    if (rest.startsWith("//")) {
      throw new IllegalArgumentException("ICE server URL must not have \"//\" (RFC 7064/7065): " + url);
    }
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    IceProtocol protocol = scheme.isTls() ? IceProtocol.TCP : IceProtocol.UDP;
    if (query != null) {
      if (!scheme.isTurn()) {
        throw new IllegalArgumentException("stun: URLs take no query (RFC 7064): " + url);
      }
      String qs = query.toLowerCase(Locale.ROOT);
      if (qs.equals("transport=udp")) {
        if (scheme == Scheme.TURNS) {
          throw new IllegalArgumentException("turns: with transport=udp (DTLS) is not supported: " + url);
        }
        protocol = IceProtocol.UDP;
      } else if (qs.equals("transport=tcp")) {
        protocol = IceProtocol.TCP;
      } else {
        throw new IllegalArgumentException("query must be ?transport=udp or ?transport=tcp: " + url);
      }
    }
    String host;
    String portText = null;
    if (rest.startsWith("[")) {
      int end = rest.indexOf(']');
      if (end < 0) {
        throw new IllegalArgumentException("unterminated IPv6 literal in " + url);
      }
      host = rest.substring(1, end);
      if (!host.contains(":")) {
        throw new IllegalArgumentException("brackets hold only IPv6 literals: " + url);
      }
      String after = rest.substring(end + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw new IllegalArgumentException("expected \":port\" after the IPv6 literal in " + url);
        }
        portText = after.substring(1);
      }
    } else {
      int c = rest.indexOf(':');
      if (c >= 0) {
        if (rest.indexOf(':', c + 1) >= 0) {
          throw new IllegalArgumentException("IPv6 literals must be in brackets: " + url);
        }
        host = rest.substring(0, c);
        portText = rest.substring(c + 1);
      } else {
        host = rest;
      }
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("ICE server URL has no host: " + url);
    }
    for (int i = 0; i < host.length(); i++) {
      char ch = host.charAt(i);
      if (!(Character.isLetterOrDigit(ch) || ch == '.' || ch == '-' || ch == ':' || ch == '_' || ch == '%')) {
        throw new IllegalArgumentException("invalid character '" + ch + "' in host of " + url);
      }
    }
    int port = scheme.isTls() ? 5349 : 3478;
    if (portText != null) {
      if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("port must be a number 1..65535 in " + url);
      }
      port = Integer.parseInt(portText);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535 in " + url);
      }
    }
    if (scheme.isTurn() && (username == null || credential == null)) {
      throw new IllegalArgumentException("TURN server " + url + " needs a username and a credential");
    }
    return new IceServer(scheme, host, port, protocol, username, credential);
  }

  /**
   * The server's address when {@link #host} is an IPv4 or IPv6 literal (no DNS lookup), else empty.
   */
  public Optional<InetSocketAddress> literalAddress() {
    if (!isIpLiteral(host)) {
      return Optional.empty();
    }
    try {
      // getByName does not query DNS for a literal.
      return Optional.of(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  static boolean isIpLiteral(String h) {
    if (h.contains(":")) {
      for (int i = 0; i < h.length(); i++) {
        char c = h.charAt(i);
        if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) {
          return false;
        }
      }
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "IceServer[" + scheme.name().toLowerCase(Locale.ROOT) + ":" + (host.contains(":") ? "[" + host + "]" : host)
        + ":" + port + " " + protocol + (username == null ? "" : " user=" + username) + "]";
  }
}
