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
