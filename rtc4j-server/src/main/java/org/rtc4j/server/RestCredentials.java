package org.rtc4j.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN REST API credentials as coturn's {@code use-auth-secret} checks them
 * (draft-uberti-behave-turn-rest-00): username {@code "<expiry unix seconds>:<user>"}, password
 * {@code base64(HMAC-SHA1(secret, username))}. What a web application's backend hands to browsers.
 *
 * @param username the REST username
 * @param password the derived password
 */
public record RestCredentials(String username, String password) {

  /** Credentials for {@code user} valid until {@code expiryEpochSeconds}. */
  public static RestCredentials create(String secret, String user, long expiryEpochSeconds) {
    String username = expiryEpochSeconds + (user == null || user.isEmpty() ? "" : ":" + user);
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      byte[] h = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
      return new RestCredentials(username, Base64.getEncoder().encodeToString(h));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 missing from the JDK", e);
    }
  }

  /** A random secret: 32 bytes from a CSPRNG, base64url without padding (43 characters). */
  public static String randomSecret(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @Override
  public String toString() {
    return "RestCredentials[username=" + username + ", password=<redacted>]";
  }
}
