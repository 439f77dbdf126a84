package org.rtc4j.signaling;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A client's WebSocket frames (RFC 6455 §5.2), decoded into whole messages for a {@link Handler}
 * with nothing allocated per message: each payload is copied once, into an array the caller lends
 * (the event loop's scratch), and unmasked there.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * :                     Payload Data continued ...                :
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>It replaces Netty's frame decoder and frame aggregator on the relay path, which made a frame
 * object and a pooled buffer per message (in a JFR profile at 10,000 peers and 100k msgs/s,
 * {@code TextWebSocketFrame} alone was 76 % of the sampled allocation) before the handler copied
 * the payload into the scratch anyway.
 *
 * <p>What it enforces, each a {@link Handler#violated} after which nothing more is decoded:
 * <ul>
 *   <li>1002: an unmasked frame (§5.1), reserved bits without an extension (§5.2), a reserved
 *       opcode, a fragmented or over-125-byte control frame (§5.5), a continuation outside a
 *       fragmented message or a new message inside one (§5.4), a length not in its minimal
 *       encoding (§5.2), a close frame with a one-byte body or a code not to be sent (§7.4);
 *   <li>1007: a text message or close reason that is not UTF-8 (§8.1);
 *   <li>1008: a message in more than {@value #MAX_FRAGMENTS} fragments;
 *   <li>1009: a message over {@code maxMessageBytes}, decided from the frame header, before its
 *       payload is waited for.
 * </ul>
 * Control frames may come between the fragments of a message (§5.4). After the client's close
 * frame the rest of the input is discarded (§5.5.1).
 */
final class WsFrameDecoder extends ByteToMessageDecoder implements WebSocketFrameDecoder {

  /** What the decoder hands on; every array is only valid during the call. */
  interface Handler {
    /** A whole text (valid UTF-8) or binary message in {@code b[0, len)}. */
    void message(boolean text, byte[] b, int len);

    /** A ping with its payload in {@code b[0, len)}. */
    void ping(byte[] b, int len);

    /** A pong (unsolicited or not: nothing to do but take it). */
    void pong();

    /** The client's close frame, its body (empty, or a valid code and UTF-8 reason) in {@code b[0, len)}. */
    void closed(byte[] b, int len);

    /** A framing violation: the connection must fail with {@code status}; {@code why} is for logs. */
    void violated(WebSocketCloseStatus status, String why);

    /** Bytes read after a violation or the client's close frame, dropped undecoded. */
    void discarded(int bytes);
  }

  static final int OPCODE_CONTINUATION = 0x0;
  static final int OPCODE_TEXT = 0x1;
  static final int OPCODE_BINARY = 0x2;
  static final int OPCODE_CLOSE = 0x8;
  static final int OPCODE_PING = 0x9;
  static final int OPCODE_PONG = 0xA;

  /**
   * Fragments one message may come in. Fragments cost no rate-limit token until the message is
   * whole, so without a cap a client could keep one loop busy with empty fragments forever.
   */
  static final int MAX_FRAGMENTS = 1024;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH = 0x8080808080808080L;

  private final int maxMessageBytes;
  private final Handler handler;
  private final IntFunction<byte[]> scratch;

  /** The fragments of an unfinished message (null when none): {@code partial[0, partialLen)}. */
  private byte[] partial;
  private int partialLen;
  private boolean partialText;
  private boolean partialAscii;
  private int fragments;
  /** A close frame or a violation was seen: everything after it is discarded. */
  private boolean done;

  /**
   * @param maxMessageBytes the largest message, all its fragments together
   * @param scratch lends an array of at least n bytes for one message (valid until the next call)
   */
  WsFrameDecoder(int maxMessageBytes, Handler handler, IntFunction<byte[]> scratch) {
    this.maxMessageBytes = maxMessageBytes;
    this.handler = handler;
    this.scratch = scratch;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (!done) {
      int n = in.readableBytes();
      if (n < 2) {
        return;
      }
      int at = in.readerIndex();
      int b0 = in.getUnsignedByte(at);
      int b1 = in.getUnsignedByte(at + 1);
      boolean fin = (b0 & 0x80) != 0;
      int opcode = b0 & 0x0F;
      int len7 = b1 & 0x7F;
      String bad = headerViolation(b0, b1, fin, opcode, len7);
      if (bad != null) {
        fail(in, WebSocketCloseStatus.PROTOCOL_ERROR, bad);
        return;
      }
      int header = 2;
      long len = len7;
      if (len7 == 126) {
        if (n < 4) {
          return;
        }
        len = in.getUnsignedShort(at + 2);
        header = 4;
        if (len < 126) {
          fail(in, WebSocketCloseStatus.PROTOCOL_ERROR, "a 16-bit length under 126");
          return;
        }
      } else if (len7 == 127) {
        if (n < 10) {
          return;
        }
        len = in.getLong(at + 2);
        header = 10;
        if (len < 65536) { // negative too: the most significant bit must be 0
          fail(in, WebSocketCloseStatus.PROTOCOL_ERROR, "a 64-bit length under 65536 or over 2^63-1");
          return;
        }
      }
      int before = opcode == OPCODE_CONTINUATION ? partialLen : 0;
      if (len > maxMessageBytes - before) {
        fail(in, WebSocketCloseStatus.MESSAGE_TOO_BIG, "a message over " + maxMessageBytes + " bytes");
        return;
      }
      header += 4; // the masking key
      if (n < header + len) {
        return; // the frame is not all here yet (ByteToMessageDecoder keeps what there is)
      }
      int mask = in.getInt(at + header - 4);
      int size = (int) len;
      int payload = at + header;
      in.readerIndex(payload + size);
      switch (opcode) {
        case OPCODE_TEXT, OPCODE_BINARY -> {
          if (fin) {
            byte[] b = scratch.apply(size);
            in.getBytes(payload, b, 0, size);
            boolean ascii = unmask(b, 0, size, mask);
            if (opcode == OPCODE_TEXT && !ascii && !isUtf8(b, 0, size)) {
              fail(in, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "a text message that is not UTF-8");
              return;
            }
            handler.message(opcode == OPCODE_TEXT, b, size);
          } else {
            partial = new byte[Math.max(size, 1024)];
            partialLen = 0;
            partialText = opcode == OPCODE_TEXT;
            partialAscii = true;
            fragments = 1;
            append(in, payload, size, mask);
          }
        }
        case OPCODE_CONTINUATION -> {
          if (++fragments > MAX_FRAGMENTS) {
            fail(in, WebSocketCloseStatus.POLICY_VIOLATION, "a message in more than " + MAX_FRAGMENTS + " fragments");
            return;
          }
          append(in, payload, size, mask);
          if (fin) {
            byte[] b = partial;
            int total = partialLen;
            boolean text = partialText;
            boolean ascii = partialAscii;
            partial = null;
            partialLen = 0;
            if (text && !ascii && !isUtf8(b, 0, total)) {
              fail(in, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "a text message that is not UTF-8");
              return;
            }
            handler.message(text, b, total);
          }
        }
        case OPCODE_PING -> {
          byte[] b = new byte[size]; // rare, and at most 125 bytes
          in.getBytes(payload, b, 0, size);
          unmask(b, 0, size, mask);
          handler.ping(b, size);
        }
        case OPCODE_PONG -> handler.pong();
        case OPCODE_CLOSE -> {
          byte[] b = new byte[size];
          in.getBytes(payload, b, 0, size);
          unmask(b, 0, size, mask);
          if (size >= 2 && !isValidCloseCode(((b[0] & 0xFF) << 8) | (b[1] & 0xFF))) {
            fail(in, WebSocketCloseStatus.PROTOCOL_ERROR, "close code " + (((b[0] & 0xFF) << 8) | (b[1] & 0xFF)));
            return;
          }
          if (size > 2 && !isUtf8(b, 2, size - 2)) {
            fail(in, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "a close reason that is not UTF-8");
            return;
          }
          done = true;
          partial = null;
          handler.closed(b, size);
          discard(in);
        }
        default -> throw new IllegalStateException("opcode " + opcode); // headerViolation let it through
      }
    }
    discard(in);
  }

  /** Drops what is left of {@code in} (the decoder is done) and says how much. */
  private void discard(ByteBuf in) {
    int n = in.readableBytes();
    if (n > 0) {
      in.skipBytes(n);
      handler.discarded(n);
    }
  }

  /**
   * Not {@link ByteToMessageDecoder}'s: it asks for another read when autoRead is off and the read
   * produced no message, assuming a decoder that waits for more bytes. This one hands everything
   * to the handler and never produces a message, so that read would undo the handler's pause
   * ({@link PeerConnection} stops reading while {@value PeerConnection#MAX_WAITING} relays wait for
   * the registry; with the inherited method the queue grew to thousands in a review probe).
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    discardSomeReadBytes();
    ctx.fireChannelReadComplete();
  }

  /** What is wrong with the frame's first two bytes given the message in progress, or null. */
  private String headerViolation(int b0, int b1, boolean fin, int opcode, int len7) {
    if ((b0 & 0x70) != 0) {
      return "reserved bits set, no extension negotiated";
    }
    if ((b1 & 0x80) == 0) {
      return "an unmasked client frame";
    }
    if (opcode >= 0x8) {
      if (opcode > OPCODE_PONG) {
        return "reserved control opcode " + opcode;
      }
      if (!fin) {
        return "a fragmented control frame";
      }
      if (len7 > 125) {
        return "a control frame over 125 bytes";
      }
      if (opcode == OPCODE_CLOSE && len7 == 1) {
        return "a close frame with a one-byte body";
      }
      return null;
    }
    if (opcode > OPCODE_BINARY) {
      return "reserved data opcode " + opcode;
    }
    if (opcode == OPCODE_CONTINUATION && partial == null) {
      return "a continuation frame outside a fragmented message";
    }
    if (opcode != OPCODE_CONTINUATION && partial != null) {
      return "a new message inside a fragmented message";
    }
    return null;
  }

  /** Appends a fragment's payload to the message in progress, unmasked (its total is within the limit). */
  private void append(ByteBuf in, int payload, int size, int mask) {
    int need = partialLen + size;
    if (partial.length < need) {
      partial = java.util.Arrays.copyOf(partial, Math.min(maxMessageBytes, Math.max(need, partial.length * 2)));
    }
    in.getBytes(payload, partial, partialLen, size);
    partialAscii &= unmask(partial, partialLen, size, mask);
    partialLen = need;
  }

  private void fail(ByteBuf in, WebSocketCloseStatus status, String why) {
    done = true;
    partial = null;
    handler.violated(status, why);
    discard(in);
  }

  /**
   * XORs {@code b[off, off + len)} with the masking key (RFC 6455 §5.3: octet i with key octet i mod 4),
   * eight bytes at a time; whether the result is all ASCII (then it is UTF-8 without a second look).
   *
   * @param mask the four key octets, the first in the most significant byte
   */
  static boolean unmask(byte[] b, int off, int len, int mask) {
    long m = Integer.reverseBytes(mask) & 0xFFFFFFFFL; // little-endian: key octet 0 in the lowest byte
    long m8 = m | (m << 32);
    long seen = 0;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      long v = (long) LONGS.get(b, off + i) ^ m8;
      LONGS.set(b, off + i, v);
      seen |= v;
    }
    for (; i < len; i++) {
      int v = (b[off + i] ^ (mask >>> (24 - 8 * (i & 3)))) & 0xFF;
      b[off + i] = (byte) v;
      seen |= v;
    }
    return (seen & HIGH) == 0;
  }

  /** Whether {@code b[off, off + len)} is well-formed UTF-8 (Unicode 15 table 3-7: no overlongs, surrogates or values over U+10FFFF). */
  static boolean isUtf8(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH) == 0) {
      i += 8;
    }
    while (i < end) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int more;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        more = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        more = 2;
        if (c == 0xE0) {
          lo = 0xA0; // overlong
        } else if (c == 0xED) {
          hi = 0x9F; // surrogates
        }
      } else if (c >= 0xF0 && c <= 0xF4) {
        more = 3;
        if (c == 0xF0) {
          lo = 0x90; // overlong
        } else if (c == 0xF4) {
          hi = 0x8F; // over U+10FFFF
        }
      } else {
        return false; // a continuation byte, an overlong lead (C0, C1) or F5..FF
      }
      if (end - i <= more) {
        return false;
      }
      int c1 = b[i + 1] & 0xFF;
      if (c1 < lo || c1 > hi) {
        return false;
      }
      for (int k = 2; k <= more; k++) {
        if ((b[i + k] & 0xC0) != 0x80) {
          return false;
        }
      }
      i += more + 1;
    }
    return true;
  }

  /** Codes a close frame may carry (RFC 6455 §7.4.1 and the IANA registry; 1004-1006 and 1015 are never sent). */
  static boolean isValidCloseCode(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }
}
