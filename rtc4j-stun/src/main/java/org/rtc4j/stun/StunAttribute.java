package org.rtc4j.stun;

import java.nio.ByteBuffer;

/**
 * A STUN attribute (RFC 8489 §14): a type-length-value element of a message.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Type                  |            Length             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Value (variable)                ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The value is padded to a multiple of 4 bytes; the length field counts the value without padding.
 * Every implementation is an immutable record; {@link UnknownAttribute} holds types this module
 * does not decode. {@link #valueLength()} and {@link #encodeValue} are the codec hooks the
 * message builder uses; application code rarely calls them.
 */
public sealed interface StunAttribute
    permits MappedAddress, XorMappedAddress, XorPeerAddress, XorRelayedAddress, AlternateServer,
        ResponseOrigin, OtherAddress, Username, Userhash, Realm, Nonce, ErrorCode, UnknownAttributes,
        Software, AlternateDomain, PasswordAlgorithms, PasswordAlgorithm, Priority, UseCandidate,
        IceControlled, IceControlling, ChannelNumber, Lifetime, Data, RequestedTransport, EvenPort,
        DontFragment, ReservationToken, RequestedAddressFamily, AdditionalAddressFamily,
        AddressErrorCode, Icmp, ConnectionId, MessageIntegrity, MessageIntegritySha256, Fingerprint,
        UnknownAttribute {

  /** The 16-bit attribute type. */
  int type();

  /** Length of the value in bytes, without padding (what goes in the length field). */
  int valueLength();

  /**
   * Writes the value (without padding) at the buffer's position and advances it by
   * {@link #valueLength()} bytes.
   *
   * @param out destination with at least {@link #valueLength()} bytes remaining
   * @param transactionId the message's transaction id (the XOR address attributes need it)
   */
  void encodeValue(ByteBuffer out, TransactionId transactionId);
}
