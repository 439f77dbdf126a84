package org.rtc4j.turn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.rtc4j.net.Datagram;
import org.rtc4j.net.Transport;
import org.rtc4j.stun.LongTermCredentials;
import org.rtc4j.stun.ChannelNumber;
import org.rtc4j.stun.Data;
import org.rtc4j.stun.ErrorCode;
import org.rtc4j.stun.Nonce;
import org.rtc4j.stun.Realm;
import org.rtc4j.stun.RequestedTransport;
import org.rtc4j.stun.StunAttribute;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.stun.Username;
import org.rtc4j.stun.XorPeerAddress;
import org.rtc4j.stun.XorRelayedAddress;

/** A minimal TURN client for tests: long-term credentials, one 5-tuple, synchronous exchanges. */
final class TestClient {

  private static final SplittableRandom IDS = new SplittableRandom(42);

  final CoreHarness h;
  final Transport transport;
  final InetSocketAddress address;
  final InetSocketAddress server;
  String user;
  String password;
  String realm;
  String nonce;
  InetSocketAddress relay;
  boolean fingerprint;
  StunMessage.Builder lastRequest;

  TestClient(CoreHarness h, Transport transport, InetSocketAddress address, InetSocketAddress server, String user,
      String password) {
    this.h = h;
    this.transport = transport;
    this.address = address;
    this.server = server;
    this.user = user;
    this.password = password;
  }

  byte[] key() {
    return LongTermCredentials.md5Key(user, realm, password);
  }

  /** Sends raw bytes from this client; returns everything the core sent. */
  List<Datagram> sendRaw(byte[] bytes) {
    return h.receive(new Datagram(transport, address, server, ByteBuffer.wrap(bytes)));
  }

  /** Sends raw bytes and returns the datagrams addressed to this client. */
  List<Datagram> sendRawToMe(byte[] bytes) {
    List<Datagram> out = sendRaw(bytes);
    return out.stream().filter(d -> d.destination().equals(address)).toList();
  }

  static TransactionId newTransaction() {
    byte[] b = new byte[12];
    IDS.nextBytes(b);
    return new TransactionId(b);
  }

  /** An unsigned request; returns the single response. */
  StunMessage unsigned(int method, StunAttribute... attributes) {
    StunMessage.Builder b = StunMessage.builder(method, StunClass.REQUEST, newTransaction());
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    lastRequest = b;
    StunMessage r = CoreHarness.single(sendRawToMe(b.encode(null, fingerprint)));
    r.attribute(Nonce.class).ifPresent(n -> nonce = n.value());
    r.attribute(Realm.class).ifPresent(x -> realm = x.value());
    return r;
  }

  /** Builds a signed request with the current nonce. */
  StunMessage.Builder signedBuilder(int method, TransactionId id, StunAttribute... attributes) {
    StunMessage.Builder b = StunMessage.builder(method, StunClass.REQUEST, id);
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    b.add(new Username(user)).add(new Realm(realm)).add(new Nonce(nonce));
    return b;
  }

  /** A signed request (getting a nonce first if needed, retrying once on 438); returns the response. */
  StunMessage request(int method, StunAttribute... attributes) {
    if (nonce == null) {
      StunMessage challenge = unsigned(method, attributes);
      assertThat(challenge.attribute(ErrorCode.class)).map(ErrorCode::code).contains(401);
    }
    StunMessage r = signedOnce(method, attributes);
    if (r.attribute(ErrorCode.class).map(ErrorCode::code).orElse(0) == 438) {
      r = signedOnce(method, attributes);
    }
    return r;
  }

  StunMessage signedOnce(int method, StunAttribute... attributes) {
    StunMessage.Builder b = signedBuilder(method, newTransaction(), attributes);
    lastRequest = b;
    List<Datagram> out = sendRawToMe(b.encode(key(), fingerprint));
    StunMessage r = CoreHarness.single(out);
    r.attribute(Nonce.class).ifPresent(n -> nonce = n.value());
    return r;
  }

  /** Allocate; asserts success and records the relay. */
  StunMessage allocate(StunAttribute... extra) {
    StunMessage r = allocateRaw(extra);
    assertThat(r.stunClass()).as("Allocate response %s", r).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(r.verifyMessageIntegrity(key())).isTrue();
    relay = r.attribute(XorRelayedAddress.class).orElseThrow().address();
    return r;
  }

  StunMessage allocateRaw(StunAttribute... extra) {
    StunAttribute[] attrs = new StunAttribute[extra.length + 1];
    attrs[0] = new RequestedTransport(17);
    System.arraycopy(extra, 0, attrs, 1, extra.length);
    return request(StunMethod.ALLOCATE, attrs);
  }

  StunMessage createPermission(InetSocketAddress... peers) {
    return request(StunMethod.CREATE_PERMISSION, Arrays.stream(peers).map(XorPeerAddress::new).toArray(StunAttribute[]::new));
  }

  StunMessage channelBind(int channel, InetSocketAddress peer) {
    return request(StunMethod.CHANNEL_BIND, new ChannelNumber(channel), new XorPeerAddress(peer));
  }

  /** A Send indication; returns what the core sent. */
  List<Datagram> send(InetSocketAddress peer, byte[] data) {
    byte[] bytes = StunMessage.builder(StunMethod.SEND, StunClass.INDICATION, newTransaction())
        .add(new XorPeerAddress(peer)).add(Data.wrap(data)).encode();
    return sendRaw(bytes);
  }

  /** A ChannelData message, padded when {@code pad}; returns what the core sent. */
  List<Datagram> channelData(int channel, byte[] data, boolean pad) {
    int padded = pad ? (data.length + 3) & ~3 : data.length;
    ByteBuffer b = ByteBuffer.allocate(4 + padded);
    b.putShort((short) channel).putShort((short) data.length).put(data);
    return sendRaw(b.array());
  }

  static int errorCode(StunMessage r) {
    return r.attribute(ErrorCode.class).map(ErrorCode::code).orElse(0);
  }

  static List<Datagram> to(List<Datagram> out, InetSocketAddress destination) {
    List<Datagram> r = new ArrayList<>();
    for (Datagram d : out) {
      if (d.destination().equals(destination)) {
        r.add(d);
      }
    }
    return r;
  }
}
