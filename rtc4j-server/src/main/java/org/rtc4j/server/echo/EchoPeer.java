package org.rtc4j.server.echo;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One session of the echo server as {@link EchoHttpServer} sees it: a peer that answers a remote
 * offer or makes an offer of its own, both with every candidate included (non-trickle, the WHIP
 * pattern). {@link EchoSession} is the real one, over a {@code PeerConnection}; tests of the HTTP
 * layer use fakes.
 *
 * <p>Futures may complete on any thread. A future that fails with {@link RejectedDescriptionException}
 * means the remote description was refused (HTTP 400); any other failure is the server's (500).
 */
public interface EchoPeer extends AutoCloseable {

  /** Applies {@code offerSdp}, answers it and completes with the local answer once ICE gathering completed. */
  CompletableFuture<String> answer(String offerSdp);

  /** Makes an offer and completes with it once ICE gathering completed. */
  CompletableFuture<String> offer();

  /** Applies {@code answerSdp} to the offer {@link #offer()} made. */
  CompletableFuture<Void> acceptAnswer(String answerSdp);

  /** Whether {@link #offer()} was called and no answer accepted yet. */
  boolean awaitingAnswer();

  /** The W3C states for {@code GET /sessions/{id}}: connectionState, iceConnectionState, signalingState, ... */
  Map<String, String> status();

  /** Closes the connection; idempotent, never throws. */
  @Override
  void close();
}
