package org.rtc4j.server.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The uclient output parser against output recorded from coturn 4.6.1's {@code turnutils_uclient}
 * talking to coturn's own {@code turnserver} on 127.0.0.1 (the anchor), so the interop tests read
 * the numbers the way coturn prints them. {@link CoturnAnchorTest} re-proves it live. Also the
 * other tool-output readers of this package (stunclient, {@code ss}).
 */
class UclientReportTest {

  @Test
  void parsesFinalStatisticsOfASuccessfulRun() throws IOException {
    UclientReport r = UclientReport.require(resource("coturn-uclient-udp.txt"));
    assertThat(r.sent()).isEqualTo(200);
    assertThat(r.received()).isEqualTo(200);
    assertThat(r.sentBytes()).isEqualTo(34000);
    assertThat(r.receivedBytes()).isEqualTo(34000);
    assertThat(r.lost()).isZero();
    assertThat(r.lostPercent()).isZero();
    assertThat(r.sendDropped()).isZero();
    assertThat(r.rttAvgMs()).isZero();
    assertThat(r.rttMaxMs()).isZero();
    assertThat(r.jitterAvgMs()).isEqualTo(1.51);
    // The intermediate per-second lines (tot_send_msgs=18, tot_recv_msgs=17) must not be taken.
    assertThat(UclientReport.firstError(resource("coturn-uclient-udp.txt"))).isEmpty();
  }

  @Test
  void parsesLossAndRtt() {
    String out = """
        7: : start_mclient: msz=2, tot_send_msgs=90, tot_recv_msgs=88, tot_send_bytes ~ 9000, tot_recv_bytes ~ 8800
        7: : start_mclient: tot_send_msgs=100, tot_recv_msgs=97
        7: : start_mclient: tot_send_bytes ~ 10000, tot_recv_bytes ~ 9700
        7: : Total transmit time is 7
        7: : Total lost packets 3 (3.000000%), total send dropped 1 (1.000000%)
        7: : Average round trip delay 1.250000 ms; min = 0 ms, max = 12 ms
        7: : Average jitter 0.500000 ms; min = 0 ms, max = 2 ms
        """;
    UclientReport r = UclientReport.require(out);
    assertThat(r.sent()).isEqualTo(100);
    assertThat(r.received()).isEqualTo(97);
    assertThat(r.lost()).isEqualTo(3);
    assertThat(r.lostPercent()).isEqualTo(3.0);
    assertThat(r.sendDropped()).isEqualTo(1);
    assertThat(r.rttAvgMs()).isEqualTo(1.25);
    assertThat(r.rttMaxMs()).isEqualTo(12);
  }

  @Test
  void readsTheErrorsUclientPrintsWhenItGivesUp() throws IOException {
    String denied = resource("coturn-uclient-denied.txt");
    assertThat(UclientReport.parse(denied)).isEmpty();
    assertThat(UclientReport.firstError(denied)).contains("channel bind: error 403 (Forbidden IP)");
    assertThat(UclientReport.firstErrorCode(denied)).hasValue(403);

    String badPassword = resource("coturn-uclient-badpw.txt");
    assertThat(UclientReport.parse(badPassword)).isEmpty();
    assertThat(UclientReport.firstError(badPassword)).contains("ERROR: Cannot complete Allocation");
    assertThat(UclientReport.firstErrorCode(badPassword)).isEmpty();

    assertThat(UclientReport.firstErrorCode("0: : create permission error 403 (Forbidden IP)\n")).hasValue(403);
  }

  @Test
  void readsTheReflexiveAddressStunclientPrints() throws IOException {
    assertThat(StunclientOutput.reflexiveAddress(resource("coturn-stunclient.txt")))
        .hasValueSatisfying(a -> {
          assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
          assertThat(a.getPort()).isEqualTo(44011);
        });
    assertThat(StunclientOutput.reflexiveAddress("0: : IPv6. UDP reflexive addr: ::1:40000\n"))
        .hasValueSatisfying(a -> {
          assertThat(a.getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
          assertThat(a.getPort()).isEqualTo(40000);
        });
  }

  @Test
  void readsTheRtpRtcpRelayPairsOfAVerboseRun() throws IOException {
    String out = resource("coturn-uclient-rtp-rtcp-verbose.txt");
    assertThat(UclientReport.relayAllocations(out)).extracting(UclientReport.RelayAllocation::port)
        .containsExactly(40094, 40095, 40022, 40023, 40068, 40069);
    assertThat(UclientReport.rtpRtcpPairs(out)).containsExactly(
        new int[] {40094, 40095}, new int[] {40022, 40023}, new int[] {40068, 40069});
    assertThat(UclientReport.require(out).received()).isEqualTo(200);
  }

  @Test
  void readsReceiveBufferDropsPerOwnerFromSs() {
    String ss = """
        State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
        UNCONN 0      0          127.0.0.1:58959      0.0.0.0:*    users:(("chromium",pid=2293,fd=28))
        	 skmem:(r0,rb131072,t0,tb131072,f4096,w0,o0,bl0,d14)
        UNCONN 0      0          127.0.0.1:43155      0.0.0.0:*    users:(("chromium",pid=2293,fd=30))
        	 skmem:(r0,rb131072,t0,tb131072,f4096,w0,o0,bl0,d244)
        UNCONN 0      0          127.0.0.1:29299      0.0.0.0:*    users:(("java",pid=2115,fd=107))
        	 skmem:(r0,rb1048576,t0,tb1048576,f4096,w0,o0,bl0,d3)
        """;
    assertThat(UdpSocketDrops.parse(ss, 2115)).isEqualTo(new UdpSocketDrops(3, 258));
  }

  static String resource(String name) throws IOException {
    try (InputStream in = UclientReportTest.class.getResourceAsStream("/interop/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource /interop/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
