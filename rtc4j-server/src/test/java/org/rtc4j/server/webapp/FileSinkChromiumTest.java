package org.rtc4j.server.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rtc4j.testkit.browser.Browser;
import org.rtc4j.testkit.browser.BrowserExtension;
import org.rtc4j.testkit.browser.BrowserOptions;
import org.rtc4j.testkit.browser.StaticHttpServer;

/**
 * The web app's {@code file-sink.js} (where a received file goes while it arrives) on its own, in headless
 * Chromium, on a page served from 127.0.0.1 (a secure context, so OPFS and Web Locks exist): what the page-level
 * tests cannot reach (two sinks at once, a second tab, no OPFS, a failing disk).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileSinkChromiumTest {

  private static final Duration STEP = Duration.ofSeconds(30);

  @RegisterExtension
  final BrowserExtension browsers = new BrowserExtension(BrowserOptions.builder().build());

  StaticHttpServer web;

  @BeforeEach
  void serve() {
    web = StaticHttpServer.start()
        .classpath("/web/", "web/")
        .page("/", "<!doctype html><meta charset=utf-8><title>sink</title><script src=/web/file-sink.js></script>");
  }

  @AfterEach
  void stop() {
    web.close();
  }

  /** Two files at once (same sender-side id in the app: 1, from two senders) each get their own bytes back. */
  @Test
  void twoSinksAtOnceKeepTheirOwnBytesOnDisk() {
    Browser b = browsers.launch();
    b.open(web.origin() + "/");
    Map<?, ?> r = b.awaitJs(Map.class, STEP, """
        const a = FileSink.open('application/octet-stream');
        const c = FileSink.open('application/octet-stream');
        for (let i = 0; i < 64; i++) {
          a.write(new Uint8Array(32768).fill(1));
          c.write(new Uint8Array(1000).fill(2));
        }
        const fa = new Uint8Array(await (await a.finish()).arrayBuffer());
        const fc = new Uint8Array(await (await c.finish()).arrayBuffer());
        return {storageA: a.storage, storageC: c.storage, sameName: a.name === c.name,
            sizeA: fa.length, sizeC: fc.length, allA: fa.every(x => x === 1), allC: fc.every(x => x === 2)};""");
    assertThat(r.get("storageA")).isEqualTo("disk");
    assertThat(r.get("storageC")).isEqualTo("disk");
    assertThat(r.get("sameName")).isEqualTo(false);
    assertThat(((Number) r.get("sizeA")).intValue()).isEqualTo(64 * 32768);
    assertThat(((Number) r.get("sizeC")).intValue()).isEqualTo(64 * 1000);
    assertThat(r.get("allA")).isEqualTo(true);
    assertThat(r.get("allC")).isEqualTo(true);
  }

  /**
   * A second tab's start-up sweep removes the folders of pages that are gone, and not the folder of a page that is
   * still open: the first tab's finished file stays readable.
   */
  @Test
  void aSecondTabsSweepSparesALivePagesFilesAndRemovesADeadPagesFolder() {
    Browser b = browsers.launch();
    b.open(web.origin() + "/");
    // a folder left by a page that is gone: no lock holds it
    b.awaitJs(STEP, """
        const root = await navigator.storage.getDirectory();
        const dead = await root.getDirectoryHandle('rtc4j-incoming-dead', {create: true});
        await (await (await dead.getFileHandle('x', {create: true})).createWritable()).close();
        const s = FileSink.open('text/plain');
        s.write(new TextEncoder().encode('kept'));
        window.kept = await s.finish();""");
    String first = b.driver().getWindowHandle();
    b.driver().switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
    b.open(web.origin() + "/");
    List<?> left = b.awaitJs(List.class, STEP, """
        await FileSink.sweep();
        const names = [];
        for await (const n of (await navigator.storage.getDirectory()).keys()) names.push(n);
        return names;""");
    assertThat(left).as("folders after the second tab's sweep").noneMatch("rtc4j-incoming-dead"::equals)
        .anyMatch(n -> ((String) n).startsWith("rtc4j-incoming-"));
    b.driver().switchTo().window(first);
    assertThat(b.awaitJs(String.class, STEP, "return await window.kept.text();")).isEqualTo("kept");
  }

  /** Without OPFS the chunks are kept in memory and the file still comes back whole. */
  @Test
  void withoutOpfsTheFileIsKeptInMemory() {
    Browser b = browsers.launch();
    b.open(web.origin() + "/");
    Map<?, ?> r = b.awaitJs(Map.class, STEP, """
        Object.defineProperty(StorageManager.prototype, 'getDirectory', {value: undefined});
        const s = FileSink.open('text/plain');
        s.write(new TextEncoder().encode('in '));
        s.write(new TextEncoder().encode('memory'));
        const text = await (await s.finish()).text();
        return {storage: s.storage, text};""");
    assertThat(r.get("storage")).isEqualTo("memory");
    assertThat(r.get("text")).isEqualTo("in memory");
  }

  /** A failing write (a full quota) is reported at once, later writes are dropped, and finish() throws it. */
  @Test
  void aWriteErrorIsReportedAtOnceAndFinishFails() {
    Browser b = browsers.launch();
    b.open(web.origin() + "/");
    Map<?, ?> r = b.awaitJs(Map.class, STEP, """
        const proto = Object.getPrototypeOf(await (await (await navigator.storage.getDirectory())
            .getFileHandle('probe', {create: true})).createWritable());
        let writes = 0;
        proto.write = function () { writes++; return Promise.reject(new DOMException('quota', 'QuotaExceededError')); };
        const errors = [];
        const s = FileSink.open('text/plain', e => errors.push(e.name));
        s.write(new Uint8Array(10));
        for (const end = Date.now() + 10000; !errors.length && Date.now() < end;) await new Promise(r => setTimeout(r, 10));
        const reportedBeforeFinish = errors.slice();
        s.write(new Uint8Array(10));
        let thrown = null;
        try { await s.finish(); } catch (e) { thrown = e.name; }
        return {reportedBeforeFinish, errors, thrown, writes, storage: s.storage};""");
    assertThat(r.get("storage")).isEqualTo("disk");
    assertThat(r.get("reportedBeforeFinish")).isEqualTo(List.of("QuotaExceededError"));
    assertThat(r.get("errors")).isEqualTo(List.of("QuotaExceededError"));
    assertThat(r.get("thrown")).isEqualTo("QuotaExceededError");
    assertThat(((Number) r.get("writes")).intValue()).as("writes tried after the first error").isEqualTo(1);
  }
}
