package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;

/**
 * The real {@code peerjs} 1.5.5 client (web/node_modules, installed by web/npm-ci.sh from the
 * committed lock file; never a CDN) in headless Chromium against our server: two pages exchange
 * data over a DataConnection (browser ↔ browser, signaled by us), ID-TAKEN, EXPIRE for an id that
 * never comes (client error {@code peer-unavailable}), disconnect + reconnect with the same id, a re-attach with
 * the id and token of a still-registered peer (our OPEN fires peerjs's {@code open} again); a media
 * call with fake camera and microphone both ways, decoding frames, and its hang-up.
 * Pages are served from http://127.0.0.1 by {@link StaticHttpServer}. Run inside {@code unshare --net}
 * (scripts/test.sh does).
 */
@Timeout(180)
class PeerJsBrowserTest {

  static final Path PEERJS = Path.of("..", "web", "node_modules", "peerjs", "dist", "peerjs.min.js");

  @RegisterExtension
  BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false)
      .allowInsecureLocalhost(true) // the wss:// test's self-signed certificate
      .build());

  SignalingServer server;
  StaticHttpServer web;

  @BeforeEach
  void start() throws Exception {
    if (!Files.isRegularFile(PEERJS)) {
      String msg = "peerjs is not installed at " + PEERJS.toAbsolutePath().normalize() + " (run web/npm-ci.sh)";
      if (External.required()) {
        throw new AssertionError(msg);
      }
      Assumptions.abort(msg);
    }
    server = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .expireTimeout(Duration.ofMillis(1500)).expireSweepInterval(Duration.ofMillis(200)).build());
    web = StaticHttpServer.start()
        .content("/peerjs.min.js", "text/javascript; charset=utf-8", Files.readAllBytes(PEERJS))
        .page("/", "<!doctype html><meta charset=utf-8><title>peerjs test</title><script src=/peerjs.min.js></script>"
            + "<body>peerjs against rtc4j</body>");
  }

  @AfterEach
  void stop() {
    if (web != null) {
      web.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Opens the page; creates {@code window.makePeer(id)} resolving on 'open' with the peer. */
  Browser page() {
    Browser b = browsers.launch();
    b.open(web.uri("/"));
    b.awaitJs(Duration.ofSeconds(20), """
        // media permission once: Chromium then gathers 127.0.0.1 host candidates (browser-notes.md)
        const s = await navigator.mediaDevices.getUserMedia({audio: true});
        s.getTracks().forEach(t => t.stop());
        """ + PEER_HELPERS, server.port());
    b.awaitJs(Duration.ofSeconds(5), CALL_HELPERS);
    return b;
  }

  /** {@code window.makePeer(id)} resolving on 'open' with a peer of our server on port {@code args[0]}. */
  static final String PEER_HELPERS = """
      window.events = [];
      window.opts = {host: '127.0.0.1', port: args[0], path: '/', key: 'peerjs', secure: false, debug: 1,
                     config: {iceServers: []}};
      window.makePeer = (id) => new Promise((resolve, reject) => {
        const p = id ? new Peer(id, window.opts) : new Peer(window.opts);
        p.on('open', i => { window.events.push('open:' + i); resolve(p); });
        p.on('error', e => { window.events.push('error:' + e.type); reject(new Error(e.type)); });
      });
      return true;
      """;

  /**
   * Page helpers for calls: {@code watchCall(call)} records the call's events in {@code window.call*}
   * and plays the remote stream in a {@code <video>} (Chromium decodes remote audio only for a
   * playing sink); {@code inbound()} reads the inbound-rtp video and audio counters from getStats.
   */
  static final String CALL_HELPERS = """
      window.watchCall = (call) => {
        window.call = call; window.callEvents = [];
        call.on('stream', s => {
          // peerjs emits 'stream' once per remote track (ontrack), with the same stream each time
          const e = 'stream:' + s.getVideoTracks().length + 'v' + s.getAudioTracks().length + 'a';
          if (window.callEvents.includes(e)) return;
          window.callEvents.push(e);
          const v = document.createElement('video');
          v.id = 'remote'; v.autoplay = true; v.playsInline = true; v.srcObject = s;
          document.body.appendChild(v);
          v.play().catch(e => window.callEvents.push('play-failed:' + e.name));
        });
        call.on('close', () => window.callEvents.push('close'));
        call.on('error', e => window.callEvents.push('error:' + e.type));
      };
      window.inbound = async () => {
        const r = {framesDecoded: -1, frameWidth: 0, audioPackets: -1, audioSamples: -1, videoPackets: -1};
        (await window.call.peerConnection.getStats()).forEach(s => {
          if (s.type !== 'inbound-rtp') return;
          if (s.kind === 'video') { r.framesDecoded = s.framesDecoded; r.frameWidth = s.frameWidth || 0; r.videoPackets = s.packetsReceived; }
          if (s.kind === 'audio') { r.audioPackets = s.packetsReceived; r.audioSamples = s.totalSamplesReceived ?? -1; }
        });
        const v = document.getElementById('remote');
        r.videoWidth = v ? v.videoWidth : 0;
        return r;
      };
      return true;
      """;

  /**
   * A media call between two pages signaled by us: page A calls with its fake camera and
   * microphone, page B answers with its own; both get the other's stream, both remote videos
   * decode more and more frames and both receive more and more audio (getStats read twice); A's
   * hang-up closes B's call (peerjs 1.5 closes the remote through the call's own data channel).
   */
  @Test
  void twoBrowsersCallEachOtherWithFakeMediaAndHangUp() {
    Browser a = page();
    Browser b = page();
    b.awaitJs(Duration.ofSeconds(20), """
        const local = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        window.peer = await makePeer('callee');
        peer.on('call', call => { watchCall(call); call.answer(local); });
        return peer.id;
        """);
    a.awaitJs(Duration.ofSeconds(30), """
        const local = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        window.peer = await makePeer('caller');
        watchCall(peer.call('callee', local));
        await new Promise((res, rej) => { call.on('stream', res); call.on('error', rej); peer.on('error', rej); });
        return true;
        """);
    b.waitFor(Duration.ofSeconds(20), "window.callEvents && window.callEvents.includes('stream:1v1a')");
    assertThat(a.js("return window.callEvents;")).isEqualTo(java.util.List.of("stream:1v1a"));
    assertThat(b.js("return window.call.peer;")).isEqualTo("caller");
    for (Browser page : java.util.List.of(a, b)) {
      page.waitFor(Duration.ofSeconds(20), "document.getElementById('remote').videoWidth > 0");
      Map<?, ?> first = inbound(page);
      Wait.untilAsserted(Duration.ofSeconds(30), "remote video decodes and audio arrives", () -> {
        Map<?, ?> now = inbound(page);
        assertThat(num(now.get("framesDecoded"))).as("framesDecoded").isGreaterThan(num(first.get("framesDecoded")) + 10);
        assertThat(num(now.get("audioPackets"))).as("audio packetsReceived").isGreaterThan(num(first.get("audioPackets")) + 10);
        assertThat(num(now.get("audioSamples"))).as("audio totalSamplesReceived").isGreaterThan(num(first.get("audioSamples")));
      });
      assertThat(num(inbound(page).get("frameWidth"))).as("decoded frame width").isGreaterThan(0);
    }
    assertThat(server.stats().relayed()).as("OFFER, ANSWER and CANDIDATEs relayed").isGreaterThanOrEqualTo(3);

    // hang-up on A reaches B
    a.js("window.call.close();");
    b.waitFor(Duration.ofSeconds(20), "window.callEvents.includes('close')");
    assertThat(a.js("return window.callEvents;")).isEqualTo(java.util.List.of("stream:1v1a", "close"));
    assertThat(b.js(Boolean.class, "return window.call.open;")).isFalse();
  }

  @Test
  void twoBrowsersExchangeDataOverWss(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // --sslkey/--sslcert as a peerjs user runs them: the client with secure: true gets its id over
    // HTTPS and signals over wss://; the pages stay on plain http://127.0.0.1 (a secure context).
    org.rtc4j.testkit.SelfSignedCertificate cert = org.rtc4j.testkit.SelfSignedCertificate.create(dir);
    try (SignalingServer tls = SignalingServer.start(SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .tls(cert.key(), cert.cert()).build())) {
      Browser a = page();
      Browser b = page();
      for (Browser p : java.util.List.of(a, b)) {
        p.js("window.opts.secure = true; window.opts.port = arguments[0];", tls.port());
      }
      b.awaitJs(Duration.ofSeconds(20), """
          window.peer = await makePeer('bob');
          peer.on('connection', c => c.on('data', d => c.send('pong:' + d)));
          return peer.id;
          """);
      Object reply = a.awaitJs(Duration.ofSeconds(60), """
          const peer = await makePeer(null); // the id from GET https://.../peerjs/id
          window.myId = peer.id;
          const c = peer.connect('bob', {reliable: true});
          await new Promise((res, rej) => { c.on('open', res); c.on('error', rej); peer.on('error', rej); });
          const answer = new Promise(res => c.on('data', res));
          c.send('ping over tls');
          return await answer;
          """);
      assertThat(reply).isEqualTo("pong:ping over tls");
      assertThat(tls.stats().idsIssued()).isEqualTo(1);
      assertThat(tls.stats().relayed()).as("OFFER, ANSWER and CANDIDATEs over wss://").isGreaterThanOrEqualTo(3);
      assertThat(server.stats().relayed()).as("nothing through the plain-text server").isZero();
    }
  }

  static Map<?, ?> inbound(org.rtc4j.testkit.browser.BrowserPage page) {
    return page.awaitJs(Map.class, Duration.ofSeconds(30), "return await window.inbound();");
  }

  static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  @Test
  void twoBrowsersExchangeDataThenIdTakenExpireAndReconnect() {
    Browser a = page();
    Browser b = page();
    b.awaitJs(Duration.ofSeconds(20), """
        window.got = [];
        window.peer = await makePeer('bob');
        peer.on('connection', c => {
          c.on('data', d => { window.got.push(d); c.send('pong:' + d); });
        });
        return peer.id;
        """);
    Object reply = a.awaitJs(Duration.ofSeconds(60), """
        const peer = await makePeer(null); // the id comes from GET /peerjs/id
        window.myId = peer.id;
        const c = peer.connect('bob', {reliable: true});
        await new Promise((res, rej) => { c.on('open', res); c.on('error', rej); peer.on('error', rej); });
        const answer = new Promise(res => c.on('data', res));
        c.send('ping');
        return await answer;
        """);
    assertThat(reply).isEqualTo("pong:ping");
    assertThat(b.js("return window.got;")).isEqualTo(java.util.List.of("ping"));
    String aliceId = a.js(String.class, "return window.myId;");
    assertThat(aliceId).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(server.stats().relayed()).as("OFFER, ANSWER and CANDIDATEs relayed").isGreaterThanOrEqualTo(3);
    assertThat(server.stats().idsIssued()).isEqualTo(1);

    // in the same browser (a Chromium launch is the slow part): ID-TAKEN, EXPIRE, reconnect
    @SuppressWarnings("unchecked")
    Map<String, Object> r = (Map<String, Object>) a.awaitJs(Duration.ofSeconds(60), """
        const out = {};
        // ID-TAKEN: a second Peer with the same id gets 'unavailable-id'
        const first = await makePeer('dup');
        try { await makePeer('dup'); out.second = 'opened'; } catch (e) { out.second = e.message; }
        // EXPIRE: a connection to an id that never comes ends in 'peer-unavailable'
        const t0 = Date.now();
        out.expire = await new Promise(res => {
          first.on('error', e => res(e.type + ':' + e.message));
          first.connect('never-comes');
        });
        out.expireMs = Date.now() - t0;
        // reconnect: disconnect, then reconnect() with the same id and token opens again
        const opened = new Promise(res => first.on('open', id => res(id)));
        await new Promise(res => { first.on('disconnected', res); first.disconnect(); });
        out.disconnected = first.disconnected;
        first.reconnect();
        out.reopened = await opened;
        out.stillDisconnected = first.disconnected;
        return out;
        """);
    assertThat(r.get("second")).isEqualTo("unavailable-id");
    assertThat((String) r.get("expire")).startsWith("peer-unavailable:").contains("never-comes");
    assertThat(((Number) r.get("expireMs")).longValue()).isBetween(1000L, 15_000L);
    assertThat(r.get("disconnected")).isEqualTo(true);
    assertThat(r.get("reopened")).isEqualTo("dup");
    assertThat(r.get("stillDisconnected")).isEqualTo(false);
    assertThat(server.stats().rejections(SignalingStats.Rejection.ID_TAKEN)).isEqualTo(1);
    assertThat(server.stats().expireSent()).isGreaterThanOrEqualTo(1);
  }

  /**
   * Our deliberate difference from upstream, seen by the real client: a connection with the id and token of a
   * registered peer re-attaches and gets OPEN (upstream re-attaches silently, so peerjs's {@code open} would never
   * fire and the client would hang). Two peerjs Peers share an id and token, as one client whose old socket the
   * server has not yet seen die: the second opens, the first is cut off (peerjs: error network, disconnected); then
   * the first's own {@code reconnect()} re-attaches while the second's socket is still registered, and its
   * {@code open} fires again.
   */
  @Test
  void sameTokenReattachFiresPeerjsOpenAgain() {
    Browser a = page();
    @SuppressWarnings("unchecked")
    Map<String, Object> r = (Map<String, Object>) a.awaitJs(Duration.ofSeconds(60), """
        const o = {...window.opts, token: 'same-token'};
        const ev = {first: [], second: []};
        const make = (name) => new Promise((res, rej) => {
          const p = new Peer('phoenix', o);
          p.on('open', id => { ev[name].push('open:' + id); res(p); });
          p.on('disconnected', id => ev[name].push('disconnected:' + id));
          p.on('error', e => { ev[name].push('error:' + e.type); rej(new Error(e.type)); });
        });
        const first = await make('first');
        const firstLost = new Promise(res => first.on('disconnected', res));
        const second = await make('second');
        await firstLost;
        const reopened = new Promise(res => first.on('open', res));
        const secondLost = new Promise(res => second.on('disconnected', res));
        first.reconnect();
        const id = await reopened;
        await secondLost;
        const out = {first: [...ev.first], second: [...ev.second], id, open: first.open, disconnected: first.disconnected};
        first.destroy(); second.destroy();
        return out;
        """);
    assertThat(r.get("id")).isEqualTo("phoenix");
    assertThat(r.get("first")).isEqualTo(java.util.List.of("open:phoenix", "error:network", "disconnected:phoenix",
        "open:phoenix"));
    assertThat(r.get("second")).isEqualTo(java.util.List.of("open:phoenix", "error:network", "disconnected:phoenix"));
    assertThat(r.get("open")).isEqualTo(true);
    assertThat(r.get("disconnected")).isEqualTo(false);
    assertThat(server.stats().rejections(SignalingStats.Rejection.ID_TAKEN)).isZero();
  }
}
