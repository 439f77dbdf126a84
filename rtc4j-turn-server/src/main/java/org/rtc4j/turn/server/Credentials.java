package org.rtc4j.turn.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Long-term and TURN REST API credential derivation (RFC 8489 §9.2.2; coturn README.turnserver "TURN REST API"). */
final class Credentials {

  private Credentials() {
  }

  /** {@code MD5(username ":" realm ":" SASLprep(password))}. */
  static byte[] longTermKey(String user, String realm, String password) {
    return md5((user + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The REST API password of {@code username}: {@code base64(HMAC-SHA1(secret, username))}, as
   * text; coturn then uses this text as the long-term password.
   */
  static String restPassword(byte[] secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required of every JDK", e);
    }
  }

  static byte[] md5(byte[] input) {
    try {
      return MessageDigest.getInstance("MD5").digest(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 is required of every JDK", e);
    }
  }
}
