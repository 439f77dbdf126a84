package org.rtc4j.turn.server;

import java.net.InetAddress;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import org.rtc4j.stun.IntegrityCalculator;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.Username;

/**
 * The long-term credential mechanism of RFC 8489 §9.2 on the server side, with static users and
 * the TURN REST API (coturn {@code use-auth-secret}: username {@code expiry[:user]}, password
 * {@code base64(HMAC-SHA1(secret, username))}).
 *
 * <p>Order of checks (RFC 8489 §9.2.4): no MESSAGE-INTEGRITY → 401 challenge; USERNAME, REALM or
 * NONCE missing → 400; wrong realm, unknown user or expired REST username → 401; wrong
 * MESSAGE-INTEGRITY → 401; nonce not issued by us, for another IP, or expired → 438. Nothing is
 * stored: keys of static users are precomputed, REST keys are derived per request, nonces are
 * {@link NonceCodec stateless}. Key and MAC comparisons are constant time.
 *
 * <p>Not thread-safe (one per shard).
 */
final class Authenticator {

  /** What the request's credentials amount to. */
  enum Outcome {
    /** Credentials valid; the request may proceed, responses carry MESSAGE-INTEGRITY with {@link Result#key()}. */
    OK,
    /** No MESSAGE-INTEGRITY: 401 with REALM and NONCE (the normal first round trip). */
    CHALLENGE,
    /** MESSAGE-INTEGRITY without USERNAME, REALM or NONCE: 400. */
    BAD_REQUEST,
    /** Credentials wrong (unknown user, wrong password, expired REST username, wrong realm): 401. */
    REJECTED,
    /** Credentials right but the nonce is stale or not ours: 438 with a fresh nonce, signed with the key. */
    STALE_NONCE
  }

  /**
   * @param outcome the verdict
   * @param username the USERNAME (OK and STALE_NONCE only)
   * @param quotaUser whom quotas count against: the user, or for REST the part after ':'
   * @param key the long-term key (OK and STALE_NONCE only)
   */
  record Result(Outcome outcome, String username, String quotaUser, byte[] key) {
    static final Result CHALLENGE = new Result(Outcome.CHALLENGE, null, null, null);
    static final Result BAD_REQUEST = new Result(Outcome.BAD_REQUEST, null, null, null);
    static final Result REJECTED = new Result(Outcome.REJECTED, null, null, null);
  }

  private final TurnServerConfig config;
  private final NonceCodec nonces;
  private final LongUnaryOperator epochSecondsAt;
  private final IntegrityCalculator calc;

  Authenticator(TurnServerConfig config, NonceCodec nonces, IntegrityCalculator calc) {
    this.config = config;
    this.nonces = nonces;
    this.calc = calc;
    this.epochSecondsAt = config.epochSecondsAt();
  }

  /** A fresh nonce for {@code client}. */
  String newNonce(long now, InetAddress client) {
    return nonces.issue(epochSecondsAt.applyAsLong(now), client);
  }

  Result authenticate(StunMessage m, long now, InetAddress client) {
    if (!m.hasMessageIntegrity()) {
      return Result.CHALLENGE;
    }
    Optional<Username> username = m.attribute(Username.class);
    Optional<Realm> realm = m.attribute(Realm.class);
    Optional<Nonce> nonce = m.attribute(Nonce.class);
    if (username.isEmpty() || realm.isEmpty() || nonce.isEmpty()) {
      return Result.BAD_REQUEST;
    }
    if (!config.realm().equals(realm.get().value())) {
      return Result.REJECTED;
    }
    String user = username.get().value();
    byte[] key = config.userKeyShared(user);
    String quotaUser = user;
    if (key == null) {
      String secret = config.authSecret().orElse(null);
      if (secret == null) {
        return Result.REJECTED;
      }
      long expiry = restExpiry(user);
      if (expiry < 0 || expiry < epochSecondsAt.applyAsLong(now)) {
        return Result.REJECTED;
      }
      int colon = user.indexOf(':');
      quotaUser = colon >= 0 ? user.substring(colon + 1) : user;
      key = LongTermCredentials.md5Key(user, config.realm(), LongTermCredentials.restApiPassword(secret, user));
    }
    if (!calc.verifyMessageIntegrity(m, key)) {
      return Result.REJECTED;
    }
    if (nonces.check(nonce.get().value(), epochSecondsAt.applyAsLong(now), client) != NonceCodec.Status.VALID) {
      return new Result(Outcome.STALE_NONCE, user, quotaUser, key);
    }
    return new Result(Outcome.OK, user, quotaUser, key);
  }

  /** The expiry timestamp of a REST username {@code expiry[:user]}, or -1 if it has none. */
  static long restExpiry(String username) {
    int end = username.indexOf(':');
    if (end < 0) {
      end = username.length();
    }
    if (end == 0 || end > 18) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < end; i++) {
      char c = username.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
