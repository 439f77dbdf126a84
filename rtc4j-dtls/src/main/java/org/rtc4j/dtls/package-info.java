/**
 * DTLS 1.2 for WebRTC: the {@link org.rtc4j.dtls.DtlsEngine} over Bouncy Castle (the only rtc4j
 * module that imports it), certificates and {@code a=fingerprint} values.
 *
 * <p>RFCs: 6347 (DTLS 1.2), 5764 (DTLS-SRTP: {@code use_srtp}, key export with
 * {@code EXTRACTOR-dtls_srtp}), 7714 §14.2 (AEAD SRTP profiles), 5705 (keying material exporters),
 * 7627 (extended master secret, required), 5763 / 8842 (roles from {@code a=setup}),
 * 8122 (fingerprints), 8827 §6.5 (per-connection self-signed certificates), 7983 (demultiplexing:
 * the caller hands this package datagrams whose first byte is 20..63).
 *
 * <p>Layer: between the ICE-selected path and SCTP / SRTP. Policy (trust-tests SC-1, SC-6, SC-7):
 * DTLS 1.2 only; ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305 only; SRTP profiles
 * AES128_CM_HMAC_SHA1_80, AEAD_AES_128_GCM, AEAD_AES_256_GCM only; the server always requests a
 * client certificate; the peer certificate is checked against the expected fingerprints inside
 * the handshake (Bouncy Castle's certificate callbacks), so a mismatch sends a fatal
 * {@code bad_certificate} alert, both sides report {@code Failed} and no keys are exported;
 * datagrams from any address but the configured remote are dropped before Bouncy Castle sees them.
 *
 * <p>Threading: the engine's methods belong to one owner thread. Bouncy Castle's handshake API
 * blocks, so each engine runs its handshake on its own daemon thread, fed through a bounded queue
 * (128 datagrams, 64 KB) and writing to a concurrent queue; it signals new output with
 * {@link org.rtc4j.dtls.DtlsConfig#wakeup()}. Retransmission (trust-tests FT-1): Bouncy Castle's own
 * timer (1 s doubling to 60 s, wall clock, fresh record sequence numbers) still runs on that thread;
 * on top of it the owner's clock drives a faster one through {@code pollTimeout}/{@code handleTimeout}
 * (100 ms doubling to 1 s by default) that re-sends the last flight verbatim, and a verbatim copy of
 * a peer flight we already answered is answered with our last flight again (also after the
 * handshake, for the server's final flight). A ChangeCipherSpec that arrives ahead of the
 * messages before it is held back (HandshakeCoverage), since Bouncy Castle would waste it. When
 * the handshake ends (success, failure,
 * deadline or close) the thread ends too.
 *
 * <p>Post-handshake record path: the owner thread. When the handshake completes the handshake
 * thread hands Bouncy Castle's {@code DTLSTransport} over (under a lock, after decrypting whatever
 * arrived meanwhile) and exits; from then on {@code handleReceive} enqueues the datagram and
 * decrypts it at once on the caller's thread, and {@code send} encrypts there. Measured with
 * {@code RecordPathTiming} (1000-byte records, AES-128-GCM, JCA crypto; 2 vCPUs shared with other
 * builds, load average 4-6, so figures are rough): decrypt-and-deliver latency p50 2.7-2.9 us on the
 * owner thread vs 3.2-10.3 us via the handshake thread (p99 5-101 us vs 26-150 us); bursts of 60
 * records 3.7-8.8 us vs 2.8-16.2 us per record (a second thread only helps when a core is idle);
 * encrypt 1-5 us per record either way. Chosen: the owner thread. It is never slower at the median,
 * it leaves no thread per established connection (thousands of idle connections cost no stacks),
 * and Bouncy Castle's record layer is not thread-safe, so one thread doing both directions needs
 * no further coordination. The handshake-thread variant stays in the code only for this measurement.
 */
package org.rtc4j.dtls;
