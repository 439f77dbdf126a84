package org.rtc4j.dtls;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.tls.CipherSuite;

/**
 * The epoch-1 record protection of an established DTLS 1.2 association, done with the JDK's AEAD
 * ciphers, one {@link Cipher} per direction kept for the connection's life. Bouncy Castle's record
 * layer allocates several arrays and an {@code AlgorithmParameters} per record and looks the
 * cipher up again; this class allocates only what the JDK's {@code Cipher.init} does.
 *
 * <p>Record (RFC 6347 §4.1) and AEAD layout (RFC 5246 §6.2.3.3, RFC 5288 §3):
 * <pre>
 *  type(1) | version(2) = FE FD | epoch(2) | sequence_number(6) | length(2) | fragment
 *  fragment = nonce_explicit(8) = epoch||sequence | ciphertext | tag(16)
 *  nonce = client/server_write_IV(4) || nonce_explicit
 *  additional_data = epoch||sequence(8) | type(1) | version(2) | plaintext length(2)
 * </pre>
 * AES-GCM suites only: ChaCha20-Poly1305 (RFC 7905) stays with Bouncy Castle, whose JCA crypto
 * cannot run it on this JDK anyway (no "ChaCha7539" provider), so it could not be tested against it.
 * The explicit nonce is the 64-bit epoch and sequence number, as Bouncy Castle writes it, so the
 * bytes are the same as Bouncy Castle's for the same key block and sequence number (tested).
 * Receiving keeps the RFC 6347 §4.1.2.6 anti-replay window of 64 records, updated only after a
 * record authenticated. Not thread-safe: the engine's owner thread only.
 */
final class RecordProtection {

  static final int HEADER = 13;
  static final int TAG = 16;
  static final int CONTENT_CHANGE_CIPHER_SPEC = 20;
  static final int CONTENT_ALERT = 21;
  static final int CONTENT_HANDSHAKE = 22;
  static final int CONTENT_APPLICATION_DATA = 23;
  private static final int VERSION = 0xFEFD;
  private static final int MAX_PLAINTEXT = 1 << 14;
  /** RFC 6347 §4.1.1: 2^14 + 2048 for the protected fragment. */
  static final int MAX_FRAGMENT = MAX_PLAINTEXT + 2048;
  private static final long MAX_SEQUENCE = (1L << 48) - 1;
  static final int EPOCH = 1;

  private static final int EXPLICIT_NONCE = 8;
  private final SecretKeySpec writeKey;
  private final SecretKeySpec readKey;
  private final byte[] writeIv;
  private final byte[] readIv;
  private final Cipher encrypt;
  private final Cipher decrypt;
  private final byte[] writeNonce;
  private final byte[] readNonce;
  private final byte[] aad = new byte[HEADER];
  private long writeSequence;
  // Anti-replay window: the highest authenticated sequence and a bitmap of the 64 below it.
  private long readMax = -1;
  private long readWindow;

  /** Whether this class protects records of {@code cipherSuite}. */
  static boolean supports(int cipherSuite) {
    return keyLength(cipherSuite) > 0;
  }

  /** Bytes of key block the suite needs (RFC 5246 §6.3; AEAD suites have no MAC keys). */
  static int keyBlockLength(int cipherSuite) {
    return 2 * keyLength(cipherSuite) + 2 * fixedIvLength(cipherSuite);
  }

  private static int keyLength(int cipherSuite) {
    return switch (cipherSuite) {
      case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 -> 16;
      case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 -> 32;
      default -> 0;
    };
  }

  private static int fixedIvLength(int cipherSuite) {
    return 4;
  }

  /**
   * @param keyBlock client_write_key | server_write_key | client_write_IV | server_write_IV
   * @param client whether this side is the DTLS client (writes with the client keys)
   * @param nextWriteSequence the first epoch-1 sequence number not yet used by this side
   */
  RecordProtection(int cipherSuite, byte[] keyBlock, boolean client, long nextWriteSequence) throws GeneralSecurityException {
    int k = keyLength(cipherSuite);
    if (k == 0) {
      throw new IllegalArgumentException("cipher suite 0x" + Integer.toHexString(cipherSuite) + " is not an AEAD suite we protect");
    }
    int iv = fixedIvLength(cipherSuite);
    if (keyBlock.length < 2 * k + 2 * iv) {
      throw new IllegalArgumentException("key block of " + keyBlock.length + " bytes, need " + (2 * k + 2 * iv));
    }
    String alg = "AES";
    SecretKeySpec clientKey = new SecretKeySpec(keyBlock, 0, k, alg);
    SecretKeySpec serverKey = new SecretKeySpec(keyBlock, k, k, alg);
    byte[] clientIv = java.util.Arrays.copyOfRange(keyBlock, 2 * k, 2 * k + iv);
    byte[] serverIv = java.util.Arrays.copyOfRange(keyBlock, 2 * k + iv, 2 * k + 2 * iv);
    writeKey = client ? clientKey : serverKey;
    readKey = client ? serverKey : clientKey;
    writeIv = client ? clientIv : serverIv;
    readIv = client ? serverIv : clientIv;
    writeNonce = new byte[12];
    readNonce = new byte[12];
    encrypt = Cipher.getInstance("AES/GCM/NoPadding");
    decrypt = Cipher.getInstance("AES/GCM/NoPadding");
    writeSequence = nextWriteSequence;
  }

