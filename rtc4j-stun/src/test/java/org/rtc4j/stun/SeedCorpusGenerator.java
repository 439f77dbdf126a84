package org.rtc4j.stun;

import org.rtc4j.testkit.MiniJson;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed corpora of {@link StunMessageFuzzTest} and {@link ChannelDataFuzzTest} from the
 * shared vectors and messages built here. Not a test; run it by hand to regenerate:
 * {@code java -cp <test classpath> org.rtc4j.stun.SeedCorpusGenerator src/test/resources}.
 * Crash inputs found by fuzzing are added next to these files by hand (named {@code crash-*}).
 */
public final class SeedCorpusGenerator {
  private SeedCorpusGenerator() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve("org/rtc4j/stun");
    write(root.resolve("StunMessageFuzzTestInputs/parseVerifyReencode"), stunSeeds());
    write(root.resolve("ChannelDataFuzzTestInputs/parseReencode"), channelDataSeeds());
  }

  private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    System.out.println(dir + ": " + seeds.size() + " seeds");
  }

  static Map<String, byte[]> stunSeeds() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (String f : List.of("rfc5769-2.1-sample-request", "rfc5769-2.2-sample-ipv4-response",
        "rfc5769-2.3-sample-ipv6-response", "rfc5769-2.4-sample-request-long-term-auth", "rfc8489-B.1-as-printed-ERRATUM")) {
      m.put("vector-" + f, Vectors.hex("stun/" + f + ".hex"));
    }
    for (Object o : MiniJson.arr(Vectors.json("stun/malformed-derived.json").get("cases"))) {
      Map<String, Object> c = MiniJson.obj(o);
      m.put("malformed-" + c.get("name"), Vectors.unhex((String) c.get("hex")));
    }
    byte[] key = ShortTermCredentials.key("VOkJxbRl1RmTxUk/WvJxBt");
    TransactionId tid = TransactionId.fromHex("b7e7a701bc34d686fa87dfae");
    InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("198.51.100.7"), 49152);
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 3478);
    m.put("turn-allocate-request", StunMessage.builder(StunMethod.ALLOCATE, StunClass.REQUEST, tid)
        .add(new RequestedTransport(17)).add(new Lifetime(600)).add(new DontFragment()).add(new EvenPort(true))
        .add(new RequestedAddressFamily(1)).add(new AdditionalAddressFamily(2)).add(new Username("user"))
        .add(new Realm("rtc4j")).add(new Nonce("obMatJos2AAACnonce")).add(new Software("rtc4j"))
        .encode(key, true));
    m.put("turn-allocate-401", StunMessage.builder(StunMethod.ALLOCATE, StunClass.ERROR_RESPONSE, tid)
        .add(ErrorCode.UNAUTHENTICATED).add(new Realm("rtc4j")).add(new Nonce("obMatJos2AAACnonce"))
        .add(new PasswordAlgorithms(List.of(PasswordAlgorithm.of(2), PasswordAlgorithm.of(1),
            new PasswordAlgorithm(9, new byte[] {1, 2, 3})))).encode(null, true));
    m.put("turn-allocate-success", StunMessage.builder(StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, tid)
        .add(new XorRelayedAddress(v4)).add(new XorRelayedAddress(v6)).add(new XorMappedAddress(v4))
        .add(new Lifetime(600)).add(new ReservationToken(new byte[8]))
        .add(new AddressErrorCode(2, 440, "Address Family not Supported")).encode(key, true));
    m.put("turn-create-permission", StunMessage.builder(StunMethod.CREATE_PERMISSION, StunClass.REQUEST, tid)
        .add(new XorPeerAddress(v4)).add(new XorPeerAddress(v6)).add(new Userhash(new byte[32]))
        .add(PasswordAlgorithm.of(2)).sha256Integrity(true).encode(key, true));
    m.put("turn-channel-bind", StunMessage.builder(StunMethod.CHANNEL_BIND, StunClass.REQUEST, tid)
        .add(new ChannelNumber(0x4001)).add(new XorPeerAddress(v4)).integrity(true, true).encode(key, false));
    m.put("turn-send-indication", StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, tid)
        .add(new XorPeerAddress(v6)).add(Data.wrap("hello peer".getBytes())).encode());
    m.put("turn-data-indication-icmp", StunMessage.builder(StunMethod.DATA, StunClass.INDICATION, tid)
        .add(new XorPeerAddress(v4)).add(new Icmp(3, 3, 0)).add(Data.wrap(new byte[3])).encode(null, true));
    m.put("turn-connect-6062", StunMessage.builder(StunMethod.CONNECTION_ATTEMPT, StunClass.INDICATION, tid)
        .add(new ConnectionId(0x12345678L)).add(new XorPeerAddress(v4)).encode());
    m.put("stun-300-alternate", StunMessage.builder(StunMethod.BINDING, StunClass.ERROR_RESPONSE, tid)
        .add(ErrorCode.TRY_ALTERNATE).add(new AlternateServer(v6)).add(new AlternateDomain("example.org"))
        .add(new MappedAddress(v4)).add(new ResponseOrigin(v4)).add(new OtherAddress(v6)).encode(key, true));
    m.put("stun-420-unknown", StunMessage.builder(StunMethod.BINDING, StunClass.ERROR_RESPONSE, tid)
        .add(ErrorCode.UNKNOWN_ATTRIBUTE).add(new UnknownAttributes(List.of(0x7777, 0x0042, 0x1)))
        .add(new UnknownAttribute(0xC057, new byte[] {1, 2, 3, 4, 5})).encode(key, true));
    m.put("ice-binding-controlling", StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, tid)
        .add(new Username("a:b")).add(new Priority(0x7E7F00FFL)).add(new IceControlling(-1L)).add(new UseCandidate())
        .paddingByte(0x20).encode(new byte[0], true));
    m.put("binding-request-bare", StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, tid).encode());
    // Two messages back to back: parse takes the first.
    byte[] a = m.get("binding-request-bare");
    byte[] two = java.util.Arrays.copyOf(a, a.length * 2);
    System.arraycopy(a, 0, two, a.length, a.length);
    m.put("two-messages", two);
    return m;
  }

  static Map<String, byte[]> channelDataSeeds() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    ChannelData small = new ChannelData(0x4000, ByteBuffer.wrap("ping".getBytes()));
    ChannelData odd = new ChannelData(0x4FFF, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
    ChannelData empty = new ChannelData(0x4123, ByteBuffer.allocate(0));
    m.put("udp-small", withTransport(small.encode(false), false));
    m.put("udp-odd-padded", withTransport(odd.encode(true), false));
    m.put("tcp-odd-padded", withTransport(odd.encode(true), true));
    m.put("tcp-odd-unpadded", withTransport(odd.encode(false), true));
    m.put("udp-empty", withTransport(empty.encode(false), false));
    m.put("udp-channel-0x3fff", withTransport(new byte[] {0x3F, (byte) 0xFF, 0, 0}, false));
    m.put("udp-channel-0x5000", withTransport(new byte[] {0x50, 0, 0, 0}, false));
    m.put("udp-length-past-end", withTransport(new byte[] {0x40, 0, 0, 8, 1, 2, 3, 4}, false));
    m.put("udp-truncated-header", withTransport(new byte[] {0x40, 0, 0}, false));
    m.put("tcp-two-frames", withTransport(concat(odd.encode(true), small.encode(true)), true));
    return m;
  }

  /** FuzzedDataProvider takes consumeBoolean() from the last byte. */
  private static byte[] withTransport(byte[] frame, boolean reliable) {
    byte[] b = java.util.Arrays.copyOf(frame, frame.length + 1);
    b[frame.length] = (byte) (reliable ? 1 : 0);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
