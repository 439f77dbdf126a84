package org.rtc4j.signaling;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN REST API credentials as coturn's {@code use-auth-secret} (and rtc4j's TURN server) check
 * them (draft-uberti-behave-turn-rest-00 §2.2): username {@code "<expiry unix seconds>:<user>"},
 * password {@code base64(HMAC-SHA1(secret, username))}.
 *
 * @param username the REST username
 * @param credential the derived password
 * @param expiresEpochSeconds when the TURN server stops accepting them
 */
public record TurnCredentials(String username, String credential, long expiresEpochSeconds) {

  /** Mints credentials for {@code user} valid until {@code expiryEpochSeconds}. */
  public static TurnCredentials mint(String secret, String user, long expiryEpochSeconds) {
    String username = expiryEpochSeconds + ":" + user;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      byte[] h = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
      return new TurnCredentials(username, Base64.getEncoder().encodeToString(h), expiryEpochSeconds);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 missing from the JDK", e);
    }
  }

  @Override
  public String toString() {
    return "TurnCredentials[username=" + username + ", credential=<redacted>]";
  }
}
