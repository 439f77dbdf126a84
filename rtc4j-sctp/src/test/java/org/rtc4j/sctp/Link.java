package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A deterministic in-memory link between two sans-IO SCTP cores with a simulated clock and seeded
 * impairments (loss, reorder, duplication, delay with jitter). Same seed, same run.
 */
public final class Link {

  /** The five-method surface the link drives (an association, or a data-channel manager). */
  public interface Core {
    void handleReceive(long nowNanos, ByteBuffer packet);

    void handleTimeout(long nowNanos);

    Optional<ByteBuffer> pollTransmit();

    long pollTimeout();
  }

  public static Core of(SctpAssociation a) {
    return new Core() {
      public void handleReceive(long n, ByteBuffer p) { a.handleReceive(n, p); }
      public void handleTimeout(long n) { a.handleTimeout(n); }
      // The transient variant, as the runtime polls: the link copies each packet at once, so every
      // simulated transfer also checks that a reused transmit buffer never leaks into the next packet.
      public Optional<ByteBuffer> pollTransmit() { return a.pollTransmitTransient(); }
      public long pollTimeout() { return a.pollTimeout(); }
    };
  }

  private record InFlight(long at, long seq, boolean toB, ByteBuffer bytes) {}

  private final Core a;
  private final Core b;
  private final Random rnd;
  private final PriorityQueue<InFlight> queue = new PriorityQueue<>((x, y) -> {
    int c = Long.compare(x.at, y.at);
    return c != 0 ? c : Long.compare(x.seq, y.seq);
  });
  private long seq;
  public long now = 1_000_000_000_000L;
  public double loss;
  public double reorder;
  public double duplicate;
  public long delayNanos;
  public long jitterNanos;
  /** Packets from A (toB = true) or B matching this are dropped (handshake-loss tests). */
  public Predicate<ByteBuffer> dropAtoB = p -> false;
  public Predicate<ByteBuffer> dropBtoA = p -> false;
  public int maxPacket;
  public long packets;
  public long dropped;
  /** Called after every step, so a test can poll events. */
  public Runnable onStep = () -> {};

  public Link(Core a, Core b, long seed) {
    this.a = a;
    this.b = b;
    this.rnd = new Random(seed);
  }

  public Link impair(double loss, double reorder, double duplicate, long delayMillis, long jitterMillis) {
    this.loss = loss;
    this.reorder = reorder;
    this.duplicate = duplicate;
    this.delayNanos = delayMillis * 1_000_000L;
    this.jitterNanos = jitterMillis * 1_000_000L;
    return this;
  }

  private void pump() {
    drain(a, true);
    drain(b, false);
  }

  private void drain(Core c, boolean toB) {
    Optional<ByteBuffer> p;
    int guard = 0;
    while ((p = c.pollTransmit()).isPresent()) {
      ByteBuffer bytes = p.get();
      packets++;
      maxPacket = Math.max(maxPacket, bytes.remaining());
      if ((toB ? dropAtoB : dropBtoA).test(bytes.duplicate())) {
        dropped++;
        continue;
      }
      if (rnd.nextDouble() < loss) {
        dropped++;
        continue;
      }
      byte[] copy = new byte[bytes.remaining()];
      bytes.duplicate().get(copy);
      enqueue(toB, copy);
      if (rnd.nextDouble() < duplicate) {
        enqueue(toB, copy.clone());
      }
      if (++guard > 1_000_000) {
        throw new IllegalStateException("core emits without end");
      }
    }
  }

  private void enqueue(boolean toB, byte[] copy) {
    long d = delayNanos;
    if (jitterNanos > 0) {
      d += (long) ((rnd.nextDouble() * 2 - 1) * jitterNanos);
    }
    if (rnd.nextDouble() < reorder) {
      d += delayNanos / 2 + 1_000_000L + (long) (rnd.nextDouble() * Math.max(delayNanos, 1_000_000L));
    }
    queue.add(new InFlight(now + Math.max(0, d), seq++, toB, ByteBuffer.wrap(copy)));
  }

  /** One step: to the next delivery or timer, process everything due at that instant. */
  public boolean step() {
    pump();
    onStep.run();
    pump();
    long next = Math.min(a.pollTimeout(), b.pollTimeout());
    InFlight head = queue.peek();
    if (head != null) {
      next = Math.min(next, head.at);
    }
    if (next == Long.MAX_VALUE) {
      return false;
    }
    now = Math.max(now, next);
    while ((head = queue.peek()) != null && head.at <= now) {
      queue.poll();
      (head.toB ? b : a).handleReceive(now, head.bytes);
    }
    if (a.pollTimeout() <= now) {
      a.handleTimeout(now);
    }
    if (b.pollTimeout() <= now) {
      b.handleTimeout(now);
    }
    return true;
  }

  /** Steps until {@code done} holds; fails after {@code maxSimMillis} of simulated time or steps. */
  public void runUntil(BooleanSupplier done, long maxSimMillis) {
    long end = now + maxSimMillis * 1_000_000L;
    long steps = 0;
    while (!done.getAsBoolean()) {
      if (now > end) {
        throw new AssertionError("condition not reached within " + maxSimMillis + " simulated ms");
      }
      if (!step()) {
        // Idle: let the test's onStep run once more, then give up if still idle.
        onStep.run();
        if (done.getAsBoolean()) {
          return;
        }
        throw new AssertionError("link went idle before the condition held");
      }
      if (++steps > 50_000_000L) {
        throw new AssertionError("too many steps");
      }
    }
  }

  /** Runs for a span of simulated time. */
  public void runFor(long simMillis) {
    long end = now + simMillis * 1_000_000L;
    while (now < end) {
      pump();
      onStep.run();
      pump();
      long next = Math.min(a.pollTimeout(), b.pollTimeout());
      InFlight head = queue.peek();
      if (head != null) {
        next = Math.min(next, head.at);
      }
      if (next > end) {
        now = end;
        return;
      }
      step();
    }
  }
}
