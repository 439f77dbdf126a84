package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes and checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256
 * (HMAC-SHA256, §14.6) and FINGERPRINT (CRC-32 xor 0x5354554e, §14.7).
 *
 * <p>Holds its {@link Mac} instances, the last key and scratch buffers, so a single-threaded core
 * (one per event loop) keeps one and checks or signs messages without allocating once warm. Not
 * thread-safe: one instance per thread.
 *
 * <p>HMAC input is the message from its first byte up to (excluding) the integrity attribute,
 * with the header's length field rewritten to end just after that attribute; the bytes, padding
 * included, are taken exactly as received.
 */
public final class IntegrityCalculator {

  private Mac sha1;
  private byte[] sha1Key;
  private Mac sha256;
  private byte[] sha256Key;
  private final CRC32 crc = new CRC32();
  private final byte[] digest = new byte[32];
  private final byte[] header = new byte[4];
  private byte[] scratch = new byte[512];

  /** A calculator; the Macs are created on first use. */
  public IntegrityCalculator() {}

  /**
   * Whether the message carries MESSAGE-INTEGRITY and it matches this key (constant-time
   * comparison).
   */
  public boolean verifyMessageIntegrity(StunMessage m, byte[] key) {
    Objects.requireNonNull(key, "key");
    int at = m.miOffset();
    if (at < 0) {
      return false;
    }
    Mac mac = sha1(key);
    macOverMessage(mac, m, at, at + 24 - StunMessage.HEADER_LENGTH);
    return constantTimeEquals(m.rawView(), at + 4, digest, 20);
  }

  /**
   * Whether the message carries MESSAGE-INTEGRITY-SHA256 and its (possibly truncated) value
   * matches this key (constant-time comparison).
   */
  public boolean verifyMessageIntegritySha256(StunMessage m, byte[] key) {
    Objects.requireNonNull(key, "key");
    int at = m.mi256Offset();
    if (at < 0) {
      return false;
    }
    int len = m.mi256Length();
    Mac mac = sha256(key);
    macOverMessage(mac, m, at, at + 4 + len - StunMessage.HEADER_LENGTH);
    return constantTimeEquals(m.rawView(), at + 4, digest, len);
  }

  /**
   * FINGERPRINT value (CRC-32 xor 0x5354554e) of {@code len} bytes of {@code buf} from absolute
   * index {@code from}; the length field in those bytes must already include the FINGERPRINT.
   */
  public long fingerprint(ByteBuffer buf, int from, int len) {
    return crc32(buf, from, len) ^ StunMessage.FINGERPRINT_XOR;
  }

  long crc32(ByteBuffer buf, int from, int len) {
    crc.reset();
    if (buf.hasArray()) {
      crc.update(buf.array(), buf.arrayOffset() + from, len);
    } else if (buf.isDirect()) {
      // The direct path is intrinsic and does not copy; it needs its own position/limit.
      ByteBuffer d = buf.duplicate();
      d.limit(from + len).position(from);
      crc.update(d);
    } else {
      byte[] s = scratch(len);
      buf.get(from, s, 0, len);
      crc.update(s, 0, len);
    }
    return crc.getValue();
  }

  /** HMAC-SHA1 over src[from, from+len) (already carrying the right length field), 20 bytes put into dst. */
  void hmacSha1(byte[] key, ByteBuffer src, int from, int len, ByteBuffer dst) {
    Mac mac = sha1(key);
    update(mac, src, from, len);
    doFinal(mac);
    dst.put(digest, 0, 20);
  }

  /** HMAC-SHA256 over src[from, from+len), 32 bytes put into dst. */
  void hmacSha256(byte[] key, ByteBuffer src, int from, int len, ByteBuffer dst) {
    Mac mac = sha256(key);
    update(mac, src, from, len);
    doFinal(mac);
    dst.put(digest, 0, 32);
  }

  /** MAC of message bytes [0, end) with the length field replaced by {@code patchedLength}, into digest. */
  private void macOverMessage(Mac mac, StunMessage m, int end, int patchedLength) {
    byte[] arr = m.heapArray();
    if (arr != null) {
      int o = m.heapOffset();
      header[0] = arr[o];
      header[1] = arr[o + 1];
      header[2] = (byte) (patchedLength >>> 8);
      header[3] = (byte) patchedLength;
      mac.update(header, 0, 4);
      mac.update(arr, o + 4, end - 4);
    } else {
      // Read-only heap or direct memory: Mac would allocate a temp array per call; copy once into ours.
      byte[] s = scratch(end);
      m.rawView().get(0, s, 0, end);
      s[2] = (byte) (patchedLength >>> 8);
      s[3] = (byte) patchedLength;
      mac.update(s, 0, end);
    }
    doFinal(mac);
  }

  private void update(Mac mac, ByteBuffer src, int from, int len) {
    if (src.hasArray()) {
      mac.update(src.array(), src.arrayOffset() + from, len);
    } else {
      byte[] s = scratch(len);
      src.get(from, s, 0, len);
      mac.update(s, 0, len);
    }
  }

  private void doFinal(Mac mac) {
    try {
      mac.doFinal(digest, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("digest buffer too small", e);
    }
  }

  private byte[] scratch(int len) {
    if (scratch.length < len) {
      scratch = new byte[Math.max(len, scratch.length * 2)];
    }
    return scratch;
  }

  private static boolean constantTimeEquals(ByteBuffer raw, int off, byte[] expected, int len) {
    int diff = 0;
    for (int i = 0; i < len; i++) {
      diff |= raw.get(off + i) ^ expected[i];
    }
    return diff == 0;
  }

  private Mac sha1(byte[] key) {
    if (sha1 == null) {
      sha1 = newMac("HmacSHA1");
    }
    if (sha1Key == null || !Arrays.equals(sha1Key, key)) {
      init(sha1, key, "HmacSHA1");
      sha1Key = key.clone();
    }
    return sha1;
  }

  private Mac sha256(byte[] key) {
    if (sha256 == null) {
      sha256 = newMac("HmacSHA256");
    }
    if (sha256Key == null || !Arrays.equals(sha256Key, key)) {
      init(sha256, key, "HmacSHA256");
      sha256Key = key.clone();
    }
    return sha256;
  }

  private static Mac newMac(String algorithm) {
    try {
      return Mac.getInstance(algorithm);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is required of every Java platform", e);
    }
  }

  private static void init(Mac mac, byte[] key, String algorithm) {
    // SecretKeySpec rejects an empty key, but HMAC zero-pads keys to the block size, so the
    // one-byte key {0} gives exactly the HMAC of the empty key (e.g. an empty ICE password).
    byte[] k = key.length == 0 ? new byte[1] : key;
    try {
      mac.init(new SecretKeySpec(k, algorithm));
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("unusable HMAC key", e);
    }
  }
}
