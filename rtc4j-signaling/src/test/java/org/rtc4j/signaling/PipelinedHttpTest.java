package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.testkit.Wait;

/**
 * HTTP/1.1 pipelining: responses leave in request order even when an earlier request ({@code GET /peers}) is
 * answered by the registry later than a later one ({@code GET /id}) could be (the Redis registry's round trip).
 */
@Timeout(30)
class PipelinedHttpTest {
  SignalingServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The in-memory registry, except that {@link #ids} answers when the test says so. */
  static final class SlowIds extends ForwardingRegistry {
    final AtomicReference<CompletableFuture<List<String>>> pending = new AtomicReference<>();

    @Override
    public CompletionStage<List<String>> ids(Tenant t) {
      CompletableFuture<List<String>> f = new CompletableFuture<>();
      pending.set(f);
      return f;
    }
  }

  @Test
  void aPipelinedRequestIsAnsweredAfterTheSlowOneBeforeIt() throws Exception {
    SlowIds registry = new SlowIds();
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).allowDiscovery(true)
        .build();
    config.tenants().forEach(registry.memory::addTenant);
    server = SignalingServer.start(config, registry);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(10_000);
      String two = "GET /peerjs/peers HTTP/1.1\r\nHost: x\r\n\r\nGET /peerjs/id HTTP/1.1\r\nHost: x\r\n\r\n";
      s.getOutputStream().write(two.getBytes(StandardCharsets.US_ASCII)); // one write: both requests in one read
      s.getOutputStream().flush();
      Wait.until(Duration.ofSeconds(10), "the registry was asked for the ids", () -> registry.pending.get() != null);
      // The /id request is decoded by now; had it been answered, its bytes would be waiting on the socket.
      registry.pending.get().complete(List.of("alice", "bob"));
      InputStream in = s.getInputStream();
      String first = readResponse(in);
      String second = readResponse(in);
      assertThat(first).startsWith("HTTP/1.1 200").contains("application/json").endsWith("[\"alice\",\"bob\"]");
      assertThat(second).startsWith("HTTP/1.1 200").containsPattern("\r\n\r\n[0-9a-f-]{36}$");
    }
  }

  /** Reads one response with a Content-Length body. */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.write(b);
      String h = head.toString(StandardCharsets.US_ASCII);
      if (h.endsWith("\r\n\r\n")) {
        int len = 0;
        for (String line : h.split("\r\n")) {
          if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
            len = Integer.parseInt(line.substring(15).strip());
          }
        }
        return h + new String(in.readNBytes(len), StandardCharsets.UTF_8);
      }
    }
  }
}
