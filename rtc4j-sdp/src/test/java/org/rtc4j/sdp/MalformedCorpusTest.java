package org.rtc4j.sdp;

import org.rtc4j.testkit.MiniJson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Trust test BI-14: each file of sdp/malformed behaves as its index.json entry says: a parse
 * error naming the line and reason, or a description the validator refuses, or (for the real
 * Firefox output) a clean parse.
 */
class MalformedCorpusTest {

  static SdpParseException parseError(String file) {
    SdpParseException e = catchThrowableOfType(SdpParseException.class,
        () -> SessionDescription.parse(Vectors.text("sdp/malformed/" + file)));
    assertThat(e).as(file + " must be refused by the parser").isNotNull();
    return e;
  }

  static List<SdpViolation> violations(String file) throws SdpParseException {
    return SdpValidator.validate(SessionDescription.parse(Vectors.text("sdp/malformed/" + file)));
  }

  static List<String> rules(List<SdpViolation> v) {
    return v.stream().map(SdpViolation::rule).collect(Collectors.toList());
  }

  @Test
  void indexListsExactlyTheTenFilesCoveredHere() {
    List<Object> cases = MiniJson.arr(Vectors.json("sdp/malformed/index.json").get("cases"));
    assertThat(cases).extracting(c -> MiniJson.obj(c).get("file")).containsExactlyInAnyOrder(
        "pjsip-2092-nul-in-fmtp.sdp", "pjsip-2093-payload-type-overflow.sdp",
        "rtpengine-1958-duplicate-v-line.sdp", "str0m-firefox-missing-setup-on-rejected-mline.sdp",
        "constructed-fingerprint-wrong-length.sdp", "constructed-no-fingerprint.sdp",
        "constructed-conflicting-fingerprints.sdp", "constructed-ice-ufrag-too-short.sdp",
        "constructed-bad-candidates.sdp", "constructed-sctp-port-and-message-size-out-of-range.sdp");
  }

  @Test
  void nulInFmtpIsAParseErrorNamingTheLine() {
    SdpParseException e = parseError("pjsip-2092-nul-in-fmtp.sdp");
    assertThat(e.lineNumber()).isEqualTo(9);
    assertThat(e.line()).startsWith("a=fmtp");
    assertThat(e.reason()).contains("NUL");
    assertThat(e.getMessage()).contains("line 9", "\\u0000").doesNotContain("\0");
  }

  @Test
  void payloadType2To32IsAParseError() {
    SdpParseException e = parseError("pjsip-2093-payload-type-overflow.sdp");
    assertThat(e.lineNumber()).isEqualTo(6);
    assertThat(e.line()).isEqualTo("m=audio 17000 RTP/AVP 4294967296");
    assertThat(e.reason()).contains("payload type must be 0..127");
  }

  @Test
  void duplicateVLineIsABadVLine() {
    SdpParseException e = parseError("rtpengine-1958-duplicate-v-line.sdp");
    assertThat(e.lineNumber()).isEqualTo(1);
    assertThat(e.reason()).startsWith("bad v= line");
  }

  @Test
  void firefoxRejectedSectionWithoutSetupParses() throws Exception {
    SessionDescription sd = SessionDescription.parse(
        Vectors.text("sdp/malformed/str0m-firefox-missing-setup-on-rejected-mline.sdp"));
    MediaDescription m = sd.media().get(0);
    assertThat(m.isRejected()).isTrue();
    assertThat(m.setup()).isEmpty();
    assertThat(sd.setup(m)).isEmpty();
    assertThat(m.direction()).hasValue("inactive");
    // BUNDLE names mids that do not exist: no section for them, no crash.
    assertThat(sd.bundleGroups().get(0).mids()).hasSize(10);
    assertThat(sd.mediaByMid("hxI")).isEmpty();
    assertThat(SdpValidator.validate(sd)).isEmpty();
    assertThat(SessionDescription.parse(sd.write())).isEqualTo(sd);
  }

  @Test
  void wrongLengthFingerprintIsRefused() throws Exception {
    List<SdpViolation> v = violations("constructed-fingerprint-wrong-length.sdp");
    assertThat(rules(v)).containsExactly("fingerprint-malformed");
    assertThat(v.get(0).message()).contains("32");
  }

  @Test
  void missingFingerprintIsRefused() throws Exception {
    assertThat(rules(violations("constructed-no-fingerprint.sdp")))
        .containsExactly("fingerprint-missing");
    SdpParseException e = catchThrowableOfType(SdpParseException.class,
        () -> SdpValidator.requireValid(SessionDescription.parse(
            Vectors.text("sdp/malformed/constructed-no-fingerprint.sdp"))));
    assertThat(e.reason()).contains("fingerprint-missing");
  }

  @Test
  void conflictingBundledFingerprintsAreRefused() throws Exception {
    List<SdpViolation> v = violations("constructed-conflicting-fingerprints.sdp");
    assertThat(rules(v)).containsExactly("fingerprint-conflict");
    assertThat(v.get(0).mediaIndex()).isEqualTo(1);
  }

  @Test
  void shortUfragAndPwdAreRefused() throws Exception {
    assertThat(rules(violations("constructed-ice-ufrag-too-short.sdp")))
        .containsExactly("ice-ufrag", "ice-pwd");
  }

  @Test
  void sctpPortAndMaxMessageSizeOutOfRangeAreRefused() throws Exception {
    SessionDescription sd = SessionDescription.parse(Vectors.text(
        "sdp/malformed/constructed-sctp-port-and-message-size-out-of-range.sdp"));
    assertThat(rules(SdpValidator.validate(sd))).containsExactly("sctp-port", "max-message-size");
    assertThat(sd.media().get(0).sctpPort()).isEmpty();
    assertThat(sd.media().get(0).maxMessageSize()).isEmpty();
  }

  @Test
  void eachBadCandidateIsRejectedAndTheRestApplies() throws Exception {
    SessionDescription sd = SessionDescription.parse(
        Vectors.text("sdp/malformed/constructed-bad-candidates.sdp"));
    assertThat(SdpValidator.validate(sd)).isEmpty();
    MediaDescription m = sd.media().get(0);
    assertThat(m.candidates()).isEmpty();
    List<RejectedCandidate> bad = sd.rejectedCandidates();
    assertThat(bad).hasSize(7);
    Map<String, String> reasonByFoundation = bad.stream().collect(Collectors.toMap(
        r -> r.value().split(" ")[0], RejectedCandidate::reason));
    assertThat(reasonByFoundation.get("1")).contains("priority");
    assertThat(reasonByFoundation.get("2")).contains("port");
    assertThat(reasonByFoundation.get("3")).contains("address");
    assertThat(reasonByFoundation.get("4")).contains("candidate needs");
    assertThat(reasonByFoundation.get("5")).contains("candidate type");
    assertThat(reasonByFoundation.get("6")).contains("candidate needs");
    assertThat(reasonByFoundation.get("7")).contains("component-id");
    assertThat(bad).allSatisfy(r -> assertThat(r.mid()).isEqualTo("0"));
    // The rest of the section is intact, and the bad lines still round-trip verbatim.
    assertThat(m.sctpPort()).hasValue(5000);
    assertThat(SessionDescription.parse(sd.write())).isEqualTo(sd);
    // Each one alone is refused by the line parser too.
    for (RejectedCandidate r : bad) {
      assertThat(catchThrowableOfType(SdpParseException.class,
          () -> IceCandidate.parse("candidate:" + r.value()))).isNotNull();
    }
  }
}
