package org.rtc4j.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** Trust test BI-15: hostile input is refused early with a clear reason. */
class LimitsTest {

  static final String HEAD = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

  static SdpParseException error(String sdp) {
    SdpParseException e = catchThrowableOfType(SdpParseException.class,
        () -> SessionDescription.parse(sdp));
    assertThat(e).isNotNull();
    return e;
  }

  @Test
  void descriptionOver64KiB() {
    String sdp = HEAD + "a=x:" + "y".repeat(SdpLimits.MAX_DESCRIPTION_LENGTH) + "\r\n";
    assertThat(error(sdp).reason()).contains("longer than 65536");
  }

  @Test
  void lineTooLong() {
    SdpParseException e = error(HEAD + "a=x:" + "y".repeat(SdpLimits.MAX_LINE_LENGTH) + "\r\n");
    assertThat(e.lineNumber()).isEqualTo(5);
    assertThat(e.reason()).contains("line longer");
    assertThat(e.line().length()).isLessThanOrEqualTo(203);
  }

  @Test
  void tooManyAttributes() {
    String sdp = HEAD + "a=x\r\n".repeat(SdpLimits.MAX_ATTRIBUTES_PER_SECTION + 1);
    assertThat(error(sdp).reason()).contains("attributes");
  }

  @Test
  void tooManyLines() {
    String sdp = HEAD + "b=A\r\n".repeat(SdpLimits.MAX_LINES);
    assertThat(error(sdp).reason()).contains("lines");
  }

  @Test
  void tooManyMediaSections() {
    String sdp = HEAD + "m=audio 9 RTP/AVP 0\r\n".repeat(SdpLimits.MAX_MEDIA_SECTIONS + 1);
    assertThat(error(sdp).reason()).contains("m= sections");
  }

  @Test
  void hugeNumbersGiveRangeErrors() {
    assertThat(error(HEAD + "m=audio 9 RTP/AVP 0\r\na=rtpmap:" + "9".repeat(3000) + " x/1\r\n")
        .reason()).contains("payload type out of range");
    assertThat(error(HEAD + "m=audio 99999999999999999999 RTP/AVP 0\r\n").reason())
        .contains("m= port");
    assertThat(error(HEAD + "m=audio 9 RTP/AVP 0\r\na=ssrc:4294967296 cname:x\r\n").reason())
        .contains("ssrc");
    assertThat(error(HEAD + "m=audio 9 RTP/AVP 0\r\na=extmap:0 urn:x\r\n").reason())
        .contains("extmap id");
  }

  @Test
  void hugeMaxMessageSizeIsOnlyANumber() throws Exception {
    SessionDescription sd = SessionDescription.parse(HEAD
        + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=max-message-size:"
        + "9".repeat(40) + "\r\n");
    assertThat(sd.media().get(0).maxMessageSize()).isEmpty();
    assertThat(SdpValidator.validate(sd)).extracting(SdpViolation::rule).contains("max-message-size");
  }

  @Test
  void nulAnywhere() {
    SdpParseException e = error(HEAD + "a=tool:x\0y\r\n");
    assertThat(e.lineNumber()).isEqualTo(5);
    assertThat(e.reason()).contains("NUL");
  }

  @Test
  void structuralErrorsNameTheLine() {
    assertThat(error("").reason()).contains("v=0");
    assertThat(error("v=1\r\n").reason()).contains("bad v=");
    assertThat(error("v=0\r\ns=-\r\n").reason()).contains("o=");
    assertThat(error("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n").reason()).contains("o= needs");
    assertThat(error(HEAD + "v=0\r\n").lineNumber()).isEqualTo(5);
    assertThat(error(HEAD + "\r\na=x\r\n").reason()).isEqualTo("empty line");
    assertThat(error(HEAD + "a=x\ry\r\n").reason()).contains("CR");
    assertThat(error(HEAD + "xyz\r\n").reason()).contains("<type>=<value>");
    assertThat(error(HEAD + "1=2\r\n").reason()).contains("<type>=<value>");
    assertThat(error(HEAD + "a=\r\n").reason()).contains("token");
    assertThat(error(HEAD + "m=audio 9 RTP/AVP\r\n").reason()).contains("m= needs");
    assertThat(error(HEAD + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n").lineNumber()).isEqualTo(6);
    assertThat(error(HEAD + "m=audio 9 RTP/AVP 0\r\na=rtpmap\r\n").reason()).contains("needs a value");
    assertThat(error(HEAD + "m=audio 9 RTP/AVP 0\r\na=setup:sideways\r\n").reason()).contains("setup");
    assertThat(error(HEAD + "m=audio 9 RTP/AVP 0\r\na=mid:\r\n").reason()).contains("mid");
    assertThat(error(HEAD + "c=IN IP4\r\n").reason()).contains("c= needs");
  }

  @Test
  void unknownLinesAndAttributesRoundTripInOrder() throws Exception {
    String sdp = HEAD + "i=info\r\nz=odd\r\na=x-custom:1 2  3\r\nb=AS:30\r\nm=audio 9 RTP/AVP 0\r\n"
        + "X=upper\r\na=x-flag\r\nk=prompt\r\na=rtpmap:0 PCMU/8000\r\n";
    SessionDescription sd = SessionDescription.parse(sdp);
    assertThat(sd.write()).isEqualTo(sdp);
    assertThat(sd.attribute("x-custom")).hasValue("1 2  3");
    assertThat(sd.media().get(0).hasAttribute("x-flag")).isTrue();
  }

  @Test
  void fingerprintChecks() throws Exception {
    Fingerprint ok = Fingerprint.of("SHA-384", new byte[48]);
    assertThat(ok.problem()).isEmpty();
    assertThat(ok.bytes()).get().extracting(b -> b.length).isEqualTo(48);
    assertThat(Fingerprint.parse("sha-1 " + Fingerprint.of("x", new byte[20]).fingerprint()).problem()).isEmpty();
    assertThat(Fingerprint.parse("sha-512 " + Fingerprint.of("x", new byte[64]).fingerprint()).problem()).isEmpty();
    assertThat(Fingerprint.parse("sha-256 " + Fingerprint.of("x", new byte[20]).fingerprint()).problem()).isPresent();
    assertThat(Fingerprint.parse("md5 00:11").problem()).hasValueSatisfying(p -> assertThat(p).contains("unsupported"));
    assertThat(Fingerprint.parse("sha-1 GG" + ":00".repeat(19)).problem()).isPresent();
    assertThat(Fingerprint.parse("sha-1 " + Fingerprint.of("x", new byte[20]).fingerprint().toLowerCase())
        .sameAs(Fingerprint.of("SHA-1", new byte[20]))).isTrue();
    // Two sha-256 values in one section conflict.
    String fp1 = Fingerprint.of("sha-256", new byte[32]).value();
    byte[] other = new byte[32];
    other[0] = 1;
    String fp2 = Fingerprint.of("sha-256", other).value();
    SessionDescription sd = SessionDescription.parse(HEAD
        + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:abcd\r\n"
        + "a=ice-pwd:0123456789abcdefghijklmn\r\na=fingerprint:" + fp1 + "\r\na=fingerprint:" + fp2
        + "\r\na=sctp-port:5000\r\n");
    assertThat(SdpValidator.validate(sd)).extracting(SdpViolation::rule)
        .containsExactly("fingerprint-conflict");
  }
}
