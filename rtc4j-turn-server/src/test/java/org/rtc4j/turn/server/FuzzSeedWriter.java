package org.rtc4j.turn.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.rtc4j.stun.ChannelNumber;
import org.rtc4j.stun.Data;
import org.rtc4j.stun.EvenPort;
import org.rtc4j.stun.ReservationToken;
import org.rtc4j.stun.Lifetime;
import org.rtc4j.stun.RequestedAddressFamily;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.XorPeerAddress;

/**
 * Writes the seed corpus of {@link TurnServerCoreFuzzTest}: valid requests signed for its rig.
 * Run once after changing the rig: {@code mvn test -Dtest=FuzzSeedWriter -Drtc4j.writeSeeds=true}
 * from the module directory.
 */
class FuzzSeedWriter {

  @Test
  @EnabledIfSystemProperty(named = "rtc4j.writeSeeds", matches = "true")
  void write() throws IOException {
    TurnServerCoreFuzzTest.Rig rig = new TurnServerCoreFuzzTest.Rig();
    TestClient c = rig.udp;
    InetSocketAddress peer = TurnServerCoreFuzzTest.PEER;
    TransactionId id = new TransactionId(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    byte[] key = c.key();
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("binding", StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, id).encode(null, true));
    seeds.put("allocate-unsigned", StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, id).add(new RequestedTransport(17)).encode());
    seeds.put("allocate-signed", c.signedBuilder(StunMethod.ALLOCATE, id, new RequestedTransport(17),
        new RequestedAddressFamily(1)).encode(key, true));
    seeds.put("allocate-even-port-reserve", c.signedBuilder(StunMethod.ALLOCATE, id, new RequestedTransport(17),
        new EvenPort(true)).encode(key, false));
    seeds.put("allocate-reservation-token", c.signedBuilder(StunMethod.ALLOCATE, id, new RequestedTransport(17),
        new ReservationToken(new byte[8])).encode(key, false));
    seeds.put("refresh", c.signedBuilder(StunMethod.REFRESH, id, new Lifetime(1200)).encode(key, false));
    seeds.put("refresh-zero", c.signedBuilder(StunMethod.REFRESH, id, new Lifetime(0)).encode(key, true));
    seeds.put("create-permission", c.signedBuilder(StunMethod.CREATE_PERMISSION, id,
        new XorPeerAddress(peer), new XorPeerAddress(CoreHarness.addr("1.1.1.1", 1))).encode(key, false));
    seeds.put("create-permission-denied", c.signedBuilder(StunMethod.CREATE_PERMISSION, id,
        new XorPeerAddress(CoreHarness.addr("::ffff:127.0.0.1", 1))).encode(key, false));
    seeds.put("channel-bind", c.signedBuilder(StunMethod.CHANNEL_BIND, id, new ChannelNumber(0x4001),
        new XorPeerAddress(CoreHarness.addr("8.8.8.8", 4001))).encode(key, false));
    seeds.put("send", StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, id)
        .add(new XorPeerAddress(peer)).add(Data.wrap(new byte[] {1, 2, 3, 4, 5})).encode());
    seeds.put("channel-data", ByteBuffer.allocate(9).putShort((short) 0x4000).putShort((short) 5).put(new byte[5]).array());
    seeds.put("channel-data-padded", ByteBuffer.allocate(12).putShort((short) 0x4000).putShort((short) 5).put(new byte[8]).array());
    seeds.put("channel-data-truncated", new byte[] {0x40, 0, 0, 9, 1, 2});
    seeds.put("rtp-like", new byte[] {(byte) 0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1});
    seeds.put("empty", new byte[0]);
    Path dir = Path.of("src/test/resources/org/rtc4j/turn/server/TurnServerCoreFuzzTestInputs/anyBytesFromEverySender");
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    // Sequences: kind byte layout is decided by FuzzedDataProvider (consumed from the end), so seed
    // them with the same messages; the fuzzer finds its way from there.
    Path seq = Path.of("src/test/resources/org/rtc4j/turn/server/TurnServerCoreFuzzTestInputs/sequences");
    Files.createDirectories(seq);
    for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
      Files.write(seq.resolve(e.getKey()), e.getValue());
    }
  }
}
