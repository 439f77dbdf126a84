package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The core's data structures: timer queue, channel map, token bucket, nonces. */
class InternalsTest {

  static final class Item extends Expiring {
    final int id;

    Item(int id) {
      this.id = id;
    }
  }

  @Test
  void expiryQueueHandlesRefreshesEarlierRefreshesAndCancellation() {
    ExpiryQueue q = new ExpiryQueue();
    Item a = new Item(1);
    Item b = new Item(2);
    Item c = new Item(3);
    q.schedule(a, 100);
    q.schedule(b, 200);
    q.schedule(c, 300);
    q.schedule(a, 250);  // later: no new entry
    q.schedule(c, 150);  // earlier: a new entry, the old one goes stale
    q.cancel(b);
    assertThat(q.nextDeadline()).isEqualTo(100);
    List<Integer> expired = new ArrayList<>();
    q.expire(160, e -> {
      expired.add(((Item) e).id);
      q.cancel(e);
    });
    assertThat(expired).containsExactly(3);
    assertThat(q.nextDeadline()).isEqualTo(250); // a re-queued at its new time, b and c's stale entries skipped
    q.expire(1000, e -> {
      expired.add(((Item) e).id);
      q.cancel(e);
    });
    assertThat(expired).containsExactly(3, 1);
    assertThat(q.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    assertThat(q.size()).isZero();
  }

  @Test
  void expiryQueueWorksAcrossNanoTimeWrapAndNegativeValues() {
    ExpiryQueue q = new ExpiryQueue();
    Item a = new Item(1);
    Item b = new Item(2);
    q.schedule(a, Long.MAX_VALUE - 5);
    q.schedule(b, Long.MIN_VALUE + 5); // 11 ns after a, across the wrap
    List<Integer> order = new ArrayList<>();
    q.expire(Long.MIN_VALUE + 10, e -> {
      order.add(((Item) e).id);
      q.cancel(e);
    });
    assertThat(order).containsExactly(1, 2);
  }

  @Test
  void expiryQueueStaysBoundedUnderChurn() {
    ExpiryQueue q = new ExpiryQueue();
    List<Item> live = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      Item it = new Item(i);
      q.schedule(it, 1_000_000 + i);
      live.add(it);
      if (live.size() > 100) {
        q.cancel(live.remove(0));
      }
    }
    assertThat(q.size()).isLessThan(3_000);
  }

  @Test
  void intObjectMapAgreesWithHashMap() {
    SplittableRandom r = new SplittableRandom(1);
    IntObjectMap<Integer> m = new IntObjectMap<>();
    Map<Integer, Integer> ref = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      int key = 0x4000 + r.nextInt(300);
      switch (r.nextInt(3)) {
        case 0 -> {
          m.put(key, i);
          ref.put(key, i);
        }
        case 1 -> assertThat(m.remove(key)).isEqualTo(ref.remove(key) != null);
        default -> assertThat(m.get(key)).isEqualTo(ref.get(key));
      }
      assertThat(m.size()).isEqualTo(ref.size());
    }
    for (int k = 0x4000; k < 0x4000 + 300; k++) {
      assertThat(m.get(k)).isEqualTo(ref.get(k));
    }
    assertThatThrownBy(() -> m.put(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tokenBucketLimitsLongRunRateAndNeverStarvesLargePackets() {
    TokenBucket b = new TokenBucket(10_000, 0);
    long passed = 0;
    for (long t = 0; t < 10_000_000_000L; t += 1_000_000) { // a 100-byte packet every ms: 10x the rate
      if (b.tryConsume(100, t)) {
        passed += 100;
      }
    }
    assertThat(passed).isBetween(95_000L, 110_000L);
    TokenBucket slow = new TokenBucket(1_000, 0);
    assertThat(slow.tryConsume(60_000, 0)).isTrue(); // bigger than the burst: passes into debt
    assertThat(slow.tryConsume(1, 1_000_000_000L)).isFalse(); // still paying it back
    assertThat(slow.tryConsume(1, 30_000_000_000L)).isFalse(); // a 60 KB debt at 1 KB/s takes ~60 s
    assertThat(slow.tryConsume(1, 61_000_000_000L)).isTrue();
    assertThatThrownBy(() -> new TokenBucket(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noncesAreStatelessBoundToTheClientIpAndExpire() throws Exception {
    byte[] secret = new byte[32];
    NonceCodec a = new NonceCodec(secret, 600);
    NonceCodec otherShard = new NonceCodec(secret, 600);
    NonceCodec otherServer = new NonceCodec(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 600);
    InetAddress ip = InetAddress.getByName("192.0.2.1");
    InetAddress other = InetAddress.getByName("192.0.2.2");
    long now = 1_700_000_000L; // Unix seconds
    String n = a.issue(now, ip);
    assertThat(n).hasSize(27).matches("[A-Za-z0-9_-]+");
    assertThat(otherShard.check(n, now + 599, ip)).isEqualTo(NonceCodec.Status.VALID);
    assertThat(a.check(n, now + 600, ip)).isEqualTo(NonceCodec.Status.STALE);
    assertThat(a.check(n, now, other)).isEqualTo(NonceCodec.Status.INVALID);
    assertThat(otherServer.check(n, now, ip)).isEqualTo(NonceCodec.Status.INVALID);
    char[] tampered = n.toCharArray();
    tampered[3] = tampered[3] == 'A' ? 'B' : 'A'; // inside the expiry: extending it breaks the MAC
    assertThat(a.check(new String(tampered), now, ip)).isEqualTo(NonceCodec.Status.INVALID);
    for (String bad : new String[] {null, "", "x", "!".repeat(27), n + "A", "obMatJos2AAABf//499k954d6OL34oL9FSTvy64sA"}) {
      assertThat(a.check(bad, now, ip)).isEqualTo(NonceCodec.Status.INVALID);
    }
  }

  @Test
  void restUsernameExpiryParsing() {
    assertThat(Authenticator.restExpiry("1700000000:alice")).isEqualTo(1_700_000_000L);
    assertThat(Authenticator.restExpiry("1700000000")).isEqualTo(1_700_000_000L);
    assertThat(Authenticator.restExpiry("1700000000:a:b")).isEqualTo(1_700_000_000L);
    for (String bad : new String[] {"", ":alice", "alice", "17x:alice", "-1:alice", "1234567890123456789:x", "+5:x"}) {
      assertThat(Authenticator.restExpiry(bad)).as(bad).isEqualTo(-1);
    }
  }
}
