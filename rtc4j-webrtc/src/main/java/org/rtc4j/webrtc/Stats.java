package org.rtc4j.webrtc;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.rtc4j.dtls.DtlsCertificate;
import org.rtc4j.dtls.Fingerprint;
import org.rtc4j.ice.CandidatePair;
import org.rtc4j.ice.IceStats;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.webrtc.engine.PeerEngine;
import org.rtc4j.webrtc.runtime.PeerDriver;

/** Builds the W3C webrtc-stats entries of one connection, on its loop. */
final class Stats {
  private Stats() {}

  static List<RtcStats> collect(PeerEngine engine, PeerDriver driver, DtlsCertificate certificate, double now) {
    List<RtcStats> out = new ArrayList<>();
    IceStats ice = engine.ice().stats();
    Optional<CandidatePair> selected = engine.ice().selectedPair();

    Map<String, Object> pc = new LinkedHashMap<>();
    pc.put("dataChannelsOpened", 0L);
    pc.put("dataChannelsClosed", 0L);

    Fingerprint localFp = engine.localFingerprint();
    String localCertId = "CF" + localFp.format().substring(localFp.hashFunction().length() + 1);
    Map<String, Object> cert = new LinkedHashMap<>();
    cert.put("fingerprint", localFp.format().substring(localFp.hashFunction().length() + 1));
    cert.put("fingerprintAlgorithm", localFp.hashFunction());
    cert.put("base64Certificate", Base64.getEncoder().encodeToString(certificate.der()));
    out.add(new RtcStats(localCertId, "certificate", now, cert));
    String remoteCertId = null;
    Optional<Fingerprint> remoteFp = engine.remoteFingerprint();
    if (remoteFp.isPresent()) {
      Fingerprint f = remoteFp.get();
      String hex = f.format().substring(f.hashFunction().length() + 1);
      remoteCertId = "CF" + hex;
      Map<String, Object> rc = new LinkedHashMap<>();
      rc.put("fingerprint", hex);
      rc.put("fingerprintAlgorithm", f.hashFunction());
      out.add(new RtcStats(remoteCertId, "certificate", now, rc));
    }

    String transportId = "T01";
    Map<String, String> candidateIds = new LinkedHashMap<>();
    List<RtcStats> candidates = new ArrayList<>();
    List<RtcStats> pairs = new ArrayList<>();
    String selectedPairId = null;
    for (IceStats.PairStats p : ice.pairs()) {
      String lid = candidateId(p.pair().local(), true, candidateIds, candidates, transportId, now);
      String rid = candidateId(p.pair().remote(), false, candidateIds, candidates, transportId, now);
      String id = "CP" + lid.substring(1) + "_" + rid.substring(1);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("transportId", transportId);
      m.put("localCandidateId", lid);
      m.put("remoteCandidateId", rid);
      m.put("state", p.state().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      m.put("priority", p.pair().priority());
      m.put("nominated", p.pair().nominated());
      m.put("requestsSent", p.requestsSent());
      m.put("responsesReceived", p.responsesReceived());
      m.put("requestsReceived", p.requestsReceived());
      boolean isSelected = p.selected();
      m.put("selected", isSelected); // Chrome's legacy member; W3C uses transport.selectedCandidatePairId
      if (isSelected) {
        selectedPairId = id;
        m.put("packetsSent", ice.packetsSent());
        m.put("bytesSent", ice.bytesSent());
        m.put("packetsReceived", ice.packetsReceived());
        m.put("bytesReceived", ice.bytesReceived());
      }
      pairs.add(new RtcStats(id, "candidate-pair", now, m));
    }
    if (selectedPairId == null && selected.isPresent()) {
      CandidatePair sp = selected.get();
      String lid = candidateId(sp.local(), true, candidateIds, candidates, transportId, now);
      String rid = candidateId(sp.remote(), false, candidateIds, candidates, transportId, now);
      selectedPairId = "CP" + lid.substring(1) + "_" + rid.substring(1);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("transportId", transportId);
      m.put("localCandidateId", lid);
      m.put("remoteCandidateId", rid);
      m.put("state", "succeeded");
      m.put("priority", sp.priority());
      m.put("nominated", sp.nominated());
      m.put("selected", true);
      m.put("packetsSent", ice.packetsSent());
      m.put("bytesSent", ice.bytesSent());
      m.put("packetsReceived", ice.packetsReceived());
      m.put("bytesReceived", ice.bytesReceived());
      pairs.add(new RtcStats(selectedPairId, "candidate-pair", now, m));
    }

    Map<String, Object> t = new LinkedHashMap<>();
    t.put("packetsSent", ice.packetsSent());
    t.put("bytesSent", ice.bytesSent());
    t.put("packetsReceived", ice.packetsReceived());
    t.put("bytesReceived", ice.bytesReceived());
    t.put("iceRole", engine.ice().role().name().toLowerCase(Locale.ROOT));
    t.put("iceLocalUsernameFragment", engine.ice().localCredentials().ufrag());
    t.put("iceState", engine.iceConnectionState().value());
    t.put("dtlsState", engine.dtlsState().value());
    engine.dtlsRole().ifPresent(r -> t.put("dtlsRole", r.name().toLowerCase(Locale.ROOT)));
    if (engine.dtlsState() == RtcDtlsTransportState.CONNECTED) {
      t.put("tlsVersion", "FEFD"); // DTLS 1.2
    }
    if (selectedPairId != null) {
      t.put("selectedCandidatePairId", selectedPairId);
    }
    t.put("localCertificateId", localCertId);
    if (remoteCertId != null) {
      t.put("remoteCertificateId", remoteCertId);
    }
    long[] counters = engine.counters();
    t.put("rtc4jDtlsPacketsReceived", counters[0]);
    t.put("rtc4jDtlsPacketsSent", counters[1]);
    t.put("rtc4jDroppedNotSelectedPair", counters[2]);
    t.put("rtc4jDroppedNotDtls", counters[3]);
    t.put("rtc4jIceBadIntegrity", ice.badIntegrity());
    t.put("rtc4jIceDropped", ice.dropped());
    t.put("rtc4jIceUnknownSource", ice.unknownSource());
    long[] io = driver.counters();
    t.put("rtc4jDatagramsReceived", io[0]);
    t.put("rtc4jDatagramsSent", io[1]);
    t.put("rtc4jSendErrors", io[2]);
    org.rtc4j.sctp.SctpAssociation sa = engine.sctpAssociation();
    if (sa != null) {
      org.rtc4j.sctp.SctpStats ss = sa.stats();
      // Every counter of the snapshot, as rtc4jSctp + its name (packetsSent -> rtc4jSctpPacketsSent),
      // so a counter added to SctpStats shows up here without a second edit.
      for (java.lang.reflect.RecordComponent rc : org.rtc4j.sctp.SctpStats.class.getRecordComponents()) {
        String name = rc.getName();
        try {
          t.put("rtc4jSctp" + Character.toUpperCase(name.charAt(0)) + name.substring(1), rc.getAccessor().invoke(ss));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("SctpStats." + name, e);
        }
      }
      // Path MTU discovery (RFC 8899): the confirmed SCTP packet size and the probes behind it.
      org.rtc4j.sctp.PlpmtuDiscovery pmtu = sa.pathMtu();
      long[] probes = pmtu.counters();
      t.put("rtc4jSctpPlpmtu", (long) pmtu.current());
      t.put("rtc4jSctpPlpmtuState", pmtu.state().name());
      t.put("rtc4jSctpPlpmtuProbesSent", probes[0]);
      t.put("rtc4jSctpPlpmtuProbesAcked", probes[1]);
      t.put("rtc4jSctpPlpmtuBlackHoles", probes[2]);
    }
    out.add(0, new RtcStats("P", "peer-connection", now, pc));
    out.add(new RtcStats(transportId, "transport", now, t));
    out.addAll(pairs);
    out.addAll(candidates);
    return out;
  }

  private static String candidateId(IceCandidate c, boolean local, Map<String, String> ids, List<RtcStats> out,
      String transportId, double now) {
    String key = (local ? "L" : "R") + c.toValue();
    String id = ids.get(key);
    if (id != null) {
      return id;
    }
    id = "I" + (local ? "L" : "R") + Integer.toHexString(key.hashCode()) + ids.size();
    ids.put(key, id);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("transportId", transportId);
    m.put("address", c.address());
    m.put("port", (long) c.port());
    m.put("protocol", c.transport().name().toLowerCase(Locale.ROOT));
    m.put("candidateType", c.type().token());
    m.put("priority", c.priority());
    m.put("foundation", c.foundation());
    if (c.relatedAddress() != null) {
      m.put("relatedAddress", c.relatedAddress());
      m.put("relatedPort", (long) c.relatedPort());
    }
    String ufrag = c.extension("ufrag");
    if (ufrag != null) {
      m.put("usernameFragment", ufrag);
    }
    out.add(new RtcStats(id, local ? "local-candidate" : "remote-candidate", now, m));
    return id;
  }
}
