package org.rtc4j.turn.server;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless NONCE values (RFC 8489 §9.2: "the server MAY encode ... the client's IP address and
 * a timestamp into the nonce so that it can be validated without state").
 *
 * <p>A nonce is base64url of {@code expiry (8 bytes, Unix seconds) || first 12 bytes of
 * HMAC-SHA1(secret, expiry || client IP)}: 27 characters. It is bound to the client IP (not the
 * port, which NATs may change between retries) and carries its own expiry in wall-clock seconds,
 * so any shard, and any node or restarted process with the same secret, validates it, and
 * nothing is stored per source.
 *
 * <p>Not thread-safe (one per shard): it owns a {@link Mac}.
 */
final class NonceCodec {

  /** Result of {@link #check}. */
  enum Status { VALID, STALE, INVALID }

  private static final int MAC_BYTES = 12;
  private static final int RAW_BYTES = 8 + MAC_BYTES;
  private static final int TEXT_LENGTH = 27; // ceil(20 * 4 / 3), no padding

  private final Mac mac;
  private final long lifetimeSeconds;
  private final byte[] expiryBuf = new byte[8];
  private final Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
  private final Base64.Decoder decoder = Base64.getUrlDecoder();

  NonceCodec(byte[] secret, int lifetimeSeconds) {
    try {
      this.mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required of every JDK", e);
    }
    this.lifetimeSeconds = lifetimeSeconds;
  }

  /** A nonce for {@code client} valid until {@code nowEpochSeconds} + the nonce lifetime. */
  String issue(long nowEpochSeconds, InetAddress client) {
    long expiry = nowEpochSeconds + lifetimeSeconds;
    byte[] raw = new byte[RAW_BYTES];
    putLong(raw, expiry);
    byte[] tag = tag(expiry, client);
    System.arraycopy(tag, 0, raw, 8, MAC_BYTES);
    return encoder.encodeToString(raw);
  }

  /** Whether {@code nonce} was issued by this server (any shard) for {@code client} and is unexpired. */
  Status check(String nonce, long nowEpochSeconds, InetAddress client) {
    if (nonce == null || nonce.length() != TEXT_LENGTH) {
      return Status.INVALID;
    }
    byte[] raw;
    try {
      raw = decoder.decode(nonce.getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      return Status.INVALID;
    }
    if (raw.length != RAW_BYTES) {
      return Status.INVALID;
    }
    long expiry = 0;
    for (int i = 0; i < 8; i++) {
      expiry = (expiry << 8) | (raw[i] & 0xff);
    }
    byte[] expected = tag(expiry, client);
    byte[] got = new byte[MAC_BYTES];
    System.arraycopy(raw, 8, got, 0, MAC_BYTES);
    byte[] want = new byte[MAC_BYTES];
    System.arraycopy(expected, 0, want, 0, MAC_BYTES);
    if (!MessageDigest.isEqual(got, want)) {
      return Status.INVALID;
    }
    return nowEpochSeconds < expiry ? Status.VALID : Status.STALE;
  }

  private byte[] tag(long expiry, InetAddress client) {
    putLong(expiryBuf, expiry);
    mac.update(expiryBuf);
    mac.update(client.getAddress());
    return mac.doFinal();
  }

  private static void putLong(byte[] b, long v) {
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
  }
}
