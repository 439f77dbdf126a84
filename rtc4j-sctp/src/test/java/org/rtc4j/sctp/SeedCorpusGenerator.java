package org.rtc4j.sctp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.rtc4j.testkit.MiniJson;

/**
 * Writes the fuzz seed corpora under src/test/resources (run from the module directory):
 * {@code java -cp target/classes:target/test-classes:<testkit> org.rtc4j.sctp.SeedCorpusGenerator}.
 */
public final class SeedCorpusGenerator {
  public static void main(String[] args) throws IOException {
    Path res = Path.of("src/test/resources/org/rtc4j/sctp");
    Path packets = res.resolve("SctpPacketFuzzTestInputs/packet");
    Path chunks = res.resolve("SctpPacketFuzzTestInputs/chunk");
    Path assoc = res.resolve("AssociationFuzzTestInputs/stateful");
    Path dcep = res.resolve("dcep/DcepFuzzTestInputs/parse");
    for (Path p : List.of(packets, chunks, assoc, dcep)) {
      Files.createDirectories(p);
    }
    int n = 0;
    for (Object o : MiniJson.arr(Vectors.json("pion-sctp-packets.json").get("packets"))) {
      Map<String, Object> v = MiniJson.obj(o);
      Files.write(packets.resolve("pion-" + v.get("name")), Vectors.unhex((String) v.get("hex")));
    }
    for (Chunk c : ChunkRoundTripTest.samples()) {
      ByteBuffer b = new SctpPacket(5000, 5000, 1, List.of(c)).encode();
      Files.write(packets.resolve("chunk-" + (n) + "-type-" + c.type()), bytes(b));
      ByteBuffer cb = ByteBuffer.allocate(c.encodedLength());
      c.encodeTo(cb);
      Files.write(chunks.resolve("chunk-" + (n++) + "-type-" + c.type()), cb.array());
    }
    Files.write(packets.resolve("all-chunks-bundled"), bytes(new SctpPacket(5000, 5000, 1,
        ChunkRoundTripTest.samples()).encode()));
    Files.write(packets.resolve("zero-length-chunk"), Vectors.unhex("13881388000000000000000000000000"));
    Files.write(packets.resolve("chunk-past-end"), Vectors.unhex("13881388000000000000000000000040aabb"));
    Files.write(packets.resolve("param-length-3"), Vectors.unhex(
        "138813880000000000000000010000180000000100010000000100010000000" + "1c0000003"));
    // Packets of a real lossy exchange: handshake, data, SACK with gaps, FORWARD-TSN, RE-CONFIG, shutdown.
    Pair p = new Pair(3);
    Set<String> seen = new HashSet<>();
    List<byte[]> captured = new ArrayList<>();
    p.link.impair(0.1, 0.05, 0.02, 20, 5);
    p.link.dropAtoB = b -> capture(b, seen, captured);
    p.link.dropBtoA = b -> capture(b, seen, captured);
    p.connect();
    for (int i = 0; i < 30; i++) {
      p.a.send(p.link.now, i % 3, 53, Pair.bytes(3000, i), i % 2 == 0, i % 3 == 0 ? 0 : -1, -1);
    }
    p.link.runFor(5_000);
    p.a.resetStreams(p.link.now, 1);
    p.link.runFor(2_000);
    p.a.shutdown(p.link.now);
    p.link.runFor(5_000);
    int k = 0;
    for (byte[] b : captured) {
      Files.write(packets.resolve("exchange-" + (k++)), b);
    }
    // Association harness seeds: each target state with some traffic choices.
    Random r = new Random(5);
    for (int t = 0; t <= 6; t++) {
      byte[] seed = new byte[600];
      r.nextBytes(seed);
      seed[0] = (byte) t;
      Files.write(assoc.resolve("state-" + t), seed);
    }
    for (Object o : MiniJson.arr(Vectors.json("dcep-rfc8832.json").get("messages"))) {
      Map<String, Object> v = MiniJson.obj(o);
      Files.write(dcep.resolve((String) v.get("name")), Vectors.unhex((String) v.get("hex")));
    }
    for (Object o : MiniJson.arr(Vectors.json("dcep-rfc8832.json").get("malformed"))) {
      Map<String, Object> v = MiniJson.obj(o);
      Files.write(dcep.resolve((String) v.get("name")), Vectors.unhex((String) v.get("hex")));
    }
    System.out.println("wrote " + captured.size() + " exchange packets");
  }

  private static boolean capture(ByteBuffer b, Set<String> seen, List<byte[]> out) {
    try {
      SctpPacket p = SctpPacket.parse(b.duplicate());
      StringBuilder key = new StringBuilder();
      for (Chunk c : p.chunks()) {
        key.append(c.type()).append(c instanceof SackChunk s && !s.gapAckBlocks().isEmpty() ? "g" : "").append(',');
      }
      if (seen.add(key.toString()) && out.size() < 40) {
        out.add(bytes(b));
      }
    } catch (SctpParseException e) {
      // not ours
    }
    return false;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
