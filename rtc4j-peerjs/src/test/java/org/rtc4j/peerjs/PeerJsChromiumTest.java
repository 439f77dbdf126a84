package org.rtc4j.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.SignalingServer;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;

/**
 * Java {@link Peer} ↔ the real peerjs 1.5.5 client (web/node_modules) in headless Chromium, through our
 * SignalingServer on 127.0.0.1: every serialization in both directions (connections opened from either side),
 * then one large binary message (BinaryPack, chunked) with its SHA-256 checked in the browser.
 * Size: -Dpeerjs.largeMiB (default 16). Run inside {@code unshare --net} (scripts/test.sh does).
 */
@Timeout(300)
class PeerJsChromiumTest {
  static final Path PEERJS = Path.of("..", "web", "node_modules", "peerjs", "dist", "peerjs.min.js");

  @RegisterExtension
  BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false)
      .build());

  SignalingServer server;
  StaticHttpServer web;
  Peer jpeer;

  @BeforeEach
  void start() throws Exception {
    if (!Files.isRegularFile(PEERJS)) {
      String msg = "peerjs is not installed at " + PEERJS.toAbsolutePath().normalize() + " (run web/npm-ci.sh)";
      if (External.required()) {
        throw new AssertionError(msg);
      }
      Assumptions.abort(msg);
    }
    server = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build());
    web = StaticHttpServer.start()
        .content("/peerjs.min.js", "text/javascript; charset=utf-8", Files.readAllBytes(PEERJS))
        .page("/", "<!doctype html><meta charset=utf-8><title>peerjs</title><script src=/peerjs.min.js></script>"
            + "<body>peerjs ↔ rtc4j</body>");
  }

  @AfterEach
  void stop() {
    if (jpeer != null) {
      jpeer.destroy();
    }
    if (web != null) {
      web.close();
    }
    if (server != null) {
      server.close();
    }
  }

  Browser page() {
    Browser b = browsers.launch();
    b.open(web.uri("/"));
    b.awaitJs(Duration.ofSeconds(30), """
        const s = await navigator.mediaDevices.getUserMedia({audio: true});
        s.getTracks().forEach(t => t.stop());
        window.norm = (v) => {
          // peerjs itself delivers a reassembled (chunked) binary as a Uint8Array, others as ArrayBuffer
          if (ArrayBuffer.isView(v)) v = v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
          if (v instanceof ArrayBuffer) return 'bin:' + Array.from(new Uint8Array(v)).map(x => x.toString(16).padStart(2, '0')).join('');
          if (Array.isArray(v)) return v.map(norm);
          if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = norm(v[k]); return o; }
          return v;
        };
        window.peer = await new Promise((res, rej) => {
          const p = new Peer('web', {host: '127.0.0.1', port: args[0], path: '/', key: 'peerjs', secure: false,
                                     debug: 1, config: {iceServers: []}});
          p.on('open', () => res(p)); p.on('error', e => rej(new Error(e.type)));
        });
        window.got = [];
        peer.on('connection', c => {
          c.on('data', d => { window.got.push(norm(d)); c.send(d); });
        });
        return true;
        """, server.port());
    return b;
  }

  void openJava() throws Exception {
    jpeer = new Peer("java", PeerOptions.builder().host("127.0.0.1").port(server.port())
        .config(org.rtc4j.webrtc.RtcConfiguration.builder().hostAddress(InetAddress.getLoopbackAddress()).build())
        .build());
    CompletableFuture<String> opened = new CompletableFuture<>();
    jpeer.onOpen(opened::complete).onError(opened::completeExceptionally);
    opened.get(20, TimeUnit.SECONDS);
  }

  static List<Object> values(Serialization ser) {
    return switch (ser) {
      case RAW -> List.of("hello raw", new byte[] {1, 2, 3, (byte) 255});
      case JSON -> List.of("hello json", Map.of("a", List.of(1L, 2.5, true, "x")), 42L);
      case BINARY -> List.of("hello binary", Map.of("a", List.of(1L, 2.5, true, "ü✓")), new byte[] {9, 8, 7},
          -123456789L, bytes(40_000));
    };
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void everySerializationBothDirectionsThenALargeBinaryMessage() throws Exception {
    openJava();
    Browser b = page();
    List<Object> javaGot = new CopyOnWriteArrayList<>();
    jpeer.onConnection(c -> c.onData(d -> {
      javaGot.add(d);
      c.send(d); // echo back to the browser
    }));
    for (Serialization ser : Serialization.values()) {
      // Java → browser: Java opens the connection, the browser echoes
      DataConnection c = jpeer.connect("web", new ConnectOptions("j-" + ser.wire(), Map.of("from", "java"), ser, true));
      List<Object> echoes = new CopyOnWriteArrayList<>();
      c.onData(echoes::add);
      CompletableFuture<Void> open = new CompletableFuture<>();
      c.onOpen(() -> open.complete(null)).onError(open::completeExceptionally);
      open.get(60, TimeUnit.SECONDS);
      List<Object> sent = values(ser);
      sent.forEach(c::send);
      Wait.until(Duration.ofSeconds(60), ser + " echoes from the browser", () -> echoes.size() == sent.size());
      for (int i = 0; i < sent.size(); i++) {
        assertThat(echoes.get(i)).as(ser + " #" + i).usingRecursiveComparison().isEqualTo(sent.get(i));
      }
      c.close();

      // browser → Java: the browser opens the connection, Java echoes
      javaGot.clear();
      Object result = b.awaitJs(Duration.ofSeconds(60), """
          const c = peer.connect('java', {serialization: args[0], reliable: true, label: 'b-' + args[0],
                                           metadata: {from: 'browser'}});
          await new Promise((res, rej) => { c.on('open', res); c.on('error', rej); });
          const vals = args[0] === 'raw' ? ['from browser', new Uint8Array([5, 6, 7]).buffer]
                     : args[0] === 'json' ? ['from browser', {k: [1, 'two', false, null]}, 3.25]
                     : ['from browser', {k: [1, 'two', false, null]}, 3.25, new Uint8Array([5, 6, 7]).buffer,
                        new Uint8Array(30000).fill(7).buffer];
          const echoes = [];
          const done = new Promise(res => c.on('data', d => { echoes.push(norm(d)); if (echoes.length === vals.length) res(); }));
          for (const v of vals) c.send(v);
          await done;
          c.close();
          return {sent: vals.map(norm), echoes};
          """, ser.wire());
      @SuppressWarnings("unchecked")
      Map<String, Object> r = (Map<String, Object>) result;
      assertThat(r.get("echoes")).as(ser + " browser echoes").isEqualTo(r.get("sent"));
      assertThat(javaGot).as(ser + " received by Java").hasSize(((List<?>) r.get("sent")).size());
      assertThat(javaGot.get(0)).isEqualTo("from browser");
      if (ser != Serialization.RAW) {
        assertThat(javaGot.get(1)).isEqualTo(Map.of("k", java.util.Arrays.asList(1L, "two", false, null)));
        assertThat(javaGot.get(2)).isEqualTo(3.25);
      } else {
        assertThat((byte[]) javaGot.get(1)).containsExactly(5, 6, 7);
      }
    }

    // a large binary message: Java → browser, reassembled from 16300-byte chunks, SHA-256 checked in the page
    int mib = Integer.getInteger("peerjs.largeMiB", 16);
    byte[] big = bytes(mib * 1024 * 1024);
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
    b.js("""
        window.big = null;
        peer.on('connection', c => c.on('data', async d => {
          if (ArrayBuffer.isView(d)) d = d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength);
          if (d instanceof ArrayBuffer && d.byteLength > 1000000) {
            const h = await crypto.subtle.digest('SHA-256', d);
            window.big = {size: d.byteLength, sha: Array.from(new Uint8Array(h)).map(x => x.toString(16).padStart(2, '0')).join('')};
          }
        }));
        """);
    DataConnection c = jpeer.connect("web", new ConnectOptions("big", null, Serialization.BINARY, true));
    CompletableFuture<Void> open = new CompletableFuture<>();
    c.onOpen(() -> open.complete(null)).onError(open::completeExceptionally);
    open.get(60, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    c.send(big);
    Wait.until(Duration.ofSeconds(240), "the browser hashed the large message", () -> b.js("return window.big;") != null);
    double s = (System.nanoTime() - t0) / 1e9;
    @SuppressWarnings("unchecked")
    Map<String, Object> got = (Map<String, Object>) b.js("return window.big;");
    System.out.printf("peerjs binary %d MiB Java -> Chromium in %.1f s (%.2f MB/s)%n", mib, s, big.length / 1e6 / s);
    assertThat(((Number) got.get("size")).longValue()).isEqualTo(big.length);
    assertThat(got.get("sha")).isEqualTo(expected);
  }
}
