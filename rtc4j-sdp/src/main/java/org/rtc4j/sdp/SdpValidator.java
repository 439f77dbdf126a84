package org.rtc4j.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks a JSEP layer runs on a remote description before applying it (RFC 8829 §5.8) and
 * before any DTLS handshake is accepted on its basis (trust test BI-14).
 *
 * <ul>
 *   <li>Every DTLS section in use has at least one fingerprint (its own or the session's), each
 *       with a known hash (sha-1, sha-224, sha-256, sha-384, sha-512) and the right number of
 *       octets (RFC 8122 §5); two values for one hash function in a section conflict.</li>
 *   <li>Sections bundled together share one DTLS transport, so their fingerprints must be the
 *       same (RFC 8843 §7); otherwise a certificate matching only one of them could be accepted
 *       for the shared transport.</li>
 *   <li>ice-ufrag is 4..256 and ice-pwd 22..256 ice-chars (RFC 8839 §5.4), and both present.</li>
 *   <li>sctp-port is a number in 1..65535 (RFC 8841 §5; port 0 cannot carry an association) and
 *       max-message-size a non-negative decimal (RFC 8841 §6).</li>
 * </ul>
 *
 * Rejected sections (port 0 without bundle-only) are skipped: they carry no transport. Bad
 * candidates are not violations; see {@link SessionDescription#rejectedCandidates()}.
 */
public final class SdpValidator {
  private SdpValidator() {}

  public static List<SdpViolation> validate(SessionDescription sd) {
    List<SdpViolation> out = new ArrayList<>();
    for (String v : sd.attributes("fingerprint")) {
      checkFingerprintSyntax(-1, v, out);
    }
    List<Group> bundles = sd.bundleGroups();
    for (int i = 0; i < sd.media().size(); i++) {
      MediaDescription m = sd.media().get(i);
      if (m.isRejected()) {
        continue;
      }
      if (m.usesDtls()) {
        for (String v : m.attributes("fingerprint")) {
          checkFingerprintSyntax(i, v, out);
        }
        List<Fingerprint> fps = sd.fingerprints(m);
        if (fps.isEmpty() && !m.hasAttribute("fingerprint") && !sd.hasAttribute("fingerprint")
            && !sd.transportSection(m).hasAttribute("fingerprint")) {
          out.add(new SdpViolation(i, "fingerprint-missing",
              "a DTLS section needs a=fingerprint (RFC 8122 §5, RFC 8842 §5)"));
        }
        for (int a = 0; a < fps.size(); a++) {
          for (int b = a + 1; b < fps.size(); b++) {
            Fingerprint x = fps.get(a);
            Fingerprint y = fps.get(b);
            if (x.hashFunction().equalsIgnoreCase(y.hashFunction()) && !x.sameAs(y)) {
              out.add(new SdpViolation(i, "fingerprint-conflict",
                  "two different " + x.hashFunction() + " fingerprints"));
            }
          }
        }
      }
      checkIce(i, "ice-ufrag", sd.iceUfrag(m), 4, out);
      checkIce(i, "ice-pwd", sd.icePwd(m), 22, out);
      Optional<String> port = m.attribute("sctp-port");
      if (port.isPresent()) {
        try {
          Text.integer(port.get() == null ? "" : port.get().strip(), 1, 65535, "sctp-port");
        } catch (SdpParseException e) {
          out.add(new SdpViolation(i, "sctp-port", e.reason() + " (RFC 8841 §5)"));
        }
      }
      Optional<String> mms = m.attribute("max-message-size");
      if (mms.isPresent()) {
        try {
          Text.number(mms.get() == null ? "" : mms.get().strip(), 0, Long.MAX_VALUE >> 1,
              "max-message-size");
        } catch (SdpParseException e) {
          out.add(new SdpViolation(i, "max-message-size", e.reason() + " (RFC 8841 §6)"));
        }
      }
    }
    for (Group g : bundles) {
      checkBundleFingerprints(sd, g, out);
    }
    return out;
  }

  /** Throws with every violation in the message when there is any. */
  public static void requireValid(SessionDescription sd) throws SdpParseException {
    List<SdpViolation> v = validate(sd);
    if (!v.isEmpty()) {
      StringBuilder sb = new StringBuilder("description refused:");
      for (SdpViolation x : v) {
        sb.append(' ').append(x).append(';');
      }
      throw new SdpParseException(0, "", sb.toString());
    }
  }

  private static void checkFingerprintSyntax(int index, String value, List<SdpViolation> out) {
    if (value == null) {
      out.add(new SdpViolation(index, "fingerprint-malformed", "a=fingerprint without a value"));
      return;
    }
    try {
      Fingerprint.parse(value).problem()
          .ifPresent(p -> out.add(new SdpViolation(index, "fingerprint-malformed", p)));
    } catch (SdpParseException e) {
      out.add(new SdpViolation(index, "fingerprint-malformed", e.reason()));
    }
  }

  private static void checkIce(int index, String name, Optional<String> value, int min,
      List<SdpViolation> out) {
    if (value.isEmpty() || value.get() == null) {
      out.add(new SdpViolation(index, name, name + " missing (RFC 8839 §5.4)"));
      return;
    }
    String v = value.get();
    if (v.length() < min || v.length() > 256 || !IceCandidate.isIceChars(v)) {
      out.add(new SdpViolation(index, name, name + " must be " + min
          + "..256 ice-chars (RFC 8839 §5.4), got " + v.length()));
    }
  }

  private static void checkBundleFingerprints(SessionDescription sd, Group g,
      List<SdpViolation> out) {
    List<Fingerprint> first = null;
    String firstMid = null;
    for (String mid : g.mids()) {
      Optional<MediaDescription> m = sd.mediaByMid(mid);
      // BUNDLE may name mids that are absent (real Firefox output); they carry nothing.
      if (m.isEmpty() || m.get().isRejected() || !m.get().usesDtls()) {
        continue;
      }
      List<Fingerprint> fps = sd.fingerprints(m.get());
      if (first == null) {
        first = fps;
        firstMid = mid;
      } else if (!sameSet(first, fps)) {
        out.add(new SdpViolation(sd.media().indexOf(m.get()), "fingerprint-conflict",
            "mid " + mid + " and mid " + firstMid
                + " share a BUNDLE transport but have different fingerprints (RFC 8843 §7)"));
      }
    }
  }

  private static boolean sameSet(List<Fingerprint> a, List<Fingerprint> b) {
    return containsAll(a, b) && containsAll(b, a);
  }

  private static boolean containsAll(List<Fingerprint> a, List<Fingerprint> b) {
    for (Fingerprint x : b) {
      if (a.stream().noneMatch(x::sameAs)) {
        return false;
      }
    }
    return true;
  }
}
