package org.rtc4j.webrtc.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.rtc4j.dtls.DtlsRole;
import org.rtc4j.dtls.Fingerprint;
import org.rtc4j.sdp.Attribute;
import org.rtc4j.sdp.Connection;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.sdp.MediaDescription;
import org.rtc4j.sdp.SdpLine;
import org.rtc4j.sdp.SdpParseException;
import org.rtc4j.sdp.SdpValidator;
import org.rtc4j.sdp.SdpViolation;
import org.rtc4j.sdp.SessionDescription;
import org.rtc4j.sdp.Setup;
import org.rtc4j.webrtc.InvalidAccessException;
import org.rtc4j.webrtc.OperationException;
import org.rtc4j.webrtc.RtcSdpType;

/**
 * The JSEP (RFC 9429) description rules for a data-only session: how rtc4j writes offers and
 * answers, and what it takes from a remote description. Pure functions; the signaling state
 * machine is {@link JsepSession}.
 *
 * <p>An offer has one section (RFC 8841 §5, RFC 8843, RFC 8839):
 * <pre>
 * m=application 9 UDP/DTLS/SCTP webrtc-datachannel
 * c=IN IP4 0.0.0.0
 * a=ice-ufrag:… a=ice-pwd:… a=ice-options:trickle
 * a=fingerprint:sha-256 …   a=setup:actpass   a=mid:0
 * a=sctp-port:5000          a=max-message-size:262144
 * </pre>
 * An answer has as many sections as the offer, in order (RFC 9429 §5.3.1): the first data
 * section is accepted ({@code a=setup:active} unless the offer said active, then passive), every
 * other section is rejected with port 0 and kept out of the BUNDLE group. The legacy form
 * ({@code DTLS/SCTP 5000} with {@code a=sctpmap}, Firefox &lt; 63) is answered in kind.
 */
public final class Jsep {

  /** The {@code a=max-message-size} assumed when a remote description has none (RFC 8841 §6.1). */
  public static final long DEFAULT_REMOTE_MAX_MESSAGE_SIZE = 65536;
  /** The SCTP port used and assumed when none is given (RFC 8841 §5). */
  public static final int DEFAULT_SCTP_PORT = 5000;

  private static final String DATA_PROTO = "UDP/DTLS/SCTP";
  private static final String DATA_FORMAT = "webrtc-datachannel";

  private Jsep() {}

  /**
   * An offer. When {@code previousLocal} (the current local description) exists, its m-sections
   * are kept in order (RFC 9429 §5.2.2): the data section is rewritten, the others stay rejected.
   *
   * @param dataMid the mid of the data section
   */
  public static String offer(long sessionId, long version, LocalTransportParams p, String dataMid,
      SessionDescription previousLocal) {
    StringBuilder sb = header(sessionId, version);
    List<String> sections = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    boolean dataWritten = false;
    if (previousLocal != null) {
      for (MediaDescription m : previousLocal.media()) {
        String mid = m.mid().orElse(null);
        if (!dataWritten && dataMid.equals(mid)) {
          boolean legacy = !m.protocol().equals(DATA_PROTO);
          dataSection(body, p, mid, Setup.ACTPASS, legacy);
          sections.add(mid);
          dataWritten = true;
        } else {
          rejectedSection(body, m);
        }
      }
    }
    if (!dataWritten) {
      dataSection(body, p, dataMid, Setup.ACTPASS, false);
      sections.add(dataMid);
    }
    sb.append("a=group:BUNDLE ").append(String.join(" ", sections)).append("\r\n");
    sb.append("a=msid-semantic: WMS\r\n");
    return sb.append(body).toString();
  }

  /**
   * An answer to {@code offer}: the data section accepted with {@code localSetup}, every other
   * section rejected.
   */
  public static String answer(long sessionId, long version, LocalTransportParams p, RemoteDescription offer,
      Setup localSetup) {
    StringBuilder sb = header(sessionId, version);
    StringBuilder body = new StringBuilder();
    List<MediaDescription> media = offer.parsed().media();
    for (int i = 0; i < media.size(); i++) {
      MediaDescription m = media.get(i);
      if (i == offer.dataIndex()) {
        dataSection(body, p, offer.dataMid(), localSetup, offer.legacySctp());
      } else {
        rejectedSection(body, m);
      }
    }
    if (offer.hasData() && offer.dataMid() != null) {
      sb.append("a=group:BUNDLE ").append(offer.dataMid()).append("\r\n");
    }
    sb.append("a=msid-semantic: WMS\r\n");
    return sb.append(body).toString();
  }

