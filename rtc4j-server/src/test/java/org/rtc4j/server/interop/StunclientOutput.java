package org.rtc4j.server.interop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads coturn's {@code turnutils_stunclient} output: {@code 0: : IPv4. UDP reflexive addr: 127.0.0.1:44011}
 * (IPv6: {@code IPv6. UDP reflexive addr: ::1:60526}, the port after the last colon).
 */
final class StunclientOutput {

  private static final Pattern REFLEXIVE = Pattern.compile("IPv[46]\\. UDP reflexive addr: (\\S+):(\\d+)\\s*$",
      Pattern.MULTILINE);

  private StunclientOutput() {}

  /** The reflexive (XOR-MAPPED) address the server reported, if stunclient printed one. */
  static Optional<InetSocketAddress> reflexiveAddress(String output) {
    Matcher m = REFLEXIVE.matcher(output);
    if (!m.find()) {
      return Optional.empty();
    }
    String host = m.group(1);
    boolean literal = host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (!literal) {
      return Optional.empty();
    }
    try {
      return Optional.of(new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(m.group(2))));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
