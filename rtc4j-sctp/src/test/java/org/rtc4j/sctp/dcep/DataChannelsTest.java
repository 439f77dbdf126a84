package org.rtc4j.sctp.dcep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rtc4j.sctp.Link;
import org.rtc4j.sctp.SctpAssociation;
import org.rtc4j.sctp.SctpConfig;
import org.rtc4j.sctp.SctpEvent;
import org.rtc4j.sctp.Vectors;
import org.rtc4j.testkit.MiniJson;

/** Data channels over SCTP: DCEP, ids by role, PPIDs, close, buffered amount; BI-8 and LD-8. */
class DataChannelsTest {

  static Link.Core core(DataChannels d) {
    return new Link.Core() {
      public void handleReceive(long n, ByteBuffer p) { d.handleReceive(n, p); }
      public void handleTimeout(long n) { d.handleTimeout(n); }
      public Optional<ByteBuffer> pollTransmit() { return d.pollTransmit(); }
      public long pollTimeout() { return d.pollTimeout(); }
    };
  }

  static final class Peers {
    final DataChannels a;
    final DataChannels b;
    final Link link;
    final List<DataChannelEvent> evA = new ArrayList<>();
    final List<DataChannelEvent> evB = new ArrayList<>();

    Peers(SctpConfig ca, SctpConfig cb, long seed) {
      a = new DataChannels(new SctpAssociation(ca, new Random(seed)), true);
      b = new DataChannels(new SctpAssociation(cb, new Random(seed + 1)), false);
      link = new Link(core(a), core(b), seed);
      link.impair(0.02, 0.01, 0.01, 10, 2);
      link.onStep = this::poll;
    }

    Peers(long seed) {
      this(SctpConfig.defaults(), SctpConfig.defaults(), seed);
    }

    void poll() {
      Optional<DataChannelEvent> e;
      while ((e = a.pollEvent()).isPresent()) {
        evA.add(e.get());
      }
      while ((e = b.pollEvent()).isPresent()) {
        evB.add(e.get());
      }
    }

    void connect() {
      a.connect(link.now);
      b.connect(link.now);
      link.runUntil(() -> has(evA, DataChannelEvent.AssociationEstablished.class)
          && has(evB, DataChannelEvent.AssociationEstablished.class), 10_000);
    }
  }

  static boolean has(List<DataChannelEvent> es, Class<?> type) {
    return es.stream().anyMatch(type::isInstance);
  }

