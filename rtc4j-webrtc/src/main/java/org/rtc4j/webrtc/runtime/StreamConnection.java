package org.rtc4j.webrtc.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;

/**
 * One TCP (or TLS over TCP) connection to a TURN server, opened because ICE asked for it
 * (RFC 8656 §3.1, RFC 6062 framing rules): the stream is cut into STUN messages (20 + length) and
 * ChannelData frames (4 + length, padded to 4, RFC 8656 §12.5), each handed up as one
 * {@link Datagram}. TLS is done here with an {@link SSLEngine} (RFC 8489 §6.2.3); the engine above
 * sees the same framing either way. Loop thread only.
 */
final class StreamConnection {

  /** Largest frame accepted: a STUN message or ChannelData frame is at most 20 + 65535 bytes. */
  static final int MAX_FRAME = 65535 + 20;

  /** What the connection reports to its owner, on the loop. */
  interface Listener {
    void connected(StreamConnection c, InetSocketAddress local);

    void failed(StreamConnection c, String reason);

    void closed(StreamConnection c);

    void frame(StreamConnection c, Datagram d);
  }

  final long id;
  final InetSocketAddress server;
  private final boolean tls;
  private final SocketChannel channel;
  private final Listener listener;
  private final SSLEngine ssl;
  private SelectionKey key;
  private InetSocketAddress local;
  private boolean open;
  private boolean ended;
  /** Plain bytes received, not yet framed. */
  private ByteBuffer plainIn = ByteBuffer.allocate(4096);
  /** TLS records received, not yet unwrapped. */
  private ByteBuffer netIn;
  /** Bytes waiting for the socket (already encrypted when TLS). */
  private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
  private long queuedOut;
  private static final long MAX_QUEUED_OUT = 4L << 20;

  StreamConnection(long id, InetSocketAddress server, boolean tls, String serverName, SSLContext context,
      Listener listener) throws IOException {
    this.id = id;
    this.server = server;
    this.tls = tls;
    this.listener = listener;
    this.channel = SocketChannel.open();
    channel.configureBlocking(false);
    if (tls) {
      try {
        SSLContext ctx = context != null ? context : SSLContext.getDefault();
        ssl = ctx.createSSLEngine(serverName, server.getPort());
      } catch (java.security.NoSuchAlgorithmException e) {
        channel.close();
        throw new IOException("no TLS", e);
      }
      ssl.setUseClientMode(true);
      SSLParameters p = ssl.getSSLParameters();
      // Check the server's name against its certificate, as an HTTPS client would.
      p.setEndpointIdentificationAlgorithm("HTTPS");
      ssl.setSSLParameters(p);
      netIn = ByteBuffer.allocate(ssl.getSession().getPacketBufferSize());
    } else {
      ssl = null;
    }
  }

  Transport transport() {
    return tls ? Transport.TLS : Transport.TCP;
  }

  InetSocketAddress local() {
    return local;
  }

  void connect(RtcLoop loop) throws IOException {
    boolean done = channel.connect(server);
    key = loop.register(channel, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this::onReady);
    if (done) {
      onConnected();
    }
  }

  /** Sends one frame (STUN message or ChannelData) to the server. */
  void send(ByteBuffer frame) {
    if (!open || ended) {
      return;
    }
    if (queuedOut > MAX_QUEUED_OUT) {
      return; // the server stopped reading: drop as UDP would
    }
    try {
      if (tls) {
        wrap(frame);
      } else {
        ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
        copy.put(frame.duplicate()).flip();
        enqueue(copy);
      }
      flush();
    } catch (IOException e) {
      fail("send: " + e.getMessage());
    }
  }

