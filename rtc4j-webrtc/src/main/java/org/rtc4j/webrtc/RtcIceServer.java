package org.rtc4j.webrtc;

import java.util.List;
import java.util.Objects;

/**
 * W3C {@code RTCIceServer}: STUN or TURN servers that share credentials.
 *
 * @param urls {@code stun:host[:port]}, {@code turn:host[:port][?transport=udp|tcp]} or
 *     {@code turns:host[:port]} URLs (RFC 7064, RFC 7065); IPv6 literals in brackets
 * @param username TURN username, or null for STUN
 * @param credential TURN password, or null for STUN
 */
public record RtcIceServer(List<String> urls, String username, String credential) {

  public RtcIceServer {
    urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
    if (urls.isEmpty()) {
      throw new SyntaxException("an ICE server needs at least one URL");
    }
  }

  /** A STUN server (no credentials). */
  public static RtcIceServer of(String... urls) {
    return new RtcIceServer(List.of(urls), null, null);
  }

  /** A TURN server with long-term credentials. */
  public static RtcIceServer of(String url, String username, String credential) {
    return new RtcIceServer(List.of(url), username, credential);
  }

  @Override
  public String toString() {
    // Never print the credential.
    return "RtcIceServer[urls=" + urls + (username != null ? ", username=" + username : "") + "]";
  }
}
