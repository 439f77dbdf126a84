package org.rtc4j.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SdpValidator rules beyond the malformed corpus. */
class ValidatorTest {
  static final String FP = Fingerprint.of("sha-256", new byte[32]).value();
  static final String HEAD = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
  static final String TRANSPORT = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
      + "a=fingerprint:" + FP + "\r\na=setup:actpass\r\n";

  @Test
  void bundledSectionsInheritTheTaggedSectionsTransport() throws Exception {
    // RFC 8843 §7: only the tagged m= section needs transport attributes.
    SessionDescription sd = SessionDescription.parse(HEAD + "a=group:BUNDLE a v\r\n"
        + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + TRANSPORT + "a=mid:a\r\na=rtpmap:111 opus/48000/2\r\n"
        + "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=bundle-only\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\n");
    assertThat(SdpValidator.validate(sd)).isEmpty();
    MediaDescription video = sd.media().get(1);
    assertThat(video.isRejected()).isFalse();
    assertThat(sd.transportSection(video)).isSameAs(sd.media().get(0));
    assertThat(sd.iceUfrag(video)).hasValue("abcd");
    assertThat(sd.setup(video)).hasValue(Setup.ACTPASS);
    assertThat(sd.fingerprints(video)).hasSize(1);
  }

  @Test
  void unbundledSectionNeedsItsOwnTransport() throws Exception {
    SessionDescription sd = SessionDescription.parse(HEAD
        + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + TRANSPORT + "a=mid:a\r\n"
        + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\n");
    assertThat(SdpValidator.validate(sd)).extracting(SdpViolation::rule)
        .containsExactly("fingerprint-missing", "ice-ufrag", "ice-pwd");
    assertThat(SdpValidator.validate(sd)).allSatisfy(v -> assertThat(v.mediaIndex()).isEqualTo(1));
  }

  @Test
  void sessionLevelTransportAppliesToEverySection() throws Exception {
    SessionDescription sd = SessionDescription.parse(HEAD + TRANSPORT
        + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\na=sctp-port:5000\r\n"
        + "a=max-message-size:0\r\n");
    assertThat(SdpValidator.validate(sd)).isEmpty();
    assertThat(sd.media().get(0).maxMessageSize()).hasValue(0);
  }

  @Test
  void plainRtpNeedsNoFingerprintButIceCredentialsAreStillChecked() throws Exception {
    SessionDescription sd = SessionDescription.parse(HEAD + "m=audio 9 RTP/AVP 0\r\n"
        + "a=ice-ufrag:abc\r\na=ice-pwd:0123456789abcdefghijk\u00e9\r\n");
    assertThat(SdpValidator.validate(sd)).extracting(SdpViolation::rule)
        .containsExactly("ice-ufrag", "ice-pwd");
  }

  @Test
  void sctpPortZeroIsRefused() throws Exception {
    SessionDescription sd = SessionDescription.parse(HEAD + TRANSPORT
        + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:0\r\n");
    assertThat(SdpValidator.validate(sd)).extracting(SdpViolation::rule).containsExactly("sctp-port");
  }

  @Test
  void malformedSessionFingerprintIsReported() throws Exception {
    SessionDescription sd = SessionDescription.parse(HEAD + "a=fingerprint:sha-256\r\n"
        + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:abcd\r\n"
        + "a=ice-pwd:0123456789abcdefghijklmn\r\n");
    assertThat(SdpValidator.validate(sd)).extracting(SdpViolation::rule)
        .containsExactly("fingerprint-malformed");
    assertThat(sd.iceLite()).isFalse();
  }
}
