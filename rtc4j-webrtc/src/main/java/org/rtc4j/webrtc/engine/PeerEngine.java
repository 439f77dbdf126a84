package org.rtc4j.webrtc.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.rtc4j.dtls.DtlsConfig;
import org.rtc4j.dtls.DtlsEngine;
import org.rtc4j.dtls.DtlsEvent;
import org.rtc4j.dtls.DtlsRole;
import org.rtc4j.dtls.Fingerprint;
import org.rtc4j.ice.CandidatePair;
import org.rtc4j.ice.IceAgent;
import org.rtc4j.ice.IceConfig;
import org.rtc4j.ice.IceConnectionState;
import org.rtc4j.ice.IceCredentials;
import org.rtc4j.ice.IceEvent;
import org.rtc4j.ice.IceGatheringState;
import org.rtc4j.ice.IceRole;
import org.rtc4j.net.Datagram;
import org.rtc4j.sctp.SctpAssociation;
import org.rtc4j.sctp.SctpConfig;
import org.rtc4j.sctp.dcep.DataChannelEvent;
import org.rtc4j.sctp.dcep.DataChannelInfo;
import org.rtc4j.sctp.dcep.DataChannels;
import org.rtc4j.sdp.IceCandidate;
import org.rtc4j.sdp.MediaDescription;
import org.rtc4j.sdp.SdpParseException;
import org.rtc4j.sdp.Setup;
import org.rtc4j.webrtc.InvalidStateException;
import org.rtc4j.webrtc.OperationException;
import org.rtc4j.webrtc.RtcDtlsTransportState;
import org.rtc4j.webrtc.RtcIceCandidate;
import org.rtc4j.webrtc.RtcIceConnectionState;
import org.rtc4j.webrtc.RtcIceGatheringState;
import org.rtc4j.webrtc.RtcPeerConnectionState;
import org.rtc4j.webrtc.RtcSdpType;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.RtcSignalingState;
import org.rtc4j.webrtc.TypeException;

/**
 * The whole peer as one sans-IO state machine: JSEP ({@link JsepSession}), the ICE agent, the
 * DTLS engine and the W3C state aggregation. The runtime feeds it datagrams from its UDP sockets
 * and TCP connections, calls {@link #handleTimeout} when {@link #pollTimeout} is due (and when the
 * DTLS handshake thread called {@link PeerEngineConfig#dtlsWakeup()}), sends what
 * {@link #pollTransmit} yields and hands {@link #pollEvent} to the API layer.
 *
 * <p>Routing (RFC 7983 demultiplexing): every datagram goes to the ICE agent first (STUN 0..3,
 * TURN ChannelData 64..79 from a relay); what the agent reports as application data is
 * DTLS when its first byte is 20..63, and is accepted only when it came over the selected,
 * consented pair (trust-tests SC-6); everything else is dropped and counted. DTLS output goes
 * out through {@link IceAgent#send}, i.e. over the selected pair only.
 *
 * <p>Threading: one owner thread (the connection's loop) calls every method. The DTLS engine's
 * handshake thread only calls the wakeup. Remote input never throws; API misuse throws the
 * W3C-named exceptions before any state changed.
 */
public final class PeerEngine {

  /** The fixed addresses the DTLS engine sees: ICE, not DTLS, knows the real ones. */
  static final InetSocketAddress DTLS_LOCAL_LABEL = label(1);
  static final InetSocketAddress DTLS_REMOTE_LABEL = label(2);
  /** DTLS datagrams that arrive before the DTLS engine started, kept until it starts (a few flights). */
  static final int MAX_EARLY_DTLS = 16;

  private final PeerEngineConfig config;
  private final SecureRandom random;
  private final JsepSession jsep;
  private final IceAgent ice;
  private final Fingerprint localFingerprint;
  private final ArrayDeque<PeerEvent> events = new ArrayDeque<>();
  private final ArrayDeque<Early> earlyDtls = new ArrayDeque<>();

  private IceCredentials localCredentials;
  private IceCredentials nextCredentials;
  private boolean restartRequested;
  private IceCredentials remoteCredentials;
  private RemoteDescription deferredRemote;
  /** Remote candidates trickled for a restarted generation before our answer restarted the agent. */
  private final List<IceCandidate> deferredCandidates = new ArrayList<>();
  private boolean deferredEndOfCandidates;
  private boolean gatheringStarted;
  private boolean roleDecided;
  private final List<IceCandidate> localCandidates = new ArrayList<>();
  private boolean localGatheringComplete;

  private DtlsEngine dtls;
  private DtlsRole dtlsRole;
  private boolean dtlsStarted;
  private RtcDtlsTransportState dtlsState = RtcDtlsTransportState.NEW;
  private String dtlsFailure;
  private DtlsEvent.HandshakeComplete handshake;

  private RtcIceGatheringState gatheringState = RtcIceGatheringState.NEW;
  private RtcIceConnectionState iceState = RtcIceConnectionState.NEW;
  private RtcPeerConnectionState connectionState = RtcPeerConnectionState.NEW;
  private RtcSignalingState signalingState = RtcSignalingState.STABLE;
  private boolean closed;

  private long droppedNotSelected;
  private long droppedNotDtls;
  private long dtlsPacketsReceived;
  private long dtlsPacketsSent;

  private record Early(ByteBuffer payload, CandidatePair via) {}

  /** SCTP packets must fit one DTLS record at MTU 1200 (AEAD record overhead is 29..37 bytes). */
  static final int SCTP_MTU = 1150;
  /**
   * The largest datagram SCTP's path MTU discovery may try (RFC 8899 MAX_PLPMTU, before DTLS's
   * record overhead): an IPv6 packet on a 1500-byte Ethernet link minus the IPv6 (40) and UDP (8)
   * headers and TURN ChannelData's 4 bytes. The 4 bytes are reserved on direct paths too, since
   * the selected pair may move to a relay later. Loopback's 64 KiB MTU is deliberately not used:
   * nothing on a real network carries more than Ethernet.
   */
  static final int MAX_DATAGRAM = 1500 - 40 - 8 - 4;
  /**
   * Within a batch of received datagrams, SCTP is pumped (so a SACK leaves) after this many
   * DATA-carrying packets. RFC 9260 §6.2 asks for a SACK for at least every second packet, and a
   * sender's slow start grows by one MTU per SACK (§7.2.1): one SACK per 64-datagram batch slowed
   * the peer's slow start many times over. 4 rather than 2 because batches of more than a few
   * packets only build up when this side reads slower than they arrive (fast paths, where a round
   * trip costs little), and on the rtc4j<->rtc4j bench 2 cost 35 % more syscalls than one SACK per
   * batch against 18 % for 4. Smaller batches are SACKed per SctpAssociation's own every-second-packet
   * rule when the batch ends.
   */
  static final int SACK_EVERY = 4;