  /** Bytes a record with {@code plaintextLength} bytes of content occupies on the wire. */
  int recordLength(int plaintextLength) {
    return HEADER + EXPLICIT_NONCE + plaintextLength + TAG;
  }

  /** The largest plaintext whose record fits {@code datagramLimit} bytes. */
  int maxPlaintext(int datagramLimit) {
    return Math.min(MAX_PLAINTEXT, datagramLimit - HEADER - EXPLICIT_NONCE - TAG);
  }

  /** The sequence number the next record will carry. */
  long nextWriteSequence() {
    return writeSequence;
  }

  /**
   * Writes one protected record of {@code type} holding {@code in[off, off+len)} at
   * {@code out[outOff]} (which must hold {@link #recordLength}(len) bytes and not overlap the input).
   *
   * @return the record's length
   */
  int protect(int type, byte[] in, int off, int len, byte[] out, int outOff) throws GeneralSecurityException {
    if (len > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("record plaintext of " + len + " bytes");
    }
    if (writeSequence > MAX_SEQUENCE) {
      throw new IllegalStateException("epoch 1 sequence numbers exhausted"); // never reuse a nonce
    }
    long seq = ((long) EPOCH << 48) | writeSequence++;
    header(out, outOff, type, seq, EXPLICIT_NONCE + len + TAG);
    additionalData(type, seq, len);
    System.arraycopy(writeIv, 0, writeNonce, 0, 4);
    putLong(writeNonce, 4, seq);
    putLong(out, outOff + HEADER, seq);
    encrypt.init(Cipher.ENCRYPT_MODE, writeKey, new GCMParameterSpec(TAG * 8, writeNonce));
    encrypt.updateAAD(aad);
    int n = encrypt.doFinal(in, off, len, out, outOff + HEADER + EXPLICIT_NONCE);
    return HEADER + EXPLICIT_NONCE + n;
  }

  /**
   * Authenticates and decrypts one epoch-1 record at {@code rec[off, off+len)} (header included)
   * into {@code out[outOff]} (room for {@code len} bytes; may not overlap the record).
   *
   * @return the plaintext length, or -1 when the record is a replay, too short or does not authenticate
   */
  int unprotect(byte[] rec, int off, int len, byte[] out, int outOff) {
    if (len < HEADER + EXPLICIT_NONCE + TAG) {
      return -1;
    }
    long seq = getLong(rec, off + 3);
    long sequence = seq & MAX_SEQUENCE;
    if ((seq >>> 48) != EPOCH || isReplay(sequence)) {
      return -1;
    }
    int type = rec[off] & 0xFF;
    int plain = len - HEADER - EXPLICIT_NONCE - TAG;
    additionalData(type, seq, plain);
    try {
      System.arraycopy(readIv, 0, readNonce, 0, 4);
      System.arraycopy(rec, off + HEADER, readNonce, 4, EXPLICIT_NONCE);
      decrypt.init(Cipher.DECRYPT_MODE, readKey, new GCMParameterSpec(TAG * 8, readNonce));
      decrypt.updateAAD(aad);
      int n = decrypt.doFinal(rec, off + HEADER + EXPLICIT_NONCE, plain + TAG, out, outOff);
      accept(sequence);
      return n;
    } catch (GeneralSecurityException | IllegalStateException e) {
      return -1; // RFC 6347 §4.1.2.1: invalid records are silently discarded
    }
  }

  private boolean isReplay(long sequence) {
    if (sequence > readMax) {
      return false;
    }
    long behind = readMax - sequence;
    return behind >= 64 || (readWindow & (1L << behind)) != 0;
  }

  private void accept(long sequence) {
    if (sequence > readMax) {
      long shift = sequence - readMax;
      readWindow = shift >= 64 ? 0 : readWindow << shift;
      readWindow |= 1;
      readMax = sequence;
    } else {
      readWindow |= 1L << (readMax - sequence);
    }
  }

  /** additional_data = seq_num(8) + type(1) + version(2) + length(2) (RFC 5246 §6.2.3.3). */
  private void additionalData(int type, long seq, int plaintextLength) {
    putLong(aad, 0, seq);
    aad[8] = (byte) type;
    aad[9] = (byte) (VERSION >>> 8);
    aad[10] = (byte) VERSION;
    aad[11] = (byte) (plaintextLength >>> 8);
    aad[12] = (byte) plaintextLength;
  }

  /** type(1) | version(2) | epoch||sequence(8) | length(2). */
  private static void header(byte[] b, int at, int type, long seq, int length) {
    b[at] = (byte) type;
    b[at + 1] = (byte) (VERSION >>> 8);
    b[at + 2] = (byte) VERSION;
    putLong(b, at + 3, seq);
    b[at + 11] = (byte) (length >>> 8);
    b[at + 12] = (byte) length;
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  static long getLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }
}
