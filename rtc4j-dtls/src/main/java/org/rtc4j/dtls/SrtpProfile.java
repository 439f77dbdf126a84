package org.rtc4j.dtls;

/**
 * The DTLS-SRTP protection profiles rtc4j negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2), with the
 * key and salt lengths that size the exported keying material (RFC 5764 §4.2:
 * {@code 2 * (key + salt)}: client key, server key, client salt, server salt).
 *
 * <p>Only these three: the 32-bit-tag and NULL-cipher profiles are deliberately absent (trust-tests SC-7).
 */
public enum SrtpProfile {
  /** SRTP_AES128_CM_HMAC_SHA1_80 (0x0001). */
  AES128_CM_HMAC_SHA1_80(0x0001, 16, 14),
  /** SRTP_AEAD_AES_128_GCM (0x0007). */
  AEAD_AES_128_GCM(0x0007, 16, 12),
  /** SRTP_AEAD_AES_256_GCM (0x0008). */
  AEAD_AES_256_GCM(0x0008, 32, 12);

  private final int id;
  private final int keyLength;
  private final int saltLength;

  SrtpProfile(int id, int keyLength, int saltLength) {
    this.id = id;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
  }

  /** The IANA "DTLS-SRTP Protection Profile" value. */
  public int id() {
    return id;
  }

  /** Master key length in bytes. */
  public int keyLength() {
    return keyLength;
  }

  /** Master salt length in bytes. */
  public int saltLength() {
    return saltLength;
  }

  /** How many bytes to export with label {@code EXTRACTOR-dtls_srtp}. */
  public int keyingMaterialLength() {
    return 2 * (keyLength + saltLength);
  }

  /** The profile with IANA value {@code id}, or null when rtc4j does not support it. */
  public static SrtpProfile byId(int id) {
    for (SrtpProfile p : values()) {
      if (p.id == id) {
        return p;
      }
    }
    return null;
  }
}
