package org.rtc4j.sctp.dcep;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Random;
import org.rtc4j.sctp.SctpAssociation;
import org.rtc4j.sctp.SctpConfig;
import org.rtc4j.sctp.SctpState;

/**
 * BI-8, stateful: a DataChannels manager facing a raw peer association that sends arbitrary
 * messages with any PPID (malformed OPENs, stray ACKs, data on unknown streams), resets streams,
 * while the local side opens, sends and closes. Nothing throws beyond the documented API
 * exceptions, the association is never torn down by DCEP input, and no channel is left in an
 * impossible state.
 */
class DataChannelsFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void arbitraryPeer(FuzzedDataProvider data) {
    DataChannels a = new DataChannels(new SctpAssociation(SctpConfig.defaults(), new Random(1)), data.consumeBoolean());
    SctpAssociation peer = new SctpAssociation(SctpConfig.defaults(), new Random(2));
    long now = 1_000_000_000L;
    peer.connect(now);
    for (int i = 0; i < 6; i++) {
      shuttle(a, peer, now);
    }
    assertThat(a.association().state()).isEqualTo(SctpState.ESTABLISHED);
    for (int step = 0; step < 60 && data.remainingBytes() > 0; step++) {
      int id = data.consumeInt(0, 9);
      try {
        switch (data.consumeInt(0, 6)) {
          case 0, 1 -> {
            int[] ppids = {50, 51, 52, 53, 54, 56, 57, 0, 1234};
            int ppid = ppids[data.consumeInt(0, ppids.length - 1)];
            byte[] b = data.consumeBytes(data.consumeInt(1, 300));
            if (b.length > 0) {
              peer.send(now, id, ppid, ByteBuffer.wrap(b), data.consumeBoolean(), -1, -1);
            }
          }
          case 2 -> peer.resetStreams(now, id);
          case 3 -> a.open(now, data.consumeString(20), data.consumeString(10), data.consumeBoolean(),
              data.consumeInt(-1, 3), -1, data.consumeBoolean(), data.consumeBoolean() ? -1 : id);
          case 4 -> a.send(now, id, data.consumeString(50));
          case 5 -> a.close(now, id);
          default -> now += data.consumeLong(0, 5_000_000_000L);
        }
      } catch (IllegalArgumentException | IllegalStateException expectedApiMisuse) {
        // documented API exceptions for calls the fuzzer makes at the wrong time
      }
      shuttle(a, peer, now);
    }
    assertThat(a.association().state()).isEqualTo(SctpState.ESTABLISHED);
    for (DataChannelInfo c : a.channels()) {
      assertThat(c.state()).isNotEqualTo(DataChannelState.CLOSED);
      assertThat(c.id()).isBetween(0, 65534);
    }
  }

  private static void shuttle(DataChannels a, SctpAssociation peer, long now) {
    for (int round = 0; round < 4; round++) {
      Optional<ByteBuffer> p;
      while ((p = a.pollTransmit()).isPresent()) {
        peer.handleReceive(now, p.get());
      }
      while ((p = peer.pollTransmit()).isPresent()) {
        a.handleReceive(now, p.get());
      }
      if (a.pollTimeout() <= now) {
        a.handleTimeout(now);
      }
      if (peer.pollTimeout() <= now) {
        peer.handleTimeout(now);
      }
      while (a.pollEvent().isPresent()) {
        // translated events must not throw
      }
      while (peer.pollEvent().isPresent()) {
        // raw side
      }
    }
  }
}
