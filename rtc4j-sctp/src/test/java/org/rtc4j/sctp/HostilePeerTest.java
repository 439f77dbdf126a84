package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A peer that completed the handshake but does not play by the rules must not make the receiver
 * hold unbounded memory (trust-tests FT-6 for a hostile rather than a slow reader).
 */
class HostilePeerTest {

  /** The tag, ports and next TSN of a's DATA towards b, learned from a real packet a sent. */
  private record Flow(int srcPort, int dstPort, long tag, long nextTsn) {}

  private static Flow learn(Pair p) throws SctpParseException {
    p.a.send(p.link.now, 1, 53, ByteBuffer.wrap(new byte[] {1}), false, -1, -1);
    ByteBuffer out = p.a.pollTransmit().orElseThrow();
    SctpPacket pkt = SctpPacket.parse(out);
    long tsn = pkt.chunks().stream().filter(c -> c instanceof DataChunk).map(c -> ((DataChunk) c).tsn())
        .findFirst().orElseThrow();
    // That DATA chunk is never delivered: its TSN stays the gap below everything the attacker sends.
    return new Flow(pkt.sourcePort(), pkt.destinationPort(), pkt.verificationTag(), tsn);
  }

  private static ByteBuffer packet(Flow f, List<Chunk> chunks) {
    return new SctpPacket(f.srcPort(), f.dstPort(), f.tag(), chunks).encode();
  }

  @Test
  void floodingBelowAFarAheadTsnStaysWithinTheReceiveBuffer() throws Exception {
    Pair p = new Pair(11);
    p.connect();
    Flow f = learn(p);
    long gap = f.nextTsn(); // never sent: cumTsn stays below it
    // One chunk far ahead, then fill every TSN between the gap and it with unfinished fragments.
    p.b.handleReceive(p.link.now, packet(f, List.of(
        new DataChunk(DataChunk.FLAG_B, (gap + 100_000) & 0xFFFFFFFFL, 1, 1, 53, ByteBuffer.allocate(1000)))));
    int rbuf = SctpConfig.defaults().receiveBufferSize();
    for (int i = 1; i <= 8_000; i++) {
      p.b.handleReceive(p.link.now, packet(f, List.of(
          new DataChunk(DataChunk.FLAG_B, (gap + i) & 0xFFFFFFFFL, 1, 1000 + i, 53, ByteBuffer.allocate(1000)))));
      assertThat(p.b.stats().receiveBufferedBytes()).as("after %d chunks", i).isLessThanOrEqualTo(rbuf + 1200L);
    }
    assertThat(p.b.stats().droppedChunks()).isGreaterThan(3_000);
    assertThat(p.b.state()).isEqualTo(SctpState.ESTABLISHED);
  }

  @Test
  void chunksOnInvalidStreamsDoNotGrowTheTsnSetWithoutBound() throws Exception {
    SctpConfig cfg = SctpConfig.defaults();
    Pair p = new Pair(12);
    p.connect();
    Flow f = learn(p);
    long gap = f.nextTsn();
    int invalidStream = cfg.inboundStreams(); // one past the last valid stream id
    int sent = 0;
    for (int batch = 0; sent < SctpAssociation.MAX_RECEIVED_ABOVE + 2_000; batch++) {
      List<Chunk> chunks = new ArrayList<>();
      for (int k = 0; k < 60; k++) {
        sent++;
        chunks.add(new DataChunk(DataChunk.FLAG_B | DataChunk.FLAG_E, (gap + sent) & 0xFFFFFFFFL, invalidStream, 0, 53,
            ByteBuffer.allocate(1)));
      }
      p.b.handleReceive(p.link.now, packet(f, chunks));
      while (p.b.pollTransmit().isPresent()) {
        // SACKs and ERRORs go nowhere: the attacker does not read them.
      }
    }
    assertThat(p.b.receivedAboveCount()).isLessThanOrEqualTo(SctpAssociation.MAX_RECEIVED_ABOVE);
    assertThat(p.b.stats().droppedChunks()).isGreaterThanOrEqualTo(2_000);
  }
}