  /**
   * The {@code a=setup} of our answer (RFC 8842 §5.3): active (we are the DTLS client) for an
   * actpass offer, the opposite of what the offer says otherwise; a role already established
   * is kept, since a changed role needs a new DTLS association.
   */
  public static Setup answerSetup(Setup offered, DtlsRole established) {
    if (offered == Setup.ACTIVE) {
      return Setup.PASSIVE;
    }
    if (offered == Setup.PASSIVE) {
      return Setup.ACTIVE;
    }
    if (established != null) {
      return established == DtlsRole.CLIENT ? Setup.ACTIVE : Setup.PASSIVE;
    }
    return Setup.ACTIVE;
  }

  /** The local DTLS role from the remote answer's setup (we offered actpass). */
  public static DtlsRole offererRole(Setup answered) {
    return switch (answered) {
      case ACTIVE -> DtlsRole.SERVER;
      case PASSIVE -> DtlsRole.CLIENT;
      default -> throw new InvalidAccessException("an answer must say a=setup:active or passive, not "
          + answered.value() + " (RFC 8842 §5.3)");
    };
  }

  /**
   * Parses and checks a remote description (syntax, then {@link SdpValidator}: fingerprints,
   * ICE credentials, sctp-port).
   *
   * @throws OperationException naming the problem; {@code sdp-syntax-error} for unparsable text
   */
  public static RemoteDescription parseRemote(RtcSdpType type, String sdp) {
    SessionDescription sd;
    try {
      sd = SessionDescription.parse(sdp);
    } catch (SdpParseException e) {
      throw new OperationException("sdp-syntax-error: " + e.getMessage(), e);
    }
    int dataIndex = -1;
    for (int i = 0; i < sd.media().size(); i++) {
      if (isData(sd.media().get(i))) {
        dataIndex = i;
        break;
      }
    }
    if (dataIndex < 0) {
      return new RemoteDescription(type, sdp, sd, -1, null, null, null, List.of(), Setup.ACTPASS,
          DEFAULT_SCTP_PORT, DEFAULT_REMOTE_MAX_MESSAGE_SIZE, false, List.of(), false, sd.iceLite());
    }
    List<SdpViolation> violations = SdpValidator.validate(sd);
    if (!violations.isEmpty()) {
      throw new OperationException("remote description refused: " + violations);
    }
    MediaDescription m = sd.media().get(dataIndex);
    String mid = m.mid().orElse(null);
    String ufrag = sd.iceUfrag(m).orElse(null);
    String pwd = sd.icePwd(m).orElse(null);
    List<Fingerprint> fps = new ArrayList<>();
    for (org.rtc4j.sdp.Fingerprint f : sd.fingerprints(m)) {
      try {
        fps.add(Fingerprint.parse(f.value()));
      } catch (IllegalArgumentException e) {
        // an unsupported hash next to a usable one is ignored; none usable is refused below
      }
    }
    if (fps.isEmpty()) {
      throw new OperationException("remote description has no usable a=fingerprint (RFC 8122 §5, trust-tests SC-1)");
    }
    Setup setup = sd.setup(m).orElse(type == RtcSdpType.OFFER ? Setup.ACTPASS : Setup.ACTIVE);
    if (setup == Setup.HOLDCONN) {
      throw new OperationException("a=setup:holdconn is not supported (RFC 8842 §5)");
    }
    boolean legacy = !m.protocol().equalsIgnoreCase(DATA_PROTO) && !m.formats().contains(DATA_FORMAT);
    int sctpPort = sctpPort(m, legacy);
    OptionalLong mms = m.maxMessageSize();
    long maxMessageSize = mms.isPresent() ? mms.getAsLong() : DEFAULT_REMOTE_MAX_MESSAGE_SIZE;
    MediaDescription transport = sd.transportSection(m);
    List<IceCandidate> candidates = new ArrayList<>(m.candidates());
    boolean eoc = m.endOfCandidates();
    if (transport != m) {
      for (IceCandidate c : transport.candidates()) {
        if (!candidates.contains(c)) {
          candidates.add(c);
        }
      }
      eoc |= transport.endOfCandidates();
    }
    return new RemoteDescription(type, sdp, sd, dataIndex, mid, ufrag, pwd, fps, setup, sctpPort, maxMessageSize,
        legacy, candidates, eoc, sd.iceLite());
  }

