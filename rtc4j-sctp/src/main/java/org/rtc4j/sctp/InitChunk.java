package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * INIT (RFC 9260 §3.3.2).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 1    |  Chunk Flags  |      Chunk Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Initiate Tag                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Advertised Receiver Window Credit (a_rwnd)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Number of Outbound Streams   |  Number of Inbound Streams    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Initial TSN                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \              Optional/Variable-Length Parameters              \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record InitChunk(int flags, long initiateTag, long aRwnd, int outboundStreams, int inboundStreams,
    long initialTsn, List<Parameter> parameters) implements Chunk {

  public InitChunk {
    parameters = List.copyOf(parameters);
  }

  @Override
  public int type() {
    return INIT;
  }

  @Override
  public int length() {
    return 20 + Parameter.unpaddedLength(parameters);
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    InitAckChunk.encodeFixed(out, initiateTag, aRwnd, outboundStreams, inboundStreams, initialTsn, parameters);
  }

  public Optional<Parameter> parameter(int type) {
    return InitAckChunk.find(parameters, type);
  }

  /** Whether the peer announced FORWARD-TSN (RFC 3758 §3.1) support. */
  public boolean forwardTsnSupported() {
    return InitAckChunk.forwardTsn(parameters);
  }

  /** Whether the peer lists RE-CONFIG (RFC 6525) in Supported Extensions. */
  public boolean reconfigSupported() {
    return InitAckChunk.extension(parameters, RE_CONFIG);
  }

  static InitChunk parseValue(int flags, ByteBuffer v) throws SctpParseException {
    Wire.need(v, 16, 0, "INIT fixed part");
    long tag = Wire.u32(v);
    long rwnd = Wire.u32(v);
    int os = Wire.u16(v);
    int mis = Wire.u16(v);
    long tsn = Wire.u32(v);
    return new InitChunk(flags, tag, rwnd, os, mis, tsn, Parameter.parseAll(v));
  }
}
