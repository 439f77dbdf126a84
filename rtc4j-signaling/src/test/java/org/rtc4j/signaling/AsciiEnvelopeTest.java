package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay path's byte parser against the reference (Jackson) parser on the frames peerjs sends
 * and on the corners where a hand-written JSON scanner usually goes wrong: for every input both
 * give the same message or the same error, and the common frames take the fast path.
 */
class AsciiEnvelopeTest {

  private static final ObjectMapper MAPPER = ClientMessage.newMapper();

  private static final String SDP = "v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\na=group:BUNDLE 0\\r\\n";

  static final List<String> FAST = List.of(
      "{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"" + SDP + "\"},"
          + "\"type\":\"data\",\"connectionId\":\"dc_abc\",\"serialization\":\"binary\",\"reliable\":true,\"metadata\":null,"
          + "\"label\":\"dc_abc\"}}",
      "{\"type\":\"CANDIDATE\",\"payload\":{\"candidate\":{\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\","
          + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"ab/+\"},\"type\":\"data\",\"connectionId\":\"dc_x\"},\"dst\":\"peer-2\"}",
      "{\"type\":\"HEARTBEAT\"}",
      " {\"type\" : \"LEAVE\" ,\"dst\":null }\r\n",
      "{\"type\":\"ANSWER\",\"dst\":\"x\",\"payload\":\"a string \\\"quoted\\\" \\u00e9\"}",
      "{\"type\":\"ANSWER\",\"dst\":\"x\",\"payload\":-0.5e+10}",
      "{\"type\":\"ANSWER\",\"dst\":\"x\",\"payload\":[1,[],{},[{\"a\":[true,false,null]}]]}",
      "{\"x\":{\"type\":1},\"type\":\"A\",\"dst\":\"d\",\"dst\":\"e\",\"payload\":1,\"payload\":2}",
      "{\"type\":5,\"type\":\"OK\"}",
      "{\"type\":\"T\",\"dst\":7,\"dst\":null}",
      "{\"type\":\"T\",\"payload\":\"\u007f\"}");

