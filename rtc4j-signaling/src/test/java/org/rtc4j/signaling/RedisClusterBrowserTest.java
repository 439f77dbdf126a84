package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.signaling.redis.RedisPeerRegistry;
import org.rtc4j.signaling.redis.RedisProcess;
import org.rtc4j.testkit.External;
import org.rtc4j.testkit.Wait;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;

/**
 * {@link PeerJsBrowserTest} against a two-node cluster: the real peerjs 1.5.5 client in two
 * headless Chromium pages, each talking to a different {@link SignalingServer}, the two nodes
 * sharing one redis-server started by the test. The pages exchange data over a DataConnection
 * (every OFFER/ANSWER/CANDIDATE crosses Redis pub/sub), a media call with fake camera and microphone
 * both ways whose remote videos decode frames, and its hang-up, ID-TAKEN for an id held on the other node,
 * EXPIRE for an id that never comes (queued in Redis), and reconnect. Run inside {@code unshare --net}.
 */
@Timeout(180)
class RedisClusterBrowserTest {

  @RegisterExtension
  BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().loopbackIce(true).mdnsCandidates(false)
      .build());

  RedisProcess redis;
  SignalingServer nodeA;
  SignalingServer nodeB;
  StaticHttpServer web;

  @BeforeEach
  void start() throws Exception {
    if (!Files.isRegularFile(PeerJsBrowserTest.PEERJS)) {
      String msg = "peerjs is not installed at " + PeerJsBrowserTest.PEERJS.toAbsolutePath().normalize()
          + " (run web/npm-ci.sh)";
      if (External.required()) {
        throw new AssertionError(msg);
      }
      Assumptions.abort(msg);
    }
    redis = RedisProcess.start();
    nodeA = node();
    nodeB = node();
    web = StaticHttpServer.start()
        .content("/peerjs.min.js", "text/javascript; charset=utf-8", Files.readAllBytes(PeerJsBrowserTest.PEERJS))
        .page("/", "<!doctype html><meta charset=utf-8><title>peerjs cluster test</title>"
            + "<script src=/peerjs.min.js></script><body>peerjs against an rtc4j cluster</body>");
  }

  SignalingServer node() throws Exception {
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .expireTimeout(Duration.ofMillis(1500)).expireSweepInterval(Duration.ofMillis(200)).build();
    return SignalingServer.start(config, RedisPeerRegistry.connect(redis.uri(), config));
  }

  @AfterEach
  void stop() {
    if (web != null) {
      web.close();
    }
    for (SignalingServer s : new SignalingServer[] {nodeA, nodeB}) {
      if (s != null) {
        s.close();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Opens the page talking to {@code node}; {@code window.makePeer(id)} resolves on 'open'. */
  Browser page(SignalingServer node) {
    Browser b = browsers.launch();
    b.open(web.uri("/"));
    b.awaitJs(Duration.ofSeconds(20), """
        const s = await navigator.mediaDevices.getUserMedia({audio: true});
        s.getTracks().forEach(t => t.stop());
        window.opts = {host: '127.0.0.1', port: args[0], path: '/', key: 'peerjs', secure: false, debug: 1,
                       config: {iceServers: []}};
        window.makePeer = (id) => new Promise((resolve, reject) => {
          const p = id ? new Peer(id, window.opts) : new Peer(window.opts);
          p.on('open', () => resolve(p));
          p.on('error', e => reject(new Error(e.type)));
        });
        return true;
        """, node.port());
    b.awaitJs(Duration.ofSeconds(5), PeerJsBrowserTest.CALL_HELPERS);
    return b;
  }

  @Test
  void pagesOnDifferentNodesExchangeDataIdTakenExpireAndReconnect() {
    Browser a = page(nodeA);
    Browser b = page(nodeB);
    b.awaitJs(Duration.ofSeconds(20), """
        window.got = [];
        window.peer = await makePeer('bob');
        peer.on('connection', c => {
          c.on('data', d => { window.got.push(d); c.send('pong:' + d); });
        });
        return peer.id;
        """);
    Object reply = a.awaitJs(Duration.ofSeconds(60), """
        const peer = await makePeer(null);
        window.peer = peer;
        const c = peer.connect('bob', {reliable: true});
        await new Promise((res, rej) => { c.on('open', res); c.on('error', rej); peer.on('error', rej); });
        const answer = new Promise(res => c.on('data', res));
        c.send('ping');
        return await answer;
        """);
    assertThat(reply).isEqualTo("pong:ping");
    assertThat(b.js("return window.got;")).isEqualTo(List.of("ping"));
    assertThat(nodeA.stats().relayed()).as("OFFER (+ CANDIDATEs) published by node A").isGreaterThanOrEqualTo(1);
    assertThat(nodeB.stats().relayed()).as("ANSWER (+ CANDIDATEs) published by node B").isGreaterThanOrEqualTo(1);
    assertThat(nodeA.registry()).isInstanceOf(RedisPeerRegistry.class);
    assertThat(((RedisPeerRegistry) nodeA.registry()).localPeers()).isEqualTo(1);
    assertThat(((RedisPeerRegistry) nodeB.registry()).localPeers()).isEqualTo(1);

    // a media call across the nodes: A calls bob with fake camera and microphone, bob answers with
    // his own; both remote videos decode more and more frames; A's hang-up closes bob's call
    long relayedBefore = nodeA.stats().relayed() + nodeB.stats().relayed();
    b.awaitJs(Duration.ofSeconds(20), """
        const local = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        peer.on('call', call => { watchCall(call); call.answer(local); });
        return true;
        """);
    a.awaitJs(Duration.ofSeconds(30), """
        const local = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
        watchCall(peer.call('bob', local));
        await new Promise((res, rej) => { call.on('stream', res); call.on('error', rej); peer.on('error', rej); });
        return true;
        """);
    b.waitFor(Duration.ofSeconds(20), "window.callEvents && window.callEvents.includes('stream:1v1a')");
    for (Browser page : List.of(a, b)) {
      page.waitFor(Duration.ofSeconds(20), "document.getElementById('remote').videoWidth > 0");
      Map<?, ?> first = PeerJsBrowserTest.inbound(page);
      Wait.untilAsserted(Duration.ofSeconds(30), "remote video decodes and audio arrives", () -> {
        Map<?, ?> now = PeerJsBrowserTest.inbound(page);
        assertThat(PeerJsBrowserTest.num(now.get("framesDecoded"))).as("framesDecoded")
            .isGreaterThan(PeerJsBrowserTest.num(first.get("framesDecoded")) + 10);
        assertThat(PeerJsBrowserTest.num(now.get("audioPackets"))).as("audio packetsReceived")
            .isGreaterThan(PeerJsBrowserTest.num(first.get("audioPackets")) + 10);
      });
    }
    assertThat(nodeA.stats().relayed() + nodeB.stats().relayed()).as("the call's OFFER/ANSWER/CANDIDATEs crossed Redis")
        .isGreaterThanOrEqualTo(relayedBefore + 2);
    a.js("window.call.close();");
    b.waitFor(Duration.ofSeconds(20), "window.callEvents.includes('close')");

    // ID-TAKEN across nodes: page A asks node A for 'bob', which node B holds
    @SuppressWarnings("unchecked")
    Map<String, Object> r = (Map<String, Object>) a.awaitJs(Duration.ofSeconds(60), """
        const out = {};
        try { await makePeer('bob'); out.second = 'opened'; } catch (e) { out.second = e.message; }
        const first = await makePeer('dup');
        const t0 = Date.now();
        out.expire = await new Promise(res => {
          first.on('error', e => res(e.type + ':' + e.message));
          first.connect('never-comes');
        });
        out.expireMs = Date.now() - t0;
        const opened = new Promise(res => first.on('open', id => res(id)));
        await new Promise(res => { first.on('disconnected', res); first.disconnect(); });
        first.reconnect();
        out.reopened = await opened;
        return out;
        """);
    assertThat(r.get("second")).isEqualTo("unavailable-id");
    assertThat((String) r.get("expire")).startsWith("peer-unavailable:").contains("never-comes");
    assertThat(((Number) r.get("expireMs")).longValue()).isBetween(1000L, 15_000L);
    assertThat(r.get("reopened")).isEqualTo("dup");
    assertThat(nodeA.stats().rejections(SignalingStats.Rejection.ID_TAKEN)).isEqualTo(1);
    assertThat(nodeA.stats().expireSent() + nodeB.stats().expireSent()).isEqualTo(1);
  }
}
