package org.rtc4j.server.interop;

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
import org.rtc4j.testkit.Processes;

/**
 * A throw-away self-signed EC certificate for 127.0.0.1 as the PEM pair {@code --cert}/{@code --pkey}
 * take: made with the JDK's own {@code keytool} (always present, no openssl needed) and converted
 * from PKCS#12 to PEM here.
 *
 * @param cert PEM certificate file
 * @param key PEM PKCS#8 private key file
 */
record SelfSignedCertificate(Path cert, Path key) {

  static SelfSignedCertificate create(Path dir) throws IOException, GeneralSecurityException {
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

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
