package org.rtc4j.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A session description (RFC 8866 §5) as JSEP (RFC 8829) exchanges it.
 *
 * <pre>
 * session-description = version-field origin-field session-name-field
 *                       [information-field] [uri-field] *email-field *phone-field
 *                       [connection-field] *bandwidth-field 1*time-description
 *                       [key-field] *attribute-field *media-description
 * version-field       = %d118 "=" 1*DIGIT CRLF        ; v=0
 * </pre>
 *
 * v=, o= and s= must come first in that order (browsers always write them so; a second v= is
 * refused, cf. rtpengine #1958). Everything between s= and the first m= is kept in
 * {@link #lines()} in order, with unknown lines and attributes verbatim, so
 * {@link #write()} reproduces them. Lines may end in CRLF or LF; the writer emits CRLF.
 *
 * <p>Parsing is syntactic plus the checks that keep later code safe (payload types 0..127,
 * bounded numbers, no NUL, size caps from {@link SdpLimits}). Whether the description may be
 * applied (fingerprints, ICE credentials, sctp-port, ...) is {@link SdpValidator}'s job; bad
 * candidate lines are reported by {@link #rejectedCandidates()} without failing the parse.
 */
public record SessionDescription(Origin origin, String sessionName, List<SdpLine> lines,
    List<MediaDescription> media) {

  public SessionDescription {
    Objects.requireNonNull(origin);
    Objects.requireNonNull(sessionName);
    lines = List.copyOf(lines);
    media = List.copyOf(media);
  }

  /** Parses a description; the only exception is {@link SdpParseException}. */
  public static SessionDescription parse(String sdp) throws SdpParseException {
    return new Parser(sdp).parse();
  }

  /** The description with CRLF line endings (RFC 8866 §5). */
  public String write() {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("v=0\r\n");
    sb.append("o=").append(origin.value()).append("\r\n");
    sb.append("s=").append(sessionName).append("\r\n");
    for (SdpLine l : lines) {
      sb.append(l.toLine()).append("\r\n");
    }
    for (MediaDescription m : media) {
      sb.append("m=").append(m.mediaLineValue()).append("\r\n");
      for (SdpLine l : m.lines()) {
        sb.append(l.toLine()).append("\r\n");
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return write();
  }

  public List<String> attributes(String name) {
    return values(lines, name);
  }

  public Optional<String> attribute(String name) {
    return first(lines, name);
  }

  public boolean hasAttribute(String name) {
    return has(lines, name);
  }

  /** The session-level c= line, if any. */
  public Optional<Connection> connection() {
    for (SdpLine l : lines) {
      if (l instanceof Connection c) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  public List<Group> groups() {
    List<Group> out = new ArrayList<>();
    for (String v : attributes("group")) {
      out.add(MediaDescription.checked(() -> Group.parse(v)));
    }
    return out;
  }

  /** BUNDLE groups (RFC 8843); the first mid of each is its offerer-tagged m-line. */
  public List<Group> bundleGroups() {
    return groups().stream().filter(Group::isBundle).toList();
  }

  public Optional<MediaDescription> mediaByMid(String mid) {
    for (MediaDescription m : media) {
      if (m.mid().filter(mid::equals).isPresent()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** Session-level fingerprints. */
  public List<Fingerprint> fingerprints() {
    return fingerprints(lines);
  }

  /**
   * The section whose transport a section uses: the first usable section of its BUNDLE group
   * (RFC 8843 §7: the tagged m= section), or the section itself when it is not bundled.
   */
  public MediaDescription transportSection(MediaDescription m) {
    Optional<String> mid = m.mid();
    if (mid.isEmpty()) {
      return m;
    }
    for (Group g : bundleGroups()) {
      if (!g.mids().contains(mid.get())) {
        continue;
      }
      for (String tag : g.mids()) {
        Optional<MediaDescription> t = mediaByMid(tag);
        if (t.isPresent() && !t.get().isRejected()) {
          return t.get();
        }
      }
    }
    return m;
  }

  /**
   * The fingerprints that apply to a section: its own, else its BUNDLE tagged section's, else
   * the session's (RFC 8122 §5, RFC 8843 §7).
   */
  public List<Fingerprint> fingerprints(MediaDescription m) {
    if (m.hasAttribute("fingerprint")) {
      return m.fingerprints();
    }
    MediaDescription t = transportSection(m);
    return t != m && t.hasAttribute("fingerprint") ? t.fingerprints() : fingerprints();
  }

  /** ice-ufrag of a section, else of its BUNDLE tagged section, else the session's (RFC 8839 §5.4). */
  public Optional<String> iceUfrag(MediaDescription m) {
    return m.iceUfrag().or(() -> transportSection(m).iceUfrag()).or(() -> attribute("ice-ufrag"));
  }

  public Optional<String> icePwd(MediaDescription m) {
    return m.icePwd().or(() -> transportSection(m).icePwd()).or(() -> attribute("ice-pwd"));
  }

  public Optional<Setup> setup(MediaDescription m) {
    return m.setup().or(() -> transportSection(m).setup())
        .or(() -> attribute("setup").map(v -> MediaDescription.checked(() -> Setup.parse(v))));
  }

  /** {@code a=ice-lite} at session level (RFC 8839 §5.3). */
  public boolean iceLite() {
    return hasAttribute("ice-lite");
  }

  public List<String> iceOptions() {
    return attribute("ice-options").map(Text::words).orElse(List.of());
  }

  /** Every candidate line that could not be used, across all sections (BI-16). */
  public List<RejectedCandidate> rejectedCandidates() {
    List<RejectedCandidate> out = new ArrayList<>();
    for (MediaDescription m : media) {
      out.addAll(m.rejectedCandidates());
    }
    return out;
  }

  public SessionDescription withMedia(List<MediaDescription> newMedia) {
    return new SessionDescription(origin, sessionName, lines, newMedia);
  }

  static List<Fingerprint> fingerprints(List<SdpLine> lines) {
    List<Fingerprint> out = new ArrayList<>();
    for (String v : values(lines, "fingerprint")) {
      if (v != null) {
        try {
          out.add(Fingerprint.parse(v));
        } catch (SdpParseException e) {
          // unusable; SdpValidator reports it
        }
      }
    }
    return out;
  }

  static List<String> values(List<SdpLine> lines, String name) {
    List<String> out = new ArrayList<>();
    for (SdpLine l : lines) {
      if (l instanceof Attribute a && a.name().equals(name)) {
        out.add(a.value());
      }
    }
    return out;
  }

  static Optional<String> first(List<SdpLine> lines, String name) {
    for (SdpLine l : lines) {
      if (l instanceof Attribute a && a.name().equals(name)) {
        return Optional.ofNullable(a.value());
      }
    }
    return Optional.empty();
  }

  static boolean has(List<SdpLine> lines, String name) {
    for (SdpLine l : lines) {
      if (l instanceof Attribute a && a.name().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
