/*
 * Where a received file's bytes go while it arrives, so a transfer of any size fits: a file in the
 * origin-private file system (OPFS, on disk, in Chromium and Firefox) written as chunks arrive, or,
 * where the browser offers no OPFS (e.g. some private windows), the chunks in memory.
 *
 *   const sink = FileSink.open(mime, onError);  // synchronous; storage opens in the background
 *   sink.write(bytes);                          // in order; never blocks the data channel's handler
 *   const file = await sink.finish();           // a Blob/File of everything written
 *   sink.discard();                             // a failed or cancelled transfer frees its storage
 *
 * Each page keeps its files in its own OPFS folder, named at random and held with a Web Lock for
 * the page's life: FileSink.sweep() at start removes only folders whose page is gone, so a second
 * tab does not pull the files from under the first one's save links. The first write error (a full
 * quota, a disk error) is reported to onError at once, so the transfer can stop, and thrown by finish().
 * Chunks that arrive while a write is under way are written together by the next one.
 */
(function () {
  'use strict';

  const PREFIX = 'rtc4j-incoming-';

  function randomName() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  let pageFolderName = null;
  let pageFolder = null; // a promise of this page's folder

  /** This page's folder, created and locked on first use. */
  function folder() {
    if (!pageFolder) {
      pageFolder = (async () => {
        if (!navigator.storage || !navigator.storage.getDirectory) throw new Error('no origin-private file system');
        const root = await navigator.storage.getDirectory();
        const name = PREFIX + randomName();
        if (navigator.locks) {
          // held until the page goes away: the lock's callback never settles
          await new Promise((held) => navigator.locks.request(name, () => { held(); return new Promise(() => {}); }));
        }
        const dir = await root.getDirectoryHandle(name, { create: true });
        pageFolderName = name;
        return dir;
      })();
      pageFolder.catch(() => { pageFolder = null; }); // e.g. OPFS refused: try again next time
    }
    return pageFolder;
  }

  class FileSink {
    static open(mime, onError) {
      return new FileSink(mime, onError);
    }

    constructor(mime, onError) {
      this.name = randomName();
      this.mime = mime;
      this.onError = onError || (() => {});
      this.storage = null;
      this.parts = null; // the memory fallback
      this.writable = null;
      this.dir = null;
      this.error = null;
      this.pending = []; // chunks not yet handed to a write
      this.discarded = false;
      this.opened = this.openStorage();
      this.flushing = null; // the write under way, if any
    }

    async openStorage() {
      try {
        this.dir = await folder();
        this.handle = await this.dir.getFileHandle(this.name, { create: true });
        this.writable = await this.handle.createWritable();
        this.storage = 'disk';
      } catch (e) {
        this.writable = null;
        this.parts = [];
        this.storage = 'memory';
      }
    }

    write(bytes) {
      if (this.error || this.discarded) return;
      this.pending.push(bytes);
      if (!this.flushing) this.flushing = this.flush();
    }

    /** Writes what is pending, in one write per turn, until nothing is. */
    async flush() {
      await this.opened;
      while (this.pending.length && !this.error && !this.discarded) {
        const chunks = this.pending;
        this.pending = [];
        try {
          if (this.writable) await this.writable.write(chunks.length === 1 ? chunks[0] : new Blob(chunks));
          else this.parts.push(...chunks);
        } catch (e) {
          this.error = e;
          this.pending = [];
          this.onError(e);
        }
      }
      this.flushing = null;
    }

    async finish() {
      await this.opened;
      while (this.flushing) await this.flushing;
      if (this.error) {
        this.discard();
        throw this.error;
      }
      if (this.writable) {
        await this.writable.close();
        this.writable = null;
        const file = await this.handle.getFile();
        return this.mime ? new Blob([file], { type: this.mime }) : file;
      }
      const blob = new Blob(this.parts, { type: this.mime });
      this.parts = null;
      return blob;
    }

    discard() {
      if (this.discarded) return;
      this.discarded = true;
      this.pending = [];
      (async () => {
        await this.opened;
        while (this.flushing) await this.flushing;
        this.parts = null;
        if (this.writable) {
          try { await this.writable.abort(); } catch (e) { /* already closed */ }
          this.writable = null;
        }
        if (this.dir) {
          try { await this.dir.removeEntry(this.name); } catch (e) { /* already gone */ }
        }
      })();
    }

    /**
     * Removes the folders of pages that are gone (their lock is free). Without Web Locks nothing is
     * removed: no way to tell a live page's folder from a dead one's.
     */
    static async sweep() {
      try {
        if (!navigator.locks || !navigator.storage || !navigator.storage.getDirectory) return;
        const root = await navigator.storage.getDirectory();
        const held = new Set((await navigator.locks.query()).held.map((l) => l.name));
        const stale = [];
        for await (const name of root.keys()) {
          if (name.startsWith(PREFIX) && !held.has(name) && name !== pageFolderName) stale.push(name);
        }
        for (const name of stale) {
          try { await root.removeEntry(name, { recursive: true }); } catch (e) { /* taken meanwhile, or gone */ }
        }
      } catch (e) {
        // no OPFS: nothing to sweep
      }
    }

    /** When the page goes: its folder, best effort (a later page's sweep removes it otherwise). */
    static async release() {
      if (!pageFolderName) return;
      try {
        const root = await navigator.storage.getDirectory();
        await root.removeEntry(pageFolderName, { recursive: true });
      } catch (e) {
        // the sweep of a later page will
      }
    }
  }

  window.FileSink = FileSink;
})();
