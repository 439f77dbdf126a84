package org.rtc4j.signaling.redis;

import java.net.URI;
import java.time.Duration;
import org.rtc4j.signaling.SignalingConfig;
import org.rtc4j.signaling.SignalingServer;

/**
 * A signaling node in its own JVM, for the kill -9 test: {@code RedisNodeMain REDIS_URI ALIVE_MS}
 * starts a server on a free 127.0.0.1 port over {@link RedisPeerRegistry}, prints
 * {@code PORT <port>} and runs until killed.
 */
public final class RedisNodeMain {
  private RedisNodeMain() {}

  public static void main(String[] args) throws Exception {
    SignalingConfig config = SignalingConfig.builder().host("127.0.0.1").port(0).ioThreads(1)
        .aliveTimeout(Duration.ofMillis(Long.parseLong(args[1]))).build();
    SignalingServer server = SignalingServer.start(config, RedisPeerRegistry.connect(URI.create(args[0]), config));
    System.out.println("PORT " + server.port());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
