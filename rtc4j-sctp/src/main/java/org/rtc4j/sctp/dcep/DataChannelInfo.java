package org.rtc4j.sctp.dcep;

/**
 * What is known about one data channel (a snapshot).
 *
 * @param id the SCTP stream id
 * @param label the label
 * @param protocol the sub-protocol
 * @param ordered whether messages are delivered in order
 * @param maxRetransmits retransmission limit, or -1
 * @param maxPacketLifeTime lifetime limit in ms, or -1
 * @param negotiated whether the application agreed the id out of band (no DCEP)
 * @param remote whether the peer opened it
 * @param state the channel state
 */
public record DataChannelInfo(int id, String label, String protocol, boolean ordered, int maxRetransmits,
    long maxPacketLifeTime, boolean negotiated, boolean remote, DataChannelState state) {}
