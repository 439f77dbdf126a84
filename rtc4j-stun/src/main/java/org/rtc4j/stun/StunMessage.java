package org.rtc4j.stun;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A parsed STUN message (RFC 8489 §5), and the {@link Builder} that encodes one.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0|     STUN Message Type     |         Message Length        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Magic Cookie                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                     Transaction ID (96 bits)                  |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * followed by Message Length bytes of attributes (a multiple of 4).
 *
 * <p>Parsing checks the header, every attribute's bounds, known attributes' value formats,
 * FINGERPRINT (it must be last and correct), and MESSAGE-INTEGRITY(-SHA256) lengths. It does not
 * check integrity, because the key depends on USERNAME/REALM: call
 * {@link #verifyMessageIntegrity(byte[])} (or {@link IntegrityCalculator}) once the key is known.
 * Attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and
 * attributes after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are ignored (RFC 8489 §14.5,
 * §14.6): they are bounds-checked but do not appear in {@link #attributes()}.
 *
 * <p>A parsed message is a read-only view of the bytes it was parsed from (integrity is computed
 * over the bytes exactly as received, padding included, and {@link Data} is zero-copy). It stays
 * valid while the caller does not overwrite those bytes; parse from a copy to keep it longer.
 * Immutable otherwise, and safe to read from several threads.
 */
public final class StunMessage {

  /** The magic cookie 0x2112A442 (RFC 8489 §5). */
  public static final int MAGIC_COOKIE = 0x2112A442;
  /** Length of the fixed header. */
  public static final int HEADER_LENGTH = 20;
  /** Largest encodable message: 20-byte header plus a 16-bit length that is a multiple of 4. */
  public static final int MAX_LENGTH = HEADER_LENGTH + 0xFFFC;
  /** FINGERPRINT XOR constant, "STUN" in ASCII (RFC 8489 §14.7). */
  public static final long FINGERPRINT_XOR = 0x5354554eL;

  private final ByteBuffer raw;
  private final byte[] heapArray;
  private final int heapOffset;
  private final int messageType;
  private final TransactionId transactionId;
  private final List<StunAttribute> attributes;
  private final List<Integer> unknownComprehensionRequired;
  private final int miOffset;
  private final int mi256Offset;
  private final int mi256Length;

  private StunMessage(ByteBuffer raw, byte[] heapArray, int heapOffset, int messageType, TransactionId transactionId,
      List<StunAttribute> attributes, List<Integer> unknownComprehensionRequired, int miOffset, int mi256Offset,
      int mi256Length) {
    this.raw = raw;
    this.heapArray = heapArray;
    this.heapOffset = heapOffset;
    this.messageType = messageType;
    this.transactionId = transactionId;
    this.attributes = attributes;
    this.unknownComprehensionRequired = unknownComprehensionRequired;
    this.miOffset = miOffset;
    this.mi256Offset = mi256Offset;
    this.mi256Length = mi256Length;
  }

  /**
   * Cheap demultiplexing check (RFC 7983 §7, RFC 8489 §5): at least 20 bytes, first byte 0..3
   * (top two bits zero) and the magic cookie at offset 4. Does not move the buffer's position.
   */
  public static boolean looksLikeStun(ByteBuffer buf) {
    int p = buf.position();
    return buf.remaining() >= HEADER_LENGTH && (buf.get(p) & 0xC0) == 0 && readInt(buf, p + 4) == MAGIC_COOKIE;
  }

  /**
   * Length of the whole message a stream transport (TCP/TLS, RFC 8489 §6.2.2) must read for the
   * message starting at the buffer's position: 20 + Message Length, or -1 when fewer than 4 bytes
   * are present. Validates nothing else.
   */
  public static int streamFrameLength(ByteBuffer buf) {
    if (buf.remaining() < 4) {
      return -1;
    }
    int p = buf.position();
    return HEADER_LENGTH + (((buf.get(p + 2) & 0xFF) << 8) | (buf.get(p + 3) & 0xFF));
  }

  /** Parses the whole array as exactly one message, like {@link #parseDatagram}. */
  public static StunMessage parse(byte[] bytes) throws StunParseException {
    return parseDatagram(ByteBuffer.wrap(bytes));
  }

  /**
   * Parses the buffer's remaining bytes as exactly one message, as a UDP datagram must be (RFC
   * 8489 §6.3: the length field must match the datagram): trailing bytes are an error. On success
   * the position moves to the limit.
   *
   * @throws StunParseException as {@link #parse(ByteBuffer)}, or when bytes follow the message
   */
  public static StunMessage parseDatagram(ByteBuffer buf) throws StunParseException {
    int start = buf.position();
    StunMessage m = parse(buf);
    if (buf.hasRemaining()) {
      int trailing = buf.remaining();
      buf.position(start);
      throw new StunParseException("message length " + (m.length() - HEADER_LENGTH) + " leaves " + trailing
          + " trailing bytes in the datagram", 2, m.messageType, m.transactionId);
    }
    return m;
  }

  /**
   * Parses one message starting at the buffer's position and, on success, advances the position
   * past it (to position + 20 + Message Length); bytes after it are left for the caller (a stream
   * transport's next message). On failure the position is unchanged. For a UDP datagram use
   * {@link #parseDatagram}.
   *
   * @throws StunParseException if the bytes are not a valid STUN message; the offset is relative
   *     to the buffer's position
   */
  public static StunMessage parse(ByteBuffer buf) throws StunParseException {
    Objects.requireNonNull(buf, "buf");
    final int start = buf.position();
    final int avail = buf.remaining();
    if (avail < HEADER_LENGTH) {
      throw new StunParseException("shorter than the 20-byte STUN header: " + avail + " bytes", 0);
    }
    int b0 = buf.get(start) & 0xFF;
    if ((b0 & 0xC0) != 0) {
      throw new StunParseException("top two bits of a STUN message must be zero", 0);
    }
    if (readInt(buf, start + 4) != MAGIC_COOKIE) {
      throw new StunParseException("missing magic cookie 0x2112A442", 4);
    }
    int type = (b0 << 8) | (buf.get(start + 1) & 0xFF);
    int length = ((buf.get(start + 2) & 0xFF) << 8) | (buf.get(start + 3) & 0xFF);
    byte[] tidBytes = new byte[TransactionId.LENGTH];
    buf.get(start + 8, tidBytes);
    TransactionId tid = new TransactionId(tidBytes);
    if ((length & 3) != 0) {
      throw new StunParseException("message length " + length + " is not a multiple of 4", 2, type, tid);
    }
    final int total = HEADER_LENGTH + length;
    if (total > avail) {
      throw new StunParseException("message length " + length + " exceeds the " + (avail - HEADER_LENGTH)
          + " bytes present", 2, type, tid);
    }
    ByteBuffer raw = (buf.isReadOnly() ? buf : buf.asReadOnlyBuffer()).slice(start, total);
    byte[] heapArray = null;
    int heapOffset = 0;
    if (buf.hasArray()) {
      heapArray = buf.array();
      heapOffset = buf.arrayOffset() + start;
    }

    List<StunAttribute> attrs = new ArrayList<>();
    List<Integer> unknown = null;
    int miOffset = -1;
    int mi256Offset = -1;
    int mi256Length = 0;
    int fpOffset = -1;
    long fpValue = 0;
    int off = HEADER_LENGTH;
    while (off < total) {
      if (fpOffset >= 0) {
        throw new StunParseException("attribute after FINGERPRINT", off, type, tid);
      }
      // off and total are multiples of 4, so a full attribute header is always present here.
      int atype = raw.getShort(off) & 0xFFFF;
      int alen = raw.getShort(off + 2) & 0xFFFF;
      int padded = (alen + 3) & ~3;
      int voff = off + 4;
      if (padded > total - voff) {
        throw new StunParseException(StunAttributeType.name(atype) + " length " + alen + " runs past the end of the message",
            off + 2, type, tid);
      }
      if (atype == StunAttributeType.FINGERPRINT) {
        if (alen != 4) {
          throw new StunParseException("FINGERPRINT must be 4 bytes", off + 2, type, tid);
        }
        fpOffset = off;
        fpValue = raw.getInt(voff) & 0xFFFFFFFFL;
      } else if (mi256Offset >= 0) {
        // RFC 8489 §14.6: everything after MESSAGE-INTEGRITY-SHA256 but FINGERPRINT is ignored.
      } else if (atype == StunAttributeType.MESSAGE_INTEGRITY_SHA256) {
        if (alen < 16 || alen > 32 || (alen & 3) != 0) {
          throw new StunParseException("MESSAGE-INTEGRITY-SHA256 must be 16..32 bytes, a multiple of 4", off + 2, type, tid);
        }
        mi256Offset = off;
        mi256Length = alen;
        attrs.add(new MessageIntegritySha256(bytes(raw, voff, alen)));
      } else if (miOffset >= 0) {
        // RFC 8489 §14.5: everything after MESSAGE-INTEGRITY but -SHA256 and FINGERPRINT is ignored.
      } else if (atype == StunAttributeType.MESSAGE_INTEGRITY) {
        if (alen != 20) {
          throw new StunParseException("MESSAGE-INTEGRITY must be 20 bytes", off + 2, type, tid);
        }
        miOffset = off;
        attrs.add(new MessageIntegrity(bytes(raw, voff, alen)));
      } else {
        StunAttribute a = AttributeCodec.decode(atype, raw, voff, alen, tidBytes);
        if (a == null) {
          throw new StunParseException("malformed " + StunAttributeType.name(atype) + " value", off, type, tid);
        }
        if (a instanceof UnknownAttribute && atype < 0x8000) {
          if (unknown == null) {
            unknown = new ArrayList<>(2);
          }
          unknown.add(atype);
        }
        attrs.add(a);
      }
      off = voff + padded;
    }
    if (fpOffset >= 0) {
      long crc = crc32(new CRC32(), raw, heapArray, heapOffset, fpOffset) ^ FINGERPRINT_XOR;
      if (crc != fpValue) {
        throw new StunParseException(String.format("FINGERPRINT mismatch: got %08x, computed %08x", fpValue, crc),
            fpOffset + 4, type, tid);
      }
      attrs.add(new Fingerprint(fpValue));
    }
    buf.position(start + total);
    return new StunMessage(raw, heapArray, heapOffset, type, tid, Collections.unmodifiableList(attrs),
        unknown == null ? List.of() : Collections.unmodifiableList(unknown), miOffset, mi256Offset, mi256Length);
  }

  /** CRC-32 of [0, len) of the message; uses the backing array or direct memory when it can. */
  static long crc32(CRC32 crc, ByteBuffer raw, byte[] heapArray, int heapOffset, int len) {
    crc.reset();
    if (heapArray != null) {
      crc.update(heapArray, heapOffset, len);
    } else {
      ByteBuffer d = raw.duplicate();
      d.position(0).limit(len);
      crc.update(d);
    }
    return crc.getValue();
  }

  private static byte[] bytes(ByteBuffer raw, int off, int len) {
    byte[] b = new byte[len];
    raw.get(off, b);
    return b;
  }

  private static int readInt(ByteBuffer b, int i) {
    return ((b.get(i) & 0xFF) << 24) | ((b.get(i + 1) & 0xFF) << 16) | ((b.get(i + 2) & 0xFF) << 8) | (b.get(i + 3) & 0xFF);
  }

  /** The 12-bit method, e.g. {@link StunMethod#BINDING}. */
  public int method() {
    return StunClass.methodOf(messageType);
  }

  /** The message class. */
  public StunClass stunClass() {
    return StunClass.ofMessageType(messageType);
  }

  /** The 14-bit message type (method and class bits). */
  public int messageType() {
    return messageType;
  }

  /** The transaction id. */
  public TransactionId transactionId() {
    return transactionId;
  }

  /** Total length in bytes, header included. */
  public int length() {
    return raw.limit();
  }

  /** A read-only view of the message bytes exactly as received (position 0). */
  public ByteBuffer raw() {
    return raw.duplicate();
  }

  /**
   * The attributes in wire order, including MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
   * FINGERPRINT, excluding the ignored attributes after the integrity attributes.
   */
  public List<StunAttribute> attributes() {
    return attributes;
  }

  /** The first attribute of the given record type. */
  public <T extends StunAttribute> Optional<T> attribute(Class<T> type) {
    for (StunAttribute a : attributes) {
      if (type.isInstance(a)) {
        return Optional.of(type.cast(a));
      }
    }
    return Optional.empty();
  }

  /** All attributes of the given record type, in order (e.g. several XOR-PEER-ADDRESS in CreatePermission). */
  public <T extends StunAttribute> List<T> attributes(Class<T> type) {
    List<T> out = new ArrayList<>(2);
    for (StunAttribute a : attributes) {
      if (type.isInstance(a)) {
        out.add(type.cast(a));
      }
    }
    return out;
  }

  /** Whether an attribute of this type is present. */
  public boolean has(Class<? extends StunAttribute> type) {
    for (StunAttribute a : attributes) {
      if (type.isInstance(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Types 0x0000-0x7FFF this module does not understand, in order of appearance: a server answers
   * a request carrying any with 420 and UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1).
   */
  public List<Integer> unknownComprehensionRequired() {
    return unknownComprehensionRequired;
  }

  /** Whether MESSAGE-INTEGRITY is present. */
  public boolean hasMessageIntegrity() {
    return miOffset >= 0;
  }

  /** Whether MESSAGE-INTEGRITY-SHA256 is present. */
  public boolean hasMessageIntegritySha256() {
    return mi256Offset >= 0;
  }

  /** Whether FINGERPRINT is present (parsing already checked it). */
  public boolean hasFingerprint() {
    return !attributes.isEmpty() && attributes.get(attributes.size() - 1) instanceof Fingerprint;
  }

  /**
   * Checks MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) with this key, in constant time. Creates a
   * {@link IntegrityCalculator} per call; hot paths hold one and call it directly.
   *
   * @return false when the attribute is absent or does not match
   */
  public boolean verifyMessageIntegrity(byte[] key) {
    return new IntegrityCalculator().verifyMessageIntegrity(this, key);
  }

  /**
   * Checks MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, possibly truncated, RFC 8489 §14.6).
   *
   * @return false when the attribute is absent or does not match
   */
  public boolean verifyMessageIntegritySha256(byte[] key) {
    return new IntegrityCalculator().verifyMessageIntegritySha256(this, key);
  }

  // accessors for IntegrityCalculator
  ByteBuffer rawView() {
    return raw;
  }

  byte[] heapArray() {
    return heapArray;
  }

  int heapOffset() {
    return heapOffset;
  }

  int miOffset() {
    return miOffset;
  }

  int mi256Offset() {
    return mi256Offset;
  }

  int mi256Length() {
    return mi256Length;
  }

  /**
   * A builder with this message's method, class, transaction id and attributes, minus
   * MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT (the builder computes those).
   */
  public Builder toBuilder() {
    Builder b = new Builder(method(), stunClass(), transactionId);
    for (StunAttribute a : attributes) {
      if (!(a instanceof MessageIntegrity || a instanceof MessageIntegritySha256 || a instanceof Fingerprint)) {
        b.add(a);
      }
    }
    if (mi256Offset >= 0) {
      b.integrity(miOffset >= 0, true);
    }
    return b;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("StunMessage[").append(StunMethod.name(method())).append(' ')
        .append(stunClass()).append(" tid=").append(transactionId);
    for (StunAttribute a : attributes) {
      sb.append(", ").append(a);
    }
    return sb.append(']').toString();
  }

  /** Starts a message. */
  public static Builder builder(int method, StunClass cls, TransactionId id) {
    return new Builder(method, cls, id);
  }

  /**
   * Builds and encodes a message. MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are
   * not added as attributes: the encode methods compute them from the key and flag. Not
   * thread-safe; reusable (encode as often as you like).
   */
  public static final class Builder {
    private final int method;
    private final StunClass cls;
    private final TransactionId transactionId;
    private final List<StunAttribute> attributes = new ArrayList<>();
    private boolean sha1Integrity = true;
    private boolean sha256Integrity;
    private byte paddingByte;

    private Builder(int method, StunClass cls, TransactionId transactionId) {
      if (method < 0 || method > 0xFFF) {
        throw new IllegalArgumentException("method must be 12 bits: " + method);
      }
      this.method = method;
      this.cls = Objects.requireNonNull(cls, "cls");
      this.transactionId = Objects.requireNonNull(transactionId, "transactionId");
    }

    /**
     * Appends an attribute.
     *
     * @throws IllegalArgumentException for MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT, which the
     *     encode methods compute
     */
    public Builder add(StunAttribute attribute) {
      Objects.requireNonNull(attribute, "attribute");
      if (attribute instanceof MessageIntegrity || attribute instanceof MessageIntegritySha256
          || attribute instanceof Fingerprint) {
        throw new IllegalArgumentException(StunAttributeType.name(attribute.type())
            + " is computed by encode(key, fingerprint), not added");
      }
      attributes.add(attribute);
      return this;
    }

    /** Appends several attributes. */
    public Builder addAll(List<? extends StunAttribute> list) {
      for (StunAttribute a : list) {
        add(a);
      }
      return this;
    }

    /**
     * With a key, add MESSAGE-INTEGRITY-SHA256 instead of MESSAGE-INTEGRITY (true) or
     * MESSAGE-INTEGRITY only (false, the default).
     */
    public Builder sha256Integrity(boolean sha256) {
      return integrity(!sha256, sha256);
    }

    /**
     * Which integrity attributes a key adds: HMAC-SHA1 MESSAGE-INTEGRITY and/or the full 32-byte
     * MESSAGE-INTEGRITY-SHA256 (in that order when both, RFC 8489 §14.5). At least one.
     */
    public Builder integrity(boolean sha1, boolean sha256) {
      if (!sha1 && !sha256) {
        throw new IllegalArgumentException("at least one integrity algorithm");
      }
      this.sha1Integrity = sha1;
      this.sha256Integrity = sha256;
      return this;
    }

    /**
     * The byte used for attribute padding; 0 by default. RFC 8489 §14 lets senders pad with
     * anything; RFC 5769 pads with 0x20, so reproducing its vectors exactly needs this.
     */
    public Builder paddingByte(int value) {
      this.paddingByte = (byte) value;
      return this;
    }

    /** The attributes added so far. */
    public List<StunAttribute> attributes() {
      return Collections.unmodifiableList(attributes);
    }

    /** Encoded size in bytes for the given options. */
    public int encodedLength(boolean withIntegrity, boolean fingerprint) {
      long n = HEADER_LENGTH;
      for (StunAttribute a : attributes) {
        int vlen = a.valueLength();
        if (vlen > 0xFFFF) {
          throw new IllegalStateException(StunAttributeType.name(a.type()) + " value longer than 65535 bytes");
        }
        n += 4 + ((vlen + 3) & ~3);
      }
      if (withIntegrity) {
        n += (sha1Integrity ? 24 : 0) + (sha256Integrity ? 36 : 0);
      }
      if (fingerprint) {
        n += 8;
      }
      if (n > MAX_LENGTH) {
        throw new IllegalStateException("message longer than the 16-bit length field allows: " + n);
      }
      return (int) n;
    }

    /** Encodes without integrity or fingerprint. */
    public byte[] encode() {
      return encode(null, false);
    }

    /**
     * Encodes to a new array.
     *
     * @param integrityKey key for MESSAGE-INTEGRITY(-SHA256), or null for none
     * @param fingerprint whether to append FINGERPRINT
     */
    public byte[] encode(byte[] integrityKey, boolean fingerprint) {
      byte[] out = new byte[encodedLength(integrityKey != null, fingerprint)];
      encodeTo(ByteBuffer.wrap(out), integrityKey, fingerprint);
      return out;
    }

    /** Like {@link #encodeTo(ByteBuffer, byte[], boolean, IntegrityCalculator)} with a fresh calculator when a key is given. */
    public int encodeTo(ByteBuffer out, byte[] integrityKey, boolean fingerprint) {
      return encodeTo(out, integrityKey, fingerprint,
          integrityKey != null || fingerprint ? new IntegrityCalculator() : null);
    }

    /**
     * Encodes at the buffer's position and advances it; allocation-free with a reused
     * calculator and a heap or direct buffer.
     *
     * @param integrityKey key for MESSAGE-INTEGRITY(-SHA256), or null for none
     * @param fingerprint whether to append FINGERPRINT
     * @param calc the caller's calculator (needed when a key or fingerprint is requested)
     * @return the number of bytes written
     * @throws BufferOverflowException if {@code out} has less room than {@link #encodedLength}
     */
    public int encodeTo(ByteBuffer out, byte[] integrityKey, boolean fingerprint, IntegrityCalculator calc) {
      int total = encodedLength(integrityKey != null, fingerprint);
      if (out.remaining() < total) {
        throw new BufferOverflowException();
      }
      if ((integrityKey != null || fingerprint) && calc == null) {
        throw new IllegalArgumentException("calculator required for integrity or fingerprint");
      }
      ByteOrder order = out.order();
      out.order(ByteOrder.BIG_ENDIAN);
      try {
        int start = out.position();
        out.putShort((short) StunClass.messageType(method, cls));
        out.putShort((short) 0); // patched below, once per integrity attribute
        out.putInt(MAGIC_COOKIE);
        out.put(transactionId.raw());
        for (StunAttribute a : attributes) {
          int vlen = a.valueLength();
          out.putShort((short) a.type());
          out.putShort((short) vlen);
          int p = out.position();
          a.encodeValue(out, transactionId);
          if (out.position() - p != vlen) {
            throw new IllegalStateException(StunAttributeType.name(a.type()) + " wrote " + (out.position() - p)
                + " bytes, announced " + vlen);
          }
          for (int i = vlen; (i & 3) != 0; i++) {
            out.put(paddingByte);
          }
        }
        if (integrityKey != null) {
          if (sha1Integrity) {
            int at = out.position();
            out.putShort(start + 2, (short) (at + 24 - start - HEADER_LENGTH));
            out.putShort((short) StunAttributeType.MESSAGE_INTEGRITY);
            out.putShort((short) 20);
            calc.hmacSha1(integrityKey, out, start, at - start, out);
          }
          if (sha256Integrity) {
            int at = out.position();
            out.putShort(start + 2, (short) (at + 36 - start - HEADER_LENGTH));
            out.putShort((short) StunAttributeType.MESSAGE_INTEGRITY_SHA256);
            out.putShort((short) 32);
            calc.hmacSha256(integrityKey, out, start, at - start, out);
          }
        }
        out.putShort(start + 2, (short) (total - HEADER_LENGTH));
        if (fingerprint) {
          int at = out.position();
          long crc = calc.crc32(out, start, at - start) ^ FINGERPRINT_XOR;
          out.putShort((short) StunAttributeType.FINGERPRINT);
          out.putShort((short) 4);
          out.putInt((int) crc);
        }
        return out.position() - start;
      } finally {
        out.order(order);
      }
    }
  }
}
