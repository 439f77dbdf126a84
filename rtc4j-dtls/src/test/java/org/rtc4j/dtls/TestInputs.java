package org.rtc4j.dtls;

import java.time.Duration;
import org.rtc4j.testkit.Wait;

/** Real handshake bytes for tests and fuzz seeds, made by a live client engine. */
final class TestInputs {

  private TestInputs() {}

  /** The ClientHello (one datagram) an rtc4j client sends first. */
  static byte[] clientHello() {
    DtlsEngine c = DtlsEngine.create(DtlsConfig.builder(DtlsRole.CLIENT, DtlsCertificate.generate())
        .remoteFingerprint(DtlsCertificate.generate().fingerprint("sha-256"))
        .addresses(EnginePair.CLIENT_ADDR, EnginePair.SERVER_ADDR).build());
    try {
      c.start(System.nanoTime());
      return Wait.forValue(Duration.ofSeconds(5), "ClientHello", c::pollTransmit).bytes();
    } finally {
      c.close();
    }
  }
}
