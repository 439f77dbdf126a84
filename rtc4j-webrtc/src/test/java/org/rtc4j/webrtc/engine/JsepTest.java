package org.rtc4j.webrtc.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.dtls.DtlsRole;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.sdp.MediaDescription;
import org.rtc4j.sdp.SdpValidator;
import org.rtc4j.sdp.SessionDescription;
import org.rtc4j.sdp.Setup;
import org.rtc4j.webrtc.InvalidAccessException;
import org.rtc4j.webrtc.InvalidModificationException;
import org.rtc4j.webrtc.InvalidStateException;
import org.rtc4j.webrtc.OperationException;
import org.rtc4j.webrtc.RtcDtlsTransportState;
import org.rtc4j.webrtc.RtcIceConnectionState;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.RtcSdpType;
import org.rtc4j.webrtc.RtcSignalingState;

/** JSEP rules against what Chrome, Firefox, Safari and Opera produce (shared/vectors/sdp). */
class JsepTest {

  private static final DtlsCertificate CERT = DtlsCertificate.generate(new SecureRandom(), Instant.now());
  private static final LocalTransportParams PARAMS = new LocalTransportParams("abcdEFGH", "0123456789abcdefghijklmn",
      CERT.fingerprint("sha-256"), 5000, 262144);

  static String vector(String name) throws IOException {
    try (InputStream in = JsepTest.class.getResourceAsStream("/vectors/sdp/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void offerIsOneBundledDataSectionThatValidates() throws Exception {
    String offer = Jsep.offer(42, 1, PARAMS, "0", null);
    SessionDescription sd = SessionDescription.parse(offer);
    assertThat(SdpValidator.validate(sd)).isEmpty();
    assertThat(offer).contains("\r\n").doesNotContain("\n\n");
    assertThat(sd.bundleGroups()).hasSize(1);
    assertThat(sd.bundleGroups().get(0).mids()).containsExactly("0");
    MediaDescription m = sd.media().get(0);
    assertThat(m.mediaLineValue()).isEqualTo("application 9 UDP/DTLS/SCTP webrtc-datachannel");
    assertThat(m.mid()).contains("0");
    assertThat(m.iceUfrag()).contains("abcdEFGH");
    assertThat(m.icePwd()).contains("0123456789abcdefghijklmn");
    assertThat(m.iceOptions()).contains("trickle");
    assertThat(m.setup()).contains(Setup.ACTPASS);
    assertThat(m.sctpPort()).hasValue(5000);
    assertThat(m.maxMessageSize()).hasValue(262144);
    assertThat(m.fingerprints()).hasSize(1);
    assertThat(m.fingerprints().get(0).value()).isEqualTo(CERT.fingerprint("sha-256").format());
    // Our own offer is a valid remote description for another rtc4j peer.
    RemoteDescription r = Jsep.parseRemote(RtcSdpType.OFFER, offer);
    assertThat(r.fingerprints()).containsExactly(CERT.fingerprint("sha-256"));
    assertThat(r.setup()).isEqualTo(Setup.ACTPASS);
  }

  @ParameterizedTest
  @CsvSource({
      "chrome-offer-data-audio-video.sdp, 0, 0, v8Lx, 262144, false, 2",
      "safari-offer-datachannel.sdp, 0, 0, HhS+, 262144, false, 0",
      "firefox-offer-datachannel-sctp-port.sdp, 0, sdparta_0, 9889e0c4, 1073741823, false, 4",
      "firefox-58-offer-datachannel-sctpmap-legacy.sdp, 0, sdparta_0, 9889e0c4, 1073741823, true, 4",
      "opera-chromium-offer-audio-video-data-legacy.sdp, 2, data, 1Jyk4q3nLIL5NiMx, 65536, true, 0",
  })
  void browserOffersAreParsedAndAnswered(String file, int dataIndex, String mid, String ufrag, long maxMessageSize,
      boolean legacy, int candidates) throws Exception {
    String sdp = vector(file);
    RemoteDescription offer = Jsep.parseRemote(RtcSdpType.OFFER, sdp);
    assertThat(offer.dataIndex()).isEqualTo(dataIndex);
    assertThat(offer.dataMid()).isEqualTo(mid);
    assertThat(offer.iceUfrag()).isEqualTo(ufrag);
    assertThat(offer.icePwd()).hasSizeGreaterThanOrEqualTo(22);
    assertThat(offer.fingerprints()).hasSize(1);
    assertThat(offer.fingerprints().get(0).hashFunction()).isEqualTo("sha-256");
    assertThat(offer.setup()).isEqualTo(Setup.ACTPASS);
    assertThat(offer.sctpPort()).isEqualTo(5000);
    assertThat(offer.maxMessageSize()).isEqualTo(maxMessageSize);
    assertThat(offer.legacySctp()).isEqualTo(legacy);
    assertThat(offer.candidates()).hasSize(candidates);

    String answer = Jsep.answer(7, 1, PARAMS, offer, Jsep.answerSetup(offer.setup(), null));
    SessionDescription a = SessionDescription.parse(answer);
    SessionDescription o = offer.parsed();
    assertThat(SdpValidator.validate(a)).isEmpty();
    // RFC 9429 §5.3.1: same number of m-sections, same order, same mids; only data accepted.
    assertThat(a.media()).hasSameSizeAs(o.media());
    for (int i = 0; i < o.media().size(); i++) {
      MediaDescription om = o.media().get(i);
      MediaDescription am = a.media().get(i);
      assertThat(am.media()).isEqualTo(om.media());
      assertThat(am.mid()).isEqualTo(om.mid());
      if (i == dataIndex) {
        assertThat(am.port()).isEqualTo(9);
        assertThat(am.setup()).contains(Setup.ACTIVE);
        assertThat(am.iceUfrag()).contains("abcdEFGH");
        if (legacy) {
          assertThat(am.protocol()).isEqualTo("DTLS/SCTP");
          assertThat(am.sctpmap()).isPresent();
        } else {
          assertThat(am.protocol()).isEqualTo("UDP/DTLS/SCTP");
          assertThat(am.sctpPort()).hasValue(5000);
        }
      } else {
        assertThat(am.port()).as("rejected section %d", i).isZero();
        assertThat(am.isRejected()).isTrue();
      }
    }
    assertThat(a.bundleGroups()).hasSize(1);
    assertThat(a.bundleGroups().get(0).mids()).containsExactly(mid);
    // The answer is a valid remote answer for an rtc4j offerer.
    RemoteDescription back = Jsep.parseRemote(RtcSdpType.ANSWER, answer);
    assertThat(back.dataIndex()).isEqualTo(dataIndex);
    assertThat(Jsep.offererRole(back.setup())).isEqualTo(DtlsRole.SERVER);
  }

  @Test
  void offerWithoutDataIsAnsweredWithEverythingRejected() throws Exception {
    RemoteDescription offer = Jsep.parseRemote(RtcSdpType.OFFER, vector("firefox-121-offer-audio-video.sdp"));
    assertThat(offer.hasData()).isFalse();
    SessionDescription a = SessionDescription.parse(Jsep.answer(1, 1, PARAMS, offer, Setup.ACTIVE));
    assertThat(a.media()).hasSameSizeAs(offer.parsed().media());
    assertThat(a.media()).allMatch(MediaDescription::isRejected);
    assertThat(a.bundleGroups()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "constructed-no-fingerprint.sdp",
      "constructed-fingerprint-wrong-length.sdp",
      "constructed-conflicting-fingerprints.sdp",
      "constructed-ice-ufrag-too-short.sdp",
      "pjsip-2093-payload-type-overflow.sdp",
      "rtpengine-1958-duplicate-v-line.sdp",
      "pjsip-2092-nul-in-fmtp.sdp",
  })
  void malformedRemoteDescriptionsAreRefused(String file) throws Exception {
    String sdp = vector("malformed/" + file);
    assertThatThrownBy(() -> Jsep.parseRemote(RtcSdpType.OFFER, sdp)).isInstanceOf(OperationException.class);
  }

  @Test
  void badCandidatesAreSkippedOneByOne() throws Exception {
    String sdp = vector("malformed/constructed-bad-candidates.sdp");
    RemoteDescription r = Jsep.parseRemote(RtcSdpType.OFFER, sdp);
    assertThat(r.parsed().rejectedCandidates()).isNotEmpty();
    for (IceCandidate c : r.candidates()) {
      assertThat(c.priority()).isBetween(1L, 0x7FFFFFFFL);
    }
  }

  @Test
  void firefoxRejectedSectionWithoutSetupDoesNotBreak() throws Exception {
    String sdp = vector("malformed/str0m-firefox-missing-setup-on-rejected-mline.sdp");
    try {
      RemoteDescription r = Jsep.parseRemote(RtcSdpType.OFFER, sdp);
      Jsep.answer(1, 1, PARAMS, r, Setup.ACTIVE);
    } catch (OperationException e) {
      assertThat(e.getMessage()).isNotBlank(); // refusing is acceptable; crashing is not
    }
  }

  @Test
  void setupRules() {
    assertThat(Jsep.answerSetup(Setup.ACTPASS, null)).isEqualTo(Setup.ACTIVE);
    assertThat(Jsep.answerSetup(Setup.ACTIVE, null)).isEqualTo(Setup.PASSIVE);
    assertThat(Jsep.answerSetup(Setup.PASSIVE, null)).isEqualTo(Setup.ACTIVE);
    assertThat(Jsep.answerSetup(Setup.ACTPASS, DtlsRole.SERVER)).isEqualTo(Setup.PASSIVE);
    assertThat(Jsep.offererRole(Setup.ACTIVE)).isEqualTo(DtlsRole.SERVER);
    assertThat(Jsep.offererRole(Setup.PASSIVE)).isEqualTo(DtlsRole.CLIENT);
    assertThatThrownBy(() -> Jsep.offererRole(Setup.ACTPASS)).isInstanceOf(InvalidAccessException.class);
  }

  @Test
  void candidatesAndEndOfCandidatesGoIntoTheDataSection() throws Exception {
    String offer = Jsep.offer(1, 1, PARAMS, "0", null);
    IceCandidate c1 = IceCandidate.parse("candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host");
    IceCandidate c2 = IceCandidate.parse("candidate:2 1 udp 2130706175 ::1 50001 typ host");
    String with = Jsep.withCandidates(offer, 0, List.of(c1, c2), true);
    SessionDescription sd = SessionDescription.parse(with);
    MediaDescription m = sd.media().get(0);
    assertThat(m.candidates()).containsExactly(c1, c2);
    assertThat(m.endOfCandidates()).isTrue();
    assertThat(m.port()).isEqualTo(50000);
    assertThat(m.connection().orElseThrow().address()).isEqualTo("127.0.0.1");
    assertThat(SdpValidator.validate(sd)).isEmpty();
    // Applying it again replaces, never duplicates.
    String again = Jsep.withCandidates(with, 0, List.of(c1), false);
    assertThat(SessionDescription.parse(again).media().get(0).candidates()).containsExactly(c1);
    assertThat(SessionDescription.parse(again).media().get(0).endOfCandidates()).isFalse();
  }

  // ---- signaling state machine (W3C §4.3.1) ----

  @Test
  void offerAnswerRoundTripBetweenTwoSessions() {
    JsepSession a = new JsepSession(new Random(1));
    JsepSession b = new JsepSession(new Random(2));
    String offer = a.createOffer(PARAMS);
    a.setLocal(RtcSdpType.OFFER, offer, PARAMS, null);
    assertThat(a.state()).isEqualTo(RtcSignalingState.HAVE_LOCAL_OFFER);
    b.setRemote(RtcSdpType.OFFER, offer);
    assertThat(b.state()).isEqualTo(RtcSignalingState.HAVE_REMOTE_OFFER);
    String answer = b.createAnswer(PARAMS, null);
    b.setLocal(RtcSdpType.ANSWER, answer, PARAMS, null);
    assertThat(b.state()).isEqualTo(RtcSignalingState.STABLE);
    a.setRemote(RtcSdpType.ANSWER, answer);
    assertThat(a.state()).isEqualTo(RtcSignalingState.STABLE);
    assertThat(a.currentLocalDescription().sdp()).isEqualTo(offer);
    assertThat(a.currentRemoteDescription().sdp()).isEqualTo(answer);
    assertThat(a.pendingLocalDescription()).isNull();
    // A re-offer keeps the mid and the m-line order.
    String reoffer = a.createOffer(PARAMS);
    assertThat(reoffer).contains("a=mid:0").contains("a=setup:actpass");
  }

  @Test
  void wrongStatesAreInvalidState() {
    JsepSession s = new JsepSession(new Random(3));
    assertThatThrownBy(() -> s.createAnswer(PARAMS, null)).isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(() -> s.setLocal(RtcSdpType.ANSWER, "", PARAMS, null)).isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(() -> s.setRemote(RtcSdpType.ANSWER, Jsep.offer(1, 1, PARAMS, "0", null)))
        .isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(() -> s.setLocal(RtcSdpType.ROLLBACK, "", PARAMS, null)).isInstanceOf(InvalidStateException.class);
    s.close();
    assertThat(s.state()).isEqualTo(RtcSignalingState.CLOSED);
    assertThatThrownBy(() -> s.createOffer(PARAMS)).isInstanceOf(InvalidStateException.class);
  }

  @Test
  void mungedOfferIsInvalidModification() {
    JsepSession s = new JsepSession(new Random(4));
    String offer = s.createOffer(PARAMS);
    assertThatThrownBy(() -> s.setLocal(RtcSdpType.OFFER, offer.replace("262144", "1024"), PARAMS, null))
        .isInstanceOf(InvalidModificationException.class);
    assertThat(s.state()).isEqualTo(RtcSignalingState.STABLE);
    // Line endings do not count as a modification.
    s.setLocal(RtcSdpType.OFFER, offer.replace("\r\n", "\n"), PARAMS, null);
    assertThat(s.state()).isEqualTo(RtcSignalingState.HAVE_LOCAL_OFFER);
  }

  @Test
  void implicitSetLocalCreatesTheDescription() {
    JsepSession a = new JsepSession(new Random(5));
    assertThat(a.implicitType()).isEqualTo(RtcSdpType.OFFER);
    JsepSession.LocalApplied l = a.setLocal(a.implicitType(), "", PARAMS, null);
    assertThat(l.dataMid()).isEqualTo("0");
    JsepSession b = new JsepSession(new Random(6));
    b.setRemote(RtcSdpType.OFFER, l.sdp());
    assertThat(b.implicitType()).isEqualTo(RtcSdpType.ANSWER);
    JsepSession.LocalApplied ans = b.setLocal(b.implicitType(), null, PARAMS, null);
    assertThat(ans.setup()).isEqualTo(Setup.ACTIVE);
    assertThat(b.state()).isEqualTo(RtcSignalingState.STABLE);
  }

  @Test
  void rollbackAndGlare() {
    JsepSession a = new JsepSession(new Random(7));
    JsepSession b = new JsepSession(new Random(8));
    String offerA = a.createOffer(PARAMS);
    a.setLocal(RtcSdpType.OFFER, offerA, PARAMS, null);
    a.setLocal(RtcSdpType.ROLLBACK, "", PARAMS, null);
    assertThat(a.state()).isEqualTo(RtcSignalingState.STABLE);
    assertThat(a.localDescription()).isNull();

    b.setRemote(RtcSdpType.OFFER, offerA);
    b.setRemote(RtcSdpType.ROLLBACK, "");
    assertThat(b.state()).isEqualTo(RtcSignalingState.STABLE);
    assertThat(b.remoteDescription()).isNull();

    // Glare: both offer; the polite side applies the remote offer, rolling its own back implicitly.
    a.setLocal(RtcSdpType.OFFER, a.createOffer(PARAMS), PARAMS, null);
    String offerB = b.createOffer(PARAMS);
    b.setLocal(RtcSdpType.OFFER, offerB, PARAMS, null);
    a.setRemote(RtcSdpType.OFFER, offerB);
    assertThat(a.state()).isEqualTo(RtcSignalingState.HAVE_REMOTE_OFFER);
    assertThat(a.pendingLocalDescription()).isNull();
  }

  @Test
  void pranswerPath() {
    JsepSession a = new JsepSession(new Random(9));
    JsepSession b = new JsepSession(new Random(10));
    String offer = a.createOffer(PARAMS);
    a.setLocal(RtcSdpType.OFFER, offer, PARAMS, null);
    b.setRemote(RtcSdpType.OFFER, offer);
    String pr = b.createAnswer(PARAMS, null);
    b.setLocal(RtcSdpType.PRANSWER, pr, PARAMS, null);
    assertThat(b.state()).isEqualTo(RtcSignalingState.HAVE_LOCAL_PRANSWER);
    a.setRemote(RtcSdpType.PRANSWER, pr);
    assertThat(a.state()).isEqualTo(RtcSignalingState.HAVE_REMOTE_PRANSWER);
    String fin = b.createAnswer(PARAMS, null);
    b.setLocal(RtcSdpType.ANSWER, fin, PARAMS, null);
    a.setRemote(RtcSdpType.ANSWER, fin);
    assertThat(a.state()).isEqualTo(RtcSignalingState.STABLE);
    assertThat(b.state()).isEqualTo(RtcSignalingState.STABLE);
  }

  @Test
  void failedRemoteDescriptionChangesNothing() throws Exception {
    JsepSession s = new JsepSession(new Random(11));
    assertThatThrownBy(() -> s.setRemote(RtcSdpType.OFFER, vector("malformed/constructed-no-fingerprint.sdp")))
        .isInstanceOf(OperationException.class);
    assertThat(s.state()).isEqualTo(RtcSignalingState.STABLE);
    assertThat(s.remoteDescription()).isNull();
  }

  @Test
  void connectionStateAggregation() {
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.NEW, RtcDtlsTransportState.NEW, false))
        .isEqualTo(RtcPeerConnectionState.NEW);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.CHECKING, RtcDtlsTransportState.NEW, false))
        .isEqualTo(RtcPeerConnectionState.CONNECTING);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.CONNECTED, RtcDtlsTransportState.CONNECTING, false))
        .isEqualTo(RtcPeerConnectionState.CONNECTING);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.CONNECTED, RtcDtlsTransportState.CONNECTED, false))
        .isEqualTo(RtcPeerConnectionState.CONNECTED);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.COMPLETED, RtcDtlsTransportState.CONNECTED, false))
        .isEqualTo(RtcPeerConnectionState.CONNECTED);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.DISCONNECTED, RtcDtlsTransportState.CONNECTED, false))
        .isEqualTo(RtcPeerConnectionState.DISCONNECTED);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.CONNECTED, RtcDtlsTransportState.FAILED, false))
        .isEqualTo(RtcPeerConnectionState.FAILED);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.FAILED, RtcDtlsTransportState.CONNECTED, false))
        .isEqualTo(RtcPeerConnectionState.FAILED);
    assertThat(PeerEngine.aggregate(RtcIceConnectionState.CONNECTED, RtcDtlsTransportState.CONNECTED, true))
        .isEqualTo(RtcPeerConnectionState.CLOSED);
  }
}
