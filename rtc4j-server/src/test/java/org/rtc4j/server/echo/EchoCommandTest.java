package org.rtc4j.server.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.rtc4j.server.EchoCommand;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceTransportPolicy;
import picocli.CommandLine;

/** {@code rtc4j echo}'s options, without starting anything. */
class EchoCommandTest {

  static EchoCommand parse(String... args) {
    return CommandLine.populateCommand(new EchoCommand(), args);
  }

  @Test
  void httpAddress() {
    assertThat(parse().httpAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
    assertThat(parse("--http", "127.0.0.1:0").httpAddress().getPort()).isZero();
    assertThat(parse("--http", "[::1]:9000").httpAddress()).isEqualTo(new InetSocketAddress("::1", 9000));
    assertThat(parse("--http", "localhost:9000").httpAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThatThrownBy(() -> parse("--http", "8080").httpAddress()).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> parse("--http", "127.0.0.1:x").httpAddress()).hasMessageContaining("not a number");
    assertThatThrownBy(() -> parse("--http", "127.0.0.1:70000").httpAddress()).hasMessageContaining("out of range");
    assertThatThrownBy(() -> parse("--http", "example.org:80").httpAddress()).hasMessageContaining("IP address");
  }

  @Test
  void iceConfiguration() {
    RtcConfiguration c = parse("--ice-server", "stun:127.0.0.1:3478", "--ice-server", "turn:127.0.0.1:3478?transport=tcp",
        "--ice-username", "u", "--ice-credential", "p", "--ice-transport-policy", "relay").configuration();
    assertThat(c.iceServers()).hasSize(2);
    assertThat(c.iceServers().get(0).username()).isNull();
    assertThat(c.iceServers().get(1).username()).isEqualTo("u");
    assertThat(c.iceServers().get(1).credential()).isEqualTo("p");
    assertThat(c.iceTransportPolicy()).isEqualTo(RtcIceTransportPolicy.RELAY);
    assertThat(c.includeLoopback()).isTrue();
    assertThat(parse("--ice-address", "127.0.0.1").configuration().hostAddresses()).hasSize(1);
    assertThatThrownBy(() -> parse("--ice-transport-policy", "some").configuration()).hasMessageContaining("all or relay");
  }

  @Test
  void helpDescribesTheEndpoints() {
    CommandLine cli = new CommandLine(new EchoCommand());
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute("--help")).isZero();
    assertThat(out.toString()).contains("--http", "POST /offer", "GET /offer", "201", "--ice-server");
  }
}
