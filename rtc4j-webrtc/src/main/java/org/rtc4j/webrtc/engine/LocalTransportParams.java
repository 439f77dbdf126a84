package org.rtc4j.webrtc.engine;

import java.util.Objects;
import org.rtc4j.dtls.Fingerprint;

/**
 * What this side puts into its data m-section: ICE credentials (RFC 8839 §5.4), the DTLS
 * certificate fingerprint (RFC 8122), the SCTP port and the largest message it accepts (RFC 8841).
 *
 * @param iceUfrag local ICE username fragment
 * @param icePwd local ICE password
 * @param fingerprint the local certificate's sha-256 fingerprint
 * @param sctpPort the local SCTP port (5000)
 * @param maxMessageSize {@code a=max-message-size}, 0 = no limit
 */
public record LocalTransportParams(String iceUfrag, String icePwd, Fingerprint fingerprint, int sctpPort,
    long maxMessageSize) {
  public LocalTransportParams {
    Objects.requireNonNull(iceUfrag, "iceUfrag");
    Objects.requireNonNull(icePwd, "icePwd");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }
}
