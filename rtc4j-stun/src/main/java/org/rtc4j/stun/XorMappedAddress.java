package org.rtc4j.stun;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the client's reflexive transport address, XORed.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0 0 0 0 0 0 0|    Family     |             X-Port            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                      X-Address (Variable)                     |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Family 0x01 is IPv4 (32-bit address), 0x02 IPv6 (128-bit address).
 * X-Port is the port XORed with the 16 most significant bits of the magic cookie; X-Address is the
 * address XORed with the magic cookie (IPv4) or with the concatenation of the magic cookie and the
 * 96-bit transaction id (IPv6). The XOR keeps NATs that rewrite addresses in payloads from
 * touching it.
 *
 * @param address the transport address (must be resolved)
 */
public record XorMappedAddress(InetSocketAddress address) implements StunAttribute {

  public XorMappedAddress {
    AddressCodec.check(address);
  }

  @Override
  public int type() {
    return StunAttributeType.XOR_MAPPED_ADDRESS;
  }

  @Override
  public int valueLength() {
    return AddressCodec.valueLength(address);
  }

  @Override
  public void encodeValue(ByteBuffer out, TransactionId transactionId) {
    AddressCodec.encode(out, address, transactionId.raw());
  }
}
