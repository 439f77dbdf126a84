package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The State Cookie this implementation puts in INIT ACK (RFC 9260 §5.1.3): everything needed to
 * build the association from a later COOKIE ECHO, so the passive side keeps no state before it.
 * Signed with HMAC-SHA256 under a per-association secret; contains only protocol values (tags,
 * TSNs, windows, stream counts, a creation time on the caller's monotonic clock), never
 * addresses or object identities.
 *
 * <pre>
 * version(1) flags(1) peerOS(2) peerMIS(2) reserved(2) myTag(4) peerTag(4) myInitialTsn(4)
 * peerInitialTsn(4) peerRwnd(4) createdNanos(8) lifetimeMillis(4) | HMAC-SHA256(32)
 * </pre>
 * flags: 0x01 peer supports FORWARD-TSN, 0x02 peer supports RE-CONFIG.
 */
record StateCookie(long myTag, long peerTag, long myInitialTsn, long peerInitialTsn, long peerRwnd, int peerOs,
    int peerMis, boolean peerForwardTsn, boolean peerReconfig, long createdNanos, long lifetimeMillis) {
  static final int BODY = 40;
  static final int LENGTH = BODY + 32;

  byte[] sign(Mac mac) {
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    b.put((byte) 1).put((byte) ((peerForwardTsn ? 1 : 0) | (peerReconfig ? 2 : 0)))
        .putShort((short) peerOs).putShort((short) peerMis).putShort((short) 0)
        .putInt((int) myTag).putInt((int) peerTag).putInt((int) myInitialTsn).putInt((int) peerInitialTsn)
        .putInt((int) peerRwnd).putLong(createdNanos).putInt((int) lifetimeMillis);
    mac.update(b.array(), 0, BODY);
    byte[] h = mac.doFinal();
    b.put(h, 0, 32);
    return b.array();
  }

  /** The cookie if its signature is valid, else null (the caller checks expiry and tags). */
  static StateCookie verify(Mac mac, ByteBuffer cookie) {
    if (cookie.remaining() != LENGTH) {
      return null;
    }
    byte[] c = new byte[LENGTH];
    cookie.duplicate().get(c);
    if (c[0] != 1) {
      return null;
    }
    mac.update(c, 0, BODY);
    byte[] h = mac.doFinal();
    byte[] given = new byte[32];
    System.arraycopy(c, BODY, given, 0, 32);
    if (!MessageDigest.isEqual(h, given)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(c);
    b.get();
    int flags = b.get();
    int os = b.getShort() & 0xFFFF;
    int mis = b.getShort() & 0xFFFF;
    b.getShort();
    return new StateCookie(b.getInt() & 0xFFFFFFFFL, b.getInt() & 0xFFFFFFFFL, b.getInt() & 0xFFFFFFFFL,
        b.getInt() & 0xFFFFFFFFL, b.getInt() & 0xFFFFFFFFL, os, mis, (flags & 1) != 0, (flags & 2) != 0,
        b.getLong(), b.getInt() & 0xFFFFFFFFL);
  }

  static Mac mac(byte[] secret) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(secret, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
