package org.rtc4j.server;

import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rtc4j serve}: the whole server suite. Today that is the STUN/TURN server on 3478 (UDP and
 * TCP); signaling, WHIP/WHEP, SFU and the web app join it as they are built.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    sortOptions = false,
    description = {"Run the whole rtc4j server suite (today: STUN/TURN, and PeerJS signaling with the web app on 9000).",
        "STUN/TURN listens on UDP and TCP port 3478, and TLS on 5349 with --cert/--pkey; the options are those of "
            + "'rtc4j turn'.", ""},
    footer = {"", "With no --user and no --static-auth-secret, a random TURN REST API secret is generated at start; "
        + "ready-to-use credentials and the iceServers JSON are printed to stdout (never to the log)."})
final class ServeCommand extends ServingCommand {
  @Mixin
  ServeSignalingOptions signaling = new ServeSignalingOptions();

  @Override
  AutoCloseable startMore(TurnService turn, PrintStream out) throws Exception {
    return signaling.start(turn, out);
  }

  @Override
  ServingCommand fresh() {
    return new ServeCommand();
  }
}
