package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * ABORT (RFC 9260 §3.3.7); flag T (0x01): the verification tag is the sender's own (reflected).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 6    |  Flags      |T|           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                   zero or more Error Causes                    * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record AbortChunk(int flags, List<ErrorCause> causes) implements Chunk {
  public static final int FLAG_T = 0x01;

  public AbortChunk {
    causes = List.copyOf(causes);
  }

  @Override
  public int type() {
    return ABORT;
  }

  @Override
  public int length() {
    return 4 + ErrorCause.unpaddedLength(causes);
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    ErrorCause.encodeAll(causes, out);
  }

  /** The causes as text, for events and logs. */
  public String describe() {
    return ErrorCause.describe(causes);
  }
}
