package org.rtc4j.turn.server.netty;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.ChannelData;
import org.rtc4j.stun.ChannelNumber;
import org.rtc4j.stun.Data;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.Lifetime;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.StunAttribute;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.Username;
import org.rtc4j.stun.XorPeerAddress;
import org.rtc4j.stun.XorRelayedAddress;

/**
 * A small blocking TURN client for the driver's end-to-end tests, over UDP, TCP or TLS, built on
 * the rtc4j-stun codec: long-term authentication (401 then retry, 438 handled), Allocate, Refresh,
 * CreatePermission, ChannelBind, Send indications and ChannelData; relayed data (Data indications
 * and ChannelData) is queued and read with {@link #receiveData(Duration)}.
 *
 * <p>Not thread-safe; one test thread drives it.
 */
final class TurnTestClient implements AutoCloseable {

  /** Data that arrived from a peer: through a Data indication (channel 0) or a channel. */
  record Received(InetSocketAddress peer, int channel, byte[] data) {}

  private final Transport transport;
  private final DatagramSocket udp;
  private final Socket stream;
  private final DataInputStream in;
  private final OutputStream out;
  private final InetSocketAddress server;
  private final SplittableRandom random = new SplittableRandom(42);
  private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
  private final java.util.Map<Integer, InetSocketAddress> channelPeers = new java.util.HashMap<>();

  private String user;
  private String password;
  private String realm;
  private String nonce;
  private byte[] key;

  private TurnTestClient(Transport transport, DatagramSocket udp, Socket stream, InetSocketAddress server)
      throws IOException {
    this.transport = transport;
    this.udp = udp;
    this.stream = stream;
    this.server = server;
    this.in = stream == null ? null : new DataInputStream(stream.getInputStream());
    this.out = stream == null ? null : stream.getOutputStream();
  }

