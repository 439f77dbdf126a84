package org.rtc4j.ice;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * An agent's ICE credentials (RFC 8445 §5.3, RFC 8839 §5.4): {@code a=ice-ufrag} and
 * {@code a=ice-pwd}. Checks carry {@code USERNAME = <receiver ufrag>:<sender ufrag>} and are
 * integrity-protected with the receiver's password.
 *
 * @param ufrag 4..256 ice-chars
 * @param pwd 22..256 ice-chars
 */
public record IceCredentials(String ufrag, String pwd) {

  private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  public IceCredentials {
    Objects.requireNonNull(ufrag, "ufrag");
    Objects.requireNonNull(pwd, "pwd");
    if (ufrag.length() < 4 || ufrag.length() > 256 || !iceChars(ufrag)) {
      throw new IllegalArgumentException("ice-ufrag must be 4..256 ice-chars (RFC 8839 §5.4)");
    }
    if (pwd.length() < 22 || pwd.length() > 256 || !iceChars(pwd)) {
      // The password itself is never put in the message (secrets hygiene, SC-14).
      throw new IllegalArgumentException("ice-pwd must be 22..256 ice-chars (RFC 8839 §5.4), got " + pwd.length() + " chars");
    }
  }

  /** Fresh credentials: an 8-char ufrag and a 24-char pwd. Pass a SecureRandom in production (SC-14). */
  public static IceCredentials random(RandomGenerator random) {
    return new IceCredentials(randomChars(random, 8), randomChars(random, 24));
  }

  private static String randomChars(RandomGenerator random, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length()));
    }
    return new String(c);
  }

  static boolean iceChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (ICE_CHARS.indexOf(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "IceCredentials[ufrag=" + ufrag + ", pwd=<" + pwd.length() + " chars>]";
  }
}
