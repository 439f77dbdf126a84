/**
 * Deterministic simulation for testing sans-IO protocol cores: {@link org.rtc4j.testkit.sim.SimClock}
 * (virtual nanosecond time with a timer queue) and {@link org.rtc4j.testkit.sim.SimNet} (hosts with
 * IPv4/IPv6 addresses, impaired links, NATs, and a driver loop for cores of the
 * {@link org.rtc4j.testkit.sim.SansIo} shape).
 *
 * <p>Models: link impairments — random loss, fixed delay, uniform jitter, reordering,
 * duplication, MTU (Don't Fragment: oversize is dropped), token-bucket rate limit with a tail-drop
 * queue ({@link org.rtc4j.testkit.sim.Impairment}); NAT behaviour after RFC 4787 (mapping §4.1,
 * port assignment §4.2, refresh and timeouts §4.3, filtering §5, hairpinning §6) and the classic
 * RFC 3489 §5 types full cone, address-restricted cone, port-restricted cone and symmetric
 * ({@link org.rtc4j.testkit.sim.NatType}, {@link org.rtc4j.testkit.sim.NatConfig}).
 *
 * <p>Determinism: all randomness comes from one {@code java.util.random} generator seeded when the
 * network is made, and events at one virtual instant run in scheduling order; the same seed and
 * the same test code give the same outcome, packet for packet ({@link org.rtc4j.testkit.sim.SimNet#trace}).
 *
 * <p>Layer: test support, below nothing; uses only {@code org.rtc4j.net.Datagram}. Threading: a
 * simulation and everything in it belongs to one thread; nothing here starts threads or reads a
 * real clock.
 */
package org.rtc4j.testkit.sim;