  /**
   * Our description with the gathered candidates in the data section (and {@code a=end-of-candidates}
   * when gathering completed), the m= port and c= address set to the default candidate (RFC 9429
   * §5.3.2: the first, i.e. highest priority, candidate).
   */
  public static String withCandidates(String localSdp, int dataIndex, List<IceCandidate> candidates,
      boolean complete) {
    if (dataIndex < 0 || (candidates.isEmpty() && !complete)) {
      return localSdp;
    }
    SessionDescription sd;
    try {
      sd = SessionDescription.parse(localSdp);
    } catch (SdpParseException e) {
      throw new IllegalStateException("our own description does not parse: " + e.getMessage(), e);
    }
    MediaDescription m = sd.media().get(dataIndex);
    IceCandidate def = candidates.isEmpty() ? null : candidates.get(0);
    List<SdpLine> lines = new ArrayList<>();
    for (SdpLine l : m.lines()) {
      if (l instanceof Connection && def != null) {
        boolean v6 = def.address().contains(":");
        lines.add(new Connection("IN", v6 ? "IP6" : "IP4", def.address()));
      } else if (!(l instanceof Attribute a && (a.name().equals("candidate") || a.name().equals("end-of-candidates")))) {
        lines.add(l);
      }
    }
    for (IceCandidate c : candidates) {
      lines.add(c.toAttribute());
    }
    if (complete) {
      lines.add(Attribute.property("end-of-candidates"));
    }
    int port = def != null ? def.port() : m.port();
    MediaDescription updated = new MediaDescription(m.media(), port, m.portCount(), m.protocol(), m.formats(), lines);
    List<MediaDescription> media = new ArrayList<>(sd.media());
    media.set(dataIndex, updated);
    return sd.withMedia(media).write();
  }

  /** Index of the accepted data section of our own description, or -1. */
  public static int dataIndex(SessionDescription sd) {
    for (int i = 0; i < sd.media().size(); i++) {
      if (isData(sd.media().get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Whether a section is a usable (not rejected) SCTP data section, current or legacy form. */
  static boolean isData(MediaDescription m) {
    if (!m.media().equalsIgnoreCase("application") || m.isRejected()) {
      return false;
    }
    String proto = m.protocol().toUpperCase(Locale.ROOT);
    if (proto.endsWith("DTLS/SCTP") && m.formats().contains(DATA_FORMAT)) {
      return true; // UDP/DTLS/SCTP or TCP/DTLS/SCTP webrtc-datachannel (RFC 8841 §4)
    }
    return proto.equals("DTLS/SCTP") && m.sctpmap().isPresent(); // draft-ietf-mmusic-sctp-sdp-05
  }

  private static int sctpPort(MediaDescription m, boolean legacy) {
    OptionalInt p = m.sctpPort();
    if (p.isPresent()) {
      return p.getAsInt();
    }
    if (legacy) {
      Optional<org.rtc4j.sdp.Sctpmap> map = m.sctpmap();
      if (map.isPresent()) {
        return map.get().port();
      }
    }
    return DEFAULT_SCTP_PORT;
  }

  private static StringBuilder header(long sessionId, long version) {
    StringBuilder sb = new StringBuilder(1024);
    sb.append("v=0\r\n");
    sb.append("o=- ").append(sessionId).append(' ').append(version).append(" IN IP4 127.0.0.1\r\n");
    sb.append("s=-\r\n");
    sb.append("t=0 0\r\n");
    return sb;
  }

  private static void dataSection(StringBuilder sb, LocalTransportParams p, String mid, Setup setup, boolean legacy) {
    if (legacy) {
      sb.append("m=application 9 DTLS/SCTP ").append(p.sctpPort()).append("\r\n");
    } else {
      sb.append("m=application 9 ").append(DATA_PROTO).append(' ').append(DATA_FORMAT).append("\r\n");
    }
    sb.append("c=IN IP4 0.0.0.0\r\n");
    sb.append("a=ice-ufrag:").append(p.iceUfrag()).append("\r\n");
    sb.append("a=ice-pwd:").append(p.icePwd()).append("\r\n");
    sb.append("a=ice-options:trickle\r\n");
    sb.append("a=fingerprint:").append(p.fingerprint().format()).append("\r\n");
    sb.append("a=setup:").append(setup.value()).append("\r\n");
    sb.append("a=mid:").append(mid).append("\r\n");
    if (legacy) {
      sb.append("a=sctpmap:").append(p.sctpPort()).append(" webrtc-datachannel 1024\r\n");
    } else {
      sb.append("a=sctp-port:").append(p.sctpPort()).append("\r\n");
    }
    sb.append("a=max-message-size:").append(p.maxMessageSize()).append("\r\n");
  }

  /** A rejected section (RFC 9429 §5.3.1): same media and protocol, port 0, the mid kept. */
  private static void rejectedSection(StringBuilder sb, MediaDescription m) {
    List<String> formats = m.formats().isEmpty() ? List.of("0") : m.formats();
    sb.append("m=").append(m.media()).append(" 0 ").append(m.protocol());
    if (m.isRtp()) {
      sb.append(' ').append(formats.get(0)); // one format suffices for a rejected section
    } else {
      for (String f : formats) {
        sb.append(' ').append(f);
      }
    }
    sb.append("\r\n");
    sb.append("c=IN IP4 0.0.0.0\r\n");
    m.mid().ifPresent(mid -> sb.append("a=mid:").append(mid).append("\r\n"));
    if (m.isRtp()) {
      sb.append("a=inactive\r\n");
    }
  }
}
