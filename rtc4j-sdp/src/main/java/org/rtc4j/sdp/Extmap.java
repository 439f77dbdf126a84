package org.rtc4j.sdp;

import java.util.Objects;

/**
 * RTP header extension mapping (RFC 8285 §5).
 *
 * <pre>
 * extmap = mapentry SP extensionname [SP extensionattributes]
 * mapentry = "extmap:" 1*5DIGIT ["/" direction]
 * direction = "sendonly" / "recvonly" / "sendrecv" / "inactive"
 * </pre>
 *
 * Ids 1-14 fit the one-byte form, up to 255 the two-byte form; 4096-4351 appear in offers
 * (RFC 8285 §5), so the id range accepted is 1..4351.
 *
 * @param direction {@code null} when absent
 * @param extensionAttributes {@code null} when absent
 */
public record Extmap(int id, String direction, String uri, String extensionAttributes) {
  public Extmap {
    Objects.requireNonNull(uri);
  }

  public static Extmap parse(String value) throws SdpParseException {
    String[] t = Text.split(value, 3);
    if (t.length < 2) {
      throw SdpParseException.reason("extmap needs <id>[/<direction>] <uri>");
    }
    String idPart = t[0];
    String dir = null;
    int slash = idPart.indexOf('/');
    if (slash >= 0) {
      dir = idPart.substring(slash + 1);
      idPart = idPart.substring(0, slash);
      if (!(dir.equals("sendonly") || dir.equals("recvonly") || dir.equals("sendrecv")
          || dir.equals("inactive"))) {
        throw SdpParseException.reason("extmap direction must be sendonly, recvonly, sendrecv or inactive");
      }
    }
    int id = Text.integer(idPart, 1, 4351, "extmap id");
    return new Extmap(id, dir, t[1], t.length == 3 ? t[2] : null);
  }

  public String value() {
    return id + (direction == null ? "" : "/" + direction) + " " + uri
        + (extensionAttributes == null ? "" : " " + extensionAttributes);
  }
}
