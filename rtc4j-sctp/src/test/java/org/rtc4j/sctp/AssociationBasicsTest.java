package org.rtc4j.sctp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssociationBasicsTest {

  @Test
  void handshakeAndSmallMessages() {
    Pair p = new Pair(1);
    p.connect();
    assertThat(p.eventsA).hasAtLeastOneElementOfType(SctpEvent.Established.class);
    for (int i = 0; i < 100; i++) {
      p.a.send(p.link.now, i % 3, 51, ByteBuffer.wrap(("m" + i).getBytes()), false, -1, -1);
    }
    p.link.runUntil(() -> Pair.messages(p.eventsB).size() == 100, 10_000);
    List<SctpEvent.Message> ms = Pair.messages(p.eventsB);
    for (int s = 0; s < 3; s++) {
      int stream = s;
      List<String> got = ms.stream().filter(m -> m.streamId() == stream)
          .map(m -> new String(m.data().array())).toList();
      for (int k = 0; k < got.size(); k++) {
        assertThat(got.get(k)).isEqualTo("m" + (stream + 3 * k));
      }
    }
    p.link.runUntil(() -> p.a.bufferedAmount() == 0, 10_000);
  }

  @Test
  void simultaneousConnect() {
    Pair p = new Pair(2);
    p.a.connect(p.link.now);
    p.b.connect(p.link.now);
    p.link.runUntil(() -> p.a.state() == SctpState.ESTABLISHED && p.b.state() == SctpState.ESTABLISHED, 10_000);
    p.b.send(p.link.now, 1, 53, Pair.bytes(100_000, 1), false, -1, -1);
    p.a.send(p.link.now, 2, 53, Pair.bytes(100_000, 2), false, -1, -1);
    p.link.runUntil(() -> Pair.messages(p.eventsA).size() == 1 && Pair.messages(p.eventsB).size() == 1, 10_000);
    assertThat(Pair.messages(p.eventsA).get(0).data()).isEqualTo(Pair.bytes(100_000, 1));
    assertThat(Pair.messages(p.eventsB).get(0).data()).isEqualTo(Pair.bytes(100_000, 2));
  }
}
