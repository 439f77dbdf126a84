package org.rtc4j.bench.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the generator's sockets and clients need to know, fixed for a run.
 *
 * @param server the TURN server's listening address
 * @param bindAddress the local address every generator socket binds to (client and peer sockets)
 * @param tcp client transport TCP (ChannelData padded to 4 bytes, RFC 8656 §12.5) instead of UDP
 * @param sendIndications Send/Data indications (only CreatePermission) instead of channels
 * @param credentials the long-term credentials
 * @param fingerprint add FINGERPRINT to requests
 * @param payloadSize bytes of application data per relayed packet
 * @param gso send a batch of equal-size datagrams to one destination as one UDP_SEGMENT write
 *     (client sockets; peers through per-allocation connected sockets, see {@link PeerLink})
 * @param burst packets per socket per write: 1 spreads each tick's packets over all sockets, more
 *     sends bursts to fewer sockets per tick (cheaper for the generator, burstier for the server)
 */
record Settings(
        InetSocketAddress server,
        InetAddress bindAddress,
        boolean tcp,
        boolean sendIndications,
        ClientCredentials credentials,
        boolean fingerprint,
        int payloadSize,
        boolean gso,
        int burst) {

    /** Bytes of one client → server data message on the wire (without TCP padding; IPv4 peers). */
    int clientFrameLength() {
        return sendIndications ? Wire.HEADER + 12 + 4 + Wire.pad4(payloadSize) : 4 + payloadSize;
    }
}
