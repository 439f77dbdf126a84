package org.rtc4j.signaling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One frame a PeerJS client sends: the envelope {@code {"type":T,"dst":D,"payload":P}} (a
 * {@code src} the client writes is ignored: the server always rewrites it with the sender's id).
 *
 * @param type the message type, e.g. {@code "OFFER"}; any string (unknown types are ignored later)
 * @param dst the destination id, or null when the frame has none (or {@code "dst":null})
 * @param payload the payload subtree, or null when absent
 */
public record ClientMessage(String type, String dst, JsonNode payload) {

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
   * Parses one text frame.
   *
   * @throws SignalingMessageException naming what is wrong; nothing else escapes
   */
  public static ClientMessage parse(ObjectMapper mapper, String text) throws SignalingMessageException {
    JsonNode node;
    try {
      node = mapper.readTree(text);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new SignalingMessageException("not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new SignalingMessageException("not a JSON object");
    }
    ObjectNode o = (ObjectNode) node;
    JsonNode type = o.get("type");
    if (type == null || !type.isTextual()) {
      throw new SignalingMessageException("\"type\" must be a string");
    }
    JsonNode dst = o.get("dst");
    String d = null;
    if (dst != null && !dst.isNull()) {
      if (!dst.isTextual() || dst.textValue().isEmpty()) {
        throw new SignalingMessageException("\"dst\" must be a non-empty string");
      }
      d = dst.textValue();
    }
    JsonNode payload = o.get("payload");
    return new ClientMessage(type.textValue(), d, payload);
  }

  /** {@code {"type":T,"src":S,"dst":D,"payload":P}}: what the server forwards (only these fields, as upstream). */
  static String relayFrame(ObjectMapper mapper, String type, String src, String dst, JsonNode payload) {
    ObjectNode o = mapper.createObjectNode();
    o.put("type", type);
    o.put("src", src);
    o.put("dst", dst);
    if (payload != null) {
      o.set("payload", payload);
    }
    return write(mapper, o);
  }

  /** {@code {"type":T,"payload":{"msg":M}}}: ERROR and ID-TAKEN. */
  static String errorFrame(ObjectMapper mapper, String type, String msg) {
    ObjectNode o = mapper.createObjectNode();
    o.put("type", type);
    o.putObject("payload").put("msg", msg);
    return write(mapper, o);
  }

  /** {@code {"type":T,"src":S,"dst":D}}: server-made EXPIRE and LEAVE. */
  static String noticeFrame(ObjectMapper mapper, String type, String src, String dst) {
    ObjectNode o = mapper.createObjectNode();
    o.put("type", type);
    o.put("src", src);
    o.put("dst", dst);
    return write(mapper, o);
  }

  private static String write(ObjectMapper mapper, ObjectNode o) {
    try {
      return mapper.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }
}
