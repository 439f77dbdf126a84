package org.rtc4j.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import org.junit.jupiter.api.Test;

/** {@link WsText} gives byte for byte what Netty's server encoder gives, at every length boundary. */
class WsTextTest {

  @Test
  void sameBytesAsNettysEncoderAndAClientDecodesThem() {
    for (int n : new int[] {0, 1, 125, 126, 127, 1023, 1024, 65535, 65536, 70000}) {
      for (String unit : new String[] {"a", "é", "\uD83D\uDE00"}) {
        String text = unit.repeat(Math.max(0, n / unit.length()));
        ByteBuf ours = WsText.encode(UnpooledByteBufAllocator.DEFAULT, text);
        EmbeddedChannel server = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
        server.writeOutbound(new TextWebSocketFrame(text));
        ByteBuf theirs = server.alloc().buffer();
        for (Object o = server.readOutbound(); o != null; o = server.readOutbound()) {
          ByteBuf part = (ByteBuf) o;
          theirs.writeBytes(part);
          part.release();
        }
        assertThat(ByteBufToHex.hex(ours)).as("%d x %s", n, unit).isEqualTo(ByteBufToHex.hex(theirs));
        theirs.release();
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(
            WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
        client.writeInbound(ours);
        TextWebSocketFrame f = client.readInbound();
        assertThat(f.isFinalFragment()).isTrue();
        assertThat(f.text()).isEqualTo(text);
        f.release();
      }
    }
  }

  private static final class ByteBufToHex {
    static String hex(ByteBuf b) {
      return io.netty.buffer.ByteBufUtil.hexDump(b);
    }
  }
}
