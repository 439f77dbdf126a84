package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * BI-18 at the framing layer: {@link WsFrameDecoder} against Netty's own frame decoder and
 * aggregator (the pair it replaced) on client byte streams, mostly built from fuzzer-chosen frames
 * (any first byte, masked or not, any length encoding, any payload), fed in fuzzer-chosen read
 * sizes. Both must hand on the same messages, pings, pongs and close in the same order, and stop
 * at the same frame. Where the two differ by design the test says so: we also fail text that is
 * not UTF-8 (1007; Netty passes it on), and the close-code policy of a close frame may differ.
 * Nothing may escape but the handler's events; reading in pieces must not change them.
 *
 * <p>{@code mvn test} runs the seed corpus in
 * {@code src/test/resources/org/rtc4j/signaling/WsFrameDecoderFuzzTestInputs/decode/};
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=WsFrameDecoderFuzzTest} fuzzes.
 */
class WsFrameDecoderFuzzTest {

  static final int MAX = 1024;

  @FuzzTest(maxDuration = "5m")
  void decode(FuzzedDataProvider data) {
    int read = data.consumeInt(1, 64);
    byte[] input = stream(data);

    List<String> ours = ours(input, input.length);
    assertThat(ours(input, read)).as("read in pieces of %d", read).isEqualTo(ours);
    List<String> netty = netty(input);

    int terminal = terminalIndex(ours);
    int nettyTerminal = terminalIndex(netty);
    if (terminal >= 0 && ours.get(terminal).startsWith("violation 1007 text")) {
      // Netty hands the text on: it must be the message we refused, and it must not be UTF-8
      assertThat(netty.size()).isGreaterThan(terminal);
      assertThat(netty.subList(0, terminal)).isEqualTo(ours.subList(0, terminal));
      String t = netty.get(terminal);
      assertThat(t).startsWith("text ");
      assertThat(WsFrameDecoderTest.jdkSaysUtf8(HexFormat.of().parseHex(t.substring(5)))).isFalse();
      return;
    }
    if (terminal < 0) {
      assertThat(netty).isEqualTo(ours);
      return;
    }
    if (nettyTerminal < 0 && ours.get(terminal).startsWith("violation 1009")) {
      // we judge a continuation from its header; Netty's aggregator waits for the whole frame
      assertThat(netty).isEqualTo(ours.subList(0, terminal));
      return;
    }
    assertThat(nettyTerminal).as("both stop at the same frame: ours %s, Netty's %s", ours, netty).isEqualTo(terminal);
    assertThat(netty.subList(0, terminal)).isEqualTo(ours.subList(0, terminal));
    String a = ours.get(terminal);
    String b = netty.get(terminal);
    if (a.contains(" close") || b.startsWith("close")) {
      return; // a close frame: accepted or refused, both stop; the close-code policies may differ
    }
    assertThat(a.substring(0, 14)).as("ours %s, Netty's %s", ours, netty).isEqualTo(b.substring(0, 14));
  }

