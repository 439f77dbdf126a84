package org.rtc4j.dtls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates the tests need and {@link DtlsCertificate#generate} does not make. */
final class TestCertificates {

  private TestCertificates() {}

  /**
   * A leaf signed by {@code intermediates} CA certificates in a row up to a root, every one padded
   * past {@code padBytes}: {@link DtlsCertificate#chain()} holds the intermediates and the root.
   */
  static DtlsCertificate chain(int intermediates, int padBytes) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair issuerKeys = g.generateKeyPair();
    X500Name issuer = new X500Name("CN=root");
    java.util.List<byte[]> cas = new java.util.ArrayList<>();
    cas.add(0, issue(issuer, issuerKeys, issuer, issuerKeys.getPublic(), true, padBytes));
    for (int i = 0; i < intermediates; i++) {
      KeyPair keys = g.generateKeyPair();
      X500Name name = new X500Name("CN=intermediate" + i);
      cas.add(0, issue(issuer, issuerKeys, name, keys.getPublic(), true, padBytes));
      issuer = name;
      issuerKeys = keys;
    }
    KeyPair leafKeys = g.generateKeyPair();
    byte[] leaf = issue(issuer, issuerKeys, new X500Name("CN=leaf"), leafKeys.getPublic(), false, padBytes);
    return DtlsCertificate.of(leafKeys.getPrivate(), leaf, cas);
  }

  private static byte[] issue(X500Name issuer, KeyPair issuerKeys, X500Name subject, java.security.PublicKey key,
      boolean ca, int padBytes) throws Exception {
    Instant now = Instant.now();
    var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key);
    b.addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
        new org.bouncycastle.asn1.x509.BasicConstraints(ca));
    b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1"), false, new DEROctetString(new byte[padBytes]));
    return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())).getEncoded();
  }

  /** A self-signed P-256 certificate padded past {@code minBytes} with a private, non-critical extension. */
  static DtlsCertificate large(int minBytes) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = g.generateKeyPair();
    X500Name name = new X500Name("CN=large");
    Instant now = Instant.now();
    var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1"), false, new DEROctetString(new byte[minBytes]));
    byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
    return DtlsCertificate.of(keys.getPrivate(), der);
  }
}
