package org.rtc4j.peerjs;

import java.time.Duration;
import java.util.Objects;
import org.rtc4j.webrtc.RtcConfiguration;

/**
 * Options of a {@link Peer}, as peerjs's {@code PeerOptions}: host, port, path, key, secure, token, config
 * (the RTCConfiguration, here an rtc4j {@link RtcConfiguration}), debug (0–3), pingInterval.
 *
 * @param host signaling server host (peerjs default "0.peerjs.com")
 * @param port its port (443 when secure, else 80 unless set)
 * @param path path prefix, normalised to begin and end with "/"
 * @param key the PeerJS key ("peerjs")
 * @param secure wss/https instead of ws/http
 * @param token the reconnect token (random base-36 like peerjs when null)
 * @param config the PeerConnection configuration of every connection
 * @param debug 0 none, 1 errors, 2 warnings, 3 all (logged through slf4j)
 * @param pingInterval HEARTBEAT period (5 s)
 */
public record PeerOptions(String host, int port, String path, String key, boolean secure, String token,
    RtcConfiguration config, int debug, Duration pingInterval) {

  public PeerOptions {
    Objects.requireNonNull(host, "host");
    path = path == null || path.isEmpty() ? "/" : path;
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    if (!path.endsWith("/")) {
      path = path + "/";
    }
    key = key == null ? "peerjs" : key;
    config = config == null ? RtcConfiguration.defaults() : config;
    pingInterval = pingInterval == null ? Duration.ofSeconds(5) : pingInterval;
    if (port <= 0) {
      port = secure ? 443 : 80;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with peerjs's defaults. */
  public static final class Builder {
    private String host = "0.peerjs.com";
    private int port = -1;
    private String path = "/";
    private String key = "peerjs";
    private boolean secure;
    private String token;
    private RtcConfiguration config;
    private int debug;
    private Duration pingInterval = Duration.ofSeconds(5);

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder key(String key) {
      this.key = key;
      return this;
    }

    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    public Builder token(String token) {
      this.token = token;
      return this;
    }

    public Builder config(RtcConfiguration config) {
      this.config = config;
      return this;
    }

    public Builder debug(int debug) {
      this.debug = debug;
      return this;
    }

    public Builder pingInterval(Duration pingInterval) {
      this.pingInterval = pingInterval;
      return this;
    }

    /** Sets host, port, path and secure from a URL such as {@code http://127.0.0.1:9000/} or {@code https://h/app/}. */
    public Builder server(java.net.URI url) {
      this.secure = "https".equalsIgnoreCase(url.getScheme()) || "wss".equalsIgnoreCase(url.getScheme());
      this.host = url.getHost();
      this.port = url.getPort();
      this.path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      return this;
    }

    public PeerOptions build() {
      return new PeerOptions(host, port, path, key, secure, token, config, debug, pingInterval);
    }
  }
}
