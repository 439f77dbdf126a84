package org.rtc4j.sdp;

import java.util.ArrayList;
import java.util.List;

/** The line-oriented parser behind {@link SessionDescription#parse}. */
final class Parser {
  private final String sdp;
  private int pos;
  private int lineNumber;
  private String line = "";
  private int totalLines;

  Parser(String sdp) {
    this.sdp = sdp;
  }

  SessionDescription parse() throws SdpParseException {
    if (sdp == null) {
      throw new SdpParseException(0, "", "no description");
    }
    if (sdp.length() > SdpLimits.MAX_DESCRIPTION_LENGTH) {
      throw new SdpParseException(0, "", "description longer than "
          + SdpLimits.MAX_DESCRIPTION_LENGTH + " characters");
    }
    int nul = sdp.indexOf('\0');
    if (nul >= 0) {
      // Find the line for the message: C parsers have crashed on exactly this (pjproject #2092).
      int n = 1;
      int start = 0;
      for (int i = 0; i < nul; i++) {
        if (sdp.charAt(i) == '\n') {
          n++;
          start = i + 1;
        }
      }
      int end = sdp.indexOf('\n', nul);
      throw new SdpParseException(n, sdp.substring(start, end < 0 ? sdp.length() : end).strip(),
          "NUL character in description");
    }
    if (!next() || !line.startsWith("v=")) {
      throw error("description must start with v=0");
    }
    if (!line.equals("v=0")) {
      throw error("bad v= line: only version 0 exists (RFC 8866 §5.1)");
    }
    if (!next() || !line.startsWith("o=")) {
      throw error(line.startsWith("v=") ? "bad v= line: v= repeated" : "expected o= after v=");
    }
    Origin origin = value(() -> Origin.parse(line.substring(2)));
    if (!next() || !line.startsWith("s=")) {
      throw error("expected s= after o=");
    }
    String sessionName = line.substring(2);
    List<SdpLine> sessionLines = new ArrayList<>();
    List<MediaDescription> media = new ArrayList<>();
    List<SdpLine> current = sessionLines;
    Header mline = null;
    int attributes = 0;
    while (next()) {
      char type = line.charAt(0);
      String v = line.substring(2);
      switch (type) {
        case 'v', 'o', 's' -> throw error(type + "= line repeated or out of order");
        case 'm' -> {
          if (mline != null) {
            media.add(mline.with(current));
          }
          if (media.size() >= SdpLimits.MAX_MEDIA_SECTIONS) {
            throw error("more than " + SdpLimits.MAX_MEDIA_SECTIONS + " m= sections");
          }
          mline = mediaLine(v);
          current = new ArrayList<>();
          attributes = 0;
        }
        case 'c' -> current.add(value(() -> Connection.parse(v)));
        case 'a' -> {
          if (++attributes > SdpLimits.MAX_ATTRIBUTES_PER_SECTION) {
            throw error("more than " + SdpLimits.MAX_ATTRIBUTES_PER_SECTION
                + " attributes in one section");
          }
          current.add(attribute(v));
        }
        default -> current.add(new OtherLine(type, v));
      }
    }
    if (mline != null) {
      media.add(mline.with(current));
    }
    return new SessionDescription(origin, sessionName, sessionLines, media);
  }

  /** Reads the next line into {@link #line}; false at the end. */
  private boolean next() throws SdpParseException {
    if (pos >= sdp.length()) {
      return false;
    }
    int nl = sdp.indexOf('\n', pos);
    int end = nl < 0 ? sdp.length() : nl;
    int stop = end > pos && sdp.charAt(end - 1) == '\r' ? end - 1 : end;
    line = sdp.substring(pos, Math.min(stop, pos + SdpLimits.MAX_LINE_LENGTH + 1));
    lineNumber++;
    pos = nl < 0 ? sdp.length() : nl + 1;
    if (++totalLines > SdpLimits.MAX_LINES) {
      throw error("more than " + SdpLimits.MAX_LINES + " lines");
    }
    if (line.length() > SdpLimits.MAX_LINE_LENGTH) {
      throw error("line longer than " + SdpLimits.MAX_LINE_LENGTH + " characters");
    }
    if (line.isEmpty()) {
      if (pos >= sdp.length()) {
        return false; // a trailing blank line is harmless
      }
      throw error("empty line");
    }
    if (line.indexOf('\r') >= 0) {
      throw error("CR not followed by LF");
    }
    if (line.length() < 2 || line.charAt(1) != '=' || !isTypeLetter(line.charAt(0))) {
      throw error("expected <type>=<value> with a single-letter type");
    }
    return true;
  }

