package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The registry alone, with time passed in: queue bounds, FIFO drain, expiry per pair, re-attach
 * rules; every stage it returns is already complete (the handler continues inline).
 */
class InMemoryPeerRegistryTest {

  /** The in-memory registry through its asynchronous interface, asserting each stage is already done. */
  static final class Now {
    final InMemoryPeerRegistry registry = new InMemoryPeerRegistry();

    static <T> T done(CompletionStage<T> s) {
      assertThat(s.toCompletableFuture()).as("completed at once").isDone();
      return s.toCompletableFuture().join();
    }

    PeerRegistry.Registration register(Tenant t, String id, String token, PeerSink sink, String greeting, long now) {
      return done(registry.register(t, id, token, sink, greeting, now));
    }

    boolean unregister(Tenant t, String id, PeerSink sink) {
      return done(registry.unregister(t, id, sink));
    }

    PeerRegistry.Delivery relay(Tenant t, String src, String dst, String frame, boolean queue, long now) {
      return done(registry.relay(t, src, dst, frame, queue, now));
    }

    int expire(long now, long timeout, PeerRegistry.ExpiryListener l) {
      return done(registry.expire(now, timeout, l));
    }

    boolean isRegistered(Tenant t, String id) {
      assertThat(registry.isRegisteredLocally(t, id)).isEqualTo(registry.isRegistered(t, id));
      return registry.isRegistered(t, id);
    }

    int peers(Tenant t) {
      assertThat(done(registry.ids(t))).hasSize(registry.peers(t));
      return registry.peers(t);
    }

    int queued(Tenant t) {
      return registry.queued(t);
    }
  }

  static final class Sink implements PeerSink {
    final List<String> frames = new ArrayList<>();
    boolean open = true;
    boolean writable = true;

    @Override
    public boolean send(String frame) {
      if (!open || !writable) {
        return false;
      }
      frames.add(frame);
      return true;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }

  final Tenant t = Tenant.withDefaults("k").withQueues(3, 5, 8).withConcurrentLimit(2);
  final Now r = new Now();

  @Test
  void registerDrainsTheQueueAfterTheGreetingInOrder() {
    assertThat(r.relay(t, "a", "b", "1", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    assertThat(r.relay(t, "c", "b", "2", true, 1)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    Sink b = new Sink();
    PeerRegistry.Registration reg = r.register(t, "b", "tok", b, "OPEN", 2);
    assertThat(reg.outcome()).isEqualTo(PeerRegistry.Outcome.OPENED);
    assertThat(reg.delivered()).isEqualTo(2);
    assertThat(b.frames).containsExactly("OPEN", "1", "2");
    assertThat(r.queued(t)).isZero();
    assertThat(r.relay(t, "a", "b", "3", true, 3)).isEqualTo(PeerRegistry.Delivery.DELIVERED);
  }

  @Test
  void tokensGuardIdsAndReattachReplacesTheSink() {
    Sink first = new Sink();
    r.register(t, "x", "secret", first, null, 0);
    assertThat(r.register(t, "x", "Secret", new Sink(), null, 0).outcome()).isEqualTo(PeerRegistry.Outcome.ID_TAKEN);
    assertThat(r.register(t, "x", "secret-longer", new Sink(), null, 0).outcome()).isEqualTo(PeerRegistry.Outcome.ID_TAKEN);
    Sink second = new Sink();
    PeerRegistry.Registration reg = r.register(t, "x", "secret", second, null, 0);
    assertThat(reg.outcome()).isEqualTo(PeerRegistry.Outcome.REATTACHED);
    assertThat(reg.replaced()).isSameAs(first);
    assertThat(r.unregister(t, "x", first)).isFalse(); // the old socket closing does not remove the new one
    assertThat(r.isRegistered(t, "x")).isTrue();
    assertThat(r.peers(t)).isEqualTo(1);
    assertThat(r.unregister(t, "x", second)).isTrue();
    assertThat(r.peers(t)).isZero();
  }

  @Test
  void concurrentLimitCountsNewIdsOnly() {
    r.register(t, "a", "1", new Sink(), null, 0);
    r.register(t, "b", "1", new Sink(), null, 0);
    assertThat(r.register(t, "c", "1", new Sink(), null, 0).outcome()).isEqualTo(PeerRegistry.Outcome.LIMIT_REACHED);
    assertThat(r.register(t, "a", "1", new Sink(), null, 0).outcome()).isEqualTo(PeerRegistry.Outcome.REATTACHED);
    assertThat(r.peers(t)).isEqualTo(2);
  }

  @Test
  void queueBoundsPerDestinationPerSenderAndTotal() {
    for (int i = 0; i < 3; i++) {
      assertThat(r.relay(t, "s1", "d1", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    }
    // outcomes are shared completed stages: the relay hot path allocates no future
    assertThat(r.registry.relay(t, "s9", "d1", "m", true, 0)).isSameAs(r.registry.relay(t, "s8", "d1", "m", true, 0));
    assertThat(r.relay(t, "s2", "d1", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUE_FULL); // per destination 3
    assertThat(r.relay(t, "s1", "d2", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    assertThat(r.relay(t, "s1", "d3", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    assertThat(r.relay(t, "s1", "d4", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUE_FULL); // per sender 5
    assertThat(r.relay(t, "s2", "d4", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    assertThat(r.relay(t, "s3", "d5", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    assertThat(r.relay(t, "s4", "d6", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    assertThat(r.relay(t, "s5", "d7", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.QUEUE_FULL); // total 8
    assertThat(r.queued(t)).isEqualTo(8);
    assertThat(r.relay(t, "s5", "d7", "LEAVE", false, 0)).isEqualTo(PeerRegistry.Delivery.OFFLINE);
  }

  @Test
  void expiryIsPerPairFromItsOldestMessageAndReportsEachPairOnce() {
    Tenant big = Tenant.withDefaults("big");
    r.relay(big, "a", "ghost", "1", true, 0);
    r.relay(big, "b", "ghost", "3", true, 5);
    r.relay(big, "a", "ghost", "2", true, 1000);
    r.relay(big, "b", "ghost", "4", true, 1001);
    List<String> pairs = new ArrayList<>();
    assertThat(r.expire(999, 1000, (tt, src, dst) -> pairs.add(src + ">" + dst))).isZero();
    // a's oldest (t=0) is due at 1000: both of a's messages go, b's (oldest t=5) stay
    assertThat(r.expire(1000, 1000, (tt, src, dst) -> pairs.add(src + ">" + dst))).isEqualTo(2);
    assertThat(pairs).containsExactly("a>ghost");
    assertThat(r.queued(big)).isEqualTo(2);
    assertThat(r.expire(1005, 1000, (tt, src, dst) -> pairs.add(src + ">" + dst))).isEqualTo(2);
    assertThat(pairs).containsExactly("a>ghost", "b>ghost");
    assertThat(r.queued(big)).isZero();
    // counters are released: the sender may queue again up to its bound
    for (int i = 0; i < 3; i++) {
      assertThat(r.relay(big, "a", "g" + i, "m", true, 6000)).isEqualTo(PeerRegistry.Delivery.QUEUED);
    }
  }

  @Test
  void closedAndBackloggedDestinationsAreReported() {
    Sink d = new Sink();
    r.register(t, "d", "1", d, null, 0);
    d.writable = false;
    assertThat(r.relay(t, "s", "d", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.BACKLOGGED);
    d.open = false;
    assertThat(r.relay(t, "s", "d", "m", true, 0)).isEqualTo(PeerRegistry.Delivery.CLOSED);
  }
}
