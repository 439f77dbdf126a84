package org.rtc4j.server;

import picocli.CommandLine.Command;

/** {@code rtc4j turn}: the STUN/TURN server alone. */
@Command(name = "turn", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    sortOptions = false,
    description = {"Run the STUN/TURN server alone (RFC 8489 Binding, RFC 8656 TURN over UDP, TCP and TLS).",
        "Option names follow coturn's turnserver, so coturn command lines and config files carry over.", ""},
    footer = {"", "With no --user and no --static-auth-secret, a random TURN REST API secret is generated at start; "
        + "ready-to-use credentials and the iceServers JSON are printed to stdout (never to the log)."})
final class TurnCommand extends ServingCommand {
  @Override
  ServingCommand fresh() {
    return new TurnCommand();
  }
}
