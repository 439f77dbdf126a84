package org.rtc4j.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local DTLS identity: an ECDSA P-256 private key and its DER X.509 certificate.
 *
 * <p>WebRTC authenticates by fingerprint, not by CA, so {@link #generate} makes a throw-away
 * self-signed certificate per connection (RFC 8827 §6.5): random CN and serial (so two
 * connections cannot be linked through the certificate), short validity. {@link #of} takes a
 * supplied one (W3C {@code RTCCertificate} persisted by the application).
 *
 * <p>Immutable; the DER bytes are copied in and out.
 */
public final class DtlsCertificate {

  /** How long a generated certificate is valid; browsers use about 30 days. */
  public static final Duration VALIDITY = Duration.ofDays(30);

  private final PrivateKey privateKey;
  private final byte[] der;
  private final List<byte[]> chain;

  private DtlsCertificate(PrivateKey privateKey, byte[] der) {
    this(privateKey, der, List.of());
  }

  private DtlsCertificate(PrivateKey privateKey, byte[] der, List<byte[]> chain) {
    this.privateKey = privateKey;
    this.der = der;
    this.chain = chain;
  }

  /**
   * A fresh P-256 key and self-signed certificate, valid from {@code now} minus one day (peer clock
   * skew) for {@link #VALIDITY}.
   */
  public static DtlsCertificate generate(SecureRandom random, Instant now) {
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(now, "now");
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair keys = g.generateKeyPair();
      byte[] cn = new byte[8];
      random.nextBytes(cn);
      X500Name name = new X500Name("CN=" + HexFormat.of().formatHex(cn));
      // 63 random bits, top bit clear and never zero: a positive serial as RFC 5280 §4.1.2.2 asks.
      BigInteger serial = new BigInteger(63, random).setBit(0);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial,
          Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, keys.getPublic());
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").setSecureRandom(random).build(keys.getPrivate());
      return new DtlsCertificate(keys.getPrivate(), b.build(signer).getEncoded());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate an ECDSA P-256 certificate", e);
    }
  }

  /** {@link #generate(SecureRandom, Instant)} with a new SecureRandom and the system clock. */
  public static DtlsCertificate generate() {
    return generate(new SecureRandom(), Instant.now());
  }

  /**
   * A supplied identity: {@code privateKey} must be an EC key matching the certificate {@code der}
   * (checked by the handshake's own signature, not here).
   */
  public static DtlsCertificate of(PrivateKey privateKey, byte[] der) {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(der, "der");
    if (!"EC".equals(privateKey.getAlgorithm())) {
      throw new IllegalArgumentException("DTLS certificate key must be EC (ECDSA), not " + privateKey.getAlgorithm());
    }
    return new DtlsCertificate(privateKey, der.clone());
  }

  /**
   * A supplied identity with issuer certificates sent after the leaf {@code der} in the DTLS
   * Certificate message (RFC 5246 §7.4.2 order: each one certifies the one before it). WebRTC
   * peers authenticate only the leaf's fingerprint, but an application may present a CA-issued
   * chain; the handshake fragments it to the MTU.
   */
  public static DtlsCertificate of(PrivateKey privateKey, byte[] der, List<byte[]> chain) {
    DtlsCertificate leaf = of(privateKey, der);
    return new DtlsCertificate(leaf.privateKey, leaf.der, chain.stream().map(byte[]::clone).toList());
  }

  /** Copies of the issuer certificates sent after the leaf (empty for a self-signed identity). */
  public List<byte[]> chain() {
    return chain.stream().map(byte[]::clone).toList();
  }

  /** The private key (stays in this process; never logged). */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** A copy of the DER certificate. */
  public byte[] der() {
    return der.clone();
  }

  /** The certificate's fingerprint for SDP, e.g. {@code fingerprint("sha-256").format()}. */
  public Fingerprint fingerprint(String hashFunction) {
    return Fingerprint.of(hashFunction, der);
  }

  @Override
  public String toString() {
    return "DtlsCertificate[" + fingerprint("sha-256") + "]";
  }
}
