package org.rtc4j.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.rtc4j.testkit.ThreadLeakCheck;

class StaticHttpServerTest {

  private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void servesPagesClasspathAndHandlersOnLoopback() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (StaticHttpServer web = StaticHttpServer.start()
        .page("/a.html", "<p>é</p>")
        .content("/data.bin", "application/octet-stream", new byte[] {1, 2, 3})
        .classpath("/static", "browser")
        .handler("/echo", ex -> {
          byte[] b = ex.getRequestURI().getQuery().getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        })) {
      assertThat(web.uri("/x").toString()).startsWith("http://127.0.0.1:" + web.port() + "/x");
      assertThat(web.origin()).isEqualTo("http://127.0.0.1:" + web.port());
      HttpResponse<String> a = get(client, web.uri("/a.html"));
      assertThat(a.statusCode()).isEqualTo(200);
      assertThat(a.body()).isEqualTo("<p>é</p>");
      assertThat(a.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      HttpResponse<String> js = get(client, web.uri("/static/app.js"));
      assertThat(js.statusCode()).isEqualTo(200);
      assertThat(js.body()).contains("appLoaded");
      assertThat(js.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
      assertThat(get(client, web.uri("/static/")).body()).contains("rtc4j testkit page");
      assertThat(get(client, web.uri("/static/../secret")).statusCode()).isEqualTo(404);
      assertThat(get(client, web.uri("/missing")).statusCode()).isEqualTo(404);
      assertThat(get(client, web.uri("/echo?q=1")).body()).isEqualTo("q=1");
      assertThat(web.requests()).contains("GET /a.html 200", "GET /missing 404", "GET /echo 200");
    }
  }

  @Test
  void closeStopsItsThread() {
    ThreadLeakCheck leaks = ThreadLeakCheck.snapshot();
    StaticHttpServer web = StaticHttpServer.start();
    assertThat(leaks.newThreads()).isNotEmpty();
    web.close();
    leaks.assertNoNewThreads(Duration.ofSeconds(5));
  }

  @Test
  void contentTypes() {
    assertThat(StaticHttpServer.contentType("x.MJS")).startsWith("text/javascript");
    assertThat(StaticHttpServer.contentType("x.wasm")).isEqualTo("application/wasm");
    assertThat(StaticHttpServer.contentType("noext")).isEqualTo("application/octet-stream");
  }
}