  /** Frames chosen by the fuzzer, then any raw tail. */
  static byte[] stream(FuzzedDataProvider data) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    int frames = data.consumeInt(0, 8);
    for (int f = 0; f < frames && data.remainingBytes() > 0; f++) {
      int b0 = data.consumeByte() & 0xFF;
      int flags = data.consumeByte() & 0xFF;
      boolean masked = (flags & 0x01) == 0 || (flags & 0x0E) == 0x0E; // now and then unmasked
      int len = data.consumeInt(0, (flags & 0x10) != 0 ? MAX + 8 : 140);
      int mask = data.consumeInt();
      byte[] payload = data.consumeBytes(len);
      len = payload.length;
      o.write(b0);
      int m = masked ? 0x80 : 0;
      if ((flags & 0x20) != 0 || (len >= 126 && len < 65536 && (flags & 0x40) == 0)) {
        o.write(m | 126);
        o.write(len >>> 8);
        o.write(len);
      } else if ((flags & 0x40) != 0 || len >= 65536) {
        o.write(m | 127);
        o.writeBytes(ByteBuffer.allocate(8).putLong((flags & 0x80) != 0 ? len | Long.MIN_VALUE : len).array());
      } else {
        o.write(m | len);
      }
      byte[] key = ByteBuffer.allocate(4).putInt(mask).array();
      if (masked) {
        o.writeBytes(key);
      }
      for (int i = 0; i < len; i++) {
        o.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
      }
    }
    o.writeBytes(data.consumeRemainingAsBytes());
    return o.toByteArray();
  }

  /** A reused array larger than asked for, with stale bytes in it, as the loop's scratch is. */
  private static final byte[] SCRATCH = new byte[MAX + 64];

  static byte[] scratch(int n) {
    if (n > SCRATCH.length) {
      throw new AssertionError("asked for " + n + " bytes, over the limit " + MAX);
    }
    java.util.Arrays.fill(SCRATCH, (byte) 0xEE);
    return SCRATCH;
  }

  static List<String> ours(byte[] input, int read) {
    List<String> events = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    EmbeddedChannel ch = new EmbeddedChannel(new WsFrameDecoder(MAX, new WsFrameDecoder.Handler() {
      @Override
      public void message(boolean text, byte[] b, int len) {
        events.add((text ? "text " : "binary ") + hex.formatHex(b, 0, len));
      }

      @Override
      public void ping(byte[] b, int len) {
        events.add("ping " + hex.formatHex(b, 0, len));
      }

      @Override
      public void pong() {
        events.add("pong");
      }

      @Override
      public void closed(byte[] b, int len) {
        events.add("close " + hex.formatHex(b, 0, len));
      }

      @Override
      public void discarded(int bytes) {
        assertThat(bytes).isPositive();
      }

      @Override
      public void violated(WebSocketCloseStatus status, String why) {
        String what = why.contains("close") ? "close" : why.contains("text") ? "text" : "frame";
        events.add("violation " + status.code() + " " + what);
      }
    }, n -> scratch(n)));
    List<ByteBuf> reads = new ArrayList<>();
    for (int at = 0; at < input.length; at += read) {
      ByteBuf in = Unpooled.wrappedBuffer(input, at, Math.min(read, input.length - at));
      reads.add(in);
      ch.writeInbound(in);
    }
    assertThat((Object) ch.readInbound()).isNull();
    ch.finishAndReleaseAll();
    assertThat(reads).allMatch(b -> b.refCnt() == 0, "every read released");
    return events;
  }

  /** Netty's decoder and aggregator, as the server used them before; events up to the first close or violation. */
  static List<String> netty(byte[] input) {
    List<String> events = new ArrayList<>();
    boolean[] stopped = {false};
    EmbeddedChannel ch = new EmbeddedChannel(
        new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(MAX).allowExtensions(false)
            .expectMaskedFrames(true).closeOnProtocolViolation(false).build()),
        new WebSocketFrameAggregator(MAX),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
              if (stopped[0]) {
                return;
              }
              if (msg instanceof TextWebSocketFrame t) {
                events.add("text " + ByteBufUtil.hexDump(t.content()));
              } else if (msg instanceof BinaryWebSocketFrame t) {
                events.add("binary " + ByteBufUtil.hexDump(t.content()));
              } else if (msg instanceof PingWebSocketFrame t) {
                events.add("ping " + ByteBufUtil.hexDump(t.content()));
              } else if (msg instanceof PongWebSocketFrame) {
                events.add("pong");
              } else if (msg instanceof CloseWebSocketFrame t) {
                events.add("close " + ByteBufUtil.hexDump(t.content()));
                stopped[0] = true;
              } else {
                throw new AssertionError("unexpected " + msg);
              }
            } finally {
              io.netty.util.ReferenceCountUtil.release(msg);
            }
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (stopped[0] || cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
              return; // (the input ended inside a fragmented message: the aggregator says so when the channel closes)
            }
            stopped[0] = true;
            if (cause instanceof TooLongFrameException) {
              events.add("violation 1009");
            } else if (cause instanceof CorruptedWebSocketFrameException c) {
              events.add("violation " + (c.closeStatus() == null ? 1002 : c.closeStatus().code()));
            } else {
              events.add("unexpected " + cause); // Netty would swallow an AssertionError thrown here
            }
          }
        });
    ch.writeInbound(Unpooled.wrappedBuffer(input));
    ch.finishAndReleaseAll();
    return events;
  }

  static int terminalIndex(List<String> events) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith("violation") || events.get(i).startsWith("close")) {
        return i;
      }
    }
    return -1;
  }
}
