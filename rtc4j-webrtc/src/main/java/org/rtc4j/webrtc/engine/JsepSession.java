package org.rtc4j.webrtc.engine;

import java.util.Objects;
import java.util.random.RandomGenerator;
import org.rtc4j.dtls.DtlsRole;
import org.rtc4j.sdp.SdpParseException;
import org.rtc4j.sdp.SessionDescription;
import org.rtc4j.sdp.Setup;
import org.rtc4j.webrtc.InvalidModificationException;
import org.rtc4j.webrtc.InvalidStateException;
import org.rtc4j.webrtc.RtcSdpType;
import org.rtc4j.webrtc.RtcSessionDescription;
import org.rtc4j.webrtc.RtcSignalingState;

/**
 * The JSEP signaling state machine (RFC 9429 §3.2, W3C webrtc §4.3.1) with pending and current
 * descriptions, rollback and the implicit rollback of a glare offer ("perfect negotiation").
 *
 * <pre>
 *                 setLocal(offer)                        setRemote(offer)
 *   stable ─────────────────────────▶ have-local-offer   stable ───────────────▶ have-remote-offer
 *     ▲   ◀── setRemote(answer) ───┘  │ setRemote(pranswer)  ▲ ◀── setLocal(answer) ──┘  │ setLocal(pranswer)
 *     │                               ▼                      │                            ▼
 *     └──── setRemote(answer) ── have-remote-pranswer        └── setLocal(answer) ── have-local-pranswer
 *   rollback: have-local-offer / have-remote-offer → stable
 * </pre>
 *
 * Not thread-safe: the engine's owner thread uses it. Misuse throws the W3C exceptions.
 */
public final class JsepSession {

  /** What {@link #setLocal} applied. */
  public record LocalApplied(RtcSdpType type, String sdp, SessionDescription parsed, int dataIndex, String dataMid,
      Setup setup) {}

  private final long sessionId;
  private long version = 1;
  private RtcSignalingState state = RtcSignalingState.STABLE;
  private LocalApplied currentLocal;
  private LocalApplied pendingLocal;
  private RemoteDescription currentRemote;
  private RemoteDescription pendingRemote;
  private String lastCreatedOffer;
  private String lastCreatedAnswer;

  public JsepSession(RandomGenerator random) {
    // RFC 8866 §5.2: a numeric session id; browsers use 63 random bits.
    this.sessionId = random.nextLong() & Long.MAX_VALUE;
  }

  public RtcSignalingState state() {
    return state;
  }

  /** A new offer (W3C createOffer); remembered as the last created offer. */
  public String createOffer(LocalTransportParams p) {
    requireOpen();
    SessionDescription previous = currentLocal != null ? currentLocal.parsed() : null;
    String mid = "0";
    if (currentLocal != null && currentLocal.dataMid() != null) {
      mid = currentLocal.dataMid();
    }
    lastCreatedOffer = Jsep.offer(sessionId, version++, p, mid, previous);
    return lastCreatedOffer;
  }

  /** A new answer to the pending remote offer (W3C createAnswer). */
  public String createAnswer(LocalTransportParams p, DtlsRole established) {
    requireOpen();
    if (state != RtcSignalingState.HAVE_REMOTE_OFFER && state != RtcSignalingState.HAVE_LOCAL_PRANSWER) {
      throw new InvalidStateException("createAnswer needs a remote offer; signaling state is " + state.value());
    }
    RemoteDescription offer = pendingRemote;
    lastCreatedAnswer = Jsep.answer(sessionId, version++, p, offer, Jsep.answerSetup(offer.setup(), established));
    return lastCreatedAnswer;
  }

  /** The type an implicit {@code setLocalDescription()} uses (W3C §4.4.1.5). */
  public RtcSdpType implicitType() {
    return switch (state) {
      case STABLE, HAVE_LOCAL_OFFER, HAVE_REMOTE_PRANSWER -> RtcSdpType.OFFER;
      default -> RtcSdpType.ANSWER;
    };
  }

