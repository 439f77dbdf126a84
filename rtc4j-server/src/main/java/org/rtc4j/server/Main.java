package org.rtc4j.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code rtc4j} command: {@code rtc4j serve} runs the whole server suite, {@code rtc4j turn}
 * the STUN/TURN server alone. The main class of the shaded {@code rtc4j.jar}.
 *
 * <p>Exit codes: 0 after a clean shutdown or help, 1 when a server cannot start (a port in use,
 * an unreadable file), 2 for invalid options.
 */
@Command(name = "rtc4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"rtc4j: WebRTC for the JVM. Server suite command line.", ""},
    subcommands = {ServeCommand.class, TurnCommand.class, EchoCommand.class, SignalingCommand.class,
        org.rtc4j.server.transfer.SendCommand.class, org.rtc4j.server.transfer.ReceiveCommand.class, org.rtc4j.server.peerjs.PeerJsCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Run 'rtc4j <command> --help' for the options of a command.",
        "Example: rtc4j turn --user alice:secret --realm example.org --relay-ip 203.0.113.7"})
public final class Main implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    // Netty samples 1 buffer in 128 for leak tracking, building a stack trace each time: a cost on
    // the relay path the server does not need (the test suite keeps it on). -D on the command line wins.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    CommandLine cli = commandLine();
    int code = cli.execute(args);
    if (code != 0 || !ranServer(cli)) {
      System.exit(code);
    }
  }

  /** Whether the command that ran started a server (state of that command instance, not of the JVM). */
  static boolean ranServer(CommandLine cli) {
    CommandLine.ParseResult r = cli.getParseResult();
    while (r != null && r.hasSubcommand()) {
      r = r.subcommand();
    }
    return r != null && r.commandSpec().userObject() instanceof RunsServer s && s.ranServer();
  }

  /** The configured command line (exception handling mapped to exit codes). */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
      Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
      PrintWriter err = cmd.getErr();
      if (cause instanceof IllegalArgumentException) {
        err.println("rtc4j: " + cause.getMessage());
        err.println("Run 'rtc4j " + cmd.getCommandName() + " --help' for the options.");
        err.flush();
        return 2;
      }
      if (cause instanceof IOException) {
        err.println("rtc4j: " + cause.getMessage());
        err.flush();
        return 1;
      }
      throw e;
    });
    return cli;
  }

  /** The version from the build, e.g. {@code 0.1.0-SNAPSHOT}. */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  /** A warning about the configuration, on the log. */
  static void warn(String message) {
    log.warn(message);
  }

  /** picocli's {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"rtc4j " + version(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }
}
