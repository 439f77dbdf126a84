package org.rtc4j.turn.server.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RelayPortAllocatorTest {

  @Test
  void reservesEveryPortOfTheRangeOnceThenNone() {
    RelayPortAllocator ports = new RelayPortAllocator(50000, 50099);
    SplittableRandom random = new SplittableRandom(1);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      int p = ports.reserve(random, false);
      assertThat(p).isBetween(50000, 50099);
      assertThat(seen.add(p)).isTrue();
    }
    assertThat(ports.reserve(random, false)).isEqualTo(-1);
    assertThat(ports.inUse()).isEqualTo(100);
    ports.release(50042);
    assertThat(ports.reserve(random, false)).isEqualTo(50042);
  }

  @Test
  void evenPortsOnlyWhenAsked() {
    RelayPortAllocator ports = new RelayPortAllocator(40001, 40010);
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < 5; i++) {
      assertThat(ports.reserve(random, true) % 2).isZero();
    }
    assertThat(ports.reserve(random, true)).isEqualTo(-1);
    assertThat(ports.reserve(random, false) % 2).isOne();
  }

  @Test
  void choiceIsSpreadOverTheRange() {
    RelayPortAllocator ports = new RelayPortAllocator(49152, 65535);
    SplittableRandom random = new SplittableRandom(3);
    int low = 0;
    for (int i = 0; i < 1000; i++) {
      int p = ports.reserve(random, false);
      if (p < 57344) {
        low++;
      }
      ports.release(p);
    }
    assertThat(low).isBetween(400, 600);
    assertThat(ports.inUse()).isZero();
  }

  @Test
  void pairsAreAnEvenPortAndItsSuccessor() {
    RelayPortAllocator ports = new RelayPortAllocator(40001, 40008); // even ports 40002..40008; 40008 has no successor
    SplittableRandom random = new SplittableRandom(4);
    Set<Integer> got = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      int n = ports.reservePair(random);
      assertThat(n % 2).isZero();
      assertThat(n + 1).isLessThanOrEqualTo(40008);
      got.add(n);
    }
    assertThat(got).containsExactlyInAnyOrder(40002, 40004, 40006);
    assertThat(ports.reservePair(random)).isEqualTo(-1);
    assertThat(ports.inUse()).isEqualTo(6);
    assertThat(ports.tryMark(40005)).isFalse();
    assertThat(ports.tryMark(40008)).isTrue();
  }

  @Test
  void releasingAFreeOrForeignPortIsHarmless() {
    RelayPortAllocator ports = new RelayPortAllocator(1000, 1001);
    ports.release(1000);
    ports.release(5);
    assertThat(ports.inUse()).isZero();
  }

  @Test
  void rejectsBadRanges() {
    assertThatThrownBy(() -> new RelayPortAllocator(10, 9)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RelayPortAllocator(0, 9)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RelayPortAllocator(1, 65536)).isInstanceOf(IllegalArgumentException.class);
  }
}
