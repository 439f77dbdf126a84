/**
 * Multicast DNS for ICE: resolving the {@code <uuid>.local} host names that browsers put in
 * candidates instead of private IP addresses (draft-ietf-mmusic-mdns-ice-candidates). The DNS
 * message codec ({@link org.rtc4j.ice.mdns.MdnsMessage}, RFC 1035 §4 with name compression on
 * parse; RFC 6762 §18 header use, the QU and cache-flush bits) and the
 * {@link org.rtc4j.ice.mdns.MdnsResolver} sans-IO core (RFC 6762 §5.1 one-shot queries, §5.4
 * unicast-response bit, §6 source port check, §10 TTLs and goodbyes).
 *
 * <p>Layer: beside the ICE agent, which asks the runtime to resolve a name
 * ({@code MdnsQueryRequested}); the runtime drives a resolver on its mDNS sockets and answers
 * with {@code handleMdnsResolved}. No sockets, clocks or threads here. {@code MdnsMessage.parse}
 * is bounds-checked and throws only {@link org.rtc4j.ice.mdns.MdnsParseException}.
 *
 * <p>Threading: messages and records are immutable; a resolver belongs to one loop thread.
 */
package org.rtc4j.ice.mdns;
