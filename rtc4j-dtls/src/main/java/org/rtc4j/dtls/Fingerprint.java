package org.rtc4j.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A certificate fingerprint as carried by SDP's {@code a=fingerprint} (RFC 8122 §5):
 *
 * <pre>
 * fingerprint-attribute  =  "fingerprint" ":" hash-func SP fingerprint
 * hash-func              =  "sha-1" / "sha-224" / "sha-256" / "sha-384" / "sha-512" / ...
 * fingerprint            =  2UHEX *(":" 2UHEX)
 * </pre>
 *
 * <p>Value type: equality by hash name and digest bytes. {@link #matches(byte[])} compares in
 * constant time, so a timing probe learns nothing about how close a forged certificate came.
 * Only the SHA-1/SHA-2 family is accepted; MD2/MD5 (which RFC 8122 forbids) and unknown names
 * are rejected by {@link #parse}.
 */
public final class Fingerprint {

  private final String hashFunction;
  private final byte[] digest;

  private Fingerprint(String hashFunction, byte[] digest) {
    this.hashFunction = hashFunction;
    this.digest = digest;
  }

  /** The fingerprint of DER-encoded certificate {@code der} with {@code hashFunction} ("sha-256"...). */
  public static Fingerprint of(String hashFunction, byte[] der) {
    String hash = normalize(hashFunction);
    return new Fingerprint(hash, digest(hash).digest(der));
  }

  /**
   * Parses {@code "sha-256 AB:CD:..."} (the attribute value, without {@code a=fingerprint:}).
   *
   * @throws IllegalArgumentException naming what is wrong: unsupported hash, bad hex, wrong length
   */
  public static Fingerprint parse(String value) {
    Objects.requireNonNull(value, "value");
    String v = value.trim();
    int sp = v.indexOf(' ');
    if (sp <= 0) {
      throw new IllegalArgumentException("fingerprint needs '<hash-func> <hex>': " + value);
    }
    String hash = normalize(v.substring(0, sp));
    String hex = v.substring(sp + 1).trim();
    String[] parts = hex.split(":", -1);
    byte[] bytes = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].length() != 2) {
        throw new IllegalArgumentException("fingerprint byte " + i + " is not two hex digits: " + value);
      }
      try {
        bytes[i] = (byte) Integer.parseInt(parts[i], 16);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("fingerprint byte " + i + " is not hex: " + value, e);
      }
    }
    int expected = digest(hash).getDigestLength();
    if (bytes.length != expected) {
      throw new IllegalArgumentException(
          hash + " fingerprint has " + bytes.length + " bytes, expected " + expected + ": " + value);
    }
    return new Fingerprint(hash, bytes);
  }

  /** The hash function name in SDP's lower-case form, e.g. {@code sha-256}. */
  public String hashFunction() {
    return hashFunction;
  }

  /** A copy of the digest bytes. */
  public byte[] digest() {
    return digest.clone();
  }

  /** Whether DER certificate {@code der} has this fingerprint (constant-time comparison). */
  public boolean matches(byte[] der) {
    return MessageDigest.isEqual(digest, digest(hashFunction).digest(der));
  }

  /** SDP form: {@code sha-256 AB:CD:...} (upper-case hex, as browsers write it). */
  public String format() {
    String hex = HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    return hashFunction + " " + hex;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprint f && f.hashFunction.equals(hashFunction) && MessageDigest.isEqual(f.digest, digest);
  }

  @Override
  public int hashCode() {
    return hashFunction.hashCode() * 31 + Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return format();
  }

  private static String normalize(String hashFunction) {
    String h = Objects.requireNonNull(hashFunction, "hashFunction").trim().toLowerCase(Locale.ROOT);
    switch (h) {
      case "sha-1", "sha-224", "sha-256", "sha-384", "sha-512":
        return h;
      default:
        throw new IllegalArgumentException("unsupported fingerprint hash function: " + hashFunction);
    }
  }

  private static MessageDigest digest(String hash) {
    try {
      return MessageDigest.getInstance(hash.toUpperCase(Locale.ROOT));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks " + hash, e);
    }
  }
}
