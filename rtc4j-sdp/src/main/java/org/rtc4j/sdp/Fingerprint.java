package org.rtc4j.sdp;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A certificate fingerprint (RFC 8122 §5).
 *
 * <pre>
 * attribute            =/ fingerprint-attribute
 * fingerprint-attribute = "fingerprint" ":" hash-func SP fingerprint
 * hash-func            =  "sha-1" / "sha-224" / "sha-256" / "sha-384" / "sha-512" /
 *                         "md5" / "md2" / token
 * fingerprint          =  2UHEX *(":" 2UHEX)
 * </pre>
 *
 * Parsing only splits the two fields; {@link #problem()} says whether the value can authenticate
 * a certificate (known hash, right number of octets), because a malformed fingerprint must refuse
 * the description rather than fail the parse of unrelated lines.
 */
public record Fingerprint(String hashFunction, String fingerprint) {
  public Fingerprint {
    Objects.requireNonNull(hashFunction);
    Objects.requireNonNull(fingerprint);
  }

  public static Fingerprint parse(String value) throws SdpParseException {
    String[] t = Text.split(value.strip(), 2);
    if (t.length != 2) {
      throw SdpParseException.reason("fingerprint needs <hash-func> <fingerprint>");
    }
    return new Fingerprint(t[0], t[1].strip());
  }

  /** A fingerprint from a digest already computed, written as browsers do (upper-case hex, colons). */
  public static Fingerprint of(String hashFunction, byte[] digest) {
    StringBuilder sb = new StringBuilder(digest.length * 3);
    for (int i = 0; i < digest.length; i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(String.format(Locale.ROOT, "%02X", digest[i] & 0xFF));
    }
    return new Fingerprint(hashFunction.toLowerCase(Locale.ROOT), sb.toString());
  }

  public String value() {
    return hashFunction + " " + fingerprint;
  }

  /** Octets the hash function produces, or -1 when it is not one we accept. */
  public static int digestLength(String hashFunction) {
    switch (hashFunction.toLowerCase(Locale.ROOT)) {
      case "sha-1": return 20;
      case "sha-224": return 28;
      case "sha-256": return 32;
      case "sha-384": return 48;
      case "sha-512": return 64;
      default: return -1; // md5/md2 are forbidden for DTLS-SRTP (RFC 8122 §5); unknown tokens cannot be checked
    }
  }

  /** The digest octets, if the fingerprint is well formed. */
  public Optional<byte[]> bytes() {
    int n = digestLength(hashFunction);
    if (n < 0 || fingerprint.length() != n * 3 - 1) {
      return Optional.empty();
    }
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      int hi = Character.digit(fingerprint.charAt(i * 3), 16);
      int lo = Character.digit(fingerprint.charAt(i * 3 + 1), 16);
      if (hi < 0 || lo < 0 || (i < n - 1 && fingerprint.charAt(i * 3 + 2) != ':')) {
        return Optional.empty();
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return Optional.of(out);
  }

  /** Why this fingerprint cannot be used, or empty when it can. */
  public Optional<String> problem() {
    int n = digestLength(hashFunction);
    if (n < 0) {
      return Optional.of("unsupported fingerprint hash function \"" + Text.cut(hashFunction) + "\"");
    }
    if (bytes().isEmpty()) {
      return Optional.of(hashFunction + " fingerprint must be " + n
          + " colon-separated hex octets (RFC 8122 §5)");
    }
    return Optional.empty();
  }

  /** Same hash function and same octets (hex case and function-name case do not matter). */
  public boolean sameAs(Fingerprint other) {
    return hashFunction.equalsIgnoreCase(other.hashFunction)
        && fingerprint.equalsIgnoreCase(other.fingerprint);
  }
}
