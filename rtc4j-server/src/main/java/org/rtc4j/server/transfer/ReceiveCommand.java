package org.rtc4j.server.transfer;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rtc4j.server.EchoCommand;
import org.rtc4j.server.echo.EchoHttpServer;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rtc4j receive --http 127.0.0.1:8080 --out DIR}: waits, like {@code rtc4j echo}, for an
 * offer on {@code POST /offer}, receives one file on its data channel (protocol: package Javadoc),
 * checks its sha256, writes it into DIR and exits. Exit code 0 when the file arrived intact, 1
 * otherwise.
 */
@Command(name = "receive", mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Receive one file over a WebRTC data channel; signaling: POST /offer as rtc4j echo.",
        "Prints a progress bar on stderr and a last line bytes=<N> seconds=<S> MBps=<rate> sha256=<hex>."},
    footer = {"", "Example: rtc4j receive --http 127.0.0.1:8080 --out /tmp/in   # then: rtc4j send FILE --to http://127.0.0.1:8080"})
public final class ReceiveCommand implements Callable<Integer> {

  @Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "address of the HTTP signaling endpoint (default ${DEFAULT-VALUE}; port 0 = any)")
  String http;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "directory the file goes into (default: .)")
  Path out;

  @Mixin
  TransferOptions options = new TransferOptions();

  /** Where the summary goes (tests replace it). */
  PrintStream stdout = System.out;
  /** Where the progress bar goes (tests replace it). */
  PrintStream stderr = System.err;
  /** Completed with the HTTP address once listening (for tests that bind port 0). */
  final CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();

  @Override
  public Integer call() throws Exception {
    EchoCommand echo = new EchoCommand();
    new CommandLine(echo).parseArgs("--http", http);
    InetSocketAddress bind = echo.httpAddress();
    RtcConfiguration config = options.configuration();
    Progress progress = new Progress(options.noProgress ? new PrintStream(java.io.OutputStream.nullOutputStream())
        : stderr, "receive");
    CompletableFuture<FileReceiver.Outcome> result = new CompletableFuture<>();
    CompletableFuture<FileReceiver> current = new CompletableFuture<>();
    FileReceiver.Outcome o;
    try (RtcRuntime runtime = RtcRuntime.create();
        EchoHttpServer server = EchoHttpServer.start(bind, (id, ended) -> {
          FileReceiver r = new FileReceiver(id, ended, config, runtime, out, progress, result);
          current.complete(r);
          return r;
        }, Duration.ofSeconds(15), 1)) {
      listening.complete(server.address());
      stdout.println("rtc4j receive: waiting for an offer on " + server.baseUrl() + "/offer; files go to "
          + out.toAbsolutePath());
      stdout.flush();
      try {
        o = result.get(options.timeoutSeconds, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        stderr.println("rtc4j receive: no complete transfer within " + options.timeoutSeconds + " s");
        return 1;
      }
      // let the result message reach the sender: it closes the channel when it has it
      try {
        current.get().channelClosed().get(5, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // the sender went away without closing: nothing left to deliver
      }
    }
    // after the server and runtime closed, so their log lines come before the summary
    if (o.ok()) {
      stdout.println("received " + o.name() + " -> " + o.file());
    } else {
      stderr.println("rtc4j receive: transfer failed: " + o.error());
    }
    stdout.println(TransferProtocol.summary(o.bytes(), o.seconds(), o.sha256()));
    stdout.flush();
    return o.ok() ? 0 : 1;
  }
}
