package org.rtc4j.turn.server.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The committed self-signed test certificate (EC P-256, CN=localhost, SAN 127.0.0.1 and ::1,
 * valid until 2126), made once with
 * {@code openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500
 * -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"}.
 */
final class TestTls {

  private TestTls() {}

  static Path certFile() {
    return resource("test-cert.pem");
  }

  static Path keyFile() {
    return resource("test-key.pem");
  }

  private static Path resource(String name) {
    try {
      return Path.of(TestTls.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context that trusts exactly the test certificate. */
  static SSLContext clientContext() {
    try (InputStream in = TestTls.class.getResourceAsStream("test-cert.pem")) {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("test", cert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
