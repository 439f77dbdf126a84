package org.rtc4j.server.webrtc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.StaticHttpServer;

/**
 * An RTCPeerConnection named {@code name} in a page ({@code webrtc/peer.html}) of a Chromium driven
 * over WebDriver. Several may live in one page (Chromium↔Chromium in one process).
 */
final class BrowserEndpoint implements Endpoint {

  static final Duration STEP = Duration.ofSeconds(20);

  private final Browser browser;
  private final String name;

  private BrowserEndpoint(Browser browser, String name) {
    this.browser = browser;
    this.name = name;
  }

  /** Serves the test page from {@code web} and opens it (media permission taken once). */
  static void openPage(Browser browser, StaticHttpServer web) {
    browser.open(web.uri("/webrtc/peer.html"));
    browser.awaitJs(Duration.ofSeconds(15), "return await window.pageReady;");
  }

  /** Opens peer.html and runs {@code script} (a file under /webrtc/ on the test classpath) in it. */
  static void openPage(Browser browser, StaticHttpServer web, String script) throws java.io.IOException {
    openPage(browser, web);
    try (java.io.InputStream in = BrowserEndpoint.class.getResourceAsStream("/webrtc/" + script)) {
      if (in == null) {
        throw new java.io.FileNotFoundException("/webrtc/" + script + " on the test classpath");
      }
      browser.js(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** A StaticHttpServer serving the test pages. */
  static StaticHttpServer pages() {
    return StaticHttpServer.start().classpath("/webrtc/", "webrtc/");
  }

  /**
   * A new RTCPeerConnection in the open page with {@code config} (an RTCConfiguration as a map,
   * e.g. iceServers and iceTransportPolicy) and a data channel, so offers carry m=application.
   */
  static BrowserEndpoint create(Browser browser, String name, Map<String, Object> config) {
    browser.js("return window.rtc.create(arguments[0], arguments[1], {dataChannel: true});", name,
        config == null ? Map.of() : config);
    return new BrowserEndpoint(browser, name);
  }

  /** An RTCConfiguration map: iceServers [{urls, username, credential}] and iceTransportPolicy. */
  static Map<String, Object> config(String turnUrl, String username, String credential, String policy) {
    Map<String, Object> c = new LinkedHashMap<>();
    if (turnUrl != null) {
      Map<String, Object> server = new LinkedHashMap<>();
      server.put("urls", List.of(turnUrl));
      if (username != null) {
        server.put("username", username);
        server.put("credential", credential);
      }
      c.put("iceServers", List.of(server));
    }
    if (policy != null) {
      c.put("iceTransportPolicy", policy);
    }
    return c;
  }

  Browser browser() {
    return browser;
  }

  @Override
  public String name() {
    return "chromium:" + name;
  }

  @Override
  public String createOffer(boolean waitGathering) {
    return browser.awaitJs(String.class, STEP, "return await window.rtc.offer(args[0], args[1]);", name, waitGathering);
  }

  @Override
  public String answer(String offerSdp, boolean waitGathering) {
    return browser.awaitJs(String.class, STEP, "return await window.rtc.answer(args[0], args[1], args[2]);", name,
        offerSdp, waitGathering);
  }

  @Override
  public void acceptAnswer(String answerSdp) {
    browser.awaitJs(STEP, "return await window.rtc.setRemote(args[0], 'answer', args[1]);", name, answerSdp);
  }

  @Override
  public List<Candidate> takeCandidates() {
    Object r = browser.js("return window.rtc.takeCandidates(arguments[0]);", name);
    List<Candidate> out = new ArrayList<>();
    for (Object o : (List<?>) r) {
      if (o == null) {
        out.add(Candidate.endOfCandidates(null, null));
      } else {
        Map<?, ?> m = (Map<?, ?>) o;
        Object idx = m.get("sdpMLineIndex");
        out.add(new Candidate((String) m.get("candidate"), (String) m.get("sdpMid"),
            idx == null ? null : ((Number) idx).intValue()));
      }
    }
    return out;
  }

  @Override
  public List<String> addCandidates(List<Candidate> candidates) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Candidate c : candidates) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("candidate", c.isEnd() ? "" : c.candidate());
      // Chromium needs sdpMid or sdpMLineIndex, also for end-of-candidates
      m.put("sdpMid", c.sdpMid());
      m.put("sdpMLineIndex", c.sdpMid() == null && c.sdpMLineIndex() == null ? Integer.valueOf(0) : c.sdpMLineIndex());
      list.add(m);
    }
    Object r = browser.awaitJs(STEP, "return await window.rtc.addCandidates(args[0], args[1]);", name, list);
    List<String> errors = new ArrayList<>();
    for (Object o : (List<?>) r) {
      errors.add(String.valueOf(o));
    }
    return errors;
  }

  @Override
  public String connectionState() {
    return (String) states().get("connectionState");
  }

  /** connectionState, iceConnectionState, iceGatheringState, signalingState, history, errors. */
  Map<?, ?> states() {
    return (Map<?, ?>) browser.js("return window.rtc.states(arguments[0]);", name);
  }

  /** getStats: {pair: {state, nominated, local: {...}, remote: {...}}, transport: {dtlsState, ...}}. */
  Map<?, ?> selectedPair() {
    return browser.awaitJs(Map.class, STEP, "return await window.rtc.selectedPair(args[0]);", name);
  }

  @Override
  public String describe() {
    try {
      return name() + " " + states();
    } catch (RuntimeException e) {
      return name() + " (states unreadable: " + e + ")";
    }
  }

  @Override
  public String awaitState(Duration timeout, String... states) {
    try {
      return browser.awaitJs(String.class, timeout.plusSeconds(5),
          "return await window.rtc.waitState(args[0], args[1], args[2]);", name, List.of(states), timeout.toMillis());
    } catch (AssertionError e) {
      return connectionState();
    }
  }

  @Override
  public void close() {
    if (!browser.isClosed()) {
      browser.js("return window.rtc.close(arguments[0]);", name);
    }
  }
}
