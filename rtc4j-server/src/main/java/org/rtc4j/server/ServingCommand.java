package org.rtc4j.server;

import ch.qos.logback.classic.Level;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * What {@code serve} and {@code turn} share: the coturn-named TURN options, the config file,
 * starting the services and running until the process is told to stop (SIGINT, SIGTERM).
 */
abstract class ServingCommand implements Callable<Integer>, RunsServer {

  private volatile boolean ranServer;

  @Spec
  CommandSpec spec;

  @Mixin
  TurnOptions turn = new TurnOptions();

  /** A fresh instance of the same command, to parse a config file into. */
  abstract ServingCommand fresh();

  /** Applies {@code --config FILE} (the command line wins) and returns the merged options. */
  TurnOptions resolvedOptions() throws java.io.IOException {
    if (turn.config != null) {
      CommandLine cli = spec.commandLine();
      ParseResult result = cli.getParseResult();
      ConfigFile.apply(turn.config, cli, result, fresh());
    }
    return turn;
  }

  @Override
  public Integer call() throws Exception {
    TurnOptions options = resolvedOptions();
    if (options.verbose) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.rtc4j")).setLevel(Level.DEBUG);
    }
    PrintStream out = System.out;
    TurnService service = TurnService.start(options, out);
    AutoCloseable more;
    try {
      more = startMore(service, out);
    } catch (Exception | Error e) {
      service.close();
      throw e;
    }
    ranServer = true;
    if (more instanceof SignalingService signaling) {
      JitYield.start(() -> signaling.server().stats().relayed());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        more.close();
      } catch (Exception e) {
        Main.warn("stopping failed: " + e);
      }
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

  /** Services started next to the TURN server ({@code serve}: signaling); closed before it. */
  AutoCloseable startMore(TurnService turn, PrintStream out) throws Exception {
    return () -> { };
  }

  /** Whether this command started its server (then {@code main} leaves the exit to the shutdown hook). */
  @Override
  public boolean ranServer() {
    return ranServer;
  }
}
