/*
 * Where a received file's bytes go while it arrives, so a transfer of any size fits: a file in the
 * origin-private file system (OPFS, on disk, in Chromium and Firefox) written chunk by chunk, or,
 * where the browser offers no OPFS (e.g. some private windows), the chunks in memory.
 *
 *   const sink = FileSink.open(id, mime);   // synchronous; storage opens in the background
 *   sink.write(bytes);                      // in order; never blocks the data channel's handler
 *   const file = await sink.finish();       // a Blob/File of everything written
 *   sink.discard();                         // a failed or cancelled transfer frees its storage
 *
 * A write error (quota, disk) is kept and thrown by finish(); sink.storage says 'disk' or 'memory'.
 */
(function () {
  'use strict';

  /** Our OPFS folder: emptied when the page starts, since its files only back this page's save links. */
  const DIR = 'rtc4j-incoming';

  async function folder() {
    if (!navigator.storage || !navigator.storage.getDirectory) throw new Error('no origin-private file system');
    const root = await navigator.storage.getDirectory();
    return root.getDirectoryHandle(DIR, { create: true });
  }

  class FileSink {
    static open(id, mime) {
      return new FileSink(String(id).replace(/[^A-Za-z0-9_-]/g, '_'), mime);
    }

    constructor(name, mime) {
      this.name = name;
      this.mime = mime;
      this.storage = null;
      this.parts = null; // memory fallback
      this.writable = null;
      this.dir = null;
      this.error = null;
      // Every write is chained on this: OPFS writes are asynchronous, chunks arrive in order.
      this.chain = this.openStorage();
    }

    async openStorage() {
      try {
        this.dir = await folder();
        const handle = await this.dir.getFileHandle(this.name, { create: true });
        this.writable = await handle.createWritable();
        this.handle = handle;
        this.storage = 'disk';
      } catch (e) {
        this.writable = null;
        this.parts = [];
        this.storage = 'memory';
      }
    }

    write(bytes) {
      this.chain = this.chain.then(async () => {
        if (this.error) return;
        try {
          if (this.writable) await this.writable.write(bytes);
          else this.parts.push(bytes);
        } catch (e) {
          this.error = e;
        }
      });
    }

    async finish() {
      await this.chain;
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
      this.chain = this.chain.then(async () => {
        this.parts = null;
        if (this.writable) {
          try { await this.writable.abort(); } catch (e) { /* already closed */ }
          this.writable = null;
        }
        if (this.dir) {
          try { await this.dir.removeEntry(this.name); } catch (e) { /* already gone */ }
        }
      });
    }

    /** Removes what earlier visits of the page left in our OPFS folder. */
    static async sweep() {
      try {
        const root = await navigator.storage.getDirectory();
        await root.removeEntry(DIR, { recursive: true });
      } catch (e) {
        // no OPFS, or nothing to remove
      }
    }
  }

  window.FileSink = FileSink;
})();
