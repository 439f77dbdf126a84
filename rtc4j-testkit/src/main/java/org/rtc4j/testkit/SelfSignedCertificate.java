package org.rtc4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;

/**
 * A throw-away self-signed EC certificate for 127.0.0.1 as a PEM pair (what the TURN server's
 * {@code --cert}/{@code --pkey} and the signaling server's {@code --sslcert}/{@code --sslkey} take):
 * made with the JDK's own {@code keytool} (always present, no openssl needed) and converted from
 * PKCS#12 to PEM here. {@link #trustingContext()} gives a client that trusts it and nothing else.
 *
 * @param cert PEM certificate file
 * @param key PEM PKCS#8 private key file
 */
public record SelfSignedCertificate(Path cert, Path key) {

  /** Makes the pair in {@code dir}. */
  public static SelfSignedCertificate create(Path dir) throws IOException, GeneralSecurityException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Path p12 = dir.resolve("interop-tls.p12");
    char[] pass = "interop-only".toCharArray();
    Files.deleteIfExists(p12);
    Processes.command(keytool.toString(), "-genkeypair", "-alias", "turn", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", p12.toString(), "-storepass", new String(pass), "-keypass", new String(pass))
        .timeout(Duration.ofSeconds(30)).log(dir.resolve("keytool.log")).run().assertExitCode(0);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, pass);
    }
    PrivateKey key = (PrivateKey) ks.getKey("turn", pass);
    Certificate cert = ks.getCertificate("turn");
    Path certFile = dir.resolve("interop-tls-cert.pem");
    Path keyFile = dir.resolve("interop-tls-key.pem");
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    return new SelfSignedCertificate(certFile, keyFile);
  }

  /** A TLS client context that trusts this certificate only. */
  public javax.net.ssl.SSLContext trustingContext() throws IOException, GeneralSecurityException {
    return trusting(cert);
  }

  /** A TLS client context that trusts the PEM certificate in {@code pem} only. */
  public static javax.net.ssl.SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      trust.setCertificateEntry("self", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
