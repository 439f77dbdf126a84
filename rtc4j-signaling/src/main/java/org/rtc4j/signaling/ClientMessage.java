package org.rtc4j.signaling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One frame a PeerJS client sends: the envelope {@code {"type":T,"dst":D,"payload":P}} (a
 * {@code src} the client writes is ignored: the server always rewrites it with the sender's id).
 * Parsed with Jackson's streaming parser: the payload is validated but not turned into a tree;
 * its exact JSON text is forwarded (upstream re-serializes it with {@code JSON.stringify}, which
 * gives the same text for the compact JSON clients send).
 *
 * @param type the message type, e.g. {@code "OFFER"}; any string (unknown types are ignored later)
 * @param dst the destination id, or null when the frame has none (or {@code "dst":null})
 * @param payload the payload's JSON text, or null when absent
 */
public record ClientMessage(String type, String dst, String payload) {

  /** Message types the server acts on. */
  public static final String OPEN = "OPEN";
  public static final String HEARTBEAT = "HEARTBEAT";
  public static final String OFFER = "OFFER";
  public static final String ANSWER = "ANSWER";
  public static final String CANDIDATE = "CANDIDATE";
  public static final String LEAVE = "LEAVE";
  public static final String EXPIRE = "EXPIRE";
  public static final String ERROR = "ERROR";
  public static final String ID_TAKEN = "ID-TAKEN";

  /**
   * A mapper for untrusted frames: nesting capped (a deeply nested payload costs stack), the rest
   * bounded by the frame size cap the WebSocket decoder enforces before this runs.
   */
  static ObjectMapper newMapper() {
    JsonFactory f = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(100).build())
        .build();
    return new ObjectMapper(f);
  }

  /**
   * Parses one text frame's bytes: pure-ASCII frames (every frame a peerjs client sends in
   * practice) in one pass over the bytes with {@link AsciiEnvelope}, no tokenizer objects and no
   * UTF-16 copy of the SDP; anything that pass is not sure about (non-ASCII bytes, escapes in a
   * top-level name or in {@code type}/{@code dst}, a root that is not an object, deep nesting, long
   * numbers, and every malformed frame) goes through {@link #parse(ObjectMapper, String)}, which stays
   * the reference: both give the same result for every input (ClientMessageFuzzTest checks it).
   *
   * @param content the frame's payload (not consumed)
   * @throws SignalingMessageException naming what is wrong; nothing else escapes
   */
  public static ClientMessage parse(ObjectMapper mapper, io.netty.buffer.ByteBuf content) throws SignalingMessageException {
    byte[] b = new byte[content.readableBytes()];
    content.getBytes(content.readerIndex(), b);
    return parse(mapper, b);
  }

  /** {@link #parse(ObjectMapper, io.netty.buffer.ByteBuf)} over an array (UTF-8 text). */
  public static ClientMessage parse(ObjectMapper mapper, byte[] utf8) throws SignalingMessageException {
    ClientMessage m = AsciiEnvelope.parse(utf8);
    return m != null ? m : parse(mapper, new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Parses one text frame.
   *
   * @throws SignalingMessageException naming what is wrong; nothing else escapes
   */
  public static ClientMessage parse(ObjectMapper mapper, String text) throws SignalingMessageException {
    String type = null;
    boolean typeBad = false;
    String dst = null;
    boolean dstBad = false;
    String payload = null;
    try (JsonParser p = mapper.getFactory().createParser(text)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        if (first == null) {
          throw new SignalingMessageException("not JSON");
        }
        p.skipChildren();
        if (p.nextToken() != null) {
          throw new SignalingMessageException("not JSON");
        }
        throw new SignalingMessageException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "type" -> {
            typeBad = t != JsonToken.VALUE_STRING;
            type = typeBad ? null : p.getText();
            p.skipChildren();
          }
          case "dst" -> {
            if (t == JsonToken.VALUE_NULL) {
              dst = null;
              dstBad = false;
            } else if (t == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
              dst = p.getText();
              dstBad = false;
            } else {
              dstBad = true;
              p.skipChildren();
            }
          }
          case "payload" -> {
            int start = (int) p.currentTokenLocation().getCharOffset();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
              p.skipChildren();
            } else {
              p.finishToken(); // a string's end is only known once it is read
            }
            int end = (int) p.currentLocation().getCharOffset();
            payload = text.substring(start, end);
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new SignalingMessageException("not JSON");
      }
    } catch (IOException | RuntimeException e) {
      throw new SignalingMessageException("not JSON");
    }
    if (type == null || typeBad) {
      throw new SignalingMessageException("\"type\" must be a string");
    }
    if (dstBad) {
      throw new SignalingMessageException("\"dst\" must be a non-empty string");
    }
    return new ClientMessage(type, dst, payload);
  }

  /** {@code {"type":T,"src":S,"dst":D,"payload":P}}: what the server forwards (only these fields, as upstream). */
  static String relayFrame(ObjectMapper mapper, String type, String src, String dst, String payload) {
    StringBuilder b = new StringBuilder(48 + type.length() + src.length() + dst.length()
        + (payload == null ? 0 : payload.length()));
    b.append("{\"type\":");
    quote(b, type);
    b.append(",\"src\":");
    quote(b, src);
    b.append(",\"dst\":");
    quote(b, dst);
    if (payload != null) {
      b.append(",\"payload\":").append(payload);
    }
    return b.append('}').toString();
  }

  private static final String[] KNOWN_TYPES = {OFFER, ANSWER, CANDIDATE, HEARTBEAT, LEAVE, EXPIRE};
  private static final byte[] TYPE_OPEN = ascii("{\"type\":\"");
  private static final byte[] SRC_OPEN = ascii("\",\"src\":\"");
  private static final byte[] DST_OPEN = ascii("\",\"dst\":\"");
  private static final byte[] PAYLOAD_OPEN = ascii("\",\"payload\":");
  private static final byte[] NO_PAYLOAD_CLOSE = ascii("\"}");

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * {@link #relayFrame} for a frame {@link AsciiEnvelope#ranges} parsed, written straight from the
   * received bytes into {@code out} (appended) as a whole server-to-client WebSocket frame: the same text,
   * byte for byte ({@code type} and {@code dst} hold no escapes and no control characters there, so
   * quoting them changes nothing), without the strings and copies in between.
   *
   * @param b the received frame's bytes, {@code r} its ranges ({@code dst} present)
   * @param srcEscaped the sender's id, JSON-escaped, UTF-8, without quotes
   * @return {@code out}
   */
  static io.netty.buffer.ByteBuf encodedRelayFrame(io.netty.buffer.ByteBuf out, byte[] b, int[] r,
      byte[] srcEscaped) {
    int ts = r[AsciiEnvelope.TYPE_START];
    int tl = r[AsciiEnvelope.TYPE_END] - ts;
    int ds = r[AsciiEnvelope.DST_START];
    int dl = r[AsciiEnvelope.DST_END] - ds;
    int ps = r[AsciiEnvelope.PAYLOAD_START];
    int pl = ps < 0 ? 0 : r[AsciiEnvelope.PAYLOAD_END] - ps;
    int len = TYPE_OPEN.length + tl + SRC_OPEN.length + srcEscaped.length + DST_OPEN.length + dl
        + (ps < 0 ? NO_PAYLOAD_CLOSE.length : PAYLOAD_OPEN.length + pl + 1);
    out.ensureWritable(WsText.headerLength(len) + len);
    WsText.writeHeader(out, len);
    out.writeBytes(TYPE_OPEN).writeBytes(b, ts, tl)
        .writeBytes(SRC_OPEN).writeBytes(srcEscaped)
        .writeBytes(DST_OPEN).writeBytes(b, ds, dl);
    if (ps < 0) {
      out.writeBytes(NO_PAYLOAD_CLOSE);
    } else {
      out.writeBytes(PAYLOAD_OPEN).writeBytes(b, ps, pl).writeByte('}');
    }
    return out;
  }

  /** The message type in {@code b[s, e)} (ASCII, no escapes): the constant for the ones the server knows. */
  static String type(byte[] b, int s, int e) {
    int n = e - s;
    for (String k : KNOWN_TYPES) {
      if (k.length() == n && same(b, s, k)) {
        return k;
      }
    }
    return new String(b, s, n, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static boolean same(byte[] b, int s, String k) {
    for (int i = 0; i < k.length(); i++) {
      if (b[s + i] != k.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** {@code s} JSON-escaped (as inside {@link #relayFrame}'s quotes), UTF-8. */
  static byte[] escapedUtf8(String s) {
    return JsonStringEncoder.getInstance().quoteAsUTF8(s);
  }

  /** {@code {"type":T,"payload":{"msg":M}}}: ERROR and ID-TAKEN. */
  static String errorFrame(ObjectMapper mapper, String type, String msg) {
    StringBuilder b = new StringBuilder("{\"type\":");
    quote(b, type);
    b.append(",\"payload\":{\"msg\":");
    quote(b, msg);
    return b.append("}}").toString();
  }

  /** {@code {"type":T,"src":S,"dst":D}}: server-made EXPIRE and LEAVE. */
  static String noticeFrame(ObjectMapper mapper, String type, String src, String dst) {
    return relayFrame(mapper, type, src, dst, null);
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, b);
    b.append('"');
  }
}
