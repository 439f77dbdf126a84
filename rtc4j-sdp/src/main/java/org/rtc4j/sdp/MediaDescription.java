package org.rtc4j.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A media section: the m= line and the lines that follow it up to the next m= line (RFC 8866
 * §5.14).
 *
 * <pre>
 * media-field = %d109 "=" media SP port ["/" integer] SP proto 1*(SP fmt) CRLF
 * </pre>
 *
 * The typed accessors read the attributes in {@link #lines()}; the lines themselves are the
 * model, so unknown attributes survive in order. Attributes that {@link SessionDescription#parse}
 * checks (rtpmap, fmtp, rtcp-fb, extmap, ssrc, ssrc-group, msid, setup, sctpmap) cannot fail in a
 * parsed description; in a hand-built one a malformed value makes the accessor throw
 * {@link IllegalStateException}.
 *
 * @param portCount the number after "/" on the m= line, 0 when absent
 * @param formats payload types for RTP profiles, the SCTP port for legacy {@code DTLS/SCTP}, or
 *     {@code webrtc-datachannel}
 */
public record MediaDescription(String media, int port, int portCount, String protocol,
    List<String> formats, List<SdpLine> lines) {

  public MediaDescription {
    Objects.requireNonNull(media);
    Objects.requireNonNull(protocol);
    formats = List.copyOf(formats);
    lines = List.copyOf(lines);
  }

  /** The m= line value. */
  public String mediaLineValue() {
    StringBuilder sb = new StringBuilder(media).append(' ').append(port);
    if (portCount > 0) {
      sb.append('/').append(portCount);
    }
    sb.append(' ').append(protocol);
    for (String f : formats) {
      sb.append(' ').append(f);
    }
    return sb.toString();
  }

  /** RTP profiles carry payload types as formats (RFC 8866 §5.14). */
  public boolean isRtp() {
    return protocol.contains("RTP/");
  }

  /** DTLS-protected profiles need a fingerprint (RFC 8122 §5, RFC 8842). */
  public boolean usesDtls() {
    return protocol.contains("TLS") || protocol.contains("DTLS");
  }

  /** Port 0 without {@code a=bundle-only} is a rejected or disabled section (RFC 8843 §7). */
  public boolean isRejected() {
    return port == 0 && !hasAttribute("bundle-only");
  }

  /** RTP payload types from the m= line. */
  public List<Integer> payloadTypes() {
    List<Integer> out = new ArrayList<>();
    if (isRtp()) {
      for (String f : formats) {
        out.add(Integer.parseInt(f));
      }
    }
    return out;
  }

  public List<Attribute> attributes() {
    List<Attribute> out = new ArrayList<>();
    for (SdpLine l : lines) {
      if (l instanceof Attribute a) {
        out.add(a);
      }
    }
    return out;
  }

  /** Values of every attribute with that name ({@code null} entries for property attributes). */
  public List<String> attributes(String name) {
    return SessionDescription.values(lines, name);
  }

  public Optional<String> attribute(String name) {
    return SessionDescription.first(lines, name);
  }

  public boolean hasAttribute(String name) {
    return SessionDescription.has(lines, name);
  }

  public Optional<Connection> connection() {
    for (SdpLine l : lines) {
      if (l instanceof Connection c) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  public Optional<String> mid() {
    return attribute("mid").map(String::strip);
  }

  public Optional<String> iceUfrag() {
    return attribute("ice-ufrag");
  }

  public Optional<String> icePwd() {
    return attribute("ice-pwd");
  }

  public List<String> iceOptions() {
    return attribute("ice-options").map(Text::words).orElse(List.of());
  }

  /** Fingerprint attributes that can be split into hash and value; see {@link SdpValidator}. */
  public List<Fingerprint> fingerprints() {
    return SessionDescription.fingerprints(lines);
  }

  public Optional<Setup> setup() {
    return attribute("setup").map(v -> checked(() -> Setup.parse(v)));
  }

  /** sendrecv, sendonly, recvonly or inactive; empty when none is present (sendrecv by default). */
  public Optional<String> direction() {
    for (Attribute a : attributes()) {
      switch (a.name()) {
        case "sendrecv", "sendonly", "recvonly", "inactive" -> {
          return Optional.of(a.name());
        }
        default -> { }
      }
    }
    return Optional.empty();
  }

  public boolean rtcpMux() {
    return hasAttribute("rtcp-mux");
  }

  public boolean endOfCandidates() {
    return hasAttribute("end-of-candidates");
  }

  public List<RtpMap> rtpMaps() {
    List<RtpMap> out = new ArrayList<>();
    for (String v : attributes("rtpmap")) {
      out.add(checked(() -> RtpMap.parse(v)));
    }
    return out;
  }

  public Optional<RtpMap> rtpMap(int payloadType) {
    return rtpMaps().stream().filter(r -> r.payloadType() == payloadType).findFirst();
  }

  public List<Fmtp> fmtps() {
    List<Fmtp> out = new ArrayList<>();
    for (String v : attributes("fmtp")) {
      out.add(checked(() -> Fmtp.parse(v)));
    }
    return out;
  }

  public List<RtcpFb> rtcpFeedback() {
    List<RtcpFb> out = new ArrayList<>();
    for (String v : attributes("rtcp-fb")) {
      out.add(checked(() -> RtcpFb.parse(v)));
    }
    return out;
  }

  public List<Extmap> extmaps() {
    List<Extmap> out = new ArrayList<>();
    for (String v : attributes("extmap")) {
      out.add(checked(() -> Extmap.parse(v)));
    }
    return out;
  }

  public List<Ssrc> ssrcs() {
    List<Ssrc> out = new ArrayList<>();
    for (String v : attributes("ssrc")) {
      out.add(checked(() -> Ssrc.parse(v)));
    }
    return out;
  }

  public List<SsrcGroup> ssrcGroups() {
    List<SsrcGroup> out = new ArrayList<>();
    for (String v : attributes("ssrc-group")) {
      out.add(checked(() -> SsrcGroup.parse(v)));
    }
    return out;
  }

  public List<Msid> msids() {
    List<Msid> out = new ArrayList<>();
    for (String v : attributes("msid")) {
      out.add(checked(() -> Msid.parse(v)));
    }
    return out;
  }

  public Optional<Sctpmap> sctpmap() {
    return attribute("sctpmap").map(v -> checked(() -> Sctpmap.parse(v)));
  }

  /**
   * The RFC 8841 §5 SCTP port; empty when absent or not a number in 1..65535 (the validator
   * reports the latter).
   */
  public OptionalInt sctpPort() {
    Optional<String> v = attribute("sctp-port");
    if (v.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Text.integer(v.get().strip(), 1, 65535, "sctp-port"));
    } catch (SdpParseException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * The RFC 8841 §6 max-message-size (0 = no limit); empty when absent or not a non-negative
   * decimal (the validator reports the latter). Never used to size a buffer here.
   */
  public OptionalLong maxMessageSize() {
    Optional<String> v = attribute("max-message-size");
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Text.number(v.get().strip(), 0, Long.MAX_VALUE >> 1, "max-message-size"));
    } catch (SdpParseException e) {
      return OptionalLong.empty();
    }
  }

  /** The usable candidates; bad ones are in {@link #rejectedCandidates()}. */
  public List<IceCandidate> candidates() {
    List<IceCandidate> out = new ArrayList<>();
    for (String v : attributes("candidate")) {
      try {
        out.add(IceCandidate.parseValue(v == null ? "" : v));
      } catch (SdpParseException e) {
        // reported by rejectedCandidates()
      }
    }
    return out;
  }

  public List<RejectedCandidate> rejectedCandidates() {
    List<RejectedCandidate> out = new ArrayList<>();
    for (String v : attributes("candidate")) {
      try {
        IceCandidate.parseValue(v == null ? "" : v);
      } catch (SdpParseException e) {
        out.add(new RejectedCandidate(mid().orElse(null), v, e.reason()));
      }
    }
    return out;
  }

  /** A copy with another line list (for a JSEP layer adding candidates or attributes). */
  public MediaDescription withLines(List<SdpLine> newLines) {
    return new MediaDescription(media, port, portCount, protocol, formats, newLines);
  }

  /** A copy with one more line at the end (e.g. a trickled candidate). */
  public MediaDescription withLine(SdpLine line) {
    List<SdpLine> l = new ArrayList<>(lines);
    l.add(line);
    return withLines(l);
  }

  interface ValueParser<T> {
    T parse() throws SdpParseException;
  }

  static <T> T checked(ValueParser<T> p) {
    try {
      return p.parse();
    } catch (SdpParseException e) {
      throw new IllegalStateException("malformed attribute in a hand-built description: " + e.reason(), e);
    } catch (NullPointerException e) {
      throw new IllegalStateException("attribute without a value in a hand-built description", e);
    }
  }
}
