package org.rtc4j.ice.turn;

/**
 * Counters of one {@link TurnAllocation} (a snapshot).
 *
 * @param malformed datagrams that did not parse (STUN or ChannelData)
 * @param dropped well-formed but unwanted datagrams (wrong source, unknown channel, wrong state)
 * @param unknownTransaction responses to requests this allocation did not send (or already finished)
 * @param badIntegrity responses dropped for missing or wrong MESSAGE-INTEGRITY(-SHA256)
 * @param internalErrors bugs caught at the receive boundary (must stay 0)
 * @param requestsSent request datagrams sent, retransmissions included
 * @param staleNonces 438 answers that led to a retry with a new nonce
 * @param refreshes successful allocation refreshes
 * @param permissionsInstalled permissions that became installed
 * @param channelsBound channels that became bound
 * @param channelBindFailures ChannelBind requests that failed or timed out
 * @param sendIndicationsSent application payloads sent in Send indications
 * @param channelDataSent application payloads sent as ChannelData
 * @param sendDropped application payloads dropped (not allocated, permission failed, queue full)
 * @param peerPacketsSent application payloads accepted by {@link TurnAllocation#send}
 * @param peerBytesSent their bytes
 * @param peerPacketsReceived application payloads received from peers
 * @param peerBytesReceived their bytes
 */
public record TurnClientStats(long malformed, long dropped, long unknownTransaction, long badIntegrity,
    long internalErrors, long requestsSent, long staleNonces, long refreshes, long permissionsInstalled,
    long channelsBound, long channelBindFailures, long sendIndicationsSent, long channelDataSent, long sendDropped,
    long peerPacketsSent, long peerBytesSent, long peerPacketsReceived, long peerBytesReceived) {
}
