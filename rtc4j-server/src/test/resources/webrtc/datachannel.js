// Data-channel helpers for org.rtc4j.server.webrtc.ChromiumDataChannelTest, injected into peer.html
// (whose window.rtc owns the RTCPeerConnections by name; `peer(name)` and `peers` are its globals).
// Channels are kept by key; every function returns plain JSON-able values.
(() => {
  const chans = {};
  const got = {};

  function wire(key, ch) {
    ch.binaryType = 'arraybuffer';
    chans[key] = ch;
    got[key] = [];
    ch.addEventListener('message', e => got[key].push(e.data));
    return key;
  }
  function chan(key) {
    const c = chans[key];
    if (!c) throw new Error('no channel ' + key);
    return c;
  }
  function props(c) {
    return {label: c.label, readyState: c.readyState, ordered: c.ordered, maxRetransmits: c.maxRetransmits,
            maxPacketLifeTime: c.maxPacketLifeTime, negotiated: c.negotiated, id: c.id, protocol: c.protocol};
  }
  function until(pred, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const tick = () => {
        let v;
        try { v = pred(); } catch (e) { reject(e); return; }
        if (v) { resolve(v); return; }
        if (performance.now() - t0 > timeoutMs) { reject(new Error('timeout: ' + what())); return; }
        setTimeout(tick, 5);
      };
      tick();
    });
  }
  // Waits while more than `high` bytes are buffered (W3C back-pressure).
  async function room(c, high) {
    if (c.bufferedAmount <= high) return;
    c.bufferedAmountLowThreshold = high / 2;
    await new Promise(resolve => {
      const f = () => { c.removeEventListener('bufferedamountlow', f); resolve(); };
      c.addEventListener('bufferedamountlow', f);
    });
  }
  function hex(buf) {
    return Array.from(new Uint8Array(buf), b => b.toString(16).padStart(2, '0')).join('');
  }
  // Message i of the mixed run: even text (with non-ASCII), odd binary; deterministic.
  function mixed(i) {
    if (i % 2 === 0) return 'm' + i + '-é€-' + 'abcdefghij'.repeat(i % 23);
    const b = new Uint8Array(1 + (i * 37) % 3000);
    for (let j = 0; j < b.length; j++) b[j] = (i + j * 7) & 255;
    return b;
  }
  function same(expected, actual) {
    if (typeof expected === 'string') return typeof actual === 'string' && actual === expected;
    if (!(actual instanceof ArrayBuffer) || actual.byteLength !== expected.length) return false;
    const a = new Uint8Array(actual);
    for (let j = 0; j < a.length; j++) if (a[j] !== expected[j]) return false;
    return true;
  }
  function describe(x) {
    return typeof x === 'string' ? 'text(' + x.length + ')' : (x instanceof ArrayBuffer ? 'binary(' + x.byteLength + ')'
        : 'binary(' + x.length + ')');
  }
  // xorshift32 fill (crypto.getRandomValues is limited to 64 KiB a call).
  function fill(bytes, seed) {
    let x = seed | 0 || 1;
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    for (let j = 0; j < w.length; j++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; w[j] = x; }
    for (let j = w.length * 4; j < bytes.length; j++) bytes[j] = j & 255;
  }

  window.dc = {
    open(pcName, key, label, init) { return wire(key, peer(pcName).pc.createDataChannel(label, init || {})); },
    // a channel the remote opened (the 'datachannel' events peer.html collects), by label
    async adopt(pcName, key, label, timeoutMs) {
      const ch = await until(() => peer(pcName).channels.find(c => c.label === label), timeoutMs,
          () => 'no remote channel ' + label + ' among ' + peer(pcName).channels.map(c => c.label));
      return wire(key, ch);
    },
    async waitState(key, state, timeoutMs) {
      const c = chan(key);
      await until(() => c.readyState === state, timeoutMs, () => key + ' is ' + c.readyState + ', not ' + state);
      return props(c);
    },
    props(key) { return props(chan(key)); },
    close(key) { chan(key).close(); return chan(key).readyState; },
    send(key, text) { chan(key).send(text); return true; },
    received(key) { return got[key].map(x => typeof x === 'string' ? x : 'binary:' + hex(x)); },
    // echo everything received on key back (for channels rtc4j opens)
    echoBack(key) { chan(key).addEventListener('message', e => chan(key).send(e.data)); return true; },

    // n mixed messages; every echo checked in order by type and content
    async mixedEcho(key, n, timeoutMs) {
      const c = chan(key);
      got[key] = [];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await room(c, 1 << 20);
        c.send(mixed(i));
      }
      await until(() => got[key].length >= n, timeoutMs, () => got[key].length + ' of ' + n + ' echoes');
      const bad = [];
      for (let i = 0; i < n; i++) {
        if (!same(mixed(i), got[key][i])) bad.push(i + ': sent ' + describe(mixed(i)) + ', got ' + describe(got[key][i]));
      }
      return {echoes: got[key].length, text: got[key].filter(x => typeof x === 'string').length,
              mismatches: bad.slice(0, 10), mismatchCount: bad.length, ms: performance.now() - t0};
    },

    // count messages of `size` bytes (distinct content each), echoes compared byte for byte
    async bigEcho(key, size, count, timeoutMs) {
      const c = chan(key);
      got[key] = [];
      const sent = [];
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const b = new Uint8Array(size);
        fill(b, 1000 + i);
        sent.push(b);
        await room(c, 1 << 20);
        c.send(b);
      }
      await until(() => got[key].length >= count, timeoutMs, () => got[key].length + ' of ' + count + ' echoes');
      const bad = [];
      for (let i = 0; i < count; i++) if (!same(sent[i], got[key][i])) bad.push(i + ': got ' + describe(got[key][i]));
      return {echoes: got[key].length, sizes: got[key].map(x => x.byteLength), mismatches: bad,
              ms: performance.now() - t0};
    },

    // totalBytes random bytes in msgSize messages, then 'done'; the reply and the page's own sha256
    async sink(key, totalBytes, msgSize, timeoutMs) {
      const c = chan(key);
      got[key] = [];
      const all = new Uint8Array(totalBytes);
      fill(all, 4242);
      const hash = hex(await crypto.subtle.digest('SHA-256', all));
      const t0 = performance.now();
      for (let off = 0; off < totalBytes; off += msgSize) {
        await room(c, 4 << 20);
        c.send(all.subarray(off, Math.min(totalBytes, off + msgSize)));
      }
      c.send('done');
      await until(() => got[key].length >= 1, timeoutMs, () => 'no sink reply; bufferedAmount ' + c.bufferedAmount);
      const ms = performance.now() - t0;
      return {reply: got[key][0], expected: 'bytes=' + totalBytes + ' sha256=' + hash, ms,
              mbps: totalBytes / 1e6 / (ms / 1000)};
    },
  };
  return true;
})();
