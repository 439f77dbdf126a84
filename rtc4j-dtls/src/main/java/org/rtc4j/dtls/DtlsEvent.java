package org.rtc4j.dtls;

import java.util.Arrays;

/** What a {@link DtlsEngine} reports through {@link DtlsEngine#pollEvent()}. */
public sealed interface DtlsEvent {

  /**
   * The handshake finished and the peer's certificate matched the expected fingerprint.
   *
   * @param profile the negotiated SRTP protection profile
   * @param keyingMaterial {@code profile.keyingMaterialLength()} bytes exported with label
   *     {@code EXTRACTOR-dtls_srtp} and no context (RFC 5764 §4.2, RFC 5705)
   * @param peerFingerprint the peer certificate's fingerprint, in the hash the caller expected
   * @param localIsClient whether this side was the DTLS client (the SRTP layer needs it to pick
   *     which half of the keying material is "local")
   */
  record HandshakeComplete(SrtpProfile profile, byte[] keyingMaterial, Fingerprint peerFingerprint, boolean localIsClient)
      implements DtlsEvent {
    public HandshakeComplete {
      keyingMaterial = keyingMaterial.clone();
    }

    @Override
    public byte[] keyingMaterial() {
      return keyingMaterial.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HandshakeComplete h && h.profile == profile && Arrays.equals(h.keyingMaterial, keyingMaterial)
          && h.peerFingerprint.equals(peerFingerprint) && h.localIsClient == localIsClient;
    }

    @Override
    public int hashCode() {
      return profile.hashCode() * 31 + Arrays.hashCode(keyingMaterial);
    }

    @Override
    public String toString() {
      // Never print keys.
      return "HandshakeComplete[" + profile + ", peer " + peerFingerprint + ", client=" + localIsClient + "]";
    }
  }

  /** One decrypted application-data record. */
  record ApplicationData(byte[] data) implements DtlsEvent {
    @Override
    public boolean equals(Object o) {
      return o instanceof ApplicationData a && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "ApplicationData[" + data.length + " bytes]";
    }
  }

  /** The connection ended normally (close_notify sent or received). Terminal. */
  record Closed(String reason) implements DtlsEvent {}

  /** The handshake or the connection failed (alert sent or received, timeout, fingerprint mismatch). Terminal. */
  record Failed(String reason) implements DtlsEvent {}
}