  static TurnTestClient udp(InetSocketAddress server) throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
    return new TurnTestClient(Transport.UDP, s, null, server);
  }

  static TurnTestClient tcp(InetSocketAddress server) throws IOException {
    Socket s = new Socket(server.getAddress(), server.getPort());
    s.setTcpNoDelay(true);
    return new TurnTestClient(Transport.TCP, null, s, server);
  }

  static TurnTestClient tls(InetSocketAddress server, SSLContext context) throws IOException {
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(server.getAddress(), server.getPort());
    s.startHandshake();
    return new TurnTestClient(Transport.TLS, null, s, server);
  }

  static TurnTestClient connect(Transport transport, TurnServer turn) throws IOException {
    return switch (transport) {
      case UDP -> udp(turn.udpAddresses().get(0));
      case TCP -> tcp(turn.tcpAddresses().get(0));
      case TLS -> tls(turn.tlsAddresses().get(0), TestTls.clientContext());
    };
  }

  TurnTestClient credentials(String user, String password) {
    this.user = user;
    this.password = password;
    return this;
  }

  InetSocketAddress localAddress() {
    return (InetSocketAddress) (udp != null ? udp.getLocalSocketAddress() : stream.getLocalSocketAddress());
  }

  // ------------------------------------------------------------------ raw I/O

  void sendRaw(byte[] bytes) {
    try {
      if (udp != null) {
        udp.send(new DatagramPacket(bytes, bytes.length, server));
      } else {
        out.write(bytes);
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One datagram or framed message, or null after {@code timeout}; EOFException when the server closed. */
  byte[] receiveRaw(Duration timeout) throws IOException {
    int ms = (int) Math.max(1, timeout.toMillis());
    try {
      if (udp != null) {
        udp.setSoTimeout(ms);
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        return Arrays.copyOf(buf, p.getLength());
      }
      stream.setSoTimeout(ms);
      byte[] head = new byte[4];
      in.readFully(head);
      int len = ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
      int rest = (head[0] & 0xC0) == 0 ? 16 + len : (len + 3) & ~3;
      byte[] msg = new byte[4 + rest];
      System.arraycopy(head, 0, msg, 0, 4);
      in.readFully(msg, 4, rest);
      return msg;
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ STUN

  /** Sends a request (retransmitted over UDP) and returns its response; queues relayed data seen meanwhile. */
  StunMessage request(StunMessage.Builder b, byte[] integrityKey) throws IOException {
    byte[] bytes = b.encode(integrityKey, true);
    TransactionId id = new TransactionId(Arrays.copyOfRange(bytes, 8, 20));
    int attempts = udp != null ? 4 : 1;
    for (int a = 0; a < attempts; a++) {
      sendRaw(bytes);
      long deadline = System.nanoTime() + Duration.ofSeconds(udp != null ? 1 : 5).toNanos();
      while (System.nanoTime() < deadline) {
        byte[] got = receiveRaw(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        if (got == null) {
          break;
        }
        if ((got[0] & 0xC0) != 0) {
          inbox.add(got);
          continue;
        }
        StunMessage m;
        try {
          m = StunMessage.parse(ByteBuffer.wrap(got));
        } catch (StunParseException e) {
          throw new AssertionError("server sent an unparsable message: " + e.getMessage(), e);
        }
        if (m.stunClass() == StunClass.INDICATION) {
          inbox.add(got);
        } else if (m.transactionId().equals(id)) {
          return m;
        }
      }
    }
    int type = ((bytes[0] & 0x3F) << 8) | (bytes[1] & 0xFF);
    int method = (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    throw new AssertionError("no response to " + StunMethod.name(method) + " over " + transport);
  }

  StunMessage binding() throws IOException {
    return request(StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, TransactionId.random(random)), null);
  }

  /**
   * An authenticated request: the first attempt without credentials (expects 401 with REALM and
   * NONCE), then with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY; a 438 is retried with the new nonce.
   */
  StunMessage authenticated(int method, StunAttribute... attributes) throws IOException {
    for (int attempt = 0; attempt < 3; attempt++) {
      StunMessage.Builder b = StunMessage.builder(method, StunClass.REQUEST, TransactionId.random(random));
      for (StunAttribute a : attributes) {
        b.add(a);
      }
      if (nonce != null) {
        b.add(new Username(user)).add(new Realm(realm)).add(new Nonce(nonce));
      }
      StunMessage r = request(b, nonce != null ? key : null);
      if (r.stunClass() == StunClass.ERROR_RESPONSE) {
        int code = r.attribute(ErrorCode.class).map(ErrorCode::code).orElse(0);
        if ((code == 401 && nonce == null) || code == 438) {
          realm = r.attribute(Realm.class).orElseThrow().value();
          nonce = r.attribute(Nonce.class).orElseThrow().value();
          key = LongTermCredentials.md5Key(user, realm, password);
          continue;
        }
      }
      return r;
    }
    throw new AssertionError("authentication loop for " + StunMethod.name(method));
  }

  static int errorCode(StunMessage m) {
    return m.attribute(ErrorCode.class).map(ErrorCode::code).orElse(0);
  }

  /** Allocate (UDP relay); returns the relayed address. */
  InetSocketAddress allocate(StunAttribute... extra) throws IOException {
    StunAttribute[] attrs = Arrays.copyOf(new StunAttribute[] {new RequestedTransport(17)}, 1 + extra.length);
    System.arraycopy(extra, 0, attrs, 1, extra.length);
    StunMessage r = authenticated(StunMethod.ALLOCATE, attrs);
    if (r.stunClass() != StunClass.SUCCESS_RESPONSE) {
      throw new AssertionError("Allocate failed: " + r);
    }
    return r.attribute(XorRelayedAddress.class).orElseThrow().address();
  }

  StunMessage refresh(long lifetime) throws IOException {
    return authenticated(StunMethod.REFRESH, new Lifetime(lifetime));
  }

  StunMessage createPermission(InetSocketAddress peer) throws IOException {
    return authenticated(StunMethod.CREATE_PERMISSION, new XorPeerAddress(peer));
  }

  StunMessage channelBind(int channel, InetSocketAddress peer) throws IOException {
    StunMessage r = authenticated(StunMethod.CHANNEL_BIND, new ChannelNumber(channel), new XorPeerAddress(peer));
    if (r.stunClass() == StunClass.SUCCESS_RESPONSE) {
      channelPeers.put(channel, peer);
    }
    return r;
  }

  /** A Send indication (no authentication, RFC 8656 §11). */
  void send(InetSocketAddress peer, byte[] data) {
    sendRaw(StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, TransactionId.random(random))
        .add(new XorPeerAddress(peer)).add(Data.wrap(data)).encode(null, false));
  }

  /** ChannelData, padded to 4 bytes on streams (RFC 8656 §12.5). */
  void sendChannelData(int channel, byte[] data) {
    sendRaw(new ChannelData(channel, ByteBuffer.wrap(data)).encode(transport != Transport.UDP));
  }

  /** The next relayed data (Data indication or ChannelData), or null after {@code timeout}. */
  Received receiveData(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      byte[] got = inbox.poll();
      if (got == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        got = receiveRaw(Duration.ofNanos(left));
        if (got == null) {
          return null;
        }
      }
      if ((got[0] & 0xC0) != 0) {
        int ch = ((got[0] & 0xFF) << 8) | (got[1] & 0xFF);
        int len = ((got[2] & 0xFF) << 8) | (got[3] & 0xFF);
        return new Received(channelPeers.get(ch), ch, Arrays.copyOfRange(got, 4, 4 + len));
      }
      try {
        StunMessage m = StunMessage.parse(ByteBuffer.wrap(got));
        if (m.method() == StunMethod.DATA && m.stunClass() == StunClass.INDICATION) {
          return new Received(m.attribute(XorPeerAddress.class).orElseThrow().address(), 0,
              m.attribute(Data.class).orElseThrow().toByteArray());
        }
      } catch (StunParseException e) {
        throw new AssertionError("unparsable message from the server", e);
      }
    }
  }

  /** Whether the server closed the stream (reads EOF within {@code timeout}). */
  boolean closedByServer(Duration timeout) throws IOException {
    try {
      while (true) {
        if (receiveRaw(timeout) == null) {
          return false;
        }
      }
    } catch (EOFException | java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() {
    try {
      if (udp != null) {
        udp.close();
      } else {
        stream.close();
      }
    } catch (IOException e) {
      // closing a test socket
    }
  }
}
