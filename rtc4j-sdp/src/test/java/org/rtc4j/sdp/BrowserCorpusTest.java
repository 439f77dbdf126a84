package org.rtc4j.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trust test BI-13: every real browser description parses, validates, and survives
 * write + re-parse with the fields JSEP depends on unchanged; the written text is the input with
 * CRLF line endings, so unknown lines survive in order.
 */
class BrowserCorpusTest {

  static Stream<String> files() {
    return Vectors.BROWSER_FILES.stream();
  }

  static SessionDescription parse(String file) throws SdpParseException {
    return SessionDescription.parse(Vectors.text("sdp/" + file));
  }

  @ParameterizedTest
  @MethodSource("files")
  void parsesValidatesAndRoundTrips(String file) throws Exception {
    String text = Vectors.text("sdp/" + file);
    SessionDescription sd = SessionDescription.parse(text);
    assertThat(sd.media()).isNotEmpty();
    assertThat(SdpValidator.validate(sd)).as(file).isEmpty();
    assertThat(sd.rejectedCandidates()).isEmpty();

    String written = sd.write();
    assertThat(written).endsWith("\r\n").doesNotContain("\r\r").doesNotContainPattern("[^\r]\n");
    // Byte-for-byte the input, modulo line endings: nothing dropped, reordered or rewritten.
    String normalized = text.replace("\r\n", "\n").replace("\n", "\r\n");
    if (!normalized.endsWith("\r\n")) {
      normalized += "\r\n";
    }
    assertThat(written).isEqualTo(normalized);

    SessionDescription again = SessionDescription.parse(written);
    assertThat(again).isEqualTo(sd);
    assertThat(summary(again)).isEqualTo(summary(sd));
    assertThat(again.write()).isEqualTo(written);
  }

  /** The fields BI-13 names, per section, in a comparable form. */
  static List<Object> summary(SessionDescription sd) {
    List<Object> out = new ArrayList<>();
    out.add(sd.media().size());
    out.add(sd.bundleGroups());
    out.add(sd.fingerprints());
    for (MediaDescription m : sd.media()) {
      out.add(List.of(m.media(), m.port(), m.protocol(), m.formats()));
      out.add(m.mid());
      out.add(sd.iceUfrag(m));
      out.add(sd.icePwd(m));
      out.add(sd.fingerprints(m));
      out.add(sd.setup(m));
      out.add(m.payloadTypes());
      out.add(m.rtpMaps());
      out.add(m.fmtps());
      out.add(m.extmaps());
      out.add(m.rtcpFeedback());
      out.add(m.ssrcs());
      out.add(m.ssrcGroups());
      out.add(m.msids());
      out.add(m.sctpPort());
      out.add(m.sctpmap());
      out.add(m.maxMessageSize());
      out.add(m.candidates());
      out.add(m.direction());
      out.add(m.rtcpMux());
    }
    return out;
  }

