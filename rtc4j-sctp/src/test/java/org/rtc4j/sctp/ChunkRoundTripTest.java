package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every chunk record encodes, parses back equal, and re-encodes to the same bytes. */
class ChunkRoundTripTest {

  static ByteBuffer b(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return ByteBuffer.wrap(out);
  }

  static List<Chunk> samples() {
    return List.of(
        new DataChunk(DataChunk.FLAG_B | DataChunk.FLAG_E, 0xFFFFFFFFL, 7, 65535, 51, b(1, 2, 3)),
        new DataChunk(DataChunk.FLAG_U, 5, 0, 0, 53, b(1, 2, 3, 4)),
        new InitChunk(0, 1, 131072, 1024, 2048, 0xe86d1030L, List.of(
            new Parameter(Parameter.FORWARD_TSN_SUPPORTED, ByteBuffer.allocate(0)),
            Parameter.of(Parameter.SUPPORTED_EXTENSIONS, (byte) 0xC0, (byte) 0x82, (byte) 0x0F))),
        new InitAckChunk(0, 0xdeadbeefL, 4 << 20, 65535, 65535, 0, List.of(
            new Parameter(Parameter.STATE_COOKIE, b(9, 9, 9, 9, 9)))),
        new SackChunk(100, 1 << 20, List.of(new SackChunk.GapAckBlock(2, 3), new SackChunk.GapAckBlock(5, 9)),
            List.of(99L, 0xFFFFFFFFL)),
        new SackChunk(0, 0, List.of(), List.of()),
        new HeartbeatChunk(0, b(0, 1, 0, 8, 1, 2, 3, 4)),
        new HeartbeatAckChunk(0, b(0, 1, 0, 8, 1, 2, 3, 4)),
        new AbortChunk(AbortChunk.FLAG_T, List.of(ErrorCause.text(ErrorCause.USER_INITIATED_ABORT, "bye"))),
        new AbortChunk(0, List.of()),
        new ShutdownChunk(0, 77),
        new ShutdownAckChunk(0),
        new ShutdownCompleteChunk(1),
        new ErrorChunk(0, List.of(new ErrorCause(ErrorCause.STALE_COOKIE, b(0, 0, 1, 0)),
            new ErrorCause(ErrorCause.PROTOCOL_VIOLATION, b(65)))),
        new CookieEchoChunk(0, b(1, 2, 3, 4, 5, 6, 7)),
        new CookieAckChunk(0),
        new ForwardTsnChunk(1234, List.of(new ForwardTsnChunk.StreamSsn(1, 2), new ForwardTsnChunk.StreamSsn(3, 4))),
        new ReconfigChunk(0, List.of(new ReconfigParameter.OutgoingSsnResetRequest(1, 2, 3, List.of(1, 3, 5)))),
        new ReconfigChunk(0, List.of(new ReconfigParameter.IncomingSsnResetRequest(9, List.of(2)),
            new ReconfigParameter.ReconfigResponse(4, ReconfigParameter.ReconfigResponse.SUCCESS_PERFORMED, List.of()))),
        new ReconfigChunk(0, List.of(new ReconfigParameter.ReconfigResponse(4, 6, List.of(1L, 2L)))),
        new UnknownChunk(Chunk.I_DATA, 3, b(1, 2, 3, 4, 5)),
        new UnknownChunk(Chunk.ASCONF, 0, b()));
  }

  @Test
  void roundTrip() throws Exception {
    for (Chunk c : samples()) {
      ByteBuffer out = ByteBuffer.allocate(c.encodedLength());
      c.encodeTo(out);
      assertThat(out.position()).as(c.toString()).isEqualTo(c.encodedLength());
      assertThat(out.getShort(2) & 0xFFFF).isEqualTo(c.length());
      out.flip();
      Chunk back = Chunk.parse(out.duplicate());
      assertThat(back).as(c.toString()).isEqualTo(c);
      ByteBuffer again = ByteBuffer.allocate(back.encodedLength());
      back.encodeTo(again);
      assertThat(again.flip()).isEqualTo(out);
    }
    // All bundled in one packet.
    SctpPacket p = new SctpPacket(5000, 5001, 42, samples());
    SctpPacket back = SctpPacket.parse(p.encode());
    assertThat(back).isEqualTo(p);
  }
}
