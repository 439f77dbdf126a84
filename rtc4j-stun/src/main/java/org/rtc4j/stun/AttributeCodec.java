package org.rtc4j.stun;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes attribute values (the records encode themselves). Every decoder reads only inside
 * [off, off+len), which the message parser has already bounds-checked, and allocates at most
 * {@code len} bytes plus small objects.
 */
final class AttributeCodec {
  private AttributeCodec() {}

  /**
   * @param raw the message bytes (absolute indexing, big-endian)
   * @param off absolute offset of the value
   * @param len value length (without padding)
   * @param tid the transaction id bytes, for the XOR addresses
   * @return the attribute, or null when the value is malformed for its type
   */
  static StunAttribute decode(int type, ByteBuffer raw, int off, int len, byte[] tid) {
    switch (type) {
      case StunAttributeType.MAPPED_ADDRESS: {
        var a = AddressCodec.decode(raw, off, len, null);
        return a == null ? null : new MappedAddress(a);
      }
      case StunAttributeType.XOR_MAPPED_ADDRESS: {
        var a = AddressCodec.decode(raw, off, len, tid);
        return a == null ? null : new XorMappedAddress(a);
      }
      case StunAttributeType.XOR_PEER_ADDRESS: {
        var a = AddressCodec.decode(raw, off, len, tid);
        return a == null ? null : new XorPeerAddress(a);
      }
      case StunAttributeType.XOR_RELAYED_ADDRESS: {
        var a = AddressCodec.decode(raw, off, len, tid);
        return a == null ? null : new XorRelayedAddress(a);
      }
      case StunAttributeType.ALTERNATE_SERVER: {
        var a = AddressCodec.decode(raw, off, len, null);
        return a == null ? null : new AlternateServer(a);
      }
      case StunAttributeType.RESPONSE_ORIGIN: {
        var a = AddressCodec.decode(raw, off, len, null);
        return a == null ? null : new ResponseOrigin(a);
      }
      case StunAttributeType.OTHER_ADDRESS: {
        var a = AddressCodec.decode(raw, off, len, null);
        return a == null ? null : new OtherAddress(a);
      }
      case StunAttributeType.USERNAME: {
        String s = Utf8.decode(raw, off, len);
        return s == null ? null : new Username(s);
      }
      case StunAttributeType.REALM: {
        String s = Utf8.decode(raw, off, len);
        return s == null ? null : new Realm(s);
      }
      case StunAttributeType.NONCE: {
        String s = Utf8.decode(raw, off, len);
        return s == null ? null : new Nonce(s);
      }
      case StunAttributeType.SOFTWARE: {
        String s = Utf8.decode(raw, off, len);
        return s == null ? null : new Software(s);
      }
      case StunAttributeType.ALTERNATE_DOMAIN: {
        String s = Utf8.decode(raw, off, len);
        return s == null ? null : new AlternateDomain(s);
      }
      case StunAttributeType.USERHASH:
        return len == 32 ? new Userhash(bytes(raw, off, len)) : null;
      case StunAttributeType.RESERVATION_TOKEN:
        return len == 8 ? new ReservationToken(bytes(raw, off, len)) : null;
      case StunAttributeType.ERROR_CODE: {
        if (len < 4) {
          return null;
        }
        int code = errorCode(raw, off);
        // The reason phrase is informational: decode it leniently rather than lose the code.
        return code < 0 ? null : new ErrorCode(code, lenientString(raw, off + 4, len - 4));
      }
      case StunAttributeType.ADDRESS_ERROR_CODE: {
        if (len < 4) {
          return null;
        }
        int code = errorCode(raw, off);
        return code < 0 ? null
            : new AddressErrorCode(raw.get(off) & 0xFF, code, lenientString(raw, off + 4, len - 4));
      }
      case StunAttributeType.UNKNOWN_ATTRIBUTES: {
        if (len % 2 != 0) {
          return null;
        }
        List<Integer> types = new ArrayList<>(len / 2);
        for (int i = 0; i < len; i += 2) {
          types.add(raw.getShort(off + i) & 0xFFFF);
        }
        return new UnknownAttributes(types);
      }
      case StunAttributeType.PASSWORD_ALGORITHMS: {
        List<PasswordAlgorithm> algs = new ArrayList<>();
        int p = off;
        int end = off + len;
        while (p < end) {
          if (end - p < 4) {
            return null;
          }
          int alg = raw.getShort(p) & 0xFFFF;
          int plen = raw.getShort(p + 2) & 0xFFFF;
          if (plen > end - p - 4) {
            return null;
          }
          algs.add(new PasswordAlgorithm(alg, bytes(raw, p + 4, plen)));
          // The last element's padding may be the attribute's own padding, outside len.
          p = Math.min(end, p + 4 + ((plen + 3) & ~3));
        }
        return new PasswordAlgorithms(algs);
      }
      case StunAttributeType.PASSWORD_ALGORITHM: {
        if (len < 4) {
          return null;
        }
        int alg = raw.getShort(off) & 0xFFFF;
        int plen = raw.getShort(off + 2) & 0xFFFF;
        if (plen > len - 4 || len > 4 + ((plen + 3) & ~3)) {
          return null;
        }
        return new PasswordAlgorithm(alg, bytes(raw, off + 4, plen));
      }
      case StunAttributeType.PRIORITY:
        return len == 4 ? new Priority(raw.getInt(off) & 0xFFFFFFFFL) : null;
      case StunAttributeType.USE_CANDIDATE:
        return len == 0 ? new UseCandidate() : null;
      case StunAttributeType.ICE_CONTROLLED:
        return len == 8 ? new IceControlled(raw.getLong(off)) : null;
      case StunAttributeType.ICE_CONTROLLING:
        return len == 8 ? new IceControlling(raw.getLong(off)) : null;
      case StunAttributeType.CHANNEL_NUMBER:
        return len == 4 ? new ChannelNumber(raw.getShort(off) & 0xFFFF) : null;
      case StunAttributeType.LIFETIME:
        return len == 4 ? new Lifetime(raw.getInt(off) & 0xFFFFFFFFL) : null;
      case StunAttributeType.DATA:
        return new Data(raw.slice(off, len));
      case StunAttributeType.REQUESTED_TRANSPORT:
        return len == 4 ? new RequestedTransport(raw.get(off) & 0xFF) : null;
      case StunAttributeType.EVEN_PORT:
        return len == 1 ? new EvenPort((raw.get(off) & 0x80) != 0) : null;
      case StunAttributeType.DONT_FRAGMENT:
        return len == 0 ? new DontFragment() : null;
      case StunAttributeType.REQUESTED_ADDRESS_FAMILY:
        return len == 4 ? new RequestedAddressFamily(raw.get(off) & 0xFF) : null;
      case StunAttributeType.ADDITIONAL_ADDRESS_FAMILY:
        return len == 4 ? new AdditionalAddressFamily(raw.get(off) & 0xFF) : null;
      case StunAttributeType.ICMP:
        return len == 8
            ? new Icmp(raw.get(off + 2) & 0xFF, raw.get(off + 3) & 0xFF, raw.getInt(off + 4) & 0xFFFFFFFFL)
            : null;
      case StunAttributeType.CONNECTION_ID:
        return len == 4 ? new ConnectionId(raw.getInt(off) & 0xFFFFFFFFL) : null;
      default:
        return new UnknownAttribute(type, bytes(raw, off, len));
    }
  }

  /** Class*100+Number from the 4-byte error header at off, or -1 when out of range. */
  private static int errorCode(ByteBuffer raw, int off) {
    int cls = raw.get(off + 2) & 0x07;
    int number = raw.get(off + 3) & 0xFF;
    if (cls < 3 || cls > 6 || number > 99) {
      return -1;
    }
    return cls * 100 + number;
  }

  private static byte[] bytes(ByteBuffer raw, int off, int len) {
    byte[] b = new byte[len];
    raw.get(off, b);
    return b;
  }

  private static String lenientString(ByteBuffer raw, int off, int len) {
    return new String(bytes(raw, off, len), StandardCharsets.UTF_8);
  }
}
