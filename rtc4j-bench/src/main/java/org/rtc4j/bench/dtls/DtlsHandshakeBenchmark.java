package org.rtc4j.bench.dtls;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.rtc4j.dtls.DtlsCertificate;

/**
 * Complete DTLS 1.2 handshakes (ECDHE P-256/X25519, ECDSA P-256 both ways, use_srtp, EMS, key
 * export), client and server in this process, back to back in memory: one operation is one
 * handshake, both sides' work included (so a real server doing only its half does about twice as
 * many). Certificates are made once: a PeerConnection given a certificate does not make one.
 * Run pinned to one core ({@code taskset -c 0}): the engines' handshake threads share it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DtlsHandshakeBenchmark {

  private DtlsCertificate clientCert;
  private DtlsCertificate serverCert;

  @Setup
  public void certificates() {
    clientCert = DtlsCertificate.generate();
    serverCert = DtlsCertificate.generate();
  }

  @Benchmark
  public boolean handshake() {
    try (DtlsPair p = new DtlsPair(clientCert, serverCert, false)) {
      p.connect();
      return p.client.isConnected();
    }
  }

  @Benchmark
  public DtlsCertificate generateCertificate() {
    return DtlsCertificate.generate();
  }
}