  /** One data channel as the engine tracks it; {@code handle} is the API's key, {@code sctpId} the stream. */
  private static final class ChannelRef {
    int handle;
    int sctpId = -1;
    String label;
    String protocol;
    boolean ordered;
    int maxRetransmits;
    long maxPacketLifeTime;
    boolean negotiated;
    int requestedId;
    long lowThreshold;
    boolean closed;
  }

  private final Map<Integer, ChannelRef> channels = new LinkedHashMap<>();
  private final Map<Integer, ChannelRef> channelsBySctpId = new HashMap<>();
  private final List<ChannelRef> pendingChannels = new ArrayList<>();
  private DataChannels sctp;
  /** The time of the datagram being decrypted, for records handed to {@link #onDtlsRecord}. */
  private long dtlsNow;
  /** The selected pair SCTP's path MTU was discovered on (a new path restarts the discovery). */
  private CandidatePair lastSelected;
  /** Whether {@link #onDtlsRecord} fed SCTP since the last pumpSctp. */
  private boolean sctpFed;
  /** SCTP packets carrying DATA fed since the last pumpSctp (see {@link #SACK_EVERY}). */
  private int sctpDataFed;
  private boolean sctpConnected;
  private long remoteMaxMessageSize = Jsep.DEFAULT_REMOTE_MAX_MESSAGE_SIZE;
  private int nextRemoteHandle = -1;
  private long sctpPacketsTooLarge;

  public PeerEngine(PeerEngineConfig config, SecureRandom random) {
    this.config = Objects.requireNonNull(config, "config");
    this.random = Objects.requireNonNull(random, "random");
    this.jsep = new JsepSession(random);
    this.localCredentials = IceCredentials.random(random);
    this.localFingerprint = config.certificate().fingerprint("sha-256");
    IceConfig iceConfig = IceConfig.builder()
        .role(IceRole.CONTROLLING)
        .localCredentials(localCredentials)
        .servers(config.iceServers())
        .policy(config.policy())
        .hostAddresses(config.hostAddresses())
        .tieBreaker(random.nextLong())
        .disconnectedTimeout(config.iceDisconnectedTimeout())
        .failedTimeout(config.iceFailedTimeout())
        .software("rtc4j")
        .build();
    this.ice = new IceAgent(iceConfig, random);
  }

  // ------------------------------------------------------------------------------------------
  // JSEP

  /** W3C createOffer: a new offer (an ICE restart one after {@link #restartIce()}). */
  public RtcSessionDescription createOffer(long nowNanos) {
    requireOpen();
    if (restartRequested && nextCredentials == null) {
      nextCredentials = IceCredentials.random(random);
    }
    return RtcSessionDescription.offer(jsep.createOffer(params(nextCredentials != null ? nextCredentials : localCredentials)));
  }

  /** W3C createAnswer. */
  public RtcSessionDescription createAnswer(long nowNanos) {
    requireOpen();
    return RtcSessionDescription.answer(jsep.createAnswer(params(answerCredentials()), dtlsRole));
  }

  /**
   * W3C setLocalDescription. {@code type} null is the implicit form; {@code sdp} empty means
   * the last created (or a new) description.
   */
  public void setLocalDescription(long nowNanos, RtcSdpType type, String sdp) {
    requireOpen();
    RtcSdpType t = type != null ? type : jsep.implicitType();
    IceCredentials creds = t == RtcSdpType.OFFER
        ? (restartRequested && nextCredentials == null ? (nextCredentials = IceCredentials.random(random))
            : (nextCredentials != null ? nextCredentials : localCredentials))
        : answerCredentials();
    JsepSession.LocalApplied applied = jsep.setLocal(t, sdp, params(creds), dtlsRole);
    if (t == RtcSdpType.ROLLBACK) {
      signaling();
      return;
    }
    String ufrag = ufragOf(applied);
    if (ufrag != null && !ufrag.equals(localCredentials.ufrag())) {
      // ICE restart (RFC 8445 §9): the description carries new credentials.
      IceCredentials fresh = nextCredentials != null && nextCredentials.ufrag().equals(ufrag) ? nextCredentials : creds;
      localCredentials = fresh;
      nextCredentials = null;
      restartRequested = false;
      localCandidates.clear();
      localGatheringComplete = false;
      if (gatheringStarted) {
        ice.restart(nowNanos, fresh);
      }
      if (deferredRemote != null && t != RtcSdpType.OFFER) {
        RemoteDescription remote = deferredRemote;
        List<IceCandidate> trickled = new ArrayList<>(deferredCandidates);
        boolean eoc = deferredEndOfCandidates;
        deferredRemote = null;
        ice.setRemoteCredentials(nowNanos, remoteCredentials);
        addRemoteCandidates(nowNanos, remote);
        for (IceCandidate c : trickled) {
          addRemote(nowNanos, c);
        }
        if (eoc) {
          ice.addRemoteEndOfCandidates(nowNanos);
        }
      }
    }
    deferredRemote = null;
    deferredCandidates.clear();
    deferredEndOfCandidates = false;
    if (t == RtcSdpType.OFFER && !roleDecided) {
      ice.setRole(IceRole.CONTROLLING);
      roleDecided = true;
    }
    if (!gatheringStarted) {
      gatheringStarted = true;
      ice.startGathering(nowNanos);
    }
    if ((t == RtcSdpType.ANSWER || t == RtcSdpType.PRANSWER) && applied.setup() != null) {
      RemoteDescription remote = jsep.remoteDescription() != null ? jsep.remoteDescription()
          : jsep.currentRemoteDescription();
      prepareDtls(nowNanos, applied.setup() == Setup.ACTIVE ? DtlsRole.CLIENT : DtlsRole.SERVER, remote);
    }
    signaling();
    drainIce(nowNanos);
  }