  private static boolean isTypeLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** The m= line's fields, checked when the line is read so errors name it. */
  private record Header(String media, int port, int count, String proto, List<String> formats) {
    MediaDescription with(List<SdpLine> lines) {
      return new MediaDescription(media, port, count, proto, formats, lines);
    }
  }

  private Header mediaLine(String v) throws SdpParseException {
    String[] t = Text.split(v, 4);
    if (t.length != 4) {
      throw error("m= needs <media> <port> <proto> <fmt>...");
    }
    String portField = t[1];
    int slash = portField.indexOf('/');
    int port = value(() -> Text.integer(slash < 0 ? portField : portField.substring(0, slash), 0,
        65535, "m= port"));
    int count = slash < 0 ? 0 : value(() -> Text.integer(portField.substring(slash + 1), 1, 65535,
        "m= port count"));
    if (!Text.isToken(t[0]) || !isProto(t[2])) {
      throw error("m= media and proto must be tokens");
    }
    List<String> formats = Text.words(t[3]);
    if (formats.isEmpty()) {
      throw error("m= needs at least one format");
    }
    if (formats.size() > SdpLimits.MAX_FORMATS) {
      throw error("more than " + SdpLimits.MAX_FORMATS + " formats on one m= line");
    }
    boolean rtp = t[2].contains("RTP/");
    for (String f : formats) {
      if (rtp) {
        try {
          Text.integer(f, 0, 127, "payload type");
        } catch (SdpParseException e) {
          // pjproject #2093 crashed on 4294967296 here; the number is never used to size anything
          throw error("payload type must be 0..127, got \"" + Text.cut(f) + "\"");
        }
      } else if (!Text.isToken(f)) {
        throw error("format must be a token");
      }
    }
    return new Header(t[0], port, count, t[2], formats);
  }

  /** proto = token *("/" token) (RFC 8866 §9). */
  private static boolean isProto(String p) {
    for (String part : p.split("/", -1)) {
      if (!Text.isToken(part)) {
        return false;
      }
    }
    return true;
  }

  private Attribute attribute(String v) throws SdpParseException {
    int colon = v.indexOf(':');
    String name = colon < 0 ? v : v.substring(0, colon);
    String value = colon < 0 ? null : v.substring(colon + 1);
    if (!Text.isToken(name)) {
      throw error("attribute name must be a token");
    }
    switch (name) {
      case "rtpmap" -> value(() -> RtpMap.parse(need(name, value)));
      case "fmtp" -> value(() -> Fmtp.parse(need(name, value)));
      case "rtcp-fb" -> value(() -> RtcpFb.parse(need(name, value)));
      case "extmap" -> value(() -> Extmap.parse(need(name, value)));
      case "ssrc" -> value(() -> Ssrc.parse(need(name, value)));
      case "ssrc-group" -> value(() -> SsrcGroup.parse(need(name, value)));
      case "msid" -> value(() -> Msid.parse(need(name, value)));
      case "group" -> value(() -> Group.parse(need(name, value)));
      case "setup" -> value(() -> Setup.parse(need(name, value)));
      case "sctpmap" -> value(() -> Sctpmap.parse(need(name, value)));
      case "mid" -> {
        if (value == null || value.isBlank()) {
          throw error("mid needs a value");
        }
      }
      default -> { }
    }
    return new Attribute(name, value);
  }

  private static String need(String name, String value) throws SdpParseException {
    if (value == null) {
      throw SdpParseException.reason(name + " needs a value");
    }
    return value;
  }

  interface ValueParser<T> {
    T parse() throws SdpParseException;
  }

  private <T> T value(ValueParser<T> p) throws SdpParseException {
    try {
      return p.parse();
    } catch (SdpParseException e) {
      throw e.at(lineNumber, line);
    }
  }

  private SdpParseException error(String reason) {
    return new SdpParseException(lineNumber, line, reason);
  }
}
