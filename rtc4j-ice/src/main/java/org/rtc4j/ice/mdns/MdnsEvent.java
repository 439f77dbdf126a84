package org.rtc4j.ice.mdns;

import java.net.InetAddress;

/** What an {@link MdnsResolver} reports. */
public sealed interface MdnsEvent {

  /** The name asked for (canonical: lower case, no trailing dot). */
  String name();

  /**
   * An A or AAAA answer for {@code name} arrived (or was in the cache).
   *
   * @param name the name
   * @param address its address
   */
  record Resolved(String name, InetAddress address) implements MdnsEvent {}

  /**
   * No answer after every try.
   *
   * @param name the name
   */
  record NotFound(String name) implements MdnsEvent {}
}