  /**
   * Applies a local description. An empty {@code sdp} means "the one last created" (or a new one
   * when none was), as the no-argument W3C call does.
   *
   * @return what was applied; for a rollback the rolled-back description's data is irrelevant
   */
  public LocalApplied setLocal(RtcSdpType type, String sdp, LocalTransportParams p, DtlsRole established) {
    requireOpen();
    Objects.requireNonNull(type, "type");
    if (type == RtcSdpType.ROLLBACK) {
      rollback();
      return new LocalApplied(type, "", null, -1, null, null);
    }
    boolean empty = sdp == null || sdp.isBlank();
    String text;
    switch (type) {
      case OFFER -> {
        if (state != RtcSignalingState.STABLE && state != RtcSignalingState.HAVE_LOCAL_OFFER) {
          throw new InvalidStateException("cannot set a local offer in signaling state " + state.value());
        }
        if (empty) {
          text = lastCreatedOffer != null ? lastCreatedOffer : createOffer(p);
        } else {
          requireSame(sdp, lastCreatedOffer, "offer");
          text = lastCreatedOffer;
        }
      }
      case ANSWER, PRANSWER -> {
        if (state != RtcSignalingState.HAVE_REMOTE_OFFER && state != RtcSignalingState.HAVE_LOCAL_PRANSWER) {
          throw new InvalidStateException("cannot set a local " + type.value() + " in signaling state " + state.value());
        }
        if (empty) {
          text = lastCreatedAnswer != null ? lastCreatedAnswer : createAnswer(p, established);
        } else {
          requireSame(sdp, lastCreatedAnswer, "answer");
          text = lastCreatedAnswer;
        }
      }
      default -> throw new IllegalStateException("unreachable: " + type);
    }
    SessionDescription parsed;
    try {
      parsed = SessionDescription.parse(text);
    } catch (SdpParseException e) {
      throw new IllegalStateException("our own description does not parse: " + e.getMessage(), e);
    }
    int dataIndex = Jsep.dataIndex(parsed);
    String mid = dataIndex >= 0 ? parsed.media().get(dataIndex).mid().orElse(null) : null;
    Setup setup = dataIndex >= 0 ? parsed.setup(parsed.media().get(dataIndex)).orElse(null) : null;
    LocalApplied applied = new LocalApplied(type, text, parsed, dataIndex, mid, setup);
    switch (type) {
      case OFFER -> {
        pendingLocal = applied;
        state = RtcSignalingState.HAVE_LOCAL_OFFER;
      }
      case PRANSWER -> {
        pendingLocal = applied;
        state = RtcSignalingState.HAVE_LOCAL_PRANSWER;
      }
      default -> {
        currentLocal = applied;
        currentRemote = pendingRemote;
        pendingLocal = null;
        pendingRemote = null;
        lastCreatedAnswer = null;
        state = RtcSignalingState.STABLE;
      }
    }
    return applied;
  }

  /**
   * Applies a remote description (parsed and validated by {@link Jsep#parseRemote}). A remote offer
   * in have-local-offer first rolls our offer back (W3C implicit rollback).
   *
   * @return the parsed description, or null for a rollback
   */
  public RemoteDescription setRemote(RtcSdpType type, String sdp) {
    requireOpen();
    Objects.requireNonNull(type, "type");
    if (type == RtcSdpType.ROLLBACK) {
      rollback();
      return null;
    }
    switch (type) {
      case OFFER -> {
        if (state != RtcSignalingState.STABLE && state != RtcSignalingState.HAVE_REMOTE_OFFER
            && state != RtcSignalingState.HAVE_LOCAL_OFFER) {
          throw new InvalidStateException("cannot set a remote offer in signaling state " + state.value());
        }
      }
      case ANSWER, PRANSWER -> {
        if (state != RtcSignalingState.HAVE_LOCAL_OFFER && state != RtcSignalingState.HAVE_REMOTE_PRANSWER) {
          throw new InvalidStateException("cannot set a remote " + type.value() + " in signaling state " + state.value());
        }
      }
      default -> throw new IllegalStateException("unreachable: " + type);
    }
    RemoteDescription remote = Jsep.parseRemote(type, sdp); // throws before any state changes
    switch (type) {
      case OFFER -> {
        if (state == RtcSignalingState.HAVE_LOCAL_OFFER) {
          rollback();
        }
        pendingRemote = remote;
        state = RtcSignalingState.HAVE_REMOTE_OFFER;
      }
      case PRANSWER -> {
        pendingRemote = remote;
        state = RtcSignalingState.HAVE_REMOTE_PRANSWER;
      }
      default -> {
        currentRemote = remote;
        currentLocal = pendingLocal;
        pendingLocal = null;
        pendingRemote = null;
        state = RtcSignalingState.STABLE;
      }
    }
    return remote;
  }

  /** Pending local description if any, else the current one; null before any. */
  public LocalApplied localDescription() {
    return pendingLocal != null ? pendingLocal : currentLocal;
  }

  public LocalApplied currentLocalDescription() {
    return currentLocal;
  }

  public LocalApplied pendingLocalDescription() {
    return pendingLocal;
  }

  /** Pending remote description if any, else the current one; null before any. */
  public RemoteDescription remoteDescription() {
    return pendingRemote != null ? pendingRemote : currentRemote;
  }

  public RemoteDescription currentRemoteDescription() {
    return currentRemote;
  }

  public RemoteDescription pendingRemoteDescription() {
    return pendingRemote;
  }

  /** Enters the closed state; every later call throws InvalidStateException. */
  public void close() {
    state = RtcSignalingState.CLOSED;
  }

  private void rollback() {
    switch (state) {
      case HAVE_LOCAL_OFFER -> pendingLocal = null;
      case HAVE_REMOTE_OFFER -> pendingRemote = null;
      default -> throw new InvalidStateException("nothing to roll back in signaling state " + state.value());
    }
    state = RtcSignalingState.STABLE;
  }

  private void requireOpen() {
    if (state == RtcSignalingState.CLOSED) {
      throw new InvalidStateException("the connection is closed");
    }
  }

  private static void requireSame(String given, String created, String what) {
    if (created == null || !normalize(given).equals(normalize(created))) {
      throw new InvalidModificationException("the " + what + " passed to setLocalDescription is not the one create"
          + (what.equals("offer") ? "Offer" : "Answer") + " produced (SDP munging is not supported)");
    }
  }

  private static String normalize(String sdp) {
    return sdp.replace("\r\n", "\n").strip();
  }

  /** For tests and logs: a description as the W3C API shows it. */
  public static RtcSessionDescription toApi(LocalApplied l) {
    return l == null ? null : new RtcSessionDescription(l.type(), l.sdp());
  }
}
