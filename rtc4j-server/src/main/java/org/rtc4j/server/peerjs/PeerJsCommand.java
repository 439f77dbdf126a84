package org.rtc4j.server.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rtc4j.peerjs.ConnectOptions;
import org.rtc4j.peerjs.DataConnection;
import org.rtc4j.peerjs.Peer;
import org.rtc4j.peerjs.PeerOptions;
import org.rtc4j.peerjs.Serialization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rtc4j peerjs send|receive}: file transfer with the web app's protocol (web/README.md: one raw
 * DataConnection labelled "rtc4j-web", JSON text frames file-start/file-end/file-result, 32 KiB binary frames),
 * so the CLI interoperates with the web page in a browser. Progress bar on stderr; last line on stdout
 * {@code bytes=<N> seconds=<S> MBps=<rate> sha256=<hex>}.
 */
@Command(name = "peerjs", mixinStandardHelpOptions = true,
    description = "Send or receive a file with a PeerJS peer (the rtc4j web app or another rtc4j peerjs).",
    subcommands = {PeerJsCommand.Send.class, PeerJsCommand.Receive.class})
public final class PeerJsCommand implements Runnable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int FRAME = 32 * 1024;

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.err);
  }

  abstract static class Common {
    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:9000/",
        description = "PeerJS signaling server (default ${DEFAULT-VALUE})")
    URI server;

    @Option(names = "--key", defaultValue = "peerjs", description = "PeerJS key (default ${DEFAULT-VALUE})")
    String key;

    @Option(names = "--timeout", defaultValue = "600", description = "give up after this many seconds")
    int timeoutSeconds;

    PrintStream out = System.out;
    PrintStream err = System.err;

    Peer open(String id) throws Exception {
      Peer p = new Peer(id, PeerOptions.builder().server(server).key(key).build());
      CompletableFuture<String> opened = new CompletableFuture<>();
      p.onOpen(opened::complete).onError(e -> opened.completeExceptionally(e));
      opened.get(30, TimeUnit.SECONDS);
      return p;
    }

    void progress(long done, long total, long t0) {
      int width = 30;
      int filled = total <= 0 ? width : (int) (width * done / total);
      double s = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
      err.printf("\r[%s%s] %5.1f%% %.2f MB/s", "#".repeat(filled), " ".repeat(width - filled),
          total <= 0 ? 100.0 : 100.0 * done / total, done / 1e6 / s);
    }

    void summary(long bytes, long t0, String sha) {
      double s = (System.nanoTime() - t0) / 1e9;
      err.println();
      out.printf("bytes=%d seconds=%.3f MBps=%.2f sha256=%s%n", bytes, s, bytes / 1e6 / s, sha);
    }
  }

  @Command(name = "send", mixinStandardHelpOptions = true,
      description = "Send FILE to the peer --to ID (web app protocol); exit 0 when the receiver confirms the hash.")
  static final class Send extends Common implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Option(names = "--to", required = true, paramLabel = "ID")
    String to;

    @Override
    public Integer call() throws Exception {
      Peer peer = open(null);
      try {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("app", "rtc4j-web");
        meta.put("version", 1);
        DataConnection c = peer.connect(to, new ConnectOptions("rtc4j-web", meta, Serialization.RAW, true));
        CompletableFuture<Void> open = new CompletableFuture<>();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        c.onOpen(() -> open.complete(null)).onError(open::completeExceptionally);
        peer.onError(open::completeExceptionally);
        c.onData(d -> {
          if (d instanceof String s) {
            try {
              JsonNode m = JSON.readTree(s);
              if ("file-result".equals(m.path("type").asText())) {
                result.complete(m);
              } else if ("busy".equals(m.path("type").asText())) {
                result.completeExceptionally(new IllegalStateException("the receiver is busy"));
              }
            } catch (Exception ignored) {
              // not JSON: ignore, as the web app does
            }
          }
        });
        open.get(60, TimeUnit.SECONDS);
        long size = Files.size(file);
        String id = Long.toString(System.nanoTime(), 36);
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("type", "file-start");
        start.put("id", id);
        start.put("name", file.getFileName().toString());
        start.put("size", size);
        start.put("mime", "application/octet-stream");
        c.send(JSON.writeValueAsString(start));
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long t0 = System.nanoTime();
        long sent = 0;
        long lastPrint = 0;
        try (InputStream in = Files.newInputStream(file)) {
          byte[] buf = new byte[FRAME];
          int n;
          while ((n = in.readNBytes(buf, 0, FRAME)) > 0) {
            // back-pressure as the web app: at most 4 MiB in the channel, nothing queued in the connection
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (c.bufferSize() > 0 || c.bufferedAmount() > 4L * 1024 * 1024) {
              if (!c.open() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the connection closed or stalled");
              }
              Thread.onSpinWait();
              TimeUnit.MILLISECONDS.sleep(2);
            }
            md.update(buf, 0, n);
            c.send(java.util.Arrays.copyOf(buf, n));
            sent += n;
            if (System.nanoTime() - lastPrint > 200_000_000L) {
              lastPrint = System.nanoTime();
              progress(sent, size, t0);
            }
          }
        }
        String sha = HexFormat.of().formatHex(md.digest());
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("type", "file-end");
        end.put("id", id);
        end.put("sha256", sha);
        c.send(JSON.writeValueAsString(end));
        JsonNode r = result.get(timeoutSeconds, TimeUnit.SECONDS);
        progress(sent, size, t0);
        summary(sent, t0, sha);
        boolean ok = r.path("ok").asBoolean(false) && sha.equals(r.path("sha256").asText());
        if (!ok) {
          err.println("the receiver reports a mismatch: " + r);
        }
        return ok ? 0 : 1;
      } finally {
        peer.destroy();
      }
    }
  }

  @Command(name = "receive", mixinStandardHelpOptions = true,
      description = "Register --id ID and receive one file into --out DIR (web app protocol).")
  static final class Receive extends Common implements Callable<Integer> {
    @Option(names = "--id", required = true, paramLabel = "ID")
    String id;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(out);
      Peer peer = open(id);
      CompletableFuture<Integer> done = new CompletableFuture<>();
      err.println("waiting for a file as '" + id + "' on " + server);
      peer.onConnection(c -> {
        final Object[] state = new Object[4]; // OutputStream, MessageDigest, size, t0
        final long[] got = {0, 0, 0};
        c.onData(d -> {
          try {
            if (d instanceof String s) {
              JsonNode m = JSON.readTree(s);
              switch (m.path("type").asText()) {
                case "file-start" -> {
                  String name = Path.of(m.path("name").asText("file")).getFileName().toString();
                  state[0] = Files.newOutputStream(out.resolve(name));
                  state[1] = MessageDigest.getInstance("SHA-256");
                  got[1] = m.path("size").asLong(-1);
                  got[2] = System.nanoTime();
                  got[0] = 0;
                }
                case "file-end" -> {
                  ((OutputStream) state[0]).close();
                  String sha = HexFormat.of().formatHex(((MessageDigest) state[1]).digest());
                  boolean ok = sha.equals(m.path("sha256").asText()) && (got[1] < 0 || got[1] == got[0]);
                  Map<String, Object> r = new LinkedHashMap<>();
                  r.put("type", "file-result");
                  r.put("id", m.path("id").asText());
                  r.put("ok", ok);
                  r.put("sha256", sha);
                  r.put("size", got[0]);
                  c.send(JSON.writeValueAsString(r));
                  progress(got[0], got[1], got[2]);
                  summary(got[0], got[2], sha);
                  done.complete(ok ? 0 : 1);
                }
                case "file-cancel" -> done.complete(1);
                default -> { }
              }
            } else if (d instanceof byte[] b && state[0] != null) {
              ((OutputStream) state[0]).write(b);
              ((MessageDigest) state[1]).update(b);
              long before = got[0];
              got[0] += b.length;
              if (before / (1 << 22) != got[0] / (1 << 22)) {
                progress(got[0], got[1], got[2]);
              }
            }
          } catch (Exception e) {
            done.completeExceptionally(e);
          }
        });
      });
      try {
        int rc = done.get(timeoutSeconds, TimeUnit.SECONDS);
        TimeUnit.MILLISECONDS.sleep(500); // let file-result leave before the peer is destroyed
        return rc;
      } finally {
        peer.destroy();
      }
    }
  }
}