  /** W3C setRemoteDescription (offer, pranswer, answer or rollback). */
  public void setRemoteDescription(long nowNanos, RtcSessionDescription description) {
    requireOpen();
    Objects.requireNonNull(description, "description");
    RemoteDescription remote = jsep.setRemote(description.type(), description.sdp());
    if (remote == null) { // rollback
      signaling();
      return;
    }
    if (remote.hasData()) {
      if (!roleDecided) {
        // RFC 8445 §6.1.1 / JSEP: the offerer is controlling; a lite peer never is.
        ice.setRole(remote.type() == RtcSdpType.OFFER && !remote.iceLite() ? IceRole.CONTROLLED : IceRole.CONTROLLING);
        roleDecided = true;
      }
      IceCredentials rc;
      try {
        rc = new IceCredentials(remote.iceUfrag(), remote.icePwd());
      } catch (IllegalArgumentException e) {
        throw new OperationException("remote ICE credentials unusable: " + e.getMessage(), e);
      }
      boolean remoteRestart = remoteCredentials != null && !remoteCredentials.ufrag().equals(rc.ufrag());
      if (remoteRestart && remote.type() == RtcSdpType.OFFER) {
        // The peer restarts ICE: our answer carries new credentials too (RFC 8445 §9).
        nextCredentials = IceCredentials.random(random);
      }
      remoteCredentials = rc;
      if (remote.type() != RtcSdpType.OFFER || !remoteRestart) {
        ice.setRemoteCredentials(nowNanos, rc);
        addRemoteCandidates(nowNanos, remote);
      } else {
        deferredRemote = remote; // applied after our answer restarted the agent with new local credentials
      }
      if (remote.type() != RtcSdpType.OFFER) {
        prepareDtls(nowNanos, Jsep.offererRole(remote.setup()), remote);
      }
    }
    signaling();
    drainIce(nowNanos);
  }

  /** W3C addIceCandidate; an empty candidate string is end-of-candidates. */
  public void addIceCandidate(long nowNanos, RtcIceCandidate candidate) {
    requireOpen();
    RemoteDescription remote = jsep.remoteDescription();
    if (remote == null) {
      throw new InvalidStateException("addIceCandidate needs a remote description");
    }
    if (candidate == null) {
      endOfRemoteCandidates(nowNanos);
      return;
    }
    if (candidate.sdpMid() == null && candidate.sdpMLineIndex() == null && !candidate.isEndOfCandidates()) {
      throw new TypeException("a candidate needs sdpMid or sdpMLineIndex");
    }
    MediaDescription section = null;
    if (candidate.sdpMid() != null) {
      section = remote.parsed().mediaByMid(candidate.sdpMid())
          .orElseThrow(() -> new OperationException("no media section with mid " + candidate.sdpMid()));
    } else if (candidate.sdpMLineIndex() != null) {
      int i = candidate.sdpMLineIndex();
      if (i < 0 || i >= remote.parsed().media().size()) {
        throw new OperationException("sdpMLineIndex " + i + " out of range");
      }
      section = remote.parsed().media().get(i);
    }
    if (candidate.usernameFragment() != null && remote.iceUfrag() != null
        && !candidate.usernameFragment().equals(remote.iceUfrag())) {
      throw new OperationException("usernameFragment " + candidate.usernameFragment() + " matches no remote description");
    }
    if (candidate.isEndOfCandidates()) {
      endOfRemoteCandidates(nowNanos);
      return;
    }
    IceCandidate c;
    try {
      c = IceCandidate.parse(candidate.candidate());
    } catch (SdpParseException e) {
      throw new OperationException("bad candidate: " + e.getMessage(), e);
    }
    if (section != null && !remote.hasData()) {
      return; // nothing to connect: the candidate's section was not accepted
    }
    if (section != null && section.isRejected() && !section.hasAttribute("bundle-only")) {
      return; // W3C: a candidate for a rejected section is ignored
    }
    addRemote(nowNanos, c);
    drainIce(nowNanos);
  }

  /** W3C restartIce: the next offer carries new ICE credentials. */
  public void restartIce() {
    requireOpen();
    restartRequested = true;
  }

  /** The local description with the candidates gathered so far (and end-of-candidates when complete). */
  public RtcSessionDescription localDescription() {
    return withCandidates(jsep.localDescription());
  }

  public RtcSessionDescription currentLocalDescription() {
    return withCandidates(jsep.currentLocalDescription());
  }

  public RtcSessionDescription pendingLocalDescription() {
    return withCandidates(jsep.pendingLocalDescription());
  }

  public RtcSessionDescription remoteDescription() {
    return toApi(jsep.remoteDescription());
  }

  public RtcSessionDescription currentRemoteDescription() {
    return toApi(jsep.currentRemoteDescription());
  }

  public RtcSessionDescription pendingRemoteDescription() {
    return toApi(jsep.pendingRemoteDescription());
  }

  public RtcSignalingState signalingState() {
    return signalingState;
  }

  public RtcIceGatheringState iceGatheringState() {
    return gatheringState;
  }

  public RtcIceConnectionState iceConnectionState() {
    return iceState;
  }

  public RtcPeerConnectionState connectionState() {
    return connectionState;
  }

  public RtcDtlsTransportState dtlsState() {
    return dtlsState;
  }

  /** Why DTLS failed, or null. */
  public String dtlsFailure() {
    return dtlsFailure;
  }

  /** The ICE agent (read-only use: stats, selected pair). */
  public IceAgent ice() {
    return ice;
  }

  /** The local certificate fingerprint (sha-256). */
  public Fingerprint localFingerprint() {
    return localFingerprint;
  }

  /** The remote certificate fingerprint that matched, once DTLS connected. */
  public Optional<Fingerprint> remoteFingerprint() {
    return handshake == null ? Optional.empty() : Optional.of(handshake.peerFingerprint());
  }

  /** The DTLS role, once both descriptions fixed it. */
  public Optional<DtlsRole> dtlsRole() {
    return Optional.ofNullable(dtlsRole);
  }

  /** Counters of this layer: DTLS datagrams in/out and application datagrams dropped (not selected pair, not DTLS). */
  public long[] counters() {
    return new long[] {dtlsPacketsReceived, dtlsPacketsSent, droppedNotSelected, droppedNotDtls};
  }

  // ------------------------------------------------------------------------------------------
  // Data channels (RFC 8831, DCEP RFC 8832, over SCTP RFC 8261)

