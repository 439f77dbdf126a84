package org.rtc4j.server;

import ch.qos.logback.classic.Level;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rtc4j signaling}: the PeerJS signaling server alone, with peerjs-server's option names. */
@Command(name = "signaling", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    sortOptions = false,
    description = {"Run the PeerJS-compatible signaling server alone (the peerjs npm client works against it unchanged).",
        "Option names follow peerjs-server's 'peerjs' command, so its command lines carry over.", ""},
    footer = {"", "Example: rtc4j signaling --port 9000 --key peerjs --path /myapp --allow_discovery",
        "Differences from peerjs-server: OPEN is sent on a same-token reconnect; frame size, rate and queue limits; "
            + "several keys (--tenant); GET {path}{key}/ice-servers with TURN credentials (--static-auth-secret-file)."})
final class SignalingCommand implements Callable<Integer>, RunsServer {

  @Mixin
  SignalingOptions options = new SignalingOptions();

  private volatile boolean ranServer;

  @Override
  public boolean ranServer() {
    return ranServer;
  }

  @Override
  public Integer call() throws Exception {
    if (options.verbose) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.rtc4j")).setLevel(Level.DEBUG);
    }
    PrintStream out = System.out;
    SignalingService service = SignalingService.standalone(options, out);
    ranServer = true;
    JitYield.start(() -> service.server().stats().relayed());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        service.close();
      } finally {
        stopped.countDown();
      }
    }, "rtc4j-shutdown"));
    out.println("Press Ctrl+C to stop.");
    out.flush();
    stopped.await();
    return 0;
  }
}
