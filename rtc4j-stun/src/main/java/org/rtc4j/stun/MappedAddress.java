package org.rtc4j.stun;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * MAPPED-ADDRESS (RFC 8489 §14.1): the reflexive transport address, not obfuscated; kept for
 * backwards compatibility with RFC 3489 clients.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0 0 0 0 0 0 0|    Family     |              Port             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                 Address (32 bits or 128 bits)                 |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Family 0x01 is IPv4 (32-bit address), 0x02 IPv6 (128-bit address).
 *
 * @param address the transport address (must be resolved)
 */
public record MappedAddress(InetSocketAddress address) implements StunAttribute {

  public MappedAddress {
    AddressCodec.check(address);
  }

  @Override
  public int type() {
    return StunAttributeType.MAPPED_ADDRESS;
  }

  @Override
  public int valueLength() {
    return AddressCodec.valueLength(address);
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    AddressCodec.encode(out, address, null);
  }
}