  /**
   * W3C createDataChannel. The channel is opened on the association once DTLS is up (or at once
   * when it already is); before the DTLS role is known a non-negotiated channel has no stream id.
   *
   * @param handle the caller's key for the channel (positive; negative keys are used for channels the peer opens)
   * @param maxRetransmits -1 when unset
   * @param maxPacketLifeTime ms, -1 when unset
   * @param id the negotiated stream id, or -1
   * @throws OperationException when the id is in use
   */
  public void createDataChannel(long nowNanos, int handle, String label, String protocol, boolean ordered,
      int maxRetransmits, long maxPacketLifeTime, boolean negotiated, int id) {
    requireOpen();
    if (id >= 0) {
      for (ChannelRef c : channels.values()) {
        if (!c.closed && (c.sctpId == id || (c.negotiated && c.requestedId == id))) {
          throw new OperationException("data channel id " + id + " is in use");
        }
      }
    }
    ChannelRef c = new ChannelRef();
    c.handle = handle;
    c.label = label;
    c.protocol = protocol;
    c.ordered = ordered;
    c.maxRetransmits = maxRetransmits;
    c.maxPacketLifeTime = maxPacketLifeTime;
    c.negotiated = negotiated;
    c.requestedId = id;
    channels.put(handle, c);
    if (sctp != null) {
      openOnSctp(nowNanos, c);
      pumpSctp(nowNanos);
    } else {
      pendingChannels.add(c);
    }
  }

  /** W3C RTCDataChannel.send(string). */
  public void sendText(long nowNanos, int handle, String text) {
    ChannelRef c = openChannel(handle);
    long size = text.length() * 3L <= remoteMaxMessageSize || remoteMaxMessageSize == 0 ? 0
        : text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    checkSize(size);
    try {
      sctp.send(nowNanos, c.sctpId, text);
    } catch (IllegalStateException e) {
      throw new InvalidStateException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new TypeException(e.getMessage(), e);
    }
    pumpSctp(nowNanos);
  }

  /** W3C RTCDataChannel.send(binary): the buffer's remaining bytes. */
  public void sendBinary(long nowNanos, int handle, ByteBuffer data) {
    ChannelRef c = openChannel(handle);
    checkSize(data.remaining());
    try {
      sctp.send(nowNanos, c.sctpId, data);
    } catch (IllegalStateException e) {
      throw new InvalidStateException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new TypeException(e.getMessage(), e);
    }
    pumpSctp(nowNanos);
  }

  /**
   * W3C RTCDataChannel.send with a message the caller made for it ({@code bytes}: UTF-8 when
   * {@code text}): handed to SCTP without another copy, so the caller must not change it.
   */
  public void sendOwned(long nowNanos, int handle, boolean text, byte[] bytes) {
    ChannelRef c = openChannel(handle);
    checkSize(bytes.length);
    try {
      sctp.sendOwned(nowNanos, c.sctpId, text, bytes);
    } catch (IllegalStateException e) {
      throw new InvalidStateException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new TypeException(e.getMessage(), e);
    }
    pumpSctp(nowNanos);
  }

  /** W3C RTCDataChannel.close(): closing, then closed once both stream directions are reset. */
  public void closeDataChannel(long nowNanos, int handle) {
    ChannelRef c = channels.get(handle);
    if (c == null || c.closed) {
      return;
    }
    if (sctp == null || c.sctpId < 0) {
      pendingChannels.remove(c);
      finishChannel(c);
      return;
    }
    sctp.close(nowNanos, c.sctpId);
    pumpSctp(nowNanos);
  }

  /** Bytes queued on the channel and not yet acknowledged as sent (W3C bufferedAmount, engine part). */
  public long bufferedAmount(int handle) {
    ChannelRef c = channels.get(handle);
    return c == null || c.sctpId < 0 || sctp == null ? 0 : sctp.bufferedAmount(c.sctpId);
  }

  public void setBufferedAmountLowThreshold(int handle, long threshold) {
    ChannelRef c = channels.get(handle);
    if (c != null) {
      c.lowThreshold = threshold;
      if (c.sctpId >= 0 && sctp != null) {
        sctp.setBufferedAmountLowThreshold(c.sctpId, threshold);
      }
    }
  }

  /** The stream id of a channel, or -1 while unknown. */
  public int channelId(int handle) {
    ChannelRef c = channels.get(handle);
    return c == null ? -1 : c.sctpId;
  }

  /** Handles of the channels not closed yet. */
  public List<Integer> openChannelHandles() {
    List<Integer> out = new ArrayList<>();
    for (ChannelRef c : channels.values()) {
      if (!c.closed) {
        out.add(c.handle);
      }
    }
    return out;
  }

  /** The peer's a=max-message-size (0 = no limit). */
  public long remoteMaxMessageSize() {
    return remoteMaxMessageSize;
  }

  /** Whether the SCTP association is established. */
  public boolean sctpConnected() {
    return sctpConnected;
  }

  /** The association, for stats (null before DTLS roles are known). */
  public SctpAssociation sctpAssociation() {
    return sctp == null ? null : sctp.association();
  }

  private ChannelRef openChannel(int handle) {
    requireOpen();
    ChannelRef c = channels.get(handle);
    if (c == null || c.closed || c.sctpId < 0 || sctp == null || !sctpConnected) {
      throw new InvalidStateException("the data channel is not open");
    }
    return c;
  }

  private void checkSize(long size) {
    if (remoteMaxMessageSize > 0 && size > remoteMaxMessageSize) {
      throw new TypeException("message of " + size + " bytes exceeds the peer's max-message-size "
          + remoteMaxMessageSize + " (RFC 8841 §6)");
    }
  }

  private void setupSctp(long nowNanos, DtlsRole role, RemoteDescription remote) {
    remoteMaxMessageSize = remote.maxMessageSize();
    long local = config.maxMessageSize();
    SctpConfig sc = SctpConfig.builder()
        .localPort(config.sctpPort())
        .remotePort(remote.sctpPort())
        .mtu(SCTP_MTU)
        .maxMessageSize(local)
        .remoteMaxMessageSize(remote.maxMessageSize())
        .build();
    sctp = new DataChannels(new SctpAssociation(sc, random), role == DtlsRole.CLIENT);
    for (ChannelRef c : pendingChannels) {
      openOnSctp(nowNanos, c);
    }
    pendingChannels.clear();
  }

