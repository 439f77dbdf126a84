package org.rtc4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void tcpPortCanBeBound() throws Exception {
    int port = FreePorts.tcp();
    assertThat(port).isBetween(1, 65535);
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(FreePorts.LOOPBACK, port));
      assertThat(FreePorts.isTcpFree(FreePorts.LOOPBACK, port)).isFalse();
    }
  }

  @Test
  void udpPortCanBeBound() throws Exception {
    int port = FreePorts.udp();
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, port))) {
      assertThat(s.getLocalPort()).isEqualTo(port);
      assertThat(FreePorts.isUdpFree(FreePorts.LOOPBACK, port)).isFalse();
    }
  }

  @Test
  void tcpAndUdpPortCanBeBoundTwice() throws Exception {
    int port = FreePorts.tcpAndUdp();
    try (ServerSocket t = new ServerSocket();
         DatagramSocket u = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, port))) {
      t.bind(new InetSocketAddress(FreePorts.LOOPBACK, port));
      assertThat(t.getLocalPort()).isEqualTo(u.getLocalPort());
    }
  }

  @Test
  void contiguousRangeIsFreeAndBelowTheEphemeralRange() throws Exception {
    FreePorts.PortRange r = FreePorts.tcpAndUdpRange(10);
    assertThat(r.size()).isEqualTo(10);
    assertThat(r.last()).isLessThan(32768);
    assertThat(r.contains(r.first() + 5)).isTrue();
    assertThat(r.contains(r.last() + 1)).isFalse();
    DatagramSocket[] sockets = new DatagramSocket[r.size()];
    try {
      for (int i = 0; i < r.size(); i++) {
        sockets[i] = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, r.first() + i));
      }
    } finally {
      for (DatagramSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
    assertThat(FreePorts.udpRange(3).toString()).matches("\\d+-\\d+");
  }

  @Test
  void rangeSkipsPortsInUse() throws Exception {
    // Occupy one port of a found range; the next search for a range containing it must avoid it.
    FreePorts.PortRange r = FreePorts.udpRange(1);
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, r.first()))) {
      assertThat(FreePorts.isUdpFree(FreePorts.LOOPBACK, s.getLocalPort())).isFalse();
      for (int i = 0; i < 20; i++) {
        FreePorts.PortRange other = FreePorts.udpRange(50);
        assertThat(other.contains(r.first())).isFalse();
      }
    }
  }

  @Test
  void rejectsBadRanges() {
    assertThatThrownBy(() -> FreePorts.udpRange(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FreePorts.PortRange(10, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FreePorts.range(FreePorts.LOOPBACK, 5, false, false)).isInstanceOf(IllegalArgumentException.class);
  }
}
