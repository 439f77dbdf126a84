package org.rtc4j.bench.turn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The TURN client's long-term credentials: a static user (RFC 8489 §9.2), or a username and
 * password minted from a shared secret the way coturn's {@code use-auth-secret} (the "TURN REST
 * API" draft) expects: {@code username = expiry ":" user}, {@code password =
 * base64(HMAC-SHA1(secret, username))}.
 */
final class ClientCredentials {
    final String username;
    final String password;

    private ClientCredentials(String username, String password) {
        this.username = username;
        this.password = password;
    }

    static ClientCredentials staticUser(String userColonPassword) {
        int colon = userColonPassword.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--user wants USER:PASSWORD");
        }
        return new ClientCredentials(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    }

    static ClientCredentials rest(String secret, String user, long expiryEpochSeconds) {
        String username = expiryEpochSeconds + ":" + user;
        byte[] mac = Wire.hmacSha1(secret.getBytes(StandardCharsets.UTF_8),
                username.getBytes(StandardCharsets.UTF_8), 0, username.length());
        return new ClientCredentials(username, Base64.getEncoder().encodeToString(mac));
    }

    /** RFC 8489 §9.2.2: key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)); ASCII here. */
    byte[] key(String realm) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from the JDK", e);
        }
    }
}