  private void openOnSctp(long nowNanos, ChannelRef c) {
    try {
      int id = sctp.open(nowNanos, c.label, c.protocol, c.ordered, c.maxRetransmits, c.maxPacketLifeTime, c.negotiated,
          c.requestedId);
      c.sctpId = id;
      channelsBySctpId.put(id, c);
      if (c.lowThreshold > 0) {
        sctp.setBufferedAmountLowThreshold(id, c.lowThreshold);
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      events.add(new PeerEvent.ChannelError(c.handle, e.getMessage()));
      finishChannel(c);
    }
  }

  private void finishChannel(ChannelRef c) {
    if (!c.closed) {
      c.closed = true;
      if (c.sctpId >= 0) {
        channelsBySctpId.remove(c.sctpId);
      }
      events.add(new PeerEvent.ChannelClosed(c.handle));
    }
  }

  private void closeAllChannels() {
    for (ChannelRef c : new ArrayList<>(channels.values())) {
      finishChannel(c);
    }
    pendingChannels.clear();
  }

  /** Moves SCTP packets into DTLS records and DTLS datagrams to ICE; turns SCTP events into ours. */
  private void pumpSctp(long nowNanos) {
    if (sctp == null) {
      return;
    }
    sctpDataFed = 0;
    // Polling events can queue more output (a window-update SACK once messages free the receive
    // buffer, a DCEP ACK, a stream-reset answer) that no timer would send: transmit again until
    // a round polls no event (REVIEW #11).
    boolean polled = true;
    while (polled) {
      transmitSctp(nowNanos);
      polled = false;
      while (true) {
        Optional<DataChannelEvent> o = sctp.pollEvent();
        if (o.isEmpty()) {
          break;
        }
        polled = true;
        onSctpEvent(o.get());
      }
    }
  }

  /** Moves SCTP packets into DTLS records and DTLS datagrams to ICE. */
  private void transmitSctp(long nowNanos) {
    boolean up = dtls != null && dtls.isConnected();
    while (true) {
      // Transient: DTLS encrypts the packet into its own record at once, and nothing else keeps it.
      Optional<ByteBuffer> p = sctp.pollTransmitTransient();
      if (p.isEmpty()) {
        break;
      }
      if (!up) {
        continue; // nowhere to send yet: SCTP retransmits
      }
      ByteBuffer packet = p.get();
      if (packet.remaining() > dtls.maxApplicationDataSize(MAX_DATAGRAM)) {
        sctpPacketsTooLarge++;
        continue;
      }
      try {
        dtls.send(packet);
      } catch (IllegalStateException e) {
        up = false; // DTLS ended under us; its Failed/Closed event follows
      }
    }
    if (dtls != null) {
      while (true) {
        Optional<Datagram> d = dtls.pollTransmit();
        if (d.isEmpty()) {
          break;
        }
        dtlsPacketsSent++;
        ice.sendOwned(nowNanos, d.get().payload()); // every DTLS datagram is a fresh array handed to us
      }
    }
  }

  private void onSctpEvent(DataChannelEvent e) {
    if (e instanceof DataChannelEvent.AssociationEstablished) {
      sctpConnected = true;
      events.add(new PeerEvent.SctpConnected(remoteMaxMessageSize));
    } else if (e instanceof DataChannelEvent.AssociationClosed) {
      sctpConnected = false;
      closeAllChannels();
    } else if (e instanceof DataChannelEvent.ChannelOpen o) {
      ChannelRef c = channelsBySctpId.get(o.channel().id());
      if (c != null) {
        events.add(new PeerEvent.ChannelOpened(c.handle, o.channel(), false));
      }
    } else if (e instanceof DataChannelEvent.RemoteChannelOpened o) {
      DataChannelInfo info = o.channel();
      ChannelRef c = new ChannelRef();
      c.handle = nextRemoteHandle--;
      c.sctpId = info.id();
      c.label = info.label();
      c.protocol = info.protocol();
      c.ordered = info.ordered();
      c.maxRetransmits = info.maxRetransmits();
      c.maxPacketLifeTime = info.maxPacketLifeTime();
      c.requestedId = info.id();
      channels.put(c.handle, c);
      channelsBySctpId.put(c.sctpId, c);
      events.add(new PeerEvent.ChannelOpened(c.handle, info, true));
    } else if (e instanceof DataChannelEvent.MessageReceived m) {
      ChannelRef c = channelsBySctpId.get(m.channelId());
      if (c != null) {
        events.add(new PeerEvent.ChannelMessage(c.handle, m.data(), m.text()));
      }
    } else if (e instanceof DataChannelEvent.ChannelClosing cl) {
      ChannelRef c = channelsBySctpId.get(cl.channelId());
      if (c != null) {
        events.add(new PeerEvent.ChannelClosing(c.handle));
      }
    } else if (e instanceof DataChannelEvent.ChannelClosed cl) {
      ChannelRef c = channelsBySctpId.get(cl.channelId());
      if (c != null) {
        finishChannel(c);
      }
    } else if (e instanceof DataChannelEvent.BufferedAmountLow b) {
      ChannelRef c = channelsBySctpId.get(b.channelId());
      if (c != null) {
        events.add(new PeerEvent.ChannelBufferedAmountLow(c.handle, b.bufferedAmount()));
      }
    } else if (e instanceof DataChannelEvent.ChannelError err) {
      ChannelRef c = channelsBySctpId.get(err.channelId());
      if (c != null) {
        events.add(new PeerEvent.ChannelError(c.handle, err.message()));
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // sans-IO surface

  /** A datagram from a socket: source = the remote, destination = our local socket address. */
  public void handleReceive(long nowNanos, Datagram in) {
    if (closed) {
      return;
    }
    ice.handleReceive(nowNanos, in);
    drainIce(nowNanos);
  }

  /** Time passed, or the DTLS thread woke us: run timers and collect DTLS output. */
  public void handleTimeout(long nowNanos) {
    if (closed) {
      return;
    }
    if (ice.pollTimeout() - nowNanos <= 0) {
      ice.handleTimeout(nowNanos);
    }
    if (dtls != null && dtls.pollTimeout() - nowNanos <= 0) {
      dtls.handleTimeout(nowNanos);
    }
    if (sctp != null && sctp.pollTimeout() - nowNanos <= 0) {
      sctp.handleTimeout(nowNanos);
    }
    drainIce(nowNanos);
    drainDtls(nowNanos);
    pumpSctp(nowNanos);
  }

  /** The next datagram to send (source = local socket or TCP connection address). */
  public Optional<Datagram> pollTransmit() {
    pumpFed();
    return ice.pollTransmit();
  }

  public Optional<PeerEvent> pollEvent() {
    pumpFed();
    return Optional.ofNullable(events.poll());
  }

  /** When {@link #handleTimeout} is due next, or Long.MAX_VALUE. */
  public long pollTimeout() {
    if (closed) {
      return Long.MAX_VALUE;
    }
    long t = ice.pollTimeout();
    if (dtls != null) {
      t = Math.min(t, dtls.pollTimeout());
    }
    if (sctp != null) {
      t = Math.min(t, sctp.pollTimeout());
    }
    return t;
  }

  public void handleTcpConnected(long nowNanos, long connectionId, InetSocketAddress local) {
    if (!closed) {
      ice.handleTcpConnected(nowNanos, connectionId, local);
      drainIce(nowNanos);
    }
  }

  public void handleTcpFailed(long nowNanos, long connectionId, String reason) {
    if (!closed) {
      ice.handleTcpFailed(nowNanos, connectionId, reason);
      drainIce(nowNanos);
    }
  }

  public void handleTcpClosed(long nowNanos, long connectionId) {
    if (!closed) {
      ice.handleTcpClosed(nowNanos, connectionId);
      drainIce(nowNanos);
    }
  }

  public void handleMdnsResolved(long nowNanos, String name, Optional<InetAddress> address) {
    if (!closed) {
      ice.handleMdnsResolved(nowNanos, name, address);
      drainIce(nowNanos);
    }
  }

  /**
   * Closes everything (W3C close): DTLS close_notify and ICE close (TURN deallocation) are queued
   * for {@link #pollTransmit}; no events follow except nothing — W3C close fires no state events.
   */
  public void close(long nowNanos) {
    if (closed) {
      return;
    }
    if (sctp != null && dtls != null && dtls.isConnected()) {
      sctp.abort(nowNanos, "peer connection closed"); // browsers end the association the same way
      pumpSctp(nowNanos);
    }
    if (dtls != null) {
      dtls.close();
      while (true) {
        Optional<Datagram> d = dtls.pollTransmit();
        if (d.isEmpty()) {
          break;
        }
        ice.sendOwned(nowNanos, d.get().payload()); // every DTLS datagram is a fresh array handed to us
      }
    }
    ice.close(nowNanos);
    closed = true;
    jsep.close();
    signalingState = RtcSignalingState.CLOSED;
    iceState = RtcIceConnectionState.CLOSED;
    connectionState = RtcPeerConnectionState.CLOSED;
    dtlsState = RtcDtlsTransportState.CLOSED;
    events.clear();
  }

  public boolean isClosed() {
    return closed;
  }

  // ------------------------------------------------------------------------------------------

  private void requireOpen() {
    if (closed) {
      throw new InvalidStateException("the connection is closed");
    }
  }

  private LocalTransportParams params(IceCredentials creds) {
    return new LocalTransportParams(creds.ufrag(), creds.pwd(), localFingerprint, config.sctpPort(),
        config.maxMessageSize());
  }

  private IceCredentials answerCredentials() {
    return nextCredentials != null ? nextCredentials : localCredentials;
  }

  private static String ufragOf(JsepSession.LocalApplied applied) {
    if (applied.dataIndex() < 0) {
      return null;
    }
    MediaDescription m = applied.parsed().media().get(applied.dataIndex());
    return applied.parsed().iceUfrag(m).orElse(null);
  }

  private void signaling() {
    RtcSignalingState s = jsep.state();
    if (s != signalingState) {
      signalingState = s;
      events.add(new PeerEvent.SignalingStateChanged(s));
    }
  }

  private void addRemoteCandidates(long nowNanos, RemoteDescription remote) {
    for (IceCandidate c : remote.candidates()) {
      addRemote(nowNanos, c);
    }
    if (remote.endOfCandidates()) {
      ice.addRemoteEndOfCandidates(nowNanos);
    }
  }

  private void addRemote(long nowNanos, IceCandidate c) {
    // Component 1 only (rtcp-mux, RFC 8843); ICE-TCP candidates are not used (no TCP host sockets).
    if (c.component() != 1 || c.transport() != IceCandidate.Transport.UDP) {
      return;
    }
    if (deferredRemote != null) {
      deferredCandidates.add(c); // the agent restarts with our answer; these belong to the new generation
      return;
    }
    ice.addRemoteCandidate(nowNanos, c);
  }

  private void endOfRemoteCandidates(long nowNanos) {
    if (deferredRemote != null) {
      deferredEndOfCandidates = true;
      return;
    }
    ice.addRemoteEndOfCandidates(nowNanos);
    drainIce(nowNanos);
  }

  private RtcSessionDescription withCandidates(JsepSession.LocalApplied l) {
    if (l == null) {
      return null;
    }
    String ufrag = ufragOf(l);
    boolean current = ufrag != null && ufrag.equals(localCredentials.ufrag());
    String sdp = current ? Jsep.withCandidates(l.sdp(), l.dataIndex(), localCandidates, localGatheringComplete) : l.sdp();
    return new RtcSessionDescription(l.type(), sdp);
  }

  private RtcSessionDescription toApi(RemoteDescription r) {
    return r == null ? null : new RtcSessionDescription(r.type(), r.sdp());
  }

  /** Creates the DTLS engine once both descriptions fixed the roles (started when ICE connects). */
  private void prepareDtls(long nowNanos, DtlsRole role, RemoteDescription remote) {
    if (remote == null || !remote.hasData() || dtls != null) {
      // A renegotiation keeps the first DTLS association: rtc4j does not re-handshake.
      return;
    }
    dtlsRole = role;
    DtlsConfig dc = DtlsConfig.builder(role, config.certificate())
        .remoteFingerprint(remote.fingerprints().toArray(new Fingerprint[0]))
        .addresses(DTLS_LOCAL_LABEL, DTLS_REMOTE_LABEL)
        .random(random)
        .wakeup(config.dtlsWakeup())
        .build();
    dtls = DtlsEngine.create(dc);
    setupSctp(nowNanos, role, remote);
    maybeStartDtls(nowNanos);
  }

  private void maybeStartDtls(long nowNanos) {
    if (dtls == null || dtlsStarted || closed) {
      return;
    }
    if (iceState != RtcIceConnectionState.CONNECTED && iceState != RtcIceConnectionState.COMPLETED) {
      return;
    }
    Optional<CandidatePair> selected = ice.selectedPair();
    if (selected.isEmpty()) {
      return;
    }
    dtlsStarted = true;
    dtls.start(nowNanos);
    setDtlsState(RtcDtlsTransportState.CONNECTING);
    while (!earlyDtls.isEmpty()) {
      Early e = earlyDtls.poll();
      if (samePath(e.via(), selected.get())) {
        deliverDtls(nowNanos, e.payload());
      } else {
        droppedNotSelected++;
      }
    }
    drainDtls(nowNanos);
  }

  private static boolean samePath(CandidatePair a, CandidatePair b) {
    return a != null && b != null && Objects.equals(a.localBase(), b.localBase())
        && Objects.equals(a.remoteAddress(), b.remoteAddress());
  }

  private void deliverDtls(long nowNanos, ByteBuffer payload) {
    dtlsPacketsReceived++;
    dtlsNow = nowNanos;
    dtls.handleReceive(nowNanos, Datagram.udp(DTLS_REMOTE_LABEL, DTLS_LOCAL_LABEL, payload));
    // SCTP is pumped when output or events are polled, not per datagram: a driver that reads
    // every datagram waiting on its socket before polling gets one pass over SCTP for a batch of
    // SACKs (one burst of DATA). DATA is the exception: an SCTP sender grows cwnd in slow start by
    // at most one MTU per SACK (RFC 9260 §7.2.1, not per packet as TCP's ABC), so one SACK per
    // batch would slow the peer's slow start; pump every SACK_EVERY DATA packets instead.
    if (sctpDataFed >= SACK_EVERY) {
      sctpFed = false;
      pumpSctp(nowNanos);
    }
  }

  private void pumpFed() {
    if (sctpFed) {
      sctpFed = false;
      pumpSctp(dtlsNow);
    }
  }

  /**
   * A decrypted record handed over by the DTLS engine during handleReceive (a view of its
   * plaintext buffer, valid only during the call; see DtlsEngine#applicationDataHandler). SCTP
   * copies the user data of DATA chunks and keeps nothing of a SACK, so those packets go in as
   * the view; a packet with any other chunk (whose parts SCTP may keep, e.g. a HEARTBEAT's info
   * echoed later) goes in as a copy.
   */
  private void onDtlsRecord(ByteBuffer view) {
    if (sctp == null) {
      droppedNotDtls++;
      return;
    }
    int chunks = chunkKinds(view);
    sctp.handleReceive(dtlsNow, (chunks & OTHER_CHUNK) == 0 ? view : copyOf(view));
    sctpFed = true;
    if ((chunks & DATA_CHUNK) != 0) {
      sctpDataFed++;
    }
  }

  private static final int DATA_CHUNK = 1;
  private static final int OTHER_CHUNK = 2;

  /** DATA_CHUNK if the packet carries DATA, OTHER_CHUNK if anything but DATA and SACK (or junk). */
  private static int chunkKinds(ByteBuffer b) {
    int p = b.position() + 12;
    int end = b.limit();
    if (p >= end) {
      return OTHER_CHUNK;
    }
    int kinds = 0;
    while (end - p >= 4) {
      int type = b.get(p) & 0xFF;
      int len = b.getShort(p + 2) & 0xFFFF;
      if (len < 4) {
        return kinds | OTHER_CHUNK;
      }
      if (type == 0 || type == 64) { // DATA, I-DATA (RFC 8260)
        kinds |= DATA_CHUNK;
      }
      if (type != 0 && type != 3) {
        kinds |= OTHER_CHUNK;
      }
      p += (len + 3) & ~3;
    }
    return kinds;
  }

  private static ByteBuffer copyOf(ByteBuffer b) {
    ByteBuffer c = ByteBuffer.allocate(b.remaining());
    c.put(b.duplicate()).flip();
    return c;
  }

  private void onApplicationData(long nowNanos, ByteBuffer payload, CandidatePair via) {
    if (!payload.hasRemaining()) {
      droppedNotDtls++;
      return;
    }
    int first = payload.get(payload.position()) & 0xFF;
    if (first < 20 || first > 63) {
      droppedNotDtls++; // SRTP/SRTCP (128..191) or junk: no media in a data-only session
      return;
    }
    if (dtls == null || !dtlsStarted) {
      if (earlyDtls.size() < MAX_EARLY_DTLS) {
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload.duplicate()).flip();
        earlyDtls.add(new Early(copy, via));
      } else {
        droppedNotDtls++;
      }
      return;
    }
    Optional<CandidatePair> selected = ice.selectedPair();
    if (selected.isEmpty() || !samePath(via, selected.get())) {
      droppedNotSelected++; // SC-6: only the selected, consented pair speaks DTLS to us
      return;
    }
    deliverDtls(nowNanos, payload);
  }

  private void drainIce(long nowNanos) {
    while (true) {
      Optional<IceEvent> o = ice.pollEvent();
      if (o.isEmpty()) {
        break;
      }
      IceEvent e = o.get();
      if (e instanceof IceEvent.LocalCandidate lc) {
        localCandidates.add(lc.candidate());
        JsepSession.LocalApplied l = jsep.localDescription();
        String mid = l != null ? l.dataMid() : null;
        Integer index = l != null && l.dataIndex() >= 0 ? l.dataIndex() : null;
        events.add(new PeerEvent.LocalCandidate(new RtcIceCandidate(lc.candidate().toCandidateLine(), mid, index,
            localCredentials.ufrag())));
      } else if (e instanceof IceEvent.GatheringStateChanged g) {
        onGathering(g.state());
      } else if (e instanceof IceEvent.ConnectionStateChanged c) {
        RtcIceConnectionState s = map(c.state());
        if (s != iceState) {
          iceState = s;
          events.add(new PeerEvent.IceConnectionStateChanged(s));
          updateConnectionState();
        }
        maybeStartDtls(nowNanos);
      } else if (e instanceof IceEvent.SelectedPairChanged sp) {
        if (lastSelected != null && !samePath(lastSelected, sp.pair()) && sctp != null) {
          sctp.association().pathChanged(nowNanos); // the packet size confirmed on the old path no longer holds
        }
        lastSelected = sp.pair();
        maybeStartDtls(nowNanos);
      } else if (e instanceof IceEvent.ApplicationData ad) {
        onApplicationData(nowNanos, ad.payload(), ad.via());
      } else if (e instanceof IceEvent.TcpConnectRequested || e instanceof IceEvent.TcpCloseRequested
          || e instanceof IceEvent.MdnsQueryRequested) {
        events.add(new PeerEvent.RuntimeRequest(e));
      }
      // RoleChanged: nothing to do above ICE.
    }
    drainDtls(nowNanos);
  }

  private void onGathering(IceGatheringState state) {
    RtcIceGatheringState s = switch (state) {
      case NEW -> RtcIceGatheringState.NEW;
      case GATHERING -> RtcIceGatheringState.GATHERING;
      case COMPLETE -> RtcIceGatheringState.COMPLETE;
    };
    localGatheringComplete = s == RtcIceGatheringState.COMPLETE;
    if (s != gatheringState) {
      gatheringState = s;
      events.add(new PeerEvent.IceGatheringStateChanged(s));
      if (s == RtcIceGatheringState.COMPLETE) {
        events.add(new PeerEvent.LocalCandidate(null));
      }
    }
  }

  private void drainDtls(long nowNanos) {
    if (dtls == null) {
      return;
    }
    while (true) {
      Optional<Datagram> d = dtls.pollTransmit();
      if (d.isEmpty()) {
        break;
      }
      dtlsPacketsSent++;
      ice.sendOwned(nowNanos, d.get().payload()); // every DTLS datagram is a fresh array handed to us
    }
    while (true) {
      Optional<DtlsEvent> o = dtls.pollEvent();
      if (o.isEmpty()) {
        break;
      }
      DtlsEvent e = o.get();
      if (e instanceof DtlsEvent.HandshakeComplete h) {
        handshake = h;
        // From now on records go straight to SCTP without a copy each; records queued as events
        // before this point (behind HandshakeComplete) still come as events, in order.
        dtls.applicationDataHandler(this::onDtlsRecord);
        setDtlsState(RtcDtlsTransportState.CONNECTED);
        if (sctp != null) {
          // Now the record overhead is known: PLPMTUD searches from SCTP_MTU up to what fits.
          sctp.association().setMaxPacketSize(Math.min(dtls.maxApplicationDataSize(MAX_DATAGRAM), 65535));
          sctp.connect(nowNanos); // both sides start the association (RFC 9260 §5.2 handles the collision)
          pumpSctp(nowNanos);
        }
      } else if (e instanceof DtlsEvent.ApplicationData a) {
        onDtlsApplicationData(nowNanos, a.data());
      } else if (e instanceof DtlsEvent.Closed) {
        setDtlsState(RtcDtlsTransportState.CLOSED);
        sctpConnected = false;
        closeAllChannels();
      } else if (e instanceof DtlsEvent.Failed f) {
        dtlsFailure = f.reason();
        setDtlsState(RtcDtlsTransportState.FAILED);
        sctpConnected = false;
        closeAllChannels();
      }
    }
  }

  /** SCTP packets arrive here once the data-channel layer is wired. */
  private void onDtlsApplicationData(long nowNanos, byte[] data) {
    if (sctp == null) {
      droppedNotDtls++;
      return;
    }
    sctp.handleReceive(nowNanos, ByteBuffer.wrap(data));
    pumpSctp(nowNanos);
  }

  private void setDtlsState(RtcDtlsTransportState s) {
    if (dtlsState != s) {
      dtlsState = s;
      updateConnectionState();
    }
  }

  /** W3C §4.3.3 RTCPeerConnectionState from the one ICE transport and the one DTLS transport. */
  private void updateConnectionState() {
    RtcPeerConnectionState s = aggregate(iceState, dtlsState, closed);
    if (s != connectionState) {
      connectionState = s;
      events.add(new PeerEvent.ConnectionStateChanged(s));
    }
  }

  /** The W3C aggregation rule (exposed for tests). */
  static RtcPeerConnectionState aggregate(RtcIceConnectionState ice, RtcDtlsTransportState dtls, boolean closed) {
    if (closed) {
      return RtcPeerConnectionState.CLOSED;
    }
    if (ice == RtcIceConnectionState.FAILED || dtls == RtcDtlsTransportState.FAILED) {
      return RtcPeerConnectionState.FAILED;
    }
    if (ice == RtcIceConnectionState.DISCONNECTED) {
      return RtcPeerConnectionState.DISCONNECTED;
    }
    boolean iceNew = ice == RtcIceConnectionState.NEW || ice == RtcIceConnectionState.CLOSED;
    boolean dtlsNew = dtls == RtcDtlsTransportState.NEW || dtls == RtcDtlsTransportState.CLOSED;
    if (iceNew && dtlsNew) {
      return RtcPeerConnectionState.NEW;
    }
    if (ice == RtcIceConnectionState.NEW || ice == RtcIceConnectionState.CHECKING
        || dtls == RtcDtlsTransportState.NEW || dtls == RtcDtlsTransportState.CONNECTING) {
      return RtcPeerConnectionState.CONNECTING;
    }
    if (dtls == RtcDtlsTransportState.CLOSED) {
      return RtcPeerConnectionState.NEW;
    }
    return RtcPeerConnectionState.CONNECTED;
  }

  private static RtcIceConnectionState map(IceConnectionState s) {
    return switch (s) {
      case NEW -> RtcIceConnectionState.NEW;
      case CHECKING -> RtcIceConnectionState.CHECKING;
      case CONNECTED -> RtcIceConnectionState.CONNECTED;
      case COMPLETED -> RtcIceConnectionState.COMPLETED;
      case DISCONNECTED -> RtcIceConnectionState.DISCONNECTED;
      case FAILED -> RtcIceConnectionState.FAILED;
      case CLOSED -> RtcIceConnectionState.CLOSED;
    };
  }

  private static InetSocketAddress label(int n) {
    try {
      // TEST-NET-1 (RFC 5737): never a real peer, only a tag the DTLS engine pins to.
      return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) n}), n);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
