package org.rtc4j.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FingerprintTest {

  @Test
  void parseFormatRoundTripAndCaseInsensitivity() {
    String sdp = "sha-256 " + "AB:".repeat(31) + "CD";
    Fingerprint f = Fingerprint.parse(sdp);
    assertThat(f.format()).isEqualTo(sdp);
    assertThat(Fingerprint.parse("SHA-256 " + ("ab:".repeat(31) + "cd"))).isEqualTo(f);
    assertThat(f.hashFunction()).isEqualTo("sha-256");
    assertThat(f.digest()).hasSize(32);
  }

  @Test
  void rejectsUnsupportedHashesAndMalformedHex() {
    assertThatThrownBy(() -> Fingerprint.parse("md5 " + "AB:".repeat(15) + "CD")).hasMessageContaining("unsupported");
    assertThatThrownBy(() -> Fingerprint.parse("sha-256 AB:CD")).hasMessageContaining("expected 32");
    assertThatThrownBy(() -> Fingerprint.parse("sha-256 " + "AB:".repeat(31) + "ZZ")).hasMessageContaining("not hex");
    assertThatThrownBy(() -> Fingerprint.parse("sha-256 " + "ABC:".repeat(31) + "CD")).hasMessageContaining("two hex");
    assertThatThrownBy(() -> Fingerprint.parse("sha-256")).hasMessageContaining("<hash-func>");
  }

  @Test
  void matchesOnlyTheCertificateItWasMadeFrom() {
    DtlsCertificate a = DtlsCertificate.generate();
    DtlsCertificate b = DtlsCertificate.generate();
    for (String hash : new String[] {"sha-1", "sha-256", "sha-384", "sha-512"}) {
      assertThat(a.fingerprint(hash).matches(a.der())).isTrue();
      assertThat(a.fingerprint(hash).matches(b.der())).isFalse();
      assertThat(Fingerprint.parse(a.fingerprint(hash).format())).isEqualTo(a.fingerprint(hash));
    }
  }

  @Test
  void generatedCertificateIsP256SelfSignedWithRandomSerialAndName() throws Exception {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    SecureRandom random = new SecureRandom();
    X509Certificate x = x509(DtlsCertificate.generate(random, now));
    X509Certificate y = x509(DtlsCertificate.generate(random, now));
    assertThat(((ECPublicKey) x.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(x.getSigAlgName()).isEqualToIgnoringCase("SHA256withECDSA");
    x.verify(x.getPublicKey());
    assertThat(x.getSerialNumber().signum()).isPositive();
    assertThat(x.getSerialNumber()).isNotEqualTo(y.getSerialNumber());
    assertThat(x.getSubjectX500Principal()).isNotEqualTo(y.getSubjectX500Principal());
    assertThat(x.getNotAfter().toInstant()).isEqualTo(now.plus(DtlsCertificate.VALIDITY));
    x.checkValidity(java.util.Date.from(now));
  }

  private static X509Certificate x509(DtlsCertificate c) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(c.der()));
  }
}
