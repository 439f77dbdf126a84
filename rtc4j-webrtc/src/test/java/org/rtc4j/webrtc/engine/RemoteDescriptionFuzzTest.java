package org.rtc4j.webrtc.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.sdp.SdpValidator;
import org.rtc4j.sdp.SessionDescription;
import org.rtc4j.webrtc.OperationException;
import org.rtc4j.webrtc.RtcSdpType;

/**
 * Any remote description is either refused with {@link OperationException} or yields transport
 * parameters from which rtc4j writes an answer that parses, validates and has the offer's number
 * of m-sections (JSEP, RFC 9429 §5.3.1). Nothing else may escape.
 *
 * <p>{@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/webrtc/engine/RemoteDescriptionFuzzTestInputs/parseAnswerReparse/}
 * (the browser and malformed SDP vectors); {@code JAZZER_FUZZ=1 mvn test -Dtest=RemoteDescriptionFuzzTest} fuzzes.
 */
class RemoteDescriptionFuzzTest {

  private static final LocalTransportParams PARAMS = new LocalTransportParams("abcdEFGH", "0123456789abcdefghijklmn",
      DtlsCertificate.generate(new SecureRandom(), Instant.now()).fingerprint("sha-256"), 5000, 262144);

  @FuzzTest(maxDuration = "5m")
  void parseAnswerReparse(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    RemoteDescription offer;
    try {
      offer = Jsep.parseRemote(RtcSdpType.OFFER, text);
    } catch (OperationException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    String answer = Jsep.answer(1, 1, PARAMS, offer, Jsep.answerSetup(offer.setup(), null));
    SessionDescription a = SessionDescription.parse(answer);
    assertThat(a.media()).hasSameSizeAs(offer.parsed().media());
    assertThat(SdpValidator.validate(a)).isEmpty();
    if (offer.hasData()) {
      assertThat(offer.fingerprints()).isNotEmpty();
      assertThat(offer.iceUfrag()).isNotNull();
      RemoteDescription back = Jsep.parseRemote(RtcSdpType.ANSWER, answer);
      assertThat(back.dataIndex()).isEqualTo(offer.dataIndex());
    }
  }
}
