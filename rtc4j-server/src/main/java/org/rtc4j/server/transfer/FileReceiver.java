package org.rtc4j.server.transfer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.rtc4j.server.echo.EchoPeer;
import org.rtc4j.server.echo.EchoSession;
import org.rtc4j.webrtc.DataChannel;
import org.rtc4j.webrtc.DataChannelMessage;
import org.rtc4j.webrtc.PeerConnection;
import org.rtc4j.webrtc.RtcConfiguration;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.runtime.RtcRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of one transfer: an {@link EchoSession} (the echo server's HTTP signaling and
 * offer/answer) whose data channel writes the file into a directory. The file is written as
 * {@code .NAME.part} and renamed to {@code NAME} once its size and sha256 match what the sender
 * announced; on a mismatch it is deleted.
 *
 * <p>Threading: every callback runs on the PeerConnection's serial callback executor, so the
 * state below needs no lock; {@link #result()} completes there.
 */
final class FileReceiver implements EchoPeer {

  private static final Logger LOG = LoggerFactory.getLogger(FileReceiver.class);

  /** What a finished transfer reports. */
  record Outcome(boolean ok, String name, Path file, long bytes, double seconds, String sha256, String error) {}

  private final EchoSession session;
  private final Path dir;
  private final Progress progress;
  private final CompletableFuture<Outcome> result;
  private final CompletableFuture<Void> channelClosed = new CompletableFuture<>();

  private String name;
  private long size = -1;
  private long received;
  private long startNanos;
  private Path part;
  private FileChannel out;
  private MessageDigest digest;

  FileReceiver(String id, Runnable ended, RtcConfiguration config, RtcRuntime runtime, Path dir, Progress progress,
      CompletableFuture<Outcome> result) {
    // the echo session does the offer/answer; its data-channel handler is replaced below
    this.session = (EchoSession) EchoSession.factory(config, runtime).create(id, ended);
    this.dir = dir;
    this.progress = progress;
    this.result = result;
    PeerConnection pc = session.peerConnection();
    pc.onDataChannel(this::attach);
    pc.onConnectionStateChange(s -> {
      if (s == RtcPeerConnectionState.FAILED || s == RtcPeerConnectionState.CLOSED) {
        fail("connection " + s.toString().toLowerCase(java.util.Locale.ROOT) + " before the transfer ended");
        channelClosed.complete(null);
        ended.run();
      }
    });
  }

  /** Completes once the channel closed or the connection ended (after the result was sent). */
  CompletableFuture<Void> channelClosed() {
    return channelClosed;
  }

  private void attach(DataChannel ch) {
    if (!TransferProtocol.LABEL.equals(ch.label())) {
      LOG.info("ignoring data channel '{}' (expected '{}')", ch.label(), TransferProtocol.LABEL);
      return;
    }
    ch.onClose(() -> {
      fail("channel closed before the transfer ended");
      channelClosed.complete(null);
    });
    ch.onMessage(m -> {
      try {
        onMessage(ch, m);
      } catch (IOException | RuntimeException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        trySend(ch, TransferProtocol.result(false, received, hex(), why));
        fail(why);
      }
    });
  }

  private void onMessage(DataChannel ch, DataChannelMessage m) throws IOException {
    if (result.isDone()) {
      return;
    }
    if (m.isBinary()) {
      if (out == null) {
        throw new IllegalStateException("binary data before the file metadata");
      }
      java.nio.ByteBuffer data = m.data();
      received += data.remaining();
      if (received > size) {
        throw new IllegalStateException("more bytes than announced: " + received + " > " + size);
      }
      digest.update(data.duplicate());
      while (data.hasRemaining()) {
        out.write(data);
      }
      progress.update(received, System.nanoTime());
      return;
    }
    Map<String, Object> msg = TransferProtocol.parse(m.text());
    Object type = msg.get("type");
    if ("file".equals(type) && out == null) {
      name = safeName(String.valueOf(msg.get("name")));
      size = msg.get("size") instanceof Long l && l >= 0 ? l : -1;
      if (size < 0) {
        throw new IllegalArgumentException("metadata without a valid size: " + m.text());
      }
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      Files.createDirectories(dir);
      part = dir.resolve("." + name + ".part");
      out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
      startNanos = System.nanoTime();
      progress.start(size, startNanos);
      LOG.info("receiving {} ({} bytes) into {}", name, size, dir);
    } else if ("done".equals(type) && out != null) {
      long end = System.nanoTime();
      progress.finish(received, end);
      out.close();
      String sha = hex();
      String announced = String.valueOf(msg.get("sha256"));
      Object announcedSize = msg.get("size");
      double secs = (end - startNanos) / 1e9;
      String error = null;
      if (!(announcedSize instanceof Long l) || l != received || received != size) {
        error = "size mismatch: received " + received + " bytes, announced " + size + "/" + announcedSize;
      } else if (!announced.equalsIgnoreCase(sha)) {
        error = "sha256 mismatch: received " + sha + ", announced " + announced;
      }
      Path target = dir.resolve(name);
      if (error == null) {
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(part);
      }
      trySend(ch, TransferProtocol.result(error == null, received, sha, error));
      result.complete(new Outcome(error == null, name, error == null ? target : null, received, secs, sha, error));
    } else {
      throw new IllegalArgumentException("unexpected message: " + m.text());
    }
  }

  private String hex() {
    return digest == null ? "" : HexFormat.of().formatHex(((MessageDigest) cloneDigest()).digest());
  }

  private Object cloneDigest() {
    try {
      return digest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  private void fail(String why) {
    if (result.isDone()) {
      return;
    }
    try {
      if (out != null) {
        out.close();
      }
      if (part != null) {
        Files.deleteIfExists(part);
      }
    } catch (IOException e) {
      LOG.debug("cleanup failed", e);
    }
    progress.finish(received, System.nanoTime());
    result.complete(new Outcome(false, name, null, received, startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9,
        digest == null ? "" : hex(), why));
  }

  private static void trySend(DataChannel ch, String text) {
    try {
      ch.send(text);
    } catch (RuntimeException e) {
      LOG.debug("could not send {}", text, e);
    }
  }

  /** The last path element only: a sender cannot write outside the directory. */
  static String safeName(String raw) {
    String n = raw.replace('\\', '/');
    n = n.substring(n.lastIndexOf('/') + 1).strip();
    if (n.isEmpty() || n.equals(".") || n.equals("..") || n.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("unusable file name: '" + raw + "'");
    }
    return n;
  }

  @Override
  public CompletableFuture<String> answer(String offerSdp) {
    return session.answer(offerSdp);
  }

  @Override
  public CompletableFuture<String> offer() {
    return session.offer();
  }

  @Override
  public CompletableFuture<Void> acceptAnswer(String answerSdp) {
    return session.acceptAnswer(answerSdp);
  }

  @Override
  public boolean awaitingAnswer() {
    return session.awaitingAnswer();
  }

  @Override
  public Map<String, String> status() {
    Map<String, String> m = new java.util.LinkedHashMap<>(session.status());
    m.put("receivedBytes", Long.toString(received));
    return m;
  }

  @Override
  public void close() {
    session.close();
  }
}
