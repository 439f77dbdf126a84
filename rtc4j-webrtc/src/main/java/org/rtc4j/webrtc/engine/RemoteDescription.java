package org.rtc4j.webrtc.engine;

import java.util.List;
import org.rtc4j.dtls.Fingerprint;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.sdp.SessionDescription;
import org.rtc4j.sdp.Setup;
import org.rtc4j.webrtc.RtcSdpType;

/**
 * What the engine takes from a remote description: the parsed SDP and the transport parameters of
 * the data m-section (or of its BUNDLE tagged section, RFC 8843 §7).
 *
 * @param type offer, pranswer or answer
 * @param sdp the remote SDP text as given
 * @param parsed the parsed description
 * @param dataIndex index of the accepted data m-section, -1 when the description has none
 * @param dataMid the mid of that section (null when it has none)
 * @param iceUfrag remote ICE ufrag
 * @param icePwd remote ICE password
 * @param fingerprints the remote certificate fingerprints; the certificate must match one (SC-1)
 * @param setup the remote {@code a=setup} (actpass when absent, RFC 8842 §5.2 default for offers)
 * @param sctpPort the remote SCTP port ({@code a=sctp-port}, legacy sctpmap/format, default 5000)
 * @param maxMessageSize the remote {@code a=max-message-size}; 65536 when absent (RFC 8841 §6.1)
 * @param legacySctp whether the section uses the pre-RFC 8841 {@code DTLS/SCTP 5000} + sctpmap form
 * @param candidates the candidates carried in the section
 * @param endOfCandidates whether the section carries {@code a=end-of-candidates}
 * @param iceLite whether the peer is an ICE lite agent (RFC 8445 §2.5)
 */
public record RemoteDescription(RtcSdpType type, String sdp, SessionDescription parsed, int dataIndex, String dataMid,
    String iceUfrag, String icePwd, List<Fingerprint> fingerprints, Setup setup, int sctpPort, long maxMessageSize,
    boolean legacySctp, List<IceCandidate> candidates, boolean endOfCandidates, boolean iceLite) {

  public RemoteDescription {
    fingerprints = List.copyOf(fingerprints);
    candidates = List.copyOf(candidates);
  }

  /** Whether the description carries a usable data m-section. */
  public boolean hasData() {
    return dataIndex >= 0;
  }
}
