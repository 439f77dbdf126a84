package org.rtc4j.server.transfer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.rtc4j.webrtc.RtcConfiguration;
import picocli.CommandLine.Option;

/** Options both transfer commands share (a picocli mixin). */
public final class TransferOptions {

  @Option(names = "--ice-address", paramLabel = "IP",
      description = "gather host candidates on this local address only (repeatable; default: every interface, loopback included)")
  List<String> iceAddresses = new ArrayList<>();

  @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
      description = "give up when the transfer has not ended after this long (default ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Option(names = "--no-progress", description = "no progress bar on stderr")
  boolean noProgress;

  /** {@code --timeout} in seconds. */
  public int timeoutSeconds() {
    return timeoutSeconds;
  }

  /** {@code --no-progress}. */
  public boolean noProgress() {
    return noProgress;
  }

  /** The PeerConnection configuration: host candidates as asked, messages up to 256 KiB. */
  public RtcConfiguration configuration() {
    RtcConfiguration.Builder b = RtcConfiguration.builder();
    if (iceAddresses.isEmpty()) {
      b.includeLoopback(true);
    } else {
      List<InetAddress> addrs = new ArrayList<>();
      for (String a : iceAddresses) {
        if (!a.matches("[0-9.]+|[0-9A-Fa-f:.%a-zA-Z]*:[0-9A-Fa-f:.%a-zA-Z]*")) {
          throw new IllegalArgumentException("--ice-address needs an IP address, not '" + a + "'");
        }
        try {
          addrs.add(InetAddress.getByName(a)); // a literal: no DNS lookup
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("--ice-address: not an IP address: '" + a + "'");
        }
      }
      b.hostAddresses(addrs);
    }
    return b.build();
  }
}
