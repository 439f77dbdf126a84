package org.rtc4j.sctp;

/**
 * Counters and congestion state of one association (a snapshot).
 *
 * @param packetsSent SCTP packets handed out by pollTransmit
 * @param packetsReceived packets accepted (checksum and tag valid)
 * @param bytesSent bytes of SCTP packets sent
 * @param bytesReceived bytes of SCTP packets received
 * @param messagesSent user messages queued by send
 * @param messagesReceived user messages delivered
 * @param dataChunksSent DATA chunks sent, first transmissions
 * @param dataChunksReceived DATA chunks received (duplicates included)
 * @param retransmittedChunks DATA chunks retransmitted (fast or T3)
 * @param fastRetransmits losses detected from SACKs that entered fast recovery (cwnd halved),
 *     including losses of chunks partial reliability abandoned instead of resending
 * @param t3Expirations T3-rtx timer expirations
 * @param duplicateTsns duplicate DATA chunks received
 * @param abandonedMessages messages given up by partial reliability
 * @param malformedPackets packets dropped as unparsable
 * @param badChecksums packets dropped for a bad CRC32c
 * @param badTags packets dropped for a wrong verification tag
 * @param droppedChunks DATA chunks dropped because the receive buffer was full
 * @param cwnd congestion window, bytes
 * @param ssthresh slow-start threshold, bytes
 * @param flightSize bytes outstanding
 * @param peerRwnd the peer's receive window as last advertised, minus what is outstanding
 * @param localRwnd the receive window this side advertises
 * @param srttMillis smoothed RTT, ms (0 before the first measurement)
 * @param rtoMillis current retransmission timeout, ms
 * @param bufferedBytes bytes queued for sending, not yet handed to the network (bufferedAmount)
 * @param receiveBufferedBytes bytes held on the receive side: fragments being reassembled,
 *     messages waiting for an earlier SSN, and delivered messages not yet taken with pollEvent
 * @param sacksReceived SACK chunks processed (stale ones included)
 * @param dataPacketsSent packets that carried at least one DATA chunk
 * @param peerRwndMin smallest a_rwnd the peer advertised in a SACK (-1 before the first SACK)
 * @param cwndLimited times sending new data stopped with data queued because the congestion
 *     window was full
 * @param rwndLimited times sending new data stopped with data queued because the peer's receive
 *     window was full
 * @param cwndMax largest congestion window reached
 * @param pacingHolds times a DATA packet waited for its pacing time (cwnd and rwnd had room)
 * @param pacingRate current pacing rate, bytes per second (gain * cwnd / srtt; 0 before the first
 *     RTT measurement, when DATA is not paced)
 * @param delayHolds SACKs that would have grown cwnd but did not because the RTT said a queue was
 *     building (round minimum at least max(2 ms, minimum RTT) above the path's minimum)
 * @param rttMinMillis the path's minimum RTT the delay signal compares with, ms (0 before the
 *     first sample): the smallest sample of the last 10-20 s, or a higher minimum found to be the
 *     path's (a round sent under a small window, a drain check; reset when the path changes)
 * @param delayDrainChecks times a held window was cut for a round to tell a queue of ours from
 *     a path whose RTT rose
 */
public record SctpStats(long packetsSent, long packetsReceived, long bytesSent, long bytesReceived,
    long messagesSent, long messagesReceived, long dataChunksSent, long dataChunksReceived,
    long retransmittedChunks, long fastRetransmits, long t3Expirations, long duplicateTsns,
    long abandonedMessages, long malformedPackets, long badChecksums, long badTags, long droppedChunks,
    long cwnd, long ssthresh, long flightSize, long peerRwnd, long localRwnd, double srttMillis, double rtoMillis,
    long bufferedBytes, long receiveBufferedBytes, long sacksReceived, long dataPacketsSent, long peerRwndMin,
    long cwndLimited, long rwndLimited, long cwndMax, long pacingHolds, long pacingRate,
    long delayHolds, double rttMinMillis, long delayDrainChecks) {}
