package org.rtc4j.server.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.FreePorts;
import org.rtc4j.testkit.Processes;
import org.rtc4j.testkit.Wait;

/**
 * coturn's client tools (Debian package coturn) as the interop tests run them: every run bounded
 * by a deadline, output in a log file under {@code target/interop/}, everything on 127.0.0.1.
 */
final class Coturn {

  /** Where the tools' output goes (kept after the run for reading failures). */
  static final Path LOG_DIR = Path.of("target", "interop");

  /** Deadline of one uclient run; a normal run takes 3–6 s. */
  static final Duration UCLIENT_DEADLINE = Duration.ofSeconds(40);

  /**
   * uclient's load: 4 clients × 50 messages of 170 bytes, 5 ms apart; {@code -c}: no RTCP
   * allocation (uclient's RTP/RTCP pair uses EVEN-PORT R=1 + RESERVATION-TOKEN, which our server
   * answers with 508 for now, see REQUESTS.md).
   */
  static final List<String> LOAD = List.of("-n", "50", "-m", "4", "-l", "170", "-z", "5", "-c");
  static final int MESSAGES = 50 * 4;

  /**
   * The same load in uclient's default mode, verbose: RTP/RTCP allocation pairs (EVEN-PORT R=1,
   * then an Allocate with the RESERVATION-TOKEN), each relayed address and token printed.
   */
  static final List<String> LOAD_RTP_RTCP = List.of("-n", "50", "-m", "4", "-l", "170", "-z", "5", "-v");

  private Coturn() {}

  /** {@code turnutils_uclient}'s path (skips or fails the test when coturn is absent). */
  static Path uclient() {
    return External.require("turnutils_uclient");
  }

  /** Runs {@code turnutils_uclient args... 127.0.0.1}. */
  static Processes.Result uclient(String logName, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(uclient().toString());
    cmd.addAll(args);
    cmd.add("127.0.0.1");
    return Processes.command(cmd).timeout(UCLIENT_DEADLINE).grace(Duration.ofSeconds(2))
        .log(LOG_DIR.resolve(logName + ".log")).run();
  }

  /** Runs {@code turnutils_stunclient [-L local] -p port 127.0.0.1}. */
  static Processes.Result stunclient(String logName, int port, String localAddress) {
    return stunclient(logName, "127.0.0.1", port, localAddress);
  }

  /** Runs {@code turnutils_stunclient [-L local] -p port server}. */
  static Processes.Result stunclient(String logName, String server, int port, String localAddress) {
    List<String> cmd = new ArrayList<>(List.of(External.require("turnutils_stunclient").toString()));
    if (localAddress != null) {
      cmd.addAll(List.of("-L", localAddress));
    }
    cmd.addAll(List.of("-p", Integer.toString(port), server));
    // stunclient waits forever when nobody answers: the deadline ends it.
    return Processes.command(cmd).timeout(Duration.ofSeconds(15)).grace(Duration.ofSeconds(1))
        .log(LOG_DIR.resolve(logName + ".log")).run();
  }

  /** The arguments naming the echo peer and the server's port. */
  static List<String> target(EchoPeer peer, int serverPort) {
    return List.of("-e", "127.0.0.1", "-r", Integer.toString(peer.port()), "-p", Integer.toString(serverPort));
  }

  /** {@code turnutils_peer} on 127.0.0.1: a UDP echo server, the TURN peer of uclient's runs. */
  static final class EchoPeer implements AutoCloseable {
    private final Processes.Running process;
    private final int port;

    private EchoPeer(Processes.Running process, int port) {
      this.process = process;
      this.port = port;
    }

    /** Starts it on a free UDP port and waits until it echoes. */
    static EchoPeer start() {
      Path tool = External.require("turnutils_peer");
      int port = FreePorts.udp();
      Processes.Running p = Processes.command(tool.toString(), "-L", "127.0.0.1", "-p", Integer.toString(port))
          .grace(Duration.ofSeconds(1)).log(LOG_DIR.resolve("turnutils_peer-" + port + ".log")).start();
      EchoPeer peer = new EchoPeer(p, port);
      try {
        Wait.until(Duration.ofSeconds(10), Duration.ofMillis(20), "turnutils_peer echoes on 127.0.0.1:" + port,
            peer::echoes, p::output);
      } catch (AssertionError | RuntimeException e) {
        p.close();
        throw e;
      }
      return peer;
    }

    int port() {
      return port;
    }

    /** Sends one datagram and checks that the same bytes come back. */
    boolean echoes() {
      if (!process.isAlive()) {
        throw new AssertionError("turnutils_peer exited: " + process.output());
      }
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0))) {
        s.setSoTimeout(200);
        byte[] probe = ("rtc4j-probe-" + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(probe, probe.length, new InetSocketAddress(FreePorts.LOOPBACK, port)));
        DatagramPacket in = new DatagramPacket(new byte[256], 256);
        s.receive(in);
        return Arrays.equals(probe, Arrays.copyOf(in.getData(), in.getLength()));
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      process.close();
    }
  }
}
