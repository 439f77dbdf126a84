package org.rtc4j.server.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.server.EchoCommand;
import org.rtc4j.testkit.Wait;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import picocli.CommandLine;

/**
 * {@code rtc4j echo} with real sessions, driven by an rtc4j PeerConnection over HTTP (no browser):
 * both directions connect, SDP the PeerConnection refuses gets a 400 naming the reason. Host
 * candidates on 127.0.0.1 only ({@code --ice-address}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoSessionTest {

  EchoCommand.Running echo;
  RtcRuntime runtime;
  PeerConnection client;
  final HttpClient http = HttpClient.newHttpClient();
  final CompletableFuture<Void> gathered = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    echo = CommandLine.populateCommand(new EchoCommand(), "--http", "127.0.0.1:0", "--ice-address", "127.0.0.1",
        "--timeout", "10").start();
    runtime = RtcRuntime.create(1);
    client = new PeerConnection(RtcConfiguration.builder().hostAddress(InetAddress.getLoopbackAddress()).build(), runtime);
    client.onIceGatheringStateChange(s -> {
      if (s == RtcIceGatheringState.COMPLETE) {
        gathered.complete(null);
      }
    });
  }

  @AfterEach
  void stop() {
    client.close();
    runtime.close();
    echo.close();
  }

  HttpResponse<String> post(String path, String sdp) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(echo.server().baseUrl() + path))
        .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(sdp)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  EchoSession onlySession() {
    assertThat(echo.server().sessions()).hasSize(1);
    return (EchoSession) echo.server().sessions().values().iterator().next();
  }

  void assertBothConnected() {
    EchoSession s = onlySession();
    Wait.until(Duration.ofSeconds(20), "both sides connected",
        () -> client.connectionState() == RtcPeerConnectionState.CONNECTED
            && s.peerConnection().connectionState() == RtcPeerConnectionState.CONNECTED,
        () -> "client " + client.connectionState() + ", echo " + s.status());
  }

  @Test
  void anRtc4jOfferIsAnsweredAndConnects() throws Exception {
    client.setLocalDescription(client.createOffer().get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
    gathered.get(10, TimeUnit.SECONDS);
    HttpResponse<String> r = post("/offer", client.localDescription().sdp());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(r.body()).contains("a=candidate:").contains("127.0.0.1");
    client.setRemoteDescription(RtcSessionDescription.answer(r.body())).get(10, TimeUnit.SECONDS);
    assertBothConnected();
    assertThat(r.headers().firstValue("Location")).hasValue("/sessions/" + onlySession().id());
  }

  @Test
  void theEchoOfferIsAnsweredByRtc4jAndConnects() throws Exception {
    HttpResponse<String> offer = http.send(HttpRequest.newBuilder(URI.create(echo.server().baseUrl() + "/offer")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(offer.statusCode()).isEqualTo(200);
    assertThat(offer.body()).contains("a=candidate:");
    client.setRemoteDescription(RtcSessionDescription.offer(offer.body())).get(10, TimeUnit.SECONDS);
    client.setLocalDescription(client.createAnswer().get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
    gathered.get(10, TimeUnit.SECONDS);
    String location = offer.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> a = post(location + "/answer", client.localDescription().sdp());
    assertThat(a.statusCode()).as(a.body()).isEqualTo(204);
    assertBothConnected();
  }

  @Test
  void anOfferThePeerConnectionRefusesIs400() throws Exception {
    client.setLocalDescription(client.createOffer().get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
    gathered.get(10, TimeUnit.SECONDS);
    // parses as SDP, but without ICE credentials it cannot be applied
    String noIce = client.localDescription().sdp().replaceAll("a=ice-(ufrag|pwd):[^\r\n]*\r\n", "");
    HttpResponse<String> r = post("/offer", noIce);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).startsWith("offer refused: ");
    assertThat(echo.server().sessions()).as("a refused offer leaves no session").isEmpty();
  }
}