  /** Closes the socket without reporting. */
  void close() {
    ended = true;
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private void onReady(SelectionKey k) {
    try {
      if (k.isConnectable()) {
        if (channel.finishConnect()) {
          onConnected();
        }
        return;
      }
      if (k.isWritable()) {
        flush();
      }
      if (k.isReadable()) {
        read();
      }
    } catch (IOException | RuntimeException e) {
      fail(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private void onConnected() throws IOException {
    local = (InetSocketAddress) channel.getLocalAddress();
    key.interestOps(SelectionKey.OP_READ);
    if (tls) {
      ssl.beginHandshake();
      handshake();
    } else {
      open = true;
      listener.connected(this, local);
    }
  }

  private void read() throws IOException {
    ByteBuffer target = tls ? netIn : ensureRoom(plainIn);
    if (!tls) {
      plainIn = target;
    }
    int n = channel.read(target);
    if (n < 0) {
      ended = true;
      close();
      listener.closed(this);
      return;
    }
    if (tls) {
      unwrap();
      if (!open && !ended) {
        handshake();
      }
    } else {
      deframe();
    }
  }

  private static ByteBuffer ensureRoom(ByteBuffer b) {
    if (b.hasRemaining()) {
      return b;
    }
    if (b.capacity() >= MAX_FRAME + 4096) {
      return b; // a full buffer here means a frame larger than MAX_FRAME: deframe() fails it
    }
    ByteBuffer bigger = ByteBuffer.allocate(Math.min(b.capacity() * 2, MAX_FRAME + 4096));
    b.flip();
    bigger.put(b);
    return bigger;
  }

  /** Cuts {@link #plainIn} (write mode before and after) into frames. */
  private void deframe() {
    plainIn.flip();
    while (plainIn.remaining() >= 4 && !ended) {
      int p = plainIn.position();
      int first = plainIn.get(p) & 0xFF;
      int len = ((plainIn.get(p + 2) & 0xFF) << 8) | (plainIn.get(p + 3) & 0xFF);
      int frame;
      if (first < 0x40) {
        frame = 20 + len; // STUN: 20-byte header + body (RFC 8489 §5)
      } else if (first < 0x80) {
        frame = 4 + ((len + 3) & ~3); // ChannelData, padded to 4 over streams (RFC 8656 §12.5)
      } else {
        fail("stream out of sync: first byte 0x" + Integer.toHexString(first));
        return;
      }
      if (plainIn.remaining() < frame) {
        if (frame > plainIn.capacity()) {
          ByteBuffer bigger = ByteBuffer.allocate(frame + 4096);
          bigger.put(plainIn);
          plainIn = bigger; // write mode, remaining bytes at the start
          return;
        }
        break;
      }
      byte[] bytes = new byte[frame];
      plainIn.get(bytes);
      listener.frame(this, new Datagram(transport(), server, local, ByteBuffer.wrap(bytes)));
    }
    plainIn.compact();
  }

  private void handshake() throws IOException {
    while (!ended) {
      SSLEngineResult.HandshakeStatus hs = ssl.getHandshakeStatus();
      switch (hs) {
        case NEED_TASK -> {
          Runnable task;
          while ((task = ssl.getDelegatedTask()) != null) {
            task.run(); // small and rare: certificate checks at the start of the connection
          }
        }
        case NEED_WRAP -> wrap(ByteBuffer.allocate(0));
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          int before = netIn.position();
          unwrapOnce();
          if (ssl.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP && netIn.position() == before) {
            flush();
            return; // wait for more bytes
          }
        }
        default -> {
          flush();
          if (!open) {
            open = true;
            listener.connected(this, local);
          }
          return;
        }
      }
    }
  }

  private void wrap(ByteBuffer src) throws IOException {
    do {
      ByteBuffer dst = ByteBuffer.allocate(ssl.getSession().getPacketBufferSize());
      SSLEngineResult r = ssl.wrap(src, dst);
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new SSLException("TLS closed");
      }
      dst.flip();
      if (dst.hasRemaining()) {
        enqueue(dst);
      }
    } while (src.hasRemaining());
    flush();
  }

  /** One unwrap step during the handshake. */
  private void unwrapOnce() throws IOException {
    netIn.flip();
    ByteBuffer app = ByteBuffer.allocate(ssl.getSession().getApplicationBufferSize());
    SSLEngineResult r = ssl.unwrap(netIn, app);
    netIn.compact();
    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
      throw new SSLException("TLS closed by the server");
    }
    app.flip();
    if (app.hasRemaining()) {
      appendPlain(app);
    }
  }

  private void unwrap() throws IOException {
    if (!open) {
      return; // the handshake loop unwraps
    }
    while (true) {
      netIn.flip();
      ByteBuffer app = ByteBuffer.allocate(ssl.getSession().getApplicationBufferSize());
      SSLEngineResult r = ssl.unwrap(netIn, app);
      netIn.compact();
      app.flip();
      if (app.hasRemaining()) {
        appendPlain(app);
      }
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        ended = true;
        close();
        listener.closed(this);
        return;
      }
      if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
        break;
      }
    }
    if (netIn.position() == netIn.capacity()) {
      ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    deframe();
  }

  private void appendPlain(ByteBuffer app) {
    if (plainIn.remaining() < app.remaining()) {
      ByteBuffer bigger = ByteBuffer.allocate(plainIn.position() + app.remaining() + 4096);
      plainIn.flip();
      bigger.put(plainIn);
      plainIn = bigger;
    }
    plainIn.put(app);
  }

  private void enqueue(ByteBuffer b) {
    out.add(b);
    queuedOut += b.remaining();
  }

  private void flush() throws IOException {
    while (!out.isEmpty()) {
      ByteBuffer b = out.peek();
      int n = channel.write(b);
      queuedOut -= n;
      if (b.hasRemaining()) {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        return;
      }
      out.poll();
    }
    if (key != null && key.isValid()) {
      key.interestOps(SelectionKey.OP_READ);
    }
  }

  private void fail(String reason) {
    if (ended) {
      return;
    }
    boolean wasOpen = open;
    close();
    if (wasOpen) {
      listener.closed(this);
    } else {
      listener.failed(this, reason);
    }
  }
}
