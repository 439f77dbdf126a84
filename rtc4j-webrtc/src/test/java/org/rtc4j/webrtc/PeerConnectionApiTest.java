package org.rtc4j.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** W3C semantics of the API surface: misuse gives the W3C-named exceptions, events come before futures. */
@Timeout(60)
class PeerConnectionApiTest {

  private PeerConnection pc;

  @BeforeEach
  void open() {
    pc = new PeerConnection(LoopbackPeers.loopbackConfig().build());
  }

  @AfterEach
  void close() {
    pc.close();
  }

  static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail");
  }

  @Test
  void wrongSignalingStatesAreInvalidState() throws Exception {
    assertThat(failure(pc.createAnswer())).isInstanceOf(InvalidStateException.class);
    assertThat(failure(pc.addIceCandidate(new RtcIceCandidate("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0"))))
        .isInstanceOf(InvalidStateException.class);
    RtcSessionDescription offer = pc.createOffer().get(10, TimeUnit.SECONDS);
    assertThat(failure(pc.setRemoteDescription(RtcSessionDescription.answer(offer.sdp()))))
        .isInstanceOf(InvalidStateException.class);
    assertThat(failure(pc.setLocalDescription(RtcSessionDescription.rollback()))).isInstanceOf(InvalidStateException.class);
    assertThat(pc.signalingState()).isEqualTo(RtcSignalingState.STABLE);
  }

  @Test
  void editedDescriptionsAndGarbage() throws Exception {
    RtcSessionDescription offer = pc.createOffer().get(10, TimeUnit.SECONDS);
    assertThat(failure(pc.setLocalDescription(RtcSessionDescription.offer(offer.sdp().replace("262144", "1")))))
        .isInstanceOf(InvalidModificationException.class);
    Throwable garbage = failure(pc.setRemoteDescription(RtcSessionDescription.offer("v=0\r\nthis is not sdp\r\n")));
    assertThat(garbage).isInstanceOf(OperationException.class);
    assertThat(garbage.getMessage()).contains("sdp-syntax-error");
    assertThat(((RtcException) garbage).name()).isEqualTo("OperationError");
  }

  @Test
  void candidatesAreChecked() throws Exception {
    PeerConnection other = new PeerConnection(LoopbackPeers.loopbackConfig().build());
    try {
      pc.setRemoteDescription(other.createOffer().get(10, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
      String line = "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host";
      assertThat(failure(pc.addIceCandidate(new RtcIceCandidate(line, null, null, null)))).isInstanceOf(TypeException.class);
      assertThat(failure(pc.addIceCandidate(new RtcIceCandidate(line, "nope")))).isInstanceOf(OperationException.class);
      assertThat(failure(pc.addIceCandidate(new RtcIceCandidate(line, null, 5, null)))).isInstanceOf(OperationException.class);
      assertThat(failure(pc.addIceCandidate(new RtcIceCandidate("candidate:garbage", "0"))))
          .isInstanceOf(OperationException.class);
      assertThat(failure(pc.addIceCandidate(new RtcIceCandidate(line, "0", 0, "wrongufrag"))))
          .isInstanceOf(OperationException.class);
      pc.addIceCandidate(new RtcIceCandidate(line, "0")).get(10, TimeUnit.SECONDS);
      pc.addIceCandidate(new RtcIceCandidate(line, null, 0, null)).get(10, TimeUnit.SECONDS);
      pc.addIceCandidate(new RtcIceCandidate("", "0")).get(10, TimeUnit.SECONDS); // end-of-candidates
    } finally {
      other.close();
    }
  }

  @Test
  void eventsComeBeforeTheFutureAndOffTheLoop() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    pc.onSignalingStateChange(s -> order.add("state " + s.value() + " on " + Thread.currentThread().getName()));
    RtcSessionDescription offer = pc.createOffer().get(10, TimeUnit.SECONDS);
    pc.setLocalDescription(offer).thenRun(() -> order.add("resolved")).get(10, TimeUnit.SECONDS);
    assertThat(order).hasSize(2);
    assertThat(order.get(0)).startsWith("state have-local-offer on rtc4j-callback-");
    assertThat(order.get(1)).isEqualTo("resolved");
    assertThat(pc.signalingState()).isEqualTo(RtcSignalingState.HAVE_LOCAL_OFFER);
    assertThat(pc.pendingLocalDescription()).isNotNull();
    assertThat(pc.currentLocalDescription()).isNull();
    pc.setLocalDescription(RtcSessionDescription.rollback()).get(10, TimeUnit.SECONDS);
    assertThat(pc.signalingState()).isEqualTo(RtcSignalingState.STABLE);
    assertThat(pc.localDescription()).isNull();
  }

  @Test
  void configurationAndDataChannelArguments() {
    assertThat(pc.getConfiguration().hostAddresses()).hasSize(1);
    assertThatThrownBy(() -> new PeerConnection(RtcConfiguration.builder().iceServer(RtcIceServer.of("http://x")).build()))
        .isInstanceOf(SyntaxException.class);
    assertThatThrownBy(() -> pc.createDataChannel("x", DataChannelInit.builder().maxRetransmits(1).maxPacketLifeTime(1).build()))
        .isInstanceOf(TypeException.class);
    assertThatThrownBy(() -> pc.createDataChannel("x", DataChannelInit.builder().negotiated(true).build()))
        .isInstanceOf(TypeException.class);
    DataChannel n = pc.createDataChannel("n", DataChannelInit.builder().negotiated(3).build());
    assertThat(n.id()).isEqualTo(3);
    assertThatThrownBy(() -> pc.createDataChannel("n2", DataChannelInit.builder().negotiated(3).build()))
        .isInstanceOf(OperationException.class);
    assertThatThrownBy(() -> n.send("too early")).isInstanceOf(InvalidStateException.class);
  }

  @Test
  void firstDataChannelAndRestartNeedNegotiation() throws Exception {
    java.util.concurrent.atomic.AtomicInteger needed = new java.util.concurrent.atomic.AtomicInteger();
    pc.onNegotiationNeeded(needed::incrementAndGet);
    pc.createDataChannel("a", null);
    pc.createDataChannel("b", null);
    org.rtc4j.testkit.Wait.until(Duration.ofSeconds(5), "negotiationneeded", () -> needed.get() == 1);
    pc.restartIce();
    org.rtc4j.testkit.Wait.until(Duration.ofSeconds(5), "negotiationneeded after restartIce", () -> needed.get() == 2);
  }

  @Test
  void afterCloseEverythingIsInvalidState() throws Exception {
    pc.close();
    assertThat(failure(pc.createOffer())).isInstanceOf(InvalidStateException.class);
    assertThat(failure(pc.setRemoteDescription(RtcSessionDescription.offer("v=0")))).isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(() -> pc.createDataChannel("x", null)).isInstanceOf(InvalidStateException.class);
    assertThatThrownBy(pc::restartIce).isInstanceOf(InvalidStateException.class);
    assertThat(pc.iceConnectionState()).isEqualTo(RtcIceConnectionState.CLOSED);
    assertThat(pc.getStats()).failsWithin(Duration.ofSeconds(5));
  }
}
