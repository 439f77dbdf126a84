package org.rtc4j.server.transfer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.DataChannelInit;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rtc4j send FILE --to http://127.0.0.1:8080}: offers ({@code POST /offer}, every candidate
 * in the SDP), opens a reliable ordered data channel and sends the file in 64 KiB messages, keeping
 * {@code bufferedAmount} between 1 and 4 MiB ({@code onBufferedAmountLow}), then the sha256, and
 * waits for the receiver's verdict (protocol: package Javadoc). Exit code 0 when the receiver
 * confirmed the same size and hash, 1 otherwise.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Send one file over a WebRTC data channel to 'rtc4j receive' (or any peer speaking its protocol).",
        "Prints a progress bar on stderr and a last line bytes=<N> seconds=<S> MBps=<rate> sha256=<hex>."},
    footer = {"", "Example: rtc4j send ./big.iso --to http://127.0.0.1:8080"})
public final class SendCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "the file to send")
  Path file;

  @Option(names = "--to", required = true, paramLabel = "URL",
      description = "the receiver's HTTP signaling base URL, e.g. http://127.0.0.1:8080 (/offer is appended)")
  String to;

  @Mixin
  TransferOptions options = new TransferOptions();

  /** Where the summary goes (tests replace it). */
  PrintStream stdout = System.out;
  /** Where the progress bar goes (tests replace it). */
  PrintStream stderr = System.err;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("not a readable file: " + file);
    }
    URI offerUri = URI.create(to.endsWith("/offer") ? to : to.replaceAll("/+$", "") + "/offer");
    Duration timeout = Duration.ofSeconds(options.timeoutSeconds);
    Progress progress = new Progress(options.noProgress ? new PrintStream(java.io.OutputStream.nullOutputStream())
        : stderr, "send");
    try (RtcRuntime runtime = RtcRuntime.create(1);
        PeerConnection pc = new PeerConnection(options.configuration(), runtime);
        FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      Sender sender = new Sender(pc, in, file.getFileName().toString(), in.size(), progress);
      CompletableFuture<Void> gathered = new CompletableFuture<>();
      pc.onIceGatheringStateChange(s -> {
        if (s == RtcIceGatheringState.COMPLETE) {
          gathered.complete(null);
        }
      });
      pc.onConnectionStateChange(s -> {
        if (s == RtcPeerConnectionState.FAILED || s == RtcPeerConnectionState.CLOSED) {
          sender.fail("connection " + s.toString().toLowerCase(java.util.Locale.ROOT));
        }
      });
      pc.setLocalDescription(pc.createOffer().get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
      gathered.get(15, TimeUnit.SECONDS);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(offerUri).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/sdp")
          .POST(HttpRequest.BodyPublishers.ofString(pc.localDescription().sdp())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201 && r.statusCode() != 200) {
        throw new IOException("POST " + offerUri + ": HTTP " + r.statusCode() + " " + r.body().strip());
      }
      pc.setRemoteDescription(RtcSessionDescription.answer(r.body())).get(10, TimeUnit.SECONDS);
      Sender.Outcome o;
      try {
        o = sender.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        sender.fail("no verdict from the receiver within " + options.timeoutSeconds + " s");
        o = sender.result.get();
      }
      sender.channel.close();
      if (!o.ok()) {
        stderr.println("rtc4j send: transfer failed: " + o.error());
      }
      stdout.println(TransferProtocol.summary(o.bytes(), o.seconds(), o.sha256()));
      stdout.flush();
      return o.ok() ? 0 : 1;
    }
  }

  /** The sending state machine; runs on the connection's callback executor. */
  static final class Sender {
    record Outcome(boolean ok, long bytes, double seconds, String sha256, String error) {}

    final DataChannel channel;
    final CompletableFuture<Outcome> result = new CompletableFuture<>();
    private final FileChannel in;
    private final String name;
    private final long size;
    private final Progress progress;
    private final MessageDigest digest;
    private final ByteBuffer chunk = ByteBuffer.allocate(TransferProtocol.CHUNK);
    private long sent;
    private long startNanos;
    private String sha;
    private boolean doneSent;

    Sender(PeerConnection pc, FileChannel in, String name, long size, Progress progress) {
      this.in = in;
      this.name = name;
      this.size = size;
      this.progress = progress;
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      channel = pc.createDataChannel(TransferProtocol.LABEL, DataChannelInit.defaults());
      channel.setBufferedAmountLowThreshold(TransferProtocol.LOW_WATER);
      channel.onOpen(() -> {
        startNanos = System.nanoTime();
        progress.start(size, startNanos);
        channel.send(TransferProtocol.file(name, size));
        pump();
      });
      channel.onBufferedAmountLow(this::pump);
      channel.onMessage(m -> {
        if (!m.isText()) {
          return;
        }
        try {
          Map<String, Object> msg = TransferProtocol.parse(m.text());
          if (!"result".equals(msg.get("type"))) {
            return;
          }
          double secs = (System.nanoTime() - startNanos) / 1e9;
          boolean ok = Boolean.TRUE.equals(msg.get("ok"));
          Object bytes = msg.get("bytes");
          String theirs = String.valueOf(msg.get("sha256"));
          String error = ok ? null : String.valueOf(msg.getOrDefault("error", "refused by the receiver"));
          if (ok && (!(bytes instanceof Long l) || l != size || !theirs.equalsIgnoreCase(sha))) {
            ok = false;
            error = "receiver reports " + bytes + " bytes sha256 " + theirs + ", sent " + size + " sha256 " + sha;
          }
          result.complete(new Outcome(ok, sent, secs, sha == null ? "" : sha, error));
        } catch (RuntimeException e) {
          fail("bad message from the receiver: " + e.getMessage());
        }
      });
      channel.onClose(() -> fail("channel closed before the receiver's verdict"));
      channel.onError(e -> fail("channel error: " + e.getMessage()));
    }

    /** Queues chunks until bufferedAmount reaches the high-water mark or the file ends. */
    private void pump() {
      if (doneSent || result.isDone()) {
        return;
      }
      try {
        while (channel.bufferedAmount() < TransferProtocol.HIGH_WATER) {
          chunk.clear();
          int n = in.read(chunk, sent);
          if (n <= 0) {
            if (sent != size) {
              throw new IOException("the file changed size while sending: " + sent + " of " + size);
            }
            sha = HexFormat.of().formatHex(digest.digest());
            channel.send(TransferProtocol.done(name, size, sha));
            doneSent = true;
            progress.finish(sent, System.nanoTime());
            return;
          }
          chunk.flip();
          digest.update(chunk.duplicate());
          channel.send(chunk);
          sent += n;
          progress.update(sent, System.nanoTime());
        }
      } catch (IOException | RuntimeException e) {
        fail(e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }

    void fail(String why) {
      if (result.isDone()) {
        return;
      }
      progress.finish(sent, System.nanoTime());
      result.complete(new Outcome(false, sent, startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9,
          sha == null ? "" : sha, why));
    }
  }
}
