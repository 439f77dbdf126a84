/**
 * {@code rtc4j send FILE --to URL} and {@code rtc4j receive --http HOST:PORT --out DIR}: a file
 * through one reliable, ordered data channel (RFC 8831), signaled with the HTTP of
 * {@code rtc4j echo} ({@code POST /offer} → {@code 201} + answer, every candidate in the SDP).
 *
 * <p>The protocol on the channel (label {@value org.rtc4j.server.transfer.TransferProtocol#LABEL}),
 * in order:
 * <ol>
 *   <li>sender → text {@code {"type":"file","name":"NAME","size":N}};</li>
 *   <li>sender → binary messages of at most 64 KiB, the file's bytes in order (the sender keeps
 *       {@code bufferedAmount} under 4 MiB and resumes on {@code onBufferedAmountLow} at 1 MiB);</li>
 *   <li>sender → text {@code {"type":"done","name":"NAME","size":N,"sha256":"HEX"}};</li>
 *   <li>receiver → text {@code {"type":"result","ok":true|false,"bytes":N,"sha256":"HEX","error":"..."}}
 *       once it checked the size and hash (and, when ok, renamed the file into place).</li>
 * </ol>
 * Each side prints a last line {@code bytes=<N> seconds=<S> MBps=<rate> sha256=<hex>} (MB = 10^6
 * bytes; the receiver times first to last message, the sender metadata to the receiver's result)
 * and exits non-zero when the transfer failed or the hashes differ.
 *
 * <p>Threading: the data-channel callbacks run on the PeerConnection's serial callback executor;
 * the commands' threads only wait on futures.
 */
package org.rtc4j.server.transfer;
