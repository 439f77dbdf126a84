/**
 * The few network value types every layer shares: {@link org.rtc4j.net.Datagram} and
 * {@link org.rtc4j.net.Transport}. Sans-IO cores take datagrams in and hand datagrams out; the
 * real network drivers (NIO, Netty) and the test simulator (SimNet) move them.
 *
 * <p>Threading: immutable values, safe to pass between threads; a payload buffer belongs to one
 * thread at a time.
 */
package org.rtc4j.net;
