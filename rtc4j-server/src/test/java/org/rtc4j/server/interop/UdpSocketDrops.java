package org.rtc4j.server.interop;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Processes;

/**
 * Diagnostics: datagrams the kernel dropped because a UDP socket's receive buffer was full, per
 * owner, read from {@code ss -uanmp} ({@code skmem:(... d<drops>)}). Tells loss at our server's
 * sockets apart from loss at the browser's.
 *
 * @param ours drops on sockets of this JVM (the server under test)
 * @param others drops on every other process's sockets (e.g. Chromium)
 */
record UdpSocketDrops(long ours, long others) {

  private static final Pattern SOCKET = Pattern.compile(
      "users:\\(\\(\"[^\"]*\",pid=(\\d+),[^\\n]*\\n\\s*skmem:\\([^)]*,d(\\d+)\\)");

  /** The drops of the UDP sockets open now, if {@code ss} (iproute2) is installed. */
  static Optional<UdpSocketDrops> now() {
    Optional<java.nio.file.Path> ss = External.find("ss");
    if (ss.isEmpty()) {
      return Optional.empty();
    }
    Processes.Result r = Processes.command(ss.get().toString(), "-uanmp").timeout(Duration.ofSeconds(5)).run();
    if (!r.ok()) {
      return Optional.empty();
    }
    return Optional.of(parse(r.output(), ProcessHandle.current().pid()));
  }

  static UdpSocketDrops parse(String ssOutput, long ourPid) {
    long ours = 0;
    long others = 0;
    Matcher m = SOCKET.matcher(ssOutput);
    while (m.find()) {
      long drops = Long.parseLong(m.group(2));
      if (Long.parseLong(m.group(1)) == ourPid) {
        ours += drops;
      } else {
        others += drops;
      }
    }
    return new UdpSocketDrops(ours, others);
  }
}
