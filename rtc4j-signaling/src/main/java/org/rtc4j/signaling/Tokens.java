package org.rtc4j.signaling;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How registries compare PeerJS tokens (trust test SC-10): by their SHA-256 digests, never by the
 * tokens themselves. A digest comparison takes the same time wherever the tokens differ and
 * whatever their lengths (both digests are 32 bytes), so someone probing an id with guessed tokens
 * learns nothing about the owner's token from the time ID-TAKEN takes. Public only because
 * {@code RedisPeerRegistry} (another package) stores and compares the same digests.
 */
public final class Tokens {

  private Tokens() {}

  /** Whether two tokens are equal, in constant time (their digests compared with {@link MessageDigest#isEqual}); null matches nothing. */
  public static boolean matches(String a, String b) {
    return a != null && matchesDigest(digest(a), b);
  }

  /** Whether {@code token} has the digest {@code digest} (from {@link #digest}), in constant time; null matches nothing. */
  static boolean matchesDigest(byte[] digest, String token) {
    return digest != null && token != null && MessageDigest.isEqual(digest, digest(token));
  }

  /** The digest as 64 lowercase hex digits: what {@code RedisPeerRegistry} stores and its Lua script compares. */
  public static String hexDigest(String token) {
    return HexFormat.of().formatHex(digest(token));
  }

  /** SHA-256 of the token's UTF-8 bytes. */
  static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
