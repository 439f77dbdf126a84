package org.rtc4j.server.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP layer of {@code rtc4j echo} with fake peers (no ICE, no sockets but the HTTP one on
 * 127.0.0.1): routes, status codes, headers, CORS, error messages, session lifecycle.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EchoHttpServerTest {

  static final String OFFER = String.join("\r\n",
      "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0",
      "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
      "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
      "a=setup:actpass", "a=mid:0", "a=sctp-port:5000") + "\r\n";

  /** A peer that answers with a fixed SDP, remembers what it got, and can be told to fail. */
  static final class FakePeer implements EchoPeer {
    final String id;
    final Runnable ended;
    final List<String> received = Collections.synchronizedList(new ArrayList<>());
    volatile boolean offered;
    volatile boolean answered;
    volatile boolean closed;
    volatile RuntimeException reject;
    volatile CompletableFuture<String> pending;

    FakePeer(String id, Runnable ended) {
      this.id = id;
      this.ended = ended;
    }

    @Override
    public CompletableFuture<String> answer(String offerSdp) {
      received.add(offerSdp);
      if (offerSdp.contains("a=x-reject")) {
        return CompletableFuture.failedFuture(new RejectedDescriptionException("offer refused: x-reject"));
      }
      if (offerSdp.contains("a=x-hang")) {
        return pending = new CompletableFuture<>();
      }
      return CompletableFuture.completedFuture(OFFER.replace("a=setup:actpass", "a=setup:active"));
    }

    @Override
    public CompletableFuture<String> offer() {
      offered = true;
      return CompletableFuture.supplyAsync(() -> OFFER);
    }

    @Override
    public CompletableFuture<Void> acceptAnswer(String answerSdp) {
      received.add(answerSdp);
      answered = true;
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean awaitingAnswer() {
      return offered && !answered;
    }

    @Override
    public Map<String, String> status() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("connectionState", closed ? "closed" : "new");
      m.put("signalingState", awaitingAnswer() ? "have-local-offer" : "stable");
      return m;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  final List<FakePeer> peers = Collections.synchronizedList(new ArrayList<>());
  EchoHttpServer server;
  HttpClient http;

  @BeforeEach
  void start() throws Exception {
    server = EchoHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), (id, ended) -> {
      FakePeer p = new FakePeer(id, ended);
      peers.add(p);
      return p;
    }, Duration.ofMillis(500), 3);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(10));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.header("Origin", "http://127.0.0.1:1");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void postOfferAnswersWith201LocationAndSdp() throws Exception {
    HttpResponse<String> r = send("POST", "/offer", "application/sdp", OFFER);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/sdp");
    assertThat(r.body()).startsWith("v=0").contains("a=setup:active");
    String location = r.headers().firstValue("Location").orElseThrow();
    assertThat(location).matches("/sessions/[0-9a-f]{16}");
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(r.headers().firstValue("Access-Control-Expose-Headers")).hasValue("Location");
    assertThat(peers).hasSize(1);
    assertThat(peers.get(0).received).containsExactly(OFFER);

    HttpResponse<String> st = send("GET", location, null, null);
    assertThat(st.statusCode()).isEqualTo(200);
    assertThat(st.body()).contains("\"connectionState\":\"new\"").contains("\"id\":\"" + peers.get(0).id + "\"");
    assertThat(send("GET", "/sessions", null, null).body()).contains(peers.get(0).id);

    assertThat(send("DELETE", location, null, null).statusCode()).isEqualTo(204);
    assertThat(peers.get(0).closed).isTrue();
    assertThat(send("GET", location, null, null).statusCode()).isEqualTo(404);
  }

  @Test
  void contentTypeWithParametersIsAccepted() throws Exception {
    assertThat(send("POST", "/offer", "Application/SDP; charset=utf-8", OFFER).statusCode()).isEqualTo(201);
  }

  @Test
  void getOfferThenPostAnswer() throws Exception {
    HttpResponse<String> r = send("GET", "/offer", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(OFFER);
    String location = r.headers().firstValue("Location").orElseThrow();
    String id = location.substring("/sessions/".length());
    assertThat(send("GET", location, null, null).body()).contains("have-local-offer");

    HttpResponse<String> a = send("POST", "/answer?session=" + id, "application/sdp", OFFER);
    assertThat(a.statusCode()).isEqualTo(204);
    assertThat(peers.get(0).answered).isTrue();
    // once answered, a second answer is refused
    HttpResponse<String> again = send("POST", "/sessions/" + id + "/answer", "application/sdp", OFFER);
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.body()).contains("awaits no answer");
  }

  @Test
  void postAnswerWithoutSessionPicksTheOnlyPendingOffer() throws Exception {
    assertThat(send("POST", "/answer", "application/sdp", OFFER).body()).contains("no offer awaits an answer");
    send("GET", "/offer", null, null);
    assertThat(send("POST", "/answer", "application/sdp", OFFER).statusCode()).isEqualTo(204);
    send("GET", "/offer", null, null);
    send("GET", "/offer", null, null);
    HttpResponse<String> two = send("POST", "/answer", "application/sdp", OFFER);
    assertThat(two.statusCode()).isEqualTo(400);
    assertThat(two.body()).contains("2 offers await an answer");
  }

  @Test
  void badInputGetsClearErrors() throws Exception {
    HttpResponse<String> noType = send("POST", "/offer", null, OFFER);
    assertThat(noType.statusCode()).isEqualTo(415);
    assertThat(noType.body()).contains("Content-Type: application/sdp");
    assertThat(send("POST", "/offer", "application/json", "{}").statusCode()).isEqualTo(415);

    HttpResponse<String> empty = send("POST", "/offer", "application/sdp", "");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).contains("empty body");

    HttpResponse<String> garbage = send("POST", "/offer", "application/sdp", "v=0\r\nhello\r\n");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).startsWith("malformed SDP offer:").contains("line 2");

    HttpResponse<String> refused = send("POST", "/offer", "application/sdp", OFFER + "a=x-reject\r\n");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("offer refused: x-reject");
    assertThat(server.sessions()).as("a refused offer leaves no session").isEmpty();

    HttpResponse<String> huge = send("POST", "/offer", "application/sdp", OFFER + "a=x:" + "y".repeat(70_000) + "\r\n");
    assertThat(huge.statusCode()).isEqualTo(413);

    assertThat(send("GET", "/nothing", null, null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/sessions/0000", null, null).statusCode()).isEqualTo(404);
    assertThat(send("POST", "/answer?session=0000", "application/sdp", OFFER).statusCode()).isEqualTo(404);
    HttpResponse<String> put = send("PUT", "/offer", "application/sdp", OFFER);
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST, OPTIONS");
    assertThat(peers).as("no peer for requests refused before the session").hasSize(1);
  }

  @Test
  void corsPreflight() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/offer"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "http://127.0.0.1:1").header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type").build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(r.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("POST", "GET", "DELETE");
    assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElseThrow()).containsIgnoringCase("content-type");
  }

  @Test
  void aPeerThatNeverAnswersTimesOutAndIsClosed() throws Exception {
    HttpResponse<String> r = send("POST", "/offer", "application/sdp", OFFER + "a=x-hang\r\n");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("no result in time");
    assertThat(peers.get(0).closed).isTrue();
    assertThat(server.sessions()).isEmpty();
  }

  @Test
  void anOfferNobodyAnswersIsClosed() throws Exception {
    HttpResponse<String> r = send("GET", "/offer", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    org.rtc4j.testkit.Wait.until(Duration.ofSeconds(10), "the unanswered offer's session closed (after 4 x 500 ms)",
        () -> peers.get(0).closed && server.sessions().isEmpty());
    // an answered one stays
    send("GET", "/offer", null, null);
    assertThat(send("POST", "/answer", "application/sdp", OFFER).statusCode()).isEqualTo(204);
    org.rtc4j.testkit.Wait.during(Duration.ofMillis(2500), "the answered session stays", () -> server.sessions().size() == 1);
  }

  @Test
  void sessionLimitAndEndedSessionsAreForgotten() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(send("POST", "/offer", "application/sdp", OFFER).statusCode()).isEqualTo(201);
    }
    HttpResponse<String> full = send("POST", "/offer", "application/sdp", OFFER);
    assertThat(full.statusCode()).isEqualTo(503);
    assertThat(full.body()).contains("too many sessions");
    peers.get(0).ended.run(); // its connection failed or closed by itself
    assertThat(server.sessions()).hasSize(2);
    assertThat(send("POST", "/offer", "application/sdp", OFFER).statusCode()).isEqualTo(201);
  }

  @Test
  void closeClosesEverySession() throws Exception {
    send("POST", "/offer", "application/sdp", OFFER);
    send("GET", "/offer", null, null);
    server.close();
    assertThat(peers).hasSize(2).allSatisfy(p -> assertThat(p.closed).isTrue());
    assertThat(server.sessions()).isEmpty();
    server.close(); // idempotent
  }

  @Test
  void aPostedOfferThatNeverConnectsIsClosedAfterTheOfferLifetime() throws Exception {
    HttpResponse<String> r = send("POST", "/offer", "application/sdp", OFFER);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(server.sessions()).hasSize(1);
    FakePeer p = peers.get(0);
    // the fake stays 'new' forever, like a session whose offer had no usable candidate
    org.rtc4j.testkit.Wait.until(Duration.ofSeconds(10), "the never-connected session closed (after 4 x 500 ms)",
        () -> p.closed && server.sessions().isEmpty());
  }
}
