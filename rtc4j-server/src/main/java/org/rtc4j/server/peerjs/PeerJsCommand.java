package org.rtc4j.server.peerjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rtc4j.peerjs.ConnectOptions;
import org.rtc4j.peerjs.DataConnection;
import org.rtc4j.peerjs.Peer;
import org.rtc4j.peerjs.PeerOptions;
import org.rtc4j.peerjs.Serialization;
import org.rtc4j.server.transfer.TransferOptions;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rtc4j peerjs send|receive}: file transfer with the web app's protocol (web/README.md: one raw
 * DataConnection labelled "rtc4j-web", JSON text frames file-start/file-end/file-result, 32 KiB binary frames),
 * so the CLI interoperates with the web page in a browser. Progress bar on stderr; last line on stdout
 * {@code bytes=<N> seconds=<S> MBps=<rate> sha256=<hex>}. Output goes to picocli's out/err writers, so the
 * commands run in-process in tests.
 */
@Command(name = "peerjs", mixinStandardHelpOptions = true,
    description = "Send or receive a file with a PeerJS peer (the rtc4j web app or another rtc4j peerjs).",
    subcommands = {PeerJsCommand.Send.class, PeerJsCommand.Receive.class})
public final class PeerJsCommand implements Runnable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Bytes per binary frame, as the web app sends them. */
  static final int FRAME = 32 * 1024;
  /** Back-pressure as the web app: at most this many bytes in the data channel. */
  static final long HIGH_WATER = 4L * 1024 * 1024;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** The last path element of a sender's file name, so it cannot write outside the directory. */
  static String safeName(String raw) {
    String n = raw.replace('\\', '/');
    n = n.substring(n.lastIndexOf('/') + 1).strip();
    if (n.isEmpty() || n.equals(".") || n.equals("..") || n.startsWith(".") && n.endsWith(".part")
        || n.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("unusable file name: '" + raw + "'");
    }
    return n;
  }

  abstract static class Common {
    @Option(names = "--server", paramLabel = "URL", defaultValue = "http://127.0.0.1:9000/",
        description = "PeerJS signaling server (default ${DEFAULT-VALUE})")
    URI server;

    @Option(names = "--key", defaultValue = "peerjs", description = "PeerJS key (default ${DEFAULT-VALUE})")
    String key;

    @Option(names = "--no-server-ice", description = "do not ask the signaling server for STUN/TURN servers "
        + "({path}{key}/ice-servers, as the web app does); gather host candidates only")
    boolean noServerIce;

    @Mixin
    TransferOptions transfer;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    /**
     * The connection configuration: the transfer options plus, as the web app loads them, the STUN/TURN servers
     * (with freshly minted TURN credentials) the rtc4j signaling server hands out; none when it has no such endpoint.
     */
    RtcConfiguration configuration() {
      RtcConfiguration base = transfer.configuration();
      if (noServerIce) {
        return base;
      }
      String path = server.getRawPath() == null || server.getRawPath().isEmpty() ? "/" : server.getRawPath();
      URI url = server.resolve((path.endsWith("/") ? path : path + "/")
          + URLEncoder.encode(key, StandardCharsets.UTF_8) + "/ice-servers");
      try {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(4)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(4)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          err().println("no STUN/TURN from the server (HTTP " + r.statusCode() + "): direct connections only");
          return base;
        }
        List<RtcIceServer> servers = new ArrayList<>();
        for (JsonNode s : JSON.readTree(r.body()).path("iceServers")) {
          List<String> urls = new ArrayList<>();
          JsonNode u = s.has("urls") ? s.get("urls") : s.path("url");
          if (u.isArray()) {
            u.forEach(x -> urls.add(x.asText()));
          } else if (u.isTextual()) {
            urls.add(u.asText());
          }
          if (!urls.isEmpty()) {
            servers.add(new RtcIceServer(urls, s.path("username").asText(null), s.path("credential").asText(null)));
          }
        }
        err().println("ICE servers from the server: " + servers.stream().flatMap(x -> x.urls().stream()).toList());
        return base.toBuilder().iceServers(servers).build();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return base;
      } catch (Exception e) {
        err().println("no STUN/TURN from the server (" + e + "): direct connections only");
        return base;
      }
    }

    Peer open(String id) throws Exception {
      Peer p = new Peer(id, PeerOptions.builder().server(server).key(key).config(configuration()).build());
      CompletableFuture<String> opened = new CompletableFuture<>();
      p.onOpen(opened::complete).onError(e -> opened.completeExceptionally(e));
      try {
        opened.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroy();
        throw e;
      }
      return p;
    }

    void progress(long done, long total, long t0) {
      if (transfer.noProgress()) {
        return;
      }
      int width = 30;
      int filled = total <= 0 ? width : (int) (width * Math.min(done, total) / total);
      double s = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
      err().printf("\r[%s%s] %5.1f%% %.2f MB/s", "#".repeat(filled), " ".repeat(width - filled),
          total <= 0 ? 100.0 : 100.0 * done / total, done / 1e6 / s);
      err().flush();
    }

    void summary(long bytes, long t0, String sha) {
      double s = (System.nanoTime() - t0) / 1e9;
      if (!transfer.noProgress()) {
        err().println();
        err().flush();
      }
      out().printf("bytes=%d seconds=%.3f MBps=%.2f sha256=%s%n", bytes, s, bytes / 1e6 / s, sha);
      out().flush();
    }

    /** Waits (bounded) until what was sent on {@code c} has been handed to the network. */
    static void hangUpWait(DataConnection c, long maxMillis) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
      while (c.open() && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
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
      long size = Files.size(file);
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
        c.onClose(() -> result.completeExceptionally(new IllegalStateException("the receiver closed the connection")));
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
        long deadline = t0 + TimeUnit.SECONDS.toNanos(transfer.timeoutSeconds());
        long sent = 0;
        long lastPrint = 0;
        try (InputStream in = Files.newInputStream(file)) {
          byte[] buf = new byte[FRAME];
          int n;
          while ((n = in.readNBytes(buf, 0, FRAME)) > 0) {
            // back-pressure as the web app: at most 4 MiB in the channel, nothing queued in the connection
            while (c.bufferSize() > 0 || c.bufferedAmount() > HIGH_WATER) {
              if (!c.open() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the connection closed or stalled after " + sent + " bytes");
              }
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
        long left = Math.max(1, deadline - System.nanoTime());
        JsonNode r = result.get(left, TimeUnit.NANOSECONDS);
        progress(sent, size, t0);
        boolean ok = r.path("ok").asBoolean(false) && sha.equals(r.path("sha256").asText());
        if (!ok) {
          err().println("the receiver reports a mismatch: " + r);
        }
        summary(sent, t0, sha);
        return ok ? 0 : 1;
      } finally {
        peer.destroy();
      }
    }
  }

  @Command(name = "receive", mixinStandardHelpOptions = true,
      description = "Register --id ID and receive one file into --out DIR (web app protocol); exit 0 when its "
          + "SHA-256 matches the sender's.")
  static final class Receive extends Common implements Callable<Integer> {
    @Option(names = "--id", required = true, paramLabel = "ID")
    String id;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    /** One incoming file: written to a hidden .part file, renamed when its hash matched. */
    private final class Incoming {
      final Path part;
      final Path target;
      final OutputStream stream;
      final MessageDigest md = MessageDigest.getInstance("SHA-256");
      final long size;
      final long t0 = System.nanoTime();
      long received;

      Incoming(String name, long size) throws Exception {
        this.target = out.resolve(safeName(name));
        this.part = out.resolve("." + target.getFileName() + ".part");
        this.stream = Files.newOutputStream(part);
        this.size = size;
      }
    }

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(out);
      Peer peer = open(id);
      CompletableFuture<Integer> done = new CompletableFuture<>();
      err().println("waiting for a file as '" + id + "' on " + server);
      err().flush();
      DataConnection[] conn = new DataConnection[1];
      peer.onConnection(c -> {
        conn[0] = c;
        Incoming[] file = new Incoming[1];
        c.onData(d -> {
          try {
            if (d instanceof String s) {
              JsonNode m = JSON.readTree(s);
              switch (m.path("type").asText()) {
                case "file-start" -> {
                  if (file[0] != null) {
                    file[0].stream.close();
                    Files.deleteIfExists(file[0].part);
                  }
                  file[0] = new Incoming(m.path("name").asText("file"), m.path("size").asLong(-1));
                }
                case "file-end" -> {
                  Incoming f = file[0];
                  if (f == null) {
                    return;
                  }
                  f.stream.close();
                  String sha = HexFormat.of().formatHex(f.md.digest());
                  boolean ok = sha.equals(m.path("sha256").asText()) && (f.size < 0 || f.size == f.received);
                  if (ok) {
                    Files.move(f.part, f.target, StandardCopyOption.REPLACE_EXISTING);
                  } else {
                    Files.deleteIfExists(f.part);
                    err().println("\nsha256 mismatch or wrong size: got " + f.received + " bytes, sha256 " + sha
                        + "; the sender announced " + f.size + " bytes, sha256 " + m.path("sha256").asText());
                  }
                  Map<String, Object> r = new LinkedHashMap<>();
                  r.put("type", "file-result");
                  r.put("id", m.path("id").asText());
                  r.put("ok", ok);
                  r.put("sha256", sha);
                  r.put("size", f.received);
                  c.send(JSON.writeValueAsString(r));
                  progress(f.received, f.size, f.t0);
                  summary(f.received, f.t0, sha);
                  done.complete(ok ? 0 : 1);
                }
                case "file-cancel" -> done.complete(1);
                default -> { }
              }
            } else if (d instanceof byte[] b && file[0] != null) {
              Incoming f = file[0];
              f.stream.write(b);
              f.md.update(b);
              long before = f.received;
              f.received += b.length;
              if (before / (1 << 22) != f.received / (1 << 22)) {
                progress(f.received, f.size, f.t0);
              }
            }
          } catch (Exception e) {
            done.completeExceptionally(e);
          }
        });
      });
      try {
        int rc = done.get(transfer.timeoutSeconds(), TimeUnit.SECONDS);
        if (conn[0] != null) {
          // file-result is sent from the connection's event thread after the handler that completed `done`
          // returns, and destroying the peer ends the association with an ABORT that drops whatever SCTP has not
          // sent yet (pacing may hold it a moment): so wait for the sender to hang up, which it does once it has
          // the result, for at most 3 s (a sender that keeps the connection open, e.g. the web app).
          hangUpWait(conn[0], 3000);
        }
        return rc;
      } finally {
        peer.destroy();
      }
    }
  }
}
