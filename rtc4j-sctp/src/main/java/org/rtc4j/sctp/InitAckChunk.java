package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * INIT ACK (RFC 9260 §3.3.3): the INIT layout with type 2; must carry a State Cookie (type 7).
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 2    |  Chunk Flags  |      Chunk Length             |
 * |                         Initiate Tag                          |
 * |              Advertised Receiver Window Credit                |
 * |  Number of Outbound Streams   |  Number of Inbound Streams    |
 * |                          Initial TSN                          |
 * \              Optional/Variable-Length Parameters              \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record InitAckChunk(int flags, long initiateTag, long aRwnd, int outboundStreams, int inboundStreams,
    long initialTsn, List<Parameter> parameters) implements Chunk {

  public InitAckChunk {
    parameters = List.copyOf(parameters);
  }

  @Override
  public int type() {
    return INIT_ACK;
  }

  @Override
  public int length() {
    return 20 + Parameter.unpaddedLength(parameters);
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    encodeFixed(out, initiateTag, aRwnd, outboundStreams, inboundStreams, initialTsn, parameters);
  }

  public Optional<Parameter> parameter(int type) {
    return find(parameters, type);
  }

  /** The State Cookie value, if present. */
  public Optional<ByteBuffer> stateCookie() {
    return parameter(Parameter.STATE_COOKIE).map(p -> p.value().duplicate());
  }

  public boolean forwardTsnSupported() {
    return forwardTsn(parameters);
  }

  public boolean reconfigSupported() {
    return extension(parameters, RE_CONFIG);
  }

  static InitAckChunk parseValue(int flags, ByteBuffer v) throws SctpParseException {
    Wire.need(v, 16, 0, "INIT ACK fixed part");
    long tag = Wire.u32(v);
    long rwnd = Wire.u32(v);
    int os = Wire.u16(v);
    int mis = Wire.u16(v);
    long tsn = Wire.u32(v);
    return new InitAckChunk(flags, tag, rwnd, os, mis, tsn, Parameter.parseAll(v));
  }

  static void encodeFixed(ByteBuffer out, long tag, long rwnd, int os, int mis, long tsn, List<Parameter> ps) {
    out.putInt((int) tag).putInt((int) rwnd).putShort((short) os).putShort((short) mis).putInt((int) tsn);
    Parameter.encodeAll(ps, out);
    // The chunk length excludes the last parameter's padding; Chunk.encodeTo must not pad twice.
    out.position(out.position() - (Parameter.encodedLength(ps) - Parameter.unpaddedLength(ps)));
  }

  static Optional<Parameter> find(List<Parameter> ps, int type) {
    for (Parameter p : ps) {
      if (p.type() == type) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static boolean forwardTsn(List<Parameter> ps) {
    return find(ps, Parameter.FORWARD_TSN_SUPPORTED).isPresent() || extension(ps, FORWARD_TSN);
  }

  static boolean extension(List<Parameter> ps, int chunkType) {
    Optional<Parameter> p = find(ps, Parameter.SUPPORTED_EXTENSIONS);
    if (p.isEmpty()) {
      return false;
    }
    ByteBuffer v = p.get().value().duplicate();
    while (v.hasRemaining()) {
      if ((v.get() & 0xFF) == chunkType) {
        return true;
      }
    }
    return false;
  }
}
