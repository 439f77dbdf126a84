package org.rtc4j.server.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Random;
import org.rtc4j.stun.StunClass;
import org.rtc4j.stun.StunMessage;
import org.rtc4j.stun.StunMethod;
import org.rtc4j.stun.StunParseException;
import org.rtc4j.stun.TransactionId;
import org.rtc4j.testkit.FreePorts;

/** Readiness probe: does a STUN server answer a Binding request on UDP? */
final class StunProbe {

  private StunProbe() {}

  /** One Binding request to {@code server}; true when a success response with our id comes back within 200 ms. */
  static boolean answersBinding(InetSocketAddress server) {
    TransactionId id = TransactionId.random(new Random());
    byte[] request = StunMessage.builder(StunMethod.BINDING, StunClass.REQUEST, id).encode();
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0))) {
      s.setSoTimeout(200);
      s.send(new DatagramPacket(request, request.length, server));
      DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
      s.receive(in);
      StunMessage response = StunMessage.parse(Arrays.copyOf(in.getData(), in.getLength()));
      return response.stunClass() == StunClass.SUCCESS_RESPONSE && response.transactionId().equals(id);
    } catch (SocketTimeoutException | StunParseException e) {
      return false;
    } catch (java.net.PortUnreachableException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