  static <T> List<T> of(List<DataChannelEvent> es, Class<T> type) {
    return es.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void openFromEitherSideWithIdsByRoleAndTypedMessages() {
    Peers p = new Peers(1);
    int early = p.a.open(p.link.now, "early", "", true, -1, -1, false, -1); // before the association
    p.connect();
    int chat = p.a.open(p.link.now, "chat", "proto", true, -1, -1, false, -1);
    int back = p.b.open(p.link.now, "back", "", false, 3, -1, false, -1);
    assertThat(early % 2).isZero();
    assertThat(chat % 2).isZero();
    assertThat(chat).isNotEqualTo(early);
    assertThat(back % 2).isOne();
    p.link.runUntil(() -> of(p.evB, DataChannelEvent.RemoteChannelOpened.class).size() == 2
        && of(p.evA, DataChannelEvent.RemoteChannelOpened.class).size() == 1, 10_000);
    DataChannelInfo remoteChat = of(p.evB, DataChannelEvent.RemoteChannelOpened.class).stream()
        .map(DataChannelEvent.RemoteChannelOpened::channel).filter(c -> c.id() == chat).findFirst().orElseThrow();
    assertThat(remoteChat.label()).isEqualTo("chat");
    assertThat(remoteChat.protocol()).isEqualTo("proto");
    assertThat(remoteChat.ordered()).isTrue();
    DataChannelInfo remoteBack = of(p.evA, DataChannelEvent.RemoteChannelOpened.class).get(0).channel();
    assertThat(remoteBack.ordered()).isFalse();
    assertThat(remoteBack.maxRetransmits()).isEqualTo(3);
    assertThat(of(p.evA, DataChannelEvent.ChannelOpen.class)).hasSize(2);
    // Text, binary and both empty forms, in order.
    p.a.send(p.link.now, chat, "héllo");
    p.a.send(p.link.now, chat, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    p.a.send(p.link.now, chat, "");
    p.a.send(p.link.now, chat, ByteBuffer.allocate(0));
    p.b.send(p.link.now, back, "pong");
    p.link.runUntil(() -> of(p.evB, DataChannelEvent.MessageReceived.class).size() == 4
        && of(p.evA, DataChannelEvent.MessageReceived.class).size() == 1, 10_000);
    List<DataChannelEvent.MessageReceived> ms = of(p.evB, DataChannelEvent.MessageReceived.class);
    assertThat(ms.get(0).text()).isTrue();
    assertThat(ms.get(0).asText()).isEqualTo("héllo");
    assertThat(ms.get(1).text()).isFalse();
    assertThat(ms.get(1).data()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    assertThat(ms.get(2).text()).isTrue();
    assertThat(ms.get(2).data().remaining()).isZero();
    assertThat(ms.get(3).text()).isFalse();
    assertThat(ms.get(3).data().remaining()).isZero();
    assertThat(of(p.evA, DataChannelEvent.MessageReceived.class).get(0).asText()).isEqualTo("pong");
    assertThatThrownBy(() -> p.a.open(p.link.now, "dup", "", true, -1, -1, false, chat))
        .isInstanceOf(IllegalArgumentException.class);

    // The same four forms handed over as owned arrays (queued without a copy) arrive alike.
    p.evB.clear();
    byte[] big = new byte[100_000]; // several chunks: fragments are read from the queued array itself
    new java.util.Random(9).nextBytes(big);
    byte[] expected = big.clone();
    p.a.sendOwned(p.link.now, chat, true, "wörld".getBytes(StandardCharsets.UTF_8));
    p.a.sendOwned(p.link.now, chat, false, big);
    p.a.sendOwned(p.link.now, chat, true, new byte[0]);
    p.a.sendOwned(p.link.now, chat, false, new byte[0]);
    p.link.runUntil(() -> of(p.evB, DataChannelEvent.MessageReceived.class).size() == 4, 10_000);
    ms = of(p.evB, DataChannelEvent.MessageReceived.class);
    assertThat(ms.get(0).text()).isTrue();
    assertThat(ms.get(0).asText()).isEqualTo("wörld");
    assertThat(ms.get(1).text()).isFalse();
    assertThat(ms.get(1).data()).isEqualTo(ByteBuffer.wrap(expected));
    assertThat(ms.get(2).text()).isTrue();
    assertThat(ms.get(2).data().remaining()).isZero();
    assertThat(ms.get(3).text()).isFalse();
    assertThat(ms.get(3).data().remaining()).isZero();
    assertThatThrownBy(() -> p.a.sendOwned(p.link.now, 999, false, new byte[1]))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void negotiatedChannelsUseNoDcep() {
    Peers p = new Peers(2);
    p.connect();
    p.a.open(p.link.now, "neg", "", true, -1, -1, true, 7);
    p.b.open(p.link.now, "neg", "", true, -1, -1, true, 7);
    assertThat(of(p.evA, DataChannelEvent.ChannelOpen.class)).hasSize(0);
    p.poll();
    assertThat(of(p.evA, DataChannelEvent.ChannelOpen.class)).hasSize(1);
    p.b.send(p.link.now, 7, "x");
    p.a.send(p.link.now, 7, "y");
    p.link.runUntil(() -> has(p.evA, DataChannelEvent.MessageReceived.class)
        && has(p.evB, DataChannelEvent.MessageReceived.class), 10_000);
    assertThat(of(p.evA, DataChannelEvent.RemoteChannelOpened.class)).isEmpty();
    assertThat(p.a.association().stats().messagesSent()).isEqualTo(1); // no OPEN
  }

  @Test
  void closeFromEitherSideReachesBoth() {
    Peers p = new Peers(3);
    p.connect();
    int x = p.a.open(p.link.now, "x", "", true, -1, -1, false, -1);
    int y = p.a.open(p.link.now, "y", "", true, -1, -1, false, -1);
    p.link.runUntil(() -> of(p.evB, DataChannelEvent.RemoteChannelOpened.class).size() == 2, 10_000);
    p.a.send(p.link.now, x, "last words");
    p.a.close(p.link.now, x);
    p.b.close(p.link.now, y);
    p.link.runUntil(() -> of(p.evA, DataChannelEvent.ChannelClosed.class).size() == 2
        && of(p.evB, DataChannelEvent.ChannelClosed.class).size() == 2, 20_000);
    assertThat(of(p.evB, DataChannelEvent.MessageReceived.class)).hasSize(1);
    assertThat(p.a.channel(x)).isEmpty();
    assertThat(p.b.channel(y)).isEmpty();
    // The ids can be used again.
    int again = p.a.open(p.link.now, "again", "", true, -1, -1, false, -1);
    assertThat(again).isEqualTo(Math.min(x, y));
    p.a.send(p.link.now, again, "new life");
    p.link.runUntil(() -> of(p.evB, DataChannelEvent.MessageReceived.class).size() == 2, 10_000);
  }

  @Test
  void bufferedAmountLowFires() {
    Peers p = new Peers(4);
    p.connect();
    int id = p.a.open(p.link.now, "bulk", "", true, -1, -1, false, -1);
    p.a.setBufferedAmountLowThreshold(id, 10_000);
    for (int i = 0; i < 20; i++) {
      p.a.send(p.link.now, id, ByteBuffer.allocate(50_000));
    }
    assertThat(p.a.bufferedAmount(id)).isGreaterThanOrEqualTo(1_000_000);
    p.link.runUntil(() -> has(p.evA, DataChannelEvent.BufferedAmountLow.class), 60_000);
    p.link.runUntil(() -> p.a.bufferedAmount(id) == 0, 60_000);
    assertThat(of(p.evA, DataChannelEvent.BufferedAmountLow.class)).hasSize(1);
  }

  /** LD-8: 1024 channels (Chrome-style INIT: OS=1024, MIS=2048) used at once, then all closed. */
  @Test
  void manyChannels() {
    SctpConfig chrome = SctpConfig.builder().outboundStreams(1024).inboundStreams(2048).build();
    Peers p = new Peers(chrome, chrome, 5);
    p.connect();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < 512; i++) {
      ids.add(p.a.open(p.link.now, "a" + i, "", true, -1, -1, false, -1));
      ids.add(p.b.open(p.link.now, "b" + i, "", true, -1, -1, false, -1));
    }
    assertThat(ids).doesNotHaveDuplicates().allMatch(i -> i >= 0 && i < 1024);
    p.link.runUntil(() -> of(p.evB, DataChannelEvent.RemoteChannelOpened.class).size() == 512
        && of(p.evA, DataChannelEvent.RemoteChannelOpened.class).size() == 512, 30_000);
    for (int id : ids) {
      DataChannels from = id % 2 == 0 ? p.a : p.b;
      from.send(p.link.now, id, "on " + id);
    }
    p.link.runUntil(() -> of(p.evB, DataChannelEvent.MessageReceived.class).size() == 512
        && of(p.evA, DataChannelEvent.MessageReceived.class).size() == 512, 30_000);
    for (DataChannelEvent.MessageReceived m : of(p.evB, DataChannelEvent.MessageReceived.class)) {
      assertThat(m.asText()).isEqualTo("on " + m.channelId());
    }
    for (int id : ids) {
      (id % 2 == 0 ? p.a : p.b).close(p.link.now, id);
    }
    p.link.runUntil(() -> of(p.evA, DataChannelEvent.ChannelClosed.class).size() == 1024
        && of(p.evB, DataChannelEvent.ChannelClosed.class).size() == 1024, 60_000);
    assertThat(p.a.channels()).isEmpty();
    assertThat(p.b.channels()).isEmpty();
  }

  /** BI-8: the OPEN vectors open channels as listed and are ACKed; malformed ones change nothing. */
  @Test
  void dcepVectors() {
    Map<String, Object> v = Vectors.json("dcep-rfc8832.json");
    DataChannels a = new DataChannels(new SctpAssociation(SctpConfig.defaults(), new Random(1)), true);
    SctpAssociation raw = new SctpAssociation(SctpConfig.defaults(), new Random(2));
    Link link = new Link(core(a), Link.of(raw), 9);
    List<DataChannelEvent> evA = new ArrayList<>();
    List<SctpEvent> evRaw = new ArrayList<>();
    link.onStep = () -> {
      Optional<DataChannelEvent> e;
      while ((e = a.pollEvent()).isPresent()) {
        evA.add(e.get());
      }
      Optional<SctpEvent> r;
      while ((r = raw.pollEvent()).isPresent()) {
        evRaw.add(r.get());
      }
    };
    raw.connect(link.now);
    link.runUntil(() -> has(evA, DataChannelEvent.AssociationEstablished.class), 10_000);
    int stream = 1;
    int opens = 0;
    for (Object o : MiniJson.arr(v.get("messages"))) {
      Map<String, Object> m = MiniJson.obj(o);
      if (!((String) m.get("name")).startsWith("open")) {
        continue;
      }
      byte[] bytes = Vectors.unhex((String) m.get("hex"));
      raw.send(link.now, stream, Ppid.DCEP, ByteBuffer.wrap(bytes), false, -1, -1);
      int s = stream;
      opens++;
      int expected = opens;
      link.runUntil(() -> of(evA, DataChannelEvent.RemoteChannelOpened.class).size() == expected
          && evRaw.stream().anyMatch(e -> e instanceof SctpEvent.Message msg && msg.streamId() == s
              && msg.ppid() == Ppid.DCEP && msg.data().get(0) == 0x02), 10_000);
      DataChannelInfo info = of(evA, DataChannelEvent.RemoteChannelOpened.class).get(opens - 1).channel();
      int type = Integer.parseInt(((String) m.get("channel_type")).substring(2), 16);
      long rel = ((Number) m.get("reliability_parameter")).longValue();
      assertThat(info.id()).isEqualTo(stream);
      assertThat(info.label()).isEqualTo(m.get("label"));
      assertThat(info.protocol()).isEqualTo(m.get("protocol"));
      assertThat(info.ordered()).isEqualTo((type & 0x80) == 0);
      assertThat(info.maxRetransmits()).isEqualTo((type & 0x7F) == 1 ? rel : -1);
      assertThat(info.maxPacketLifeTime()).isEqualTo((type & 0x7F) == 2 ? rel : -1);
      stream += 2;
    }
    assertThat(opens).isEqualTo(3);
    for (Object o : MiniJson.arr(v.get("malformed"))) {
      byte[] bytes = Vectors.unhex((String) MiniJson.obj(o).get("hex"));
      if (bytes.length == 0) {
        continue; // SCTP cannot carry an empty message; the parser test covers it
      }
      raw.send(link.now, stream, Ppid.DCEP, ByteBuffer.wrap(bytes), false, -1, -1);
      stream += 2;
    }
    raw.send(link.now, 1, Ppid.STRING, ByteBuffer.wrap("still up".getBytes(StandardCharsets.UTF_8)), false, -1, -1);
    link.runUntil(() -> has(evA, DataChannelEvent.MessageReceived.class), 10_000);
    assertThat(of(evA, DataChannelEvent.RemoteChannelOpened.class)).hasSize(3);
    assertThat(a.malformedDcepMessages()).isEqualTo(4);
    assertThat(a.association().state()).isEqualTo(org.rtc4j.sctp.SctpState.ESTABLISHED);
    assertThat(evA).noneMatch(e -> e instanceof DataChannelEvent.AssociationClosed);
  }
}
