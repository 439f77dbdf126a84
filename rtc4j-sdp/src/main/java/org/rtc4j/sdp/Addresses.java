package org.rtc4j.sdp;

/**
 * IP literal checks done by hand: {@code InetAddress.getByName} would resolve anything that is
 * not a literal, and a remote description must never make us query DNS.
 */
final class Addresses {
  private Addresses() {}

  static boolean isIpv4(String s) {
    String[] p = s.split("\\.", -1);
    if (p.length != 4) {
      return false;
    }
    for (String o : p) {
      if (o.isEmpty() || o.length() > 3 || !Text.isDigits(o) || Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return true;
  }

  /** RFC 4291 §2.2 text forms, including "::" and a trailing dotted IPv4; no zone id. */
  static boolean isIpv6(String s) {
    if (s.length() < 2 || s.length() > 45 || s.indexOf(':') < 0) {
      return false;
    }
    int dc = s.indexOf("::");
    if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) {
      return false;
    }
    String head = dc >= 0 ? s.substring(0, dc) : s;
    String tail = dc >= 0 ? s.substring(dc + 2) : "";
    int groups = 0;
    String[][] parts = {head.isEmpty() ? new String[0] : head.split(":", -1),
        tail.isEmpty() ? new String[0] : tail.split(":", -1)};
    for (int k = 0; k < 2; k++) {
      String[] ps = parts[k];
      for (int i = 0; i < ps.length; i++) {
        String g = ps[i];
        boolean last = (k == 1 || dc < 0) && i == ps.length - 1;
        if (last && g.indexOf('.') >= 0) {
          if (!isIpv4(g)) {
            return false;
          }
          groups += 2;
        } else {
          if (g.isEmpty() || g.length() > 4) {
            return false;
          }
          for (int j = 0; j < g.length(); j++) {
            if (Character.digit(g.charAt(j), 16) < 0) {
              return false;
            }
          }
          groups++;
        }
      }
    }
    return dc >= 0 ? groups <= 7 : groups == 8;
  }
}
