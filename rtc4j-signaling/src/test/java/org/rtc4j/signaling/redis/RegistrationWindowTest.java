package org.rtc4j.signaling.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rtc4j.signaling.PeerRegistry;
import org.rtc4j.signaling.PeerSink;
import org.rtc4j.signaling.Tenant;
import org.rtc4j.testkit.Wait;

/**
 * The window between a registration taking an id's queue (REGISTER) and confirming that the frames reached the
 * socket (DRAINED) or putting them back (UNDO): an expiry sweep from another node that runs inside it must not
 * report the frames as expired (they are being delivered), and must not make them unexpirable when they go back.
 * Two registries (two nodes) on one real redis-server; the window is held open by a sink that waits on a latch.
 */
@Timeout(60)
class RegistrationWindowTest {
  RedisProcess redis;
  RedisPeerRegistry a;
  RedisPeerRegistry b;
  final Tenant t = Tenant.withDefaults("peerjs");

  @BeforeEach
  void start() throws Exception {
    redis = RedisProcess.start();
    a = RedisPeerRegistry.connect(redis.uri(), Duration.ofSeconds(60), Duration.ofSeconds(5), List.of(t));
    b = RedisPeerRegistry.connect(redis.uri(), Duration.ofSeconds(60), Duration.ofSeconds(5), List.of(t));
  }

  @AfterEach
  void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** A sink that holds the registering thread in {@code send} (or {@code isOpen}) until released. */
  static final class HeldSink implements PeerSink {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> got = new CopyOnWriteArrayList<>();
    final boolean holdInIsOpen;
    volatile boolean open = true;

    HeldSink(boolean holdInIsOpen) {
      this.holdInIsOpen = holdInIsOpen;
    }

    private void hold() {
      entered.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public boolean send(String frame) {
      if (!holdInIsOpen && entered.getCount() > 0) {
        hold();
      }
      got.add(frame);
      return open;
    }

    @Override
    public boolean isOpen() {
      if (holdInIsOpen && entered.getCount() > 0) {
        hold();
        open = false; // the client left while the registration ran
      }
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }

  /**
   * Registers from another thread: when Redis answers before the stage is composed, the registration's outcome runs
   * on the calling thread, and the held sink would then hold the test itself.
   */
  CompletableFuture<PeerRegistry.Registration> registerAsync(HeldSink sink, String greeting) {
    return CompletableFuture.supplyAsync(() -> a.register(t, "xavier", "tok", sink, greeting, System.nanoTime()))
        .thenCompose(s -> s);
  }

  List<String> expireNow(RedisPeerRegistry r) throws Exception {
    List<String> reported = new CopyOnWriteArrayList<>();
    CompletionStage<Integer> s = r.expire(System.nanoTime(), 1, (tenant, src, dst) -> reported.add(src + "->" + dst));
    s.toCompletableFuture().get(10, TimeUnit.SECONDS);
    return reported;
  }

  void queueOffer() throws Exception {
    PeerRegistry.Delivery d = b.relay(t, "alice", "xavier", "{\"type\":\"OFFER\",\"src\":\"alice\",\"dst\":\"xavier\"}",
        true, System.nanoTime()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(d).isEqualTo(PeerRegistry.Delivery.QUEUED);
    // the pending entry's score is Redis time in ms: be past it before sweeping with a 1 ns timeout
    Wait.until(Duration.ofSeconds(5), "a millisecond passed in Redis", waitOneMs());
  }

  static BooleanSupplier waitOneMs() {
    long end = System.nanoTime() + 2_000_000;
    return () -> System.nanoTime() > end;
  }

  @Test
  void aSweepDuringDeliveryReportsNothingAndTheFramesArrive() throws Exception {
    queueOffer();
    HeldSink sink = new HeldSink(false);
    CompletableFuture<PeerRegistry.Registration> reg = registerAsync(sink, "{\"type\":\"OPEN\"}");
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue(); // REGISTER ran: the frames are taken
    List<String> reported = expireNow(b);
    sink.release.countDown();
    PeerRegistry.Registration r = reg.get(10, TimeUnit.SECONDS);
    assertThat(reported).as("EXPIRE for frames being delivered").isEmpty();
    assertThat(r.delivered()).isEqualTo(1);
    assertThat(sink.got).hasSize(2).last().asString().contains("OFFER");
    Wait.until(Duration.ofSeconds(5), "queue accounted as delivered", () -> b.queued(t) == 0);
    assertThat(expireNow(b)).isEmpty();
  }

  @Test
  void framesPutBackAfterASweepInTheWindowStillExpire() throws Exception {
    queueOffer();
    HeldSink sink = new HeldSink(true);
    CompletableFuture<PeerRegistry.Registration> reg = registerAsync(sink, null);
    assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue(); // REGISTER ran, the client is leaving
    assertThat(expireNow(b)).isEmpty();
    sink.release.countDown();
    reg.get(10, TimeUnit.SECONDS);
    assertThat(sink.got).isEmpty();
    // UNDO put the frame back: it is queued again and a later sweep reports it to its sender
    Wait.until(Duration.ofSeconds(5), "frame back in the queue", () -> b.queued(t) == 1);
    Wait.until(Duration.ofSeconds(5), "a millisecond passed in Redis", waitOneMs());
    List<String> reported = new CopyOnWriteArrayList<>();
    Wait.until(Duration.ofSeconds(5), "EXPIRE for the frame put back", () -> {
      try {
        reported.addAll(expireNow(b));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return !reported.isEmpty();
    });
    assertThat(reported).containsExactly("alice->xavier");
    Wait.until(Duration.ofSeconds(5), "queue empty", () -> b.queued(t) == 0);
  }
}
