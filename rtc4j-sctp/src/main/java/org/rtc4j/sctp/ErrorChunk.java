package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * ERROR (RFC 9260 §3.3.10): one or more error causes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Type = 9    |  Flags      |T|           Length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                   zero or more Error Causes                    * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record ErrorChunk(int flags, List<ErrorCause> causes) implements Chunk {
  public static final int FLAG_T = 0x01;

  public ErrorChunk {
    causes = List.copyOf(causes);
  }

  @Override
  public int type() {
    return ERROR;
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
