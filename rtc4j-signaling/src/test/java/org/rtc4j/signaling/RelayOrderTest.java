package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.testkit.Wait;

/**
 * The handler with a registry that answers later (as Redis does), driven by the test: a client's
 * relays are issued one at a time, in the order it sent them, each after the previous answered;
 * another client on the same event loop is not held up meanwhile; a failed call gives the sender
 * EXPIRE and does not stall the frames behind it.
 */
@Timeout(60)
class RelayOrderTest {

  static final Duration WAIT = Duration.ofSeconds(20);

  /** In memory, except that relays from "slow" wait until the test answers them. */
  static final class LateRegistry extends ForwardingRegistry {
    record Call(Tenant tenant, String src, String dst, String frame, boolean queue, CompletableFuture<Delivery> answer) {}

    final LinkedBlockingDeque<Call> calls = new LinkedBlockingDeque<>();

    Call nextCall() throws InterruptedException {
      Call c = calls.poll(20, TimeUnit.SECONDS); // a deadline: load averages of 40+ are seen here
      assertThat(c).as("a relay call").isNotNull();
      return c;
    }

    /** Answers on another thread, as Lettuce does. */
    void deliver(Call c) {
      CompletableFuture.runAsync(() -> memory.relay(c.tenant(), c.src(), c.dst(), c.frame(), c.queue(), 0)
          .thenAccept(c.answer()::complete));
    }

    @Override
    public CompletionStage<Delivery> relay(Tenant t, String src, String dst, String frame, boolean queue, long now) {
      if (!src.equals("slow")) {
        return memory.relay(t, src, dst, frame, queue, now);
      }
      Call c = new Call(t, src, dst, frame, queue, new CompletableFuture<>());
      calls.add(c);
      return c.answer();
    }
  }

  @Test
  void aClientsRelaysAreIssuedOneAtATimeInItsOrderAndOthersAreNotHeldUp() throws Exception {
    LateRegistry registry = new LateRegistry();
    HttpClient http = HttpClient.newHttpClient();
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build();
    try (SignalingServer server = SignalingServer.start(config, registry);
        WsClient slow = WsClient.open(http, server.port(), "peerjs", "slow", "t1");
        WsClient bob = WsClient.open(http, server.port(), "peerjs", "bob", "t2");
        WsClient alice = WsClient.open(http, server.port(), "peerjs", "alice", "t3")) {
      for (int i = 1; i <= 4; i++) {
        slow.offer("bob", "{\"n\":" + i + "}");
      }
      LateRegistry.Call first = registry.nextCall();
      assertThat(first.frame()).contains("\"n\":1");
      // the next relays wait for the first answer; alice on the same event loop does not
      alice.offer("bob", "{\"from\":\"alice\"}");
      assertThat(WsClient.JSON.readTree(bob.next(WAIT)).get("src").asText()).isEqualTo("alice");
      Wait.during(Duration.ofMillis(300), "no second call before the first answered", registry.calls::isEmpty);

      registry.deliver(first);
      LateRegistry.Call second = registry.nextCall();
      assertThat(second.frame()).contains("\"n\":2");
      // a failed call: the sender hears EXPIRE, and the frames behind it go on
      second.answer().completeExceptionally(new IllegalStateException("Redis timed out"));
      LateRegistry.Call third = registry.nextCall();
      assertThat(third.frame()).contains("\"n\":3");
      registry.deliver(third);
      registry.deliver(registry.nextCall());
      assertThat(WsClient.JSON.readTree(bob.next(WAIT)).get("payload").get("n").asInt()).isEqualTo(1);
      assertThat(WsClient.JSON.readTree(bob.next(WAIT)).get("payload").get("n").asInt()).isEqualTo(3);
      assertThat(WsClient.JSON.readTree(bob.next(WAIT)).get("payload").get("n").asInt()).isEqualTo(4);
      assertThat(WsClient.JSON.readTree(slow.next(WAIT)))
          .isEqualTo(WsClient.JSON.readTree("{\"type\":\"EXPIRE\",\"src\":\"bob\",\"dst\":\"slow\"}"));
      // The counters are bumped on the event loop after the write: bob may read n=4 first.
      Wait.until(WAIT, "4 relayed (alice's 1 + slow's 3) and 1 drop", () -> server.stats().relayed() == 4
          && server.stats().drops(SignalingStats.Drop.REGISTRY_UNAVAILABLE) == 1,
          () -> "relayed " + server.stats().relayed() + ", drops "
              + server.stats().drops(SignalingStats.Drop.REGISTRY_UNAVAILABLE));
      assertThat(server.stats().relayed()).isEqualTo(4);
    }
  }
}