  @Test
  void chromeOfferHasDataAudioVideoInOneBundle() throws Exception {
    SessionDescription sd = parse("chrome-offer-data-audio-video.sdp");
    assertThat(sd.origin().sessionId()).isEqualTo("2954344436352400798");
    assertThat(sd.bundleGroups()).containsExactly(new Group("BUNDLE", List.of("0", "1", "2")));
    assertThat(sd.media()).extracting(MediaDescription::media)
        .containsExactly("application", "audio", "video");
    MediaDescription data = sd.media().get(0);
    assertThat(data.protocol()).isEqualTo("UDP/DTLS/SCTP");
    assertThat(data.formats()).containsExactly("webrtc-datachannel");
    assertThat(data.sctpPort()).hasValue(5000);
    assertThat(data.maxMessageSize()).hasValue(262144);
    assertThat(data.iceUfrag()).hasValue("v8Lx");
    assertThat(data.icePwd()).hasValue("GdpW980Caww9WWsbg6jJ5pGu");
    assertThat(data.iceOptions()).containsExactly("trickle");
    assertThat(data.setup()).hasValue(Setup.ACTPASS);
    assertThat(data.fingerprints()).hasSize(1);
    assertThat(data.fingerprints().get(0).bytes()).get().extracting(b -> b.length).isEqualTo(32);
    List<IceCandidate> cands = data.candidates();
    assertThat(cands).hasSize(2);
    assertThat(cands.get(0).priority()).isEqualTo(2122260223L);
    assertThat(cands.get(0).extension("network-id")).isEqualTo("1");
    assertThat(cands.get(1).transport()).isEqualTo(IceCandidate.Transport.TCP);
    assertThat(cands.get(1).tcpType()).isEqualTo("active");

    MediaDescription audio = sd.media().get(1);
    assertThat(audio.mid()).hasValue("1");
    assertThat(audio.rtcpMux()).isTrue();
    assertThat(audio.direction()).hasValue("sendonly");
    assertThat(audio.payloadTypes()).startsWith(111, 63, 103);
    assertThat(audio.rtpMap(111)).hasValue(new RtpMap(111, "opus", 48000, 2));
    assertThat(audio.fmtps()).contains(new Fmtp(111, "minptime=10;useinbandfec=1"));
    assertThat(audio.fmtps().get(0).parameterMap()).containsEntry("useinbandfec", "1");
    assertThat(audio.extmaps()).contains(new Extmap(1, null, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", null));
    assertThat(audio.msids()).hasSize(1);
    assertThat(audio.ssrcs()).isNotEmpty();

    MediaDescription video = sd.media().get(2);
    assertThat(video.ssrcGroups()).isNotEmpty();
    assertThat(video.ssrcGroups().get(0).semantics()).isEqualTo("FID");
    assertThat(video.rtcpFeedback()).contains(new RtcpFb(96, "goog-remb"));
    assertThat(video.rtpMaps()).hasSize(video.payloadTypes().size());
    // Unknown attributes survive in place.
    assertThat(sd.hasAttribute("extmap-allow-mixed")).isTrue();
    assertThat(sd.attribute("msid-semantic")).hasValue(" WMS bce3d790-a073-42ae-89e6-6a8979f4e203");
  }

  @Test
  void firefoxSctpPortAndLegacySctpmap() throws Exception {
    MediaDescription modern = parse("firefox-offer-datachannel-sctp-port.sdp").media().get(0);
    assertThat(modern.sctpPort()).isPresent();
    assertThat(modern.candidates()).extracting(IceCandidate::address)
        .contains("2a02:a03f:3eb0:e000:b0aa:d60a:cff2:933c");
    assertThat(modern.endOfCandidates()).isTrue();
    MediaDescription legacy = parse("firefox-58-offer-datachannel-sctpmap-legacy.sdp").media().get(0);
    assertThat(legacy.protocol()).isEqualTo("DTLS/SCTP");
    assertThat(legacy.formats()).containsExactly("5000");
    assertThat(legacy.sctpmap()).hasValue(new Sctpmap(5000, "webrtc-datachannel", 256));
    assertThat(legacy.sctpPort()).isEmpty();
  }

  @Test
  void firefoxAnswerIsActive() throws Exception {
    SessionDescription sd = parse("firefox-46-answer-audio-video-data-legacy.sdp");
    for (MediaDescription m : sd.media()) {
      assertThat(sd.setup(m)).hasValue(Setup.ACTIVE);
    }
  }

  @Test
  void safariDataChannel() throws Exception {
    SessionDescription sd = parse("safari-offer-datachannel.sdp");
    MediaDescription m = sd.media().get(0);
    assertThat(m.iceUfrag()).hasValue("HhS+");
    assertThat(m.maxMessageSize()).hasValue(262144);
    assertThat(m.candidates()).isEmpty();
  }

  @Test
  void lfOnlyInputIsAcceptedAndWrittenWithCrlf() throws Exception {
    String lf = Vectors.text("sdp/safari-offer-datachannel.sdp").replace("\r\n", "\n");
    SessionDescription sd = SessionDescription.parse(lf);
    assertThat(sd).isEqualTo(parse("safari-offer-datachannel.sdp"));
    assertThat(sd.write()).contains("\r\n");
  }

  @Test
  void handBuiltSectionWithTrickledCandidate() throws Exception {
    SessionDescription sd = parse("safari-offer-datachannel.sdp");
    IceCandidate c = IceCandidate.parse(
        "candidate:1 1 udp 2122260223 192.168.1.2 5000 typ host generation 0");
    MediaDescription m = sd.media().get(0).withLine(c.toAttribute());
    SessionDescription sd2 = SessionDescription.parse(sd.withMedia(List.of(m)).write());
    assertThat(sd2.media().get(0).candidates()).containsExactly(c);
    assertThat(sd2.mediaByMid("0")).isPresent();
    assertThat(sd2.mediaByMid("nope")).isEqualTo(Optional.empty());
  }
}
