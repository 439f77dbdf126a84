package org.rtc4j.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkAssemblerTest {

  @Test
  void reassemblesChunksArrivingInAnyOrder() {
    ChunkAssembler a = new ChunkAssembler();
    byte[] whole = new byte[50_000];
    new Random(3).nextBytes(whole);
    int[] order = {2, 0, 3, 1};
    byte[] out = null;
    for (int i : order) {
      int from = i * 16300;
      byte[] part = Arrays.copyOfRange(whole, from, Math.min(whole.length, from + 16300));
      assertThat(out).isNull();
      if (i == 0) {
        assertThat(a.accept(9, i, 4, part)).isNull();
        assertThat(a.accept(9, i, 4, part)).as("a duplicate is ignored").isNull();
        continue;
      }
      out = a.accept(9, i, 4, part);
    }
    assertThat(out).isEqualTo(whole);
    assertThat(a.incompleteBytes()).isZero();
    assertThat(a.incompleteMessages()).isZero();
  }

  @Test
  void aHugeClaimedTotalCostsNothingUpFront() {
    ChunkAssembler a = new ChunkAssembler();
    Runtime rt = Runtime.getRuntime();
    for (int id = 0; id < 10_000; id++) {
      a.accept(id, 0, ChunkAssembler.MAX_TOTAL - 1, new byte[8]);
    }
    // At most MAX_INCOMPLETE_MESSAGES are held, each with one 8-byte part (it used to be an
    // 8 MB array of references per message).
    assertThat(a.incompleteMessages()).isEqualTo(ChunkAssembler.MAX_INCOMPLETE_MESSAGES);
    assertThat(a.incompleteBytes()).isEqualTo(8L * ChunkAssembler.MAX_INCOMPLETE_MESSAGES);
    assertThat(a.dropped()).isEqualTo(10_000 - ChunkAssembler.MAX_INCOMPLETE_MESSAGES);
    assertThat(rt.totalMemory() - rt.freeMemory()).isLessThan(512L << 20);
  }

  @Test
  void invalidChunksAreIgnored() {
    ChunkAssembler a = new ChunkAssembler();
    assertThat(a.accept(1, 0, 0, new byte[1])).isNull();
    assertThat(a.accept(1, -1, 2, new byte[1])).isNull();
    assertThat(a.accept(1, 2, 2, new byte[1])).isNull();
    assertThat(a.accept(1, 0, ChunkAssembler.MAX_TOTAL + 1, new byte[1])).isNull();
    assertThat(a.accept(1, 0, 2, new byte[1])).isNull();
    assertThat(a.accept(1, 1, 3, new byte[1])).as("a different total for the same message").isNull();
    assertThat(a.accept(1, 1, 2, new byte[] {7})).containsExactly(0, 7);
    assertThat(a.dropped()).isEqualTo(5);
  }

  @Test
  void aMessageOverTheByteLimitIsDroppedWholeAndTheRestGoesOn() {
    ChunkAssembler a = new ChunkAssembler();
    byte[] mib = new byte[1 << 20];
    long parts = ChunkAssembler.MAX_INCOMPLETE_BYTES / mib.length;
    for (int i = 0; i < parts; i++) {
      assertThat(a.accept(5, i, parts + 10, mib)).isNull();
    }
    assertThat(a.incompleteBytes()).isEqualTo(ChunkAssembler.MAX_INCOMPLETE_BYTES);
    assertThat(a.accept(5, parts, parts + 10, mib)).isNull();
    assertThat(a.incompleteBytes()).as("the over-limit message is released").isZero();
    assertThat(a.accept(6, 0, 1, new byte[] {1, 2})).containsExactly(1, 2);
  }
}
