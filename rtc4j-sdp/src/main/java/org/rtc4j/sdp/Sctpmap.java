package org.rtc4j.sdp;

import java.util.Objects;

/**
 * The legacy data-channel mapping of draft-ietf-mmusic-sctp-sdp-05, still sent by old Firefox and
 * Chromium ({@code m=application 9 DTLS/SCTP 5000} with {@code a=sctpmap:5000 webrtc-datachannel 1024}).
 * RFC 8841 replaced it with {@code a=sctp-port}.
 *
 * @param streams the stream count, 0 when absent
 */
public record Sctpmap(int port, String protocol, int streams) {
  public Sctpmap {
    Objects.requireNonNull(protocol);
  }

  public static Sctpmap parse(String value) throws SdpParseException {
    String[] t = Text.split(value.strip(), 3);
    if (t.length < 2) {
      throw SdpParseException.reason("sctpmap needs <port> <protocol> [<streams>]");
    }
    int port = Text.integer(t[0], 0, 65535, "sctpmap port");
    int streams = t.length == 3 ? Text.integer(t[2], 1, 65535, "sctpmap streams") : 0;
    return new Sctpmap(port, t[1], streams);
  }

  public String value() {
    return port + " " + protocol + (streams > 0 ? " " + streams : "");
  }
}