  static final List<String> OTHERS = List.of(
      "", " ", "[1,2]", "\"s\"", "1", "not json", "{", "{\"type\":\"A\"", "{\"type\":\"A\"}}", "{\"type\":\"A\"} x",
      "{\"type\":\"A\"}{}", "{\"type\":\"A\",}", "{,\"type\":\"A\"}", "{\"type\" \"A\"}", "{\"type\":A}", "{'type':'A'}",
      "{type:\"A\"}", "{\"type\":\"A\",\"payload\":01}", "{\"type\":\"A\",\"payload\":1.}", "{\"type\":\"A\",\"payload\":.5}",
      "{\"type\":\"A\",\"payload\":+1}", "{\"type\":\"A\",\"payload\":-}", "{\"type\":\"A\",\"payload\":1e}",
      "{\"type\":\"A\",\"payload\":truex}", "{\"type\":\"A\",\"payload\":nul}", "{\"type\":\"A\",\"payload\":NaN}",
      "{\"type\":\"A\",\"payload\":\"a\tb\"}", "{\"type\":\"A\",\"payload\":\"\\x\"}", "{\"type\":\"A\",\"payload\":\"\\u12g4\"}",
      "{\"type\":\"A\",\"payload\":\"\\u12\"}", "{\"type\":\"A\",\"payload\":[1,]}", "{\"type\":\"A\",\"payload\":[1 2]}",
      "{\"type\":\"A\",\"payload\":{\"a\"}}", "{\"type\":\"A\",\"payload\":{1:2}}", "{\"type\":\"A\" /*c*/}",
      "{\"type\":\"A\",\f\"dst\":\"b\"}", "{\"type\":\"A\",\"dst\":\"\"}", "{\"type\":\"A\",\"dst\":[]}", "{\"type\":null}",
      "{\"dst\":\"b\"}", "{}", "{\"ty\\u0070e\":\"OFFER\",\"dst\":\"b\"}", "{\"type\":\"OF\\u0046ER\",\"dst\":\"b\\n\"}",
      "{\"type\":\"OFFER\",\"dst\":\"é\"}", "{\"type\":\"OFFER\",\"payload\":\"\uD83D\uDE00\"}",
      "{\"type\":\"A\",\"payload\":" + "[".repeat(70) + "]".repeat(70) + "}",
      "{\"type\":\"A\",\"payload\":" + "[".repeat(59) + "]".repeat(59) + "}",
      "{\"type\":\"A\",\"payload\":" + "[".repeat(63) + "]".repeat(63) + "}",
      "{\"type\":\"A\",\"payload\":" + "9".repeat(95) + "}",
      "{\"type\":\"A\",\"payload\":" + "9".repeat(120) + "}",
      "{\"type\":\"A\",\"payload\":1." + "9".repeat(120) + "}",
      "{\"type\":\"OFFER\",\"dst\":\"b\",\"" + "a".repeat(50_001) + "\":1}",
      "{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":{\"" + "a".repeat(50_001) + "\":1}}",
      "{\"type\":\"OFFER\",\"dst\":\"b\",\"payload\":{\"" + "a".repeat(48_000) + "\":1}}",
      "{\"type\":\"A\",\"payload\":1e999999}", "{\"type\":\"A\",\"payload\":[1,\"\\ud800\"]}");

  @Test
  void commonFramesTakeTheFastPathAndMatchTheReference() throws Exception {
    for (String text : FAST) {
      ClientMessage fast = AsciiEnvelope.parse(text.getBytes(StandardCharsets.UTF_8));
      assertThat(fast).as(text).isNotNull();
      assertThat(fast).as(text).isEqualTo(ClientMessage.parse(MAPPER, text));
    }
  }

  /** One parser reused over every input, in two orders, answers as a fresh parser does (no state carried over). */
  @Test
  void aReusedParserAnswersAsAFreshOne() {
    List<String> all = concat(FAST, OTHERS);
    List<String> reversed = new java.util.ArrayList<>(all);
    java.util.Collections.reverse(reversed);
    AsciiEnvelope reused = new AsciiEnvelope();
    for (String text : concat(all, reversed)) {
      byte[] b = (text + "trailing bytes past len").getBytes(StandardCharsets.UTF_8);
      int len = text.getBytes(StandardCharsets.UTF_8).length;
      int[] fresh = new int[AsciiEnvelope.RANGES];
      int[] again = new int[AsciiEnvelope.RANGES];
      java.util.Arrays.fill(again, 12345);
      boolean f = AsciiEnvelope.ranges(b, len, fresh);
      assertThat(reused.scan(b, len, again)).as(text).isEqualTo(f);
      if (f) {
        assertThat(again).as(text).isEqualTo(fresh);
      }
    }
  }

  @Test
  void everyOtherInputGivesTheReferenceAnswer() {
    for (String text : concat(FAST, OTHERS)) {
      assertThat(outcome(() -> ClientMessage.parse(MAPPER, text.getBytes(StandardCharsets.UTF_8)))).as(text)
          .isEqualTo(outcome(() -> ClientMessage.parse(MAPPER, text)));
    }
  }

  @Test
  void theEightByteTestFlagsExactlyTheBytesAStringMustLookAt() {
    // every byte value at every position of a word of plain bytes, then random words
    for (int at = 0; at < 8; at++) {
      for (int v = 0; v < 256; v++) {
        byte[] w = "abcdefgh".getBytes(StandardCharsets.US_ASCII);
        w[at] = (byte) v;
        assertThat(AsciiEnvelope.plain(word(w))).as("byte %d at %d", v, at).isEqualTo(plainByte(v));
      }
    }
    java.util.Random random = new java.util.Random(7);
    byte[] w = new byte[8];
    for (int i = 0; i < 200_000; i++) {
      random.nextBytes(w);
      for (int j = 0; j < 8; j++) {
        if (random.nextInt(3) > 0) {
          w[j] = (byte) (0x20 + random.nextInt(0x60)); // mostly plain, so words with one special byte are common
        }
      }
      boolean expected = true;
      for (byte x : w) {
        expected &= plainByte(x & 0xFF);
      }
      assertThat(AsciiEnvelope.plain(word(w))).isEqualTo(expected);
    }
  }

  @Test
  void aSpecialByteAtAnyOffsetOfALongStringIsSeen() throws Exception {
    // the scan goes eight bytes at a time: a quote, escape, control or non-ASCII byte at each offset
    String[] specials = {"\\\"", "\\n", "\\u0041", "\u0001", "\u00e9", "\""};
    for (String special : specials) {
      for (int at = 0; at < 24; at++) {
        String body = "x".repeat(at) + special + "y".repeat(17);
        String text = "{\"type\":\"OFFER\",\"dst\":\"d\",\"payload\":\"" + body + "\"}";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(outcome(() -> ClientMessage.parse(MAPPER, utf8))).as(text)
            .isEqualTo(outcome(() -> ClientMessage.parse(MAPPER, text)));
        // escapes are the fast path's; a raw control or non-ASCII byte, or a stray quote, is the reference's
        assertThat(AsciiEnvelope.parse(utf8) != null).as(text).isEqualTo(special.startsWith("\\"));
      }
    }
  }

  private static long word(byte[] w) {
    return java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static boolean plainByte(int v) {
    return v >= 0x20 && v < 0x80 && v != '"' && v != '\\';
  }

  @Test
  void invalidUtf8IsDecodedAsTheStringPathDecodesIt() {
    byte[] bad = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, '"', ',', '"', 'd', 's', 't', '"', ':', '"', 'b', '"', '}'};
    assertThat(AsciiEnvelope.parse(bad)).isNull();
    assertThat(outcome(() -> ClientMessage.parse(MAPPER, bad)))
        .isEqualTo(outcome(() -> ClientMessage.parse(MAPPER, new String(bad, StandardCharsets.UTF_8))));
  }

  @Test
  void payloadIsTheExactTextOfTheValue() throws Exception {
    ClientMessage m = ClientMessage.parse(MAPPER, "{\"payload\" : { \"a\" : [ 1 , 2 ] } ,\"type\":\"OFFER\",\"dst\":\"z\"}"
        .getBytes(StandardCharsets.UTF_8));
    assertThat(m).isEqualTo(new ClientMessage("OFFER", "z", "{ \"a\" : [ 1 , 2 ] }"));
  }

  private interface Parse {
    ClientMessage run() throws SignalingMessageException;
  }

  private static Object outcome(Parse p) {
    try {
      return p.run();
    } catch (SignalingMessageException e) {
      return "error: " + e.getMessage();
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
