package org.rtc4j.sdp;

/**
 * The RFC 8445 priority formulas.
 *
 * <pre>
 * priority = (2^24)*(type preference) + (2^8)*(local preference) + (2^0)*(256 - component ID)
 * pair priority = 2^32*MIN(G,D) + 2*MAX(G,D) + (G&gt;D?1:0)
 * </pre>
 *
 * (§5.1.2.1 and §6.1.2.3; G is the controlling agent's candidate priority, D the controlled's.)
 */
public final class IcePriority {
  private IcePriority() {}

  /**
   * @param typePreference 0..126
   * @param localPreference 0..65535
   * @param componentId 1..256
   */
  public static long candidate(int typePreference, int localPreference, int componentId) {
    if (typePreference < 0 || typePreference > 126) {
      throw new IllegalArgumentException("type preference 0..126: " + typePreference);
    }
    if (localPreference < 0 || localPreference > 65535) {
      throw new IllegalArgumentException("local preference 0..65535: " + localPreference);
    }
    if (componentId < 1 || componentId > 256) {
      throw new IllegalArgumentException("component 1..256: " + componentId);
    }
    return ((long) typePreference << 24) + ((long) localPreference << 8) + (256 - componentId);
  }

  /** The pair priority as an unsigned 64-bit value held in a long (compare with Long.compareUnsigned). */
  public static long pair(long controlling, long controlled) {
    long min = Math.min(controlling, controlled);
    long max = Math.max(controlling, controlled);
    return (min << 32) + 2 * max + (controlling > controlled ? 1 : 0);
  }

  public static int typePreference(long priority) {
    return (int) (priority >>> 24) & 0xFF;
  }

  public static int localPreference(long priority) {
    return (int) (priority >>> 8) & 0xFFFF;
  }

  public static int componentId(long priority) {
    return 256 - (int) (priority & 0xFF);
  }
}
