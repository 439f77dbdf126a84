package org.rtc4j.stun;

import java.nio.charset.StandardCharsets;

/**
 * Short-term credential key (RFC 8489 §9.1.1; RFC 5389 §15.4): the UTF-8 bytes of the prepared
 * password. ICE uses it with the peer's ice-pwd (RFC 8445 §7.2.2). Pure; thread-safe.
 */
public final class ShortTermCredentials {
  private ShortTermCredentials() {}

  /** UTF-8(SASLprep(password)). */
  public static byte[] key(String password) {
    return Saslprep.prepare(password).getBytes(StandardCharsets.UTF_8);
  }
}
