package org.rtc4j.stun;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Long-term credential keys (RFC 8489 §9.2.2; RFC 5389 §15.4):
 * {@code key = H(username ":" realm ":" SASLprep(password))} with H = MD5 (PASSWORD-ALGORITHM
 * 0x0001 or none) or SHA-256 (0x0002), over the UTF-8 bytes. The username and realm are used as
 * given: RFC 5389 and RFC 5769 §2.4 prepare only the password, which is what deployed clients
 * and coturn do. Also USERHASH and the TURN REST API password.
 *
 * <p>Pure functions; thread-safe. Servers should cache keys rather than derive one per request.
 */
public final class LongTermCredentials {
  private LongTermCredentials() {}

  /** MD5(username ":" realm ":" SASLprep(password)), 16 bytes. */
  public static byte[] md5Key(String username, String realm, String password) {
    return digest("MD5", keyInput(username, realm, password));
  }

  /** SHA-256(username ":" realm ":" SASLprep(password)), 32 bytes (RFC 8489 §18.5.1.2). */
  public static byte[] sha256Key(String username, String realm, String password) {
    return digest("SHA-256", keyInput(username, realm, password));
  }

  /** The key for a PASSWORD-ALGORITHM number (1 = MD5, 2 = SHA-256). */
  public static byte[] key(int passwordAlgorithm, String username, String realm, String password) {
    switch (passwordAlgorithm) {
      case PasswordAlgorithm.MD5: return md5Key(username, realm, password);
      case PasswordAlgorithm.SHA256: return sha256Key(username, realm, password);
      default: throw new IllegalArgumentException("unknown password algorithm " + passwordAlgorithm);
    }
  }

  /** USERHASH value: SHA-256(username ":" realm), 32 bytes (RFC 8489 §14.4). */
  public static byte[] userhash(String username, String realm) {
    return digest("SHA-256", (username + ":" + realm).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The TURN REST API password for an ephemeral username ({@code expiry[:user]}):
   * base64(HMAC-SHA1(sharedSecret, username)), as coturn's {@code use-auth-secret} computes it.
   * The long-term key is then {@link #md5Key} of that base64 text.
   */
  public static String restApiPassword(String sharedSecret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      byte[] k = sharedSecret.getBytes(StandardCharsets.UTF_8);
      mac.init(new SecretKeySpec(k.length == 0 ? new byte[1] : k, "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required of every Java platform", e);
    }
  }

  private static byte[] keyInput(String username, String realm, String password) {
    return (username + ":" + realm + ":" + Saslprep.prepare(password)).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] digest(String algorithm, byte[] input) {
    try {
      return MessageDigest.getInstance(algorithm).digest(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is required of every Java platform", e);
    }
  }
}
