package org.rtc4j.testkit.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * What one direction of a {@link SimNet} link does to the datagrams crossing it. Immutable; build
 * with {@link #builder()} or start from {@link #NONE}.
 *
 * <p>A datagram entering a link at time {@code t} goes through, in this order:
 * <ol>
 *   <li><b>MTU</b>: dropped when its IP size (payload + 8 UDP + 20 IPv4 or 40 IPv6 header bytes)
 *       exceeds {@code mtu} — WebRTC sets Don't Fragment, so an oversize packet is lost, not
 *       fragmented. {@code 0} means no limit.</li>
 *   <li><b>Rate</b>: a token bucket of {@code burstBytes} filling at {@code rateBitsPerSecond}.
 *       A datagram that finds too few tokens waits in a FIFO queue behind earlier ones; when the
 *       queue would exceed {@code queueBytes} it is dropped (tail drop). {@code queueBytes == 0}
 *       makes it a policer (drop instead of wait). {@code rateBitsPerSecond == 0}: unlimited.</li>
 *   <li><b>Loss</b>: dropped with probability {@code loss}, independently; with burst loss on
 *       ({@code burstEnter > 0}) the link also follows a two-state Gilbert model: each datagram
 *       moves it from "good" to "bad" with probability {@code burstEnter} and back with
 *       {@code burstExit}, and every datagram in the bad state is lost (mean burst length
 *       {@code 1 / burstExit}; long-run fraction in bad {@code burstEnter / (burstEnter + burstExit)}).</li>
 *   <li><b>Duplication</b>: with probability {@code duplicate} a second copy is sent; each copy
 *       gets its own delay below.</li>
 *   <li><b>Delay</b>: arrives {@code delay} + a uniform random value in {@code [0, jitter]} after
 *       leaving the rate queue; with probability {@code reorder} it is held back a further
 *       {@code reorderDelay}, so packets sent after it overtake it. Jitter alone can also reorder
 *       packets sent closer together than the jitter.</li>
 * </ol>
 *
 * @param loss probability in [0, 1] that a datagram is lost
 * @param delay fixed one-way delay
 * @param jitter maximum extra random delay (uniform)
 * @param reorder probability in [0, 1] that a datagram is held back by {@code reorderDelay}
 * @param reorderDelay extra delay of a reordered datagram
 * @param duplicate probability in [0, 1] that a datagram is delivered twice
 * @param mtu maximum IP packet size in bytes; 0 for none
 * @param rateBitsPerSecond link rate; 0 for unlimited
 * @param burstBytes token bucket depth (bytes that may pass at once after idle time)
 * @param queueBytes bytes that may wait for tokens before tail drop; 0 makes a policer
 * @param burstEnter per-datagram probability of entering a loss burst (0: no burst loss)
 * @param burstExit per-datagram probability of leaving a loss burst
 *
 * <p>To change conditions during a run (a link going down, a route change), schedule a call to
 * {@link SimNet#impair} on the {@link SimClock}; a link that is down is {@code loss(1.0)}.
 */
public record Impairment(
    double loss,
    Duration delay,
    Duration jitter,
    double reorder,
    Duration reorderDelay,
    double duplicate,
    int mtu,
    long rateBitsPerSecond,
    int burstBytes,
    int queueBytes,
    double burstEnter,
    double burstExit) {

  /** A perfect link: no loss, no delay, no limits. */
  public static final Impairment NONE = builder().build();

  public Impairment {
    checkProbability("loss", loss);
    checkProbability("reorder", reorder);
    checkProbability("duplicate", duplicate);
    checkProbability("burstEnter", burstEnter);
    checkProbability("burstExit", burstExit);
    if (burstEnter > 0 && burstExit == 0) {
      throw new IllegalArgumentException("a loss burst that never ends: burstExit must be > 0");
    }
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(jitter, "jitter");
    Objects.requireNonNull(reorderDelay, "reorderDelay");
    if (delay.isNegative() || jitter.isNegative() || reorderDelay.isNegative()) {
      throw new IllegalArgumentException("negative delay, jitter or reorderDelay");
    }
    if (mtu < 0 || (mtu > 0 && mtu < 68)) {
      throw new IllegalArgumentException("mtu must be 0 (none) or at least 68: " + mtu);
    }
    if (rateBitsPerSecond < 0 || burstBytes < 0 || queueBytes < 0) {
      throw new IllegalArgumentException("negative rate, burst or queue");
    }
    if (rateBitsPerSecond > 0 && burstBytes == 0) {
      throw new IllegalArgumentException("a rate limit needs burstBytes > 0");
    }
  }

  /** A builder starting from {@link #NONE}'s values. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this impairment's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.loss = loss;
    b.delay = delay;
    b.jitter = jitter;
    b.reorder = reorder;
    b.reorderDelay = reorderDelay;
    b.duplicate = duplicate;
    b.mtu = mtu;
    b.rate = rateBitsPerSecond;
    b.burst = burstBytes;
    b.queue = queueBytes;
    b.burstEnter = burstEnter;
    b.burstExit = burstExit;
    return b;
  }

  /** Shorthand for a link with only a fixed delay. */
  public static Impairment delay(Duration delay) {
    return builder().delay(delay).build();
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be a probability in [0, 1]: " + p);
    }
  }

  /** Builds an {@link Impairment}. */
  public static final class Builder {
    private double loss;
    private Duration delay = Duration.ZERO;
    private Duration jitter = Duration.ZERO;
    private double reorder;
    private Duration reorderDelay = Duration.ofMillis(10);
    private double duplicate;
    private int mtu;
    private long rate;
    private int burst;
    private int queue = 64 * 1024;
    private double burstEnter;
    private double burstExit;

    private Builder() {}

    /** Probability of loss, 0..1. */
    public Builder loss(double p) {
      this.loss = p;
      return this;
    }

    /** Fixed one-way delay. */
    public Builder delay(Duration d) {
      this.delay = d;
      return this;
    }

    /** Maximum additional uniform random delay. */
    public Builder jitter(Duration d) {
      this.jitter = d;
      return this;
    }

    /** Probability that a datagram is held back by {@code extraDelay}. */
    public Builder reorder(double p, Duration extraDelay) {
      this.reorder = p;
      this.reorderDelay = extraDelay;
      return this;
    }

    /** Probability that a datagram is duplicated. */
    public Builder duplicate(double p) {
      this.duplicate = p;
      return this;
    }

    /**
     * Bursty loss (Gilbert model): per datagram, probability {@code enter} of starting a burst in
     * which everything is lost, and {@code exit} of ending it.
     */
    public Builder burstLoss(double enter, double exit) {
      this.burstEnter = enter;
      this.burstExit = exit;
      return this;
    }

    /** Maximum IP packet size (payload + IP and UDP headers); 0 for none. */
    public Builder mtu(int bytes) {
      this.mtu = bytes;
      return this;
    }

    /**
     * Token-bucket rate limit: {@code bitsPerSecond} with a bucket of {@code burstBytes}; datagrams
     * that find the bucket empty queue up to {@code queueBytes}, then are dropped.
     */
    public Builder rate(long bitsPerSecond, int burstBytes, int queueBytes) {
      this.rate = bitsPerSecond;
      this.burst = burstBytes;
      this.queue = queueBytes;
      return this;
    }

    /** Rate limit with a 16 KiB bucket and a 64 KiB queue. */
    public Builder rate(long bitsPerSecond) {
      return rate(bitsPerSecond, 16 * 1024, 64 * 1024);
    }

    /** The impairment. */
    public Impairment build() {
      return new Impairment(loss, delay, jitter, reorder, reorderDelay, duplicate, mtu, rate, burst, queue, burstEnter,
          burstExit);
    }
  }
}
