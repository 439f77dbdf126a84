package org.rtc4j.sctp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * RE-CONFIG (RFC 6525 §3.1): one or two re-configuration parameters.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Type = 130    |  Chunk Flags  |      Chunk Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \                  Re-configuration Parameter                   \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * \             Re-configuration Parameter (optional)             \
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record ReconfigChunk(int flags, List<ReconfigParameter> parameters) implements Chunk {

  public ReconfigChunk {
    parameters = List.copyOf(parameters);
  }

  @Override
  public int type() {
    return RE_CONFIG;
  }

  @Override
  public int length() {
    int n = 4;
    for (ReconfigParameter p : parameters) {
      n += Wire.pad4(p.length());
    }
    return parameters.isEmpty() ? n : n - Wire.pad4(last().length()) + last().length();
  }

  private ReconfigParameter last() {
    return parameters.get(parameters.size() - 1);
  }

  @Override
  public void encodeValue(ByteBuffer out) {
    for (ReconfigParameter p : parameters) {
      int start = out.position();
      p.encodeTo(out);
      Wire.zeros(out, Wire.pad4(p.length()) - (out.position() - start));
    }
    if (!parameters.isEmpty()) {
      out.position(out.position() - (Wire.pad4(last().length()) - last().length()));
    }
  }

  static ReconfigChunk parseValue(int flags, ByteBuffer v) throws SctpParseException {
    List<Parameter> raw = Parameter.parseAll(v);
    List<ReconfigParameter> out = new ArrayList<>(raw.size());
    for (Parameter p : raw) {
      out.add(ReconfigParameter.of(p));
    }
    return new ReconfigChunk(flags, out);
  }
}
