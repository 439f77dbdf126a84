package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 6455 §5 framing as {@link WsFrameDecoder} reads it from a client: messages, fragments, control frames and every violation. */
class WsFrameDecoderTest {

  static final int MAX = 4096;

  /** Records what the decoder hands on, one line per event. */
  static final class Recorder implements WsFrameDecoder.Handler {
    final List<String> events = new ArrayList<>();
    long discarded;

    @Override
    public void discarded(int bytes) {
      discarded += bytes;
    }

    @Override
    public void message(boolean text, byte[] b, int len) {
      events.add((text ? "text " : "binary ") + HexFormat.of().formatHex(b, 0, len));
    }

    @Override
    public void ping(byte[] b, int len) {
      events.add("ping " + HexFormat.of().formatHex(b, 0, len));
    }

    @Override
    public void pong() {
      events.add("pong");
    }

    @Override
    public void closed(byte[] b, int len) {
      events.add("close " + HexFormat.of().formatHex(b, 0, len));
    }

    @Override
    public void violated(WebSocketCloseStatus status, String why) {
      events.add("violation " + status.code());
    }
  }

  /** A client frame: FIN/opcode byte, masked with {@code mask}, the length in its minimal encoding. */
  static byte[] frame(int b0, byte[] payload, int mask) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(b0);
    int n = payload.length;
    if (n < 126) {
      o.write(0x80 | n);
    } else if (n < 65536) {
      o.write(0x80 | 126);
      o.write(n >>> 8);
      o.write(n);
    } else {
      o.write(0x80 | 127);
      o.writeBytes(ByteBuffer.allocate(8).putLong(n).array());
    }
    byte[] key = ByteBuffer.allocate(4).putInt(mask).array();
    o.writeBytes(key);
    for (int i = 0; i < n; i++) {
      o.write(payload[i] ^ key[i & 3]);
    }
    return o.toByteArray();
  }

  static byte[] text(String s) {
    return frame(0x81, s.getBytes(StandardCharsets.UTF_8), 0x37fa213d);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  static String hex(String s) {
    return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Feeds {@code input} in reads of the given sizes (the rest in one read at the end). */
  static List<String> decode(byte[] input, int... reads) {
    Recorder r = new Recorder();
    EmbeddedChannel ch = new EmbeddedChannel(new WsFrameDecoder(MAX, r, n -> new byte[n]));
    int at = 0;
    for (int n : reads) {
      int k = Math.min(n, input.length - at);
      ch.writeInbound(Unpooled.wrappedBuffer(input, at, k));
      at += k;
    }
    if (at < input.length) {
      ch.writeInbound(Unpooled.wrappedBuffer(input, at, input.length - at));
    }
    assertThat((Object) ch.readInbound()).as("nothing is passed down the pipeline").isNull();
    ch.finishAndReleaseAll();
    return r.events;
  }

  @Test
  void aMaskedTextFrameArrivesUnmaskedWhateverTheReadBoundaries() {
    String s = "{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":{\"sdp\":\"v=0 ü €\"}}"; // 8-byte unmasking and a tail
    byte[] in = concat(text(s), text("x"), text(""));
    List<String> expected = List.of("text " + hex(s), "text " + hex("x"), "text ");
    assertThat(decode(in)).isEqualTo(expected);
    for (int cut = 1; cut < in.length; cut++) {
      assertThat(decode(in, cut)).as("split at %d", cut).isEqualTo(expected);
    }
    int[] ones = new int[in.length];
    Arrays.fill(ones, 1);
    assertThat(decode(in, ones)).as("a byte per read").isEqualTo(expected);
  }

  @Test
  void lengthsInEachEncodingUpToTheLimit() {
    for (int n : new int[] {0, 7, 8, 9, 125, 126, 127, 65535 % MAX, MAX}) {
      byte[] p = new byte[n];
      new Random(n).nextBytes(p);
      assertThat(decode(frame(0x82, p, 0x01020304))).as("%d bytes", n)
          .containsExactly("binary " + HexFormat.of().formatHex(p));
    }
  }

  @Test
  void fragmentsJoinIntoOneMessageWithControlFramesBetween() {
    String whole = "héllo wörld, fragmented";
    byte[] u = whole.getBytes(StandardCharsets.UTF_8);
    // "é" (c3 a9) split across two fragments: UTF-8 is judged on the whole message
    byte[] in = concat(frame(0x01, Arrays.copyOfRange(u, 0, 2), 0x11223344),
        frame(0x89, new byte[] {1, 2, 3}, 0x55667788),
        frame(0x00, Arrays.copyOfRange(u, 2, 10), 0x99aabbcc),
        frame(0x8A, new byte[0], 0),
        frame(0x80, Arrays.copyOfRange(u, 10, u.length), 0xddeeff00),
        text("next"));
    List<String> expected = List.of("ping 010203", "pong", "text " + hex(whole), "text " + hex("next"));
    assertThat(decode(in)).isEqualTo(expected);
    for (int cut = 1; cut < in.length; cut++) {
      assertThat(decode(in, cut)).as("split at %d", cut).isEqualTo(expected);
    }
  }

  @Test
  void aCloseFrameEndsTheInput() {
    byte[] body = concat(new byte[] {0x03, (byte) 0xE8}, "bye".getBytes(StandardCharsets.UTF_8));
    assertThat(decode(concat(frame(0x88, body, 7), text("after")))).containsExactly("close 03e8627965");
    assertThat(decode(concat(frame(0x88, new byte[0], 7), text("after")))).containsExactly("close ");
    assertThat(decode(frame(0x88, new byte[] {0x0F, (byte) 0xA0}, 7))).containsExactly("close 0fa0"); // 4000: private use
  }

  @Test
  void framingViolationsFailWith1002AndNothingAfterIsDecoded() {
    byte[] after = text("after");
    byte[] unmasked = {(byte) 0x81, 0x01, 'a'};
    byte[] rsv1 = text("a");
    rsv1[0] |= 0x40;
    byte[] nonMinimal16 = {(byte) 0x81, (byte) (0x80 | 126), 0, 5, 0, 0, 0, 0, 'a', 'b', 'c', 'd', 'e'};
    byte[] nonMinimal64 = concat(new byte[] {(byte) 0x82, (byte) (0x80 | 127), 0, 0, 0, 0, 0, 0, 0x01, 0x00}, new byte[4]);
    byte[] negative64 = concat(new byte[] {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 1, 0, 0}, new byte[4]);
    byte[][] cases = {
        unmasked,
        rsv1,
        frame(0x83, new byte[1], 1), // reserved data opcode
        frame(0x8B, new byte[1], 1), // reserved control opcode
        frame(0x09, new byte[1], 1), // fragmented ping
        frame(0x89, new byte[126], 1), // ping over 125
        frame(0x88, new byte[] {3}, 1), // close with a one-byte body
        frame(0x88, new byte[] {0x03, (byte) 0xED}, 1), // 1005 must not be sent
        frame(0x88, new byte[] {0x03, (byte) 0xE7}, 1), // 999
        frame(0x88, new byte[] {0x13, (byte) 0x88}, 1), // 5000
        frame(0x80, new byte[1], 1), // continuation outside a message
        concat(frame(0x01, new byte[] {'a'}, 1), frame(0x81, new byte[] {'b'}, 1)), // a new message inside one
        nonMinimal16,
        nonMinimal64,
        negative64,
    };
    for (int i = 0; i < cases.length; i++) {
      assertThat(decode(concat(cases[i], after))).as("case %d", i).containsExactly("violation 1002");
    }
  }

  @Test
  void aMessageInTooManyFragmentsFails1008() {
    java.util.function.IntFunction<byte[]> fragmented = n -> {
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      o.writeBytes(frame(0x01, new byte[] {'a'}, 3));
      for (int i = 1; i < n - 1; i++) {
        o.writeBytes(frame(0x00, new byte[0], 3)); // empty: they add nothing toward the size cap
      }
      o.writeBytes(frame(0x80, new byte[] {'b'}, 3));
      return o.toByteArray();
    };
    assertThat(decode(fragmented.apply(WsFrameDecoder.MAX_FRAGMENTS))).containsExactly("text " + hex("ab"));
    assertThat(decode(fragmented.apply(WsFrameDecoder.MAX_FRAGMENTS + 1))).containsExactly("violation 1008");
  }

  @Test
  void theFragmentCapCountsEachMessageAfresh() {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (int m = 0; m < 2; m++) {
      o.writeBytes(frame(0x01, new byte[] {'a'}, 3));
      for (int i = 0; i < 600; i++) {
        o.writeBytes(frame(0x00, new byte[0], 3));
      }
      o.writeBytes(frame(0x80, new byte[] {'b'}, 3));
    }
    assertThat(decode(o.toByteArray())).containsExactly("text " + hex("ab"), "text " + hex("ab"));
  }

  @Test
  void whatFollowsAViolationOrACloseFrameIsReportedAsDiscarded() {
    byte[] unmasked = {(byte) 0x81, 0x01, 'x'};
    for (byte[] end : new byte[][] {unmasked, frame(0x88, new byte[0], 5)}) {
      Recorder r = new Recorder();
      EmbeddedChannel ch = new EmbeddedChannel(new WsFrameDecoder(MAX, r, n -> new byte[n]));
      byte[] tail = text("12345");
      ch.writeInbound(Unpooled.wrappedBuffer(concat(text("a"), end, tail)));
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[1000]));
      assertThat(r.events).hasSize(2);
      // a violating frame is dropped itself, a close frame is read; everything after them is dropped
      int dropped = (end == unmasked ? end.length : 0) + tail.length + 1000;
      assertThat(r.discarded).as("every byte not decoded").isEqualTo(dropped);
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void textThatIsNotUtf8Fails1007() {
    byte[][] bad = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, 0, 0},
        {'a', (byte) 0xE2, (byte) 0x82}, {(byte) 0xFF}};
    for (byte[] b : bad) {
      assertThat(decode(concat(frame(0x81, b, 9), text("after")))).containsExactly("violation 1007");
      assertThat(decode(concat(frame(0x82, b, 9)))).as("binary is not judged").hasSize(1);
    }
    byte[] reason = {0x03, (byte) 0xE8, (byte) 0xC3};
    assertThat(decode(frame(0x88, reason, 9))).containsExactly("violation 1007");
  }

  @Test
  void aMessageOverTheLimitFails1009FromItsHeaderAlone() {
    byte[] big = frame(0x81, new byte[MAX + 1], 5);
    // only the header has arrived: the verdict does not wait for the payload
    assertThat(decode(Arrays.copyOf(big, 8), new int[0])).containsExactly("violation 1009");
    byte[] huge = {(byte) 0x82, (byte) (0x80 | 127), 0x7F, -1, -1, -1, -1, -1, -1, -1};
    assertThat(decode(huge)).containsExactly("violation 1009");
    // fragments: each under the limit, together over it
    byte[] half = new byte[MAX / 2 + 1];
    assertThat(decode(concat(frame(0x01, half, 1), frame(0x00, half, 1)))).containsExactly("violation 1009");
    // exactly at the limit across fragments is fine
    assertThat(decode(concat(frame(0x02, new byte[MAX / 2], 1), frame(0x80, new byte[MAX / 2], 1)))).hasSize(1);
  }

  @Test
  void utf8ValidationAgreesWithTheJdk() {
    Random rnd = new Random(42);
    int utf8 = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] b = new byte[rnd.nextInt(12)];
      for (int k = 0; k < b.length; k++) {
        // mostly the bytes that make multi-byte sequences, so both answers occur often
        int pick = rnd.nextInt(8);
        b[k] = (byte) (pick < 2 ? rnd.nextInt(0x80) : pick < 5 ? 0x80 + rnd.nextInt(0x40) : 0xC0 + rnd.nextInt(0x40));
      }
      boolean jdk = jdkSaysUtf8(b);
      utf8 += jdk ? 1 : 0;
      assertThat(WsFrameDecoder.isUtf8(b, 0, b.length)).as(HexFormat.of().formatHex(b)).isEqualTo(jdk);
    }
    assertThat(utf8).isBetween(10_000, 190_000);
  }

  @Test
  void unmaskingAtAnyOffsetAndLengthIsTheXorOfTheKey() {
    Random rnd = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      int off = rnd.nextInt(9);
      byte[] b = new byte[off + rnd.nextInt(40)];
      rnd.nextBytes(b);
      int mask = rnd.nextInt();
      byte[] key = ByteBuffer.allocate(4).putInt(mask).array();
      byte[] expected = b.clone();
      boolean ascii = true;
      for (int k = off; k < b.length; k++) {
        expected[k] ^= key[(k - off) & 3];
        ascii &= expected[k] >= 0;
      }
      assertThat(WsFrameDecoder.unmask(b, off, b.length - off, mask)).isEqualTo(ascii);
      assertThat(b).isEqualTo(expected);
    }
  }

  static boolean jdkSaysUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void aChannelThatStoppedReadingIsNotAskedForAnotherRead() {
    int[] reads = {0};
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAutoRead(false);
    ch.pipeline().addLast(new io.netty.channel.ChannelOutboundHandlerAdapter() {
      @Override
      public void read(io.netty.channel.ChannelHandlerContext ctx) {
        reads[0]++;
        ctx.read();
      }
    }, new WsFrameDecoder(MAX, new Recorder(), n -> new byte[n]));
    ch.writeInbound(Unpooled.wrappedBuffer(concat(text("a"), Arrays.copyOf(text("b"), 3))));
    ch.pipeline().fireChannelReadComplete();
    assertThat(reads[0]).as("reads asked for while autoRead is off").isZero();
    ch.finishAndReleaseAll();
  }

  @Test
  void aReadBufferIsReleasedWhateverHappens() {
    Recorder r = new Recorder();
    EmbeddedChannel ch = new EmbeddedChannel(new WsFrameDecoder(MAX, r, n -> new byte[n]));
    ByteBuf ok = Unpooled.wrappedBuffer(text("a"));
    ByteBuf partialThenBad = Unpooled.wrappedBuffer(concat(text("b"), new byte[] {(byte) 0x81, 0x01, 'c'}));
    ch.writeInbound(ok);
    ch.writeInbound(partialThenBad);
    ch.writeInbound(Unpooled.wrappedBuffer(text("d")));
    assertThat(ok.refCnt()).isZero();
    assertThat(partialThenBad.refCnt()).isZero();
    assertThat(r.events).containsExactly("text 61", "text 62", "violation 1002");
    ch.finishAndReleaseAll();
  }
}
