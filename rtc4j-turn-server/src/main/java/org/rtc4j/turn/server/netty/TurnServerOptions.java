package org.rtc4j.turn.server.netty;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the Netty driver listens: the socket-level half of a TURN server's configuration
 * (the protocol half is {@link org.rtc4j.turn.server.TurnServerConfig}). Immutable; built with
 * {@link #builder()}.
 *
 * <p>Defaults match coturn's: UDP and TCP on port 3478 of every listening IP, TLS on 5349 when a
 * certificate and key are given, relay ports 49152-65535, one event loop per core.
 */
public final class TurnServerOptions {

  /** Largest UDP payload read in one datagram; longer ones are truncated (and then fail to parse). */
  public static final int DEFAULT_MAX_DATAGRAM = 4096;

  private final List<InetAddress> listeningIps;
  private final int listeningPort;
  private final int tlsListeningPort;
  private final List<InetAddress> relayIps;
  private final int minPort;
  private final int maxPort;
  private final boolean udp;
  private final boolean tcp;
  private final boolean tls;
  private final Path certFile;
  private final Path keyFile;
  private final int eventLoops;
  private final boolean preferNative;
  private final int socketBufferBytes;
  private final int relaySocketBufferBytes;
  private final int maxDatagramSize;
  private final int streamIdleSeconds;
  private final List<ExternalIp> externalIps;

  private TurnServerOptions(Builder b) {
    this.listeningIps = List.copyOf(b.listeningIps);
    this.listeningPort = b.listeningPort;
    this.tlsListeningPort = b.tlsListeningPort;
    this.relayIps = List.copyOf(b.relayIps);
    this.minPort = b.minPort;
    this.maxPort = b.maxPort;
    this.udp = b.udp;
    this.tcp = b.tcp;
    this.tls = b.tls;
    this.certFile = b.certFile;
    this.keyFile = b.keyFile;
    this.eventLoops = b.eventLoops;
    this.preferNative = b.preferNative;
    this.socketBufferBytes = b.socketBufferBytes;
    this.relaySocketBufferBytes = b.relaySocketBufferBytes;
    this.maxDatagramSize = b.maxDatagramSize;
    this.streamIdleSeconds = b.streamIdleSeconds;
    this.externalIps = List.copyOf(b.externalIps);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Addresses the listeners bind; default the IPv4 wildcard {@code 0.0.0.0}. */
  public List<InetAddress> listeningIps() {
    return listeningIps;
  }

  /** UDP and TCP port (default 3478; 0 picks a free port, see {@link TurnServer#udpAddresses()}). */
  public int listeningPort() {
    return listeningPort;
  }

  /** TLS port (default 5349; 0 picks a free port). */
  public int tlsListeningPort() {
    return tlsListeningPort;
  }

  /**
   * Addresses relay sockets bind to, at most one per family is used. Empty: the first concrete
   * listening IP of each family, or when listening on a wildcard, the machine's first
   * global-scope address (see {@link TurnServer#relayIps()}).
   */
  public List<InetAddress> relayIps() {
    return relayIps;
  }

  public int minPort() {
    return minPort;
  }

  public int maxPort() {
    return maxPort;
  }

  public boolean udp() {
    return udp;
  }

  public boolean tcp() {
    return tcp;
  }

  /** Whether TLS is on: it needs both {@link #certFile()} and {@link #keyFile()}. */
  public boolean tls() {
    return tls && certFile != null && keyFile != null;
  }

  /** PEM certificate chain for TLS. */
  public Optional<Path> certFile() {
    return Optional.ofNullable(certFile);
  }

  /** PEM PKCS#8 private key for TLS. */
  public Optional<Path> keyFile() {
    return Optional.ofNullable(keyFile);
  }

  /** Event loops, and so shards (one {@code TurnServerCore} each); default the number of cores. */
  public int eventLoops() {
    return eventLoops;
  }

  /** Use native epoll when the platform has it (default true); NIO otherwise. */
  public boolean preferNative() {
    return preferNative;
  }

  /** SO_RCVBUF / SO_SNDBUF of listening sockets (default 4 MiB; the kernel caps it at rmem_max). */
  public int socketBufferBytes() {
    return socketBufferBytes;
  }

  /** SO_RCVBUF / SO_SNDBUF of each relay socket (default 512 KiB). */
  public int relaySocketBufferBytes() {
    return relaySocketBufferBytes;
  }

  /** Largest UDP datagram accepted whole (default {@value #DEFAULT_MAX_DATAGRAM}). */
  public int maxDatagramSize() {
    return maxDatagramSize;
  }

  /**
   * A TCP/TLS connection that holds no allocation is closed after this many seconds without a
   * complete frame from the client (default 60); one with an allocation after the longest
   * allocation lifetime plus this, when its allocation must have expired.
   */
  public int streamIdleSeconds() {
    return streamIdleSeconds;
  }

  /** Public addresses that relay IPs are reached by through a 1:1 NAT (coturn {@code --external-ip}). */
  public List<ExternalIp> externalIps() {
    return externalIps;
  }

  /**
   * The address advertised (in XOR-RELAYED-ADDRESS) for relay sockets bound on {@code relayIp}:
   * the external IP mapped to it, else the external IP given without a private one for its family,
   * else {@code relayIp} itself. The NAT must keep ports (relay port N is reached as external:N).
   */
  public InetAddress advertisedAddress(InetAddress relayIp) {
    for (ExternalIp e : externalIps) {
      if (relayIp.equals(e.privateIp())) {
        return e.publicIp();
      }
    }
    for (ExternalIp e : externalIps) {
      if (e.privateIp() == null && (e.publicIp() instanceof java.net.Inet6Address) == (relayIp instanceof java.net.Inet6Address)) {
        return e.publicIp();
      }
    }
    return relayIp;
  }

  /**
   * A public address of the server behind a 1:1 NAT.
   *
   * @param publicIp the address clients and peers use
   * @param privateIp the local relay address it maps to, or null: the relay address of its family
   */
  public record ExternalIp(InetAddress publicIp, InetAddress privateIp) {
    public ExternalIp {
      Objects.requireNonNull(publicIp, "publicIp");
    }
  }

  @Override
  public String toString() {
    return "TurnServerOptions[listening=" + listeningIps + ":" + listeningPort + " tls:" + tlsListeningPort
        + ", relay=" + relayIps + " " + minPort + "-" + maxPort + ", udp=" + udp + ", tcp=" + tcp + ", tls=" + tls()
        + ", loops=" + eventLoops + "]";
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private final List<InetAddress> listeningIps = new ArrayList<>();
    private int listeningPort = 3478;
    private int tlsListeningPort = 5349;
    private final List<InetAddress> relayIps = new ArrayList<>();
    private int minPort = 49152;
    private int maxPort = 65535;
    private boolean udp = true;
    private boolean tcp = true;
    private boolean tls = true;
    private Path certFile;
    private Path keyFile;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private boolean preferNative = true;
    private int socketBufferBytes = 4 << 20;
    private int relaySocketBufferBytes = 512 << 10;
    private int maxDatagramSize = DEFAULT_MAX_DATAGRAM;
    private int streamIdleSeconds = 60;
    private final List<ExternalIp> externalIps = new ArrayList<>();

    private Builder() {}

    /** Advertise relay sockets bound on {@code privateIp} (null: the relay IP of the family) as {@code publicIp}. */
    public Builder externalIp(InetAddress publicIp, InetAddress privateIp) {
      externalIps.add(new ExternalIp(publicIp, privateIp));
      return this;
    }

    /** Adds a listening address (repeatable); none given means 0.0.0.0. */
    public Builder listeningIp(InetAddress ip) {
      listeningIps.add(Objects.requireNonNull(ip));
      return this;
    }

    public Builder listeningIps(List<InetAddress> ips) {
      listeningIps.clear();
      ips.forEach(this::listeningIp);
      return this;
    }

    public Builder listeningPort(int port) {
      this.listeningPort = port;
      return this;
    }

    public Builder tlsListeningPort(int port) {
      this.tlsListeningPort = port;
      return this;
    }

    /** Adds a relay address (repeatable; one per family is used). */
    public Builder relayIp(InetAddress ip) {
      relayIps.add(Objects.requireNonNull(ip));
      return this;
    }

    public Builder relayIps(List<InetAddress> ips) {
      relayIps.clear();
      ips.forEach(this::relayIp);
      return this;
    }

    public Builder portRange(int min, int max) {
      this.minPort = min;
      this.maxPort = max;
      return this;
    }

    public Builder udp(boolean on) {
      this.udp = on;
      return this;
    }

    public Builder tcp(boolean on) {
      this.tcp = on;
      return this;
    }

    /** Whether to listen for TLS when a certificate and key are set (default true). */
    public Builder tls(boolean on) {
      this.tls = on;
      return this;
    }

    /** PEM certificate chain and PEM PKCS#8 key; setting both turns TLS on. */
    public Builder certificate(Path certFile, Path keyFile) {
      this.certFile = certFile;
      this.keyFile = keyFile;
      return this;
    }

    public Builder eventLoops(int n) {
      this.eventLoops = n;
      return this;
    }

    public Builder preferNative(boolean on) {
      this.preferNative = on;
      return this;
    }

    public Builder socketBufferBytes(int bytes) {
      this.socketBufferBytes = bytes;
      return this;
    }

    public Builder relaySocketBufferBytes(int bytes) {
      this.relaySocketBufferBytes = bytes;
      return this;
    }

    public Builder maxDatagramSize(int bytes) {
      this.maxDatagramSize = bytes;
      return this;
    }

    public Builder streamIdleSeconds(int seconds) {
      this.streamIdleSeconds = seconds;
      return this;
    }

    /** @throws IllegalArgumentException naming the first inconsistent option */
    public TurnServerOptions build() {
      checkPort("listening port", listeningPort);
      checkPort("TLS listening port", tlsListeningPort);
      if (minPort < 1 || maxPort > 65535 || minPort > maxPort) {
        throw new IllegalArgumentException("relay port range must satisfy 1 <= min-port <= max-port <= 65535, got "
            + minPort + "-" + maxPort);
      }
      if (eventLoops < 1) {
        throw new IllegalArgumentException("event loops must be >= 1, got " + eventLoops);
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("TLS needs both a certificate (--cert) and a private key (--pkey)");
      }
      if (!udp && !tcp && !(tls && certFile != null)) {
        throw new IllegalArgumentException("every client transport is disabled (UDP, TCP and TLS)");
      }
      if (maxDatagramSize < 548 || maxDatagramSize > 65536) {
        throw new IllegalArgumentException("max datagram size must be in 548..65536, got " + maxDatagramSize);
      }
      for (ExternalIp e : externalIps) {
        if (e.publicIp().isAnyLocalAddress() || e.privateIp() != null && e.privateIp().isAnyLocalAddress()) {
          throw new IllegalArgumentException("external IP mapping needs concrete addresses: " + e);
        }
        if (e.privateIp() != null
            && (e.publicIp() instanceof java.net.Inet6Address) != (e.privateIp() instanceof java.net.Inet6Address)) {
          throw new IllegalArgumentException("external IP mapping across address families: " + e);
        }
      }
      if (streamIdleSeconds < 1) {
        throw new IllegalArgumentException("stream idle timeout must be >= 1 s, got " + streamIdleSeconds);
      }
      if (socketBufferBytes < 0 || relaySocketBufferBytes < 0) {
        throw new IllegalArgumentException("socket buffer sizes must be >= 0 (0: system default)");
      }
      if (listeningIps.isEmpty()) {
        listeningIps.add(wildcard());
      }
      return new TurnServerOptions(this);
    }

    private static void checkPort(String what, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(what + " must be in 0..65535, got " + port);
      }
    }

    private static InetAddress wildcard() {
      try {
        return InetAddress.getByAddress(new byte[4]);
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException("4-byte address rejected", e);
      }
    }
  }
}
