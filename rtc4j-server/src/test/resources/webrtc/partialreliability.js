// Partial-reliability helpers for org.rtc4j.server.webrtc.ChromiumPartialReliabilityTest, injected
// into peer.html (whose `peer(name)` owns the RTCPeerConnections). A numbered message is binary: 4 bytes big-endian sequence
// number, then bytes (seq * 31 + j) & 255, so a message that arrives cut or mixed is detected.
(() => {
  const recv = {};
  const chans = {};
  function chan(key) {
    const c = chans[key];
    if (!c) throw new Error('no channel ' + key);
    return c;
  }

  function check(data) {
    const b = new Uint8Array(data);
    if (b.length < 4) return -1;
    const seq = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    for (let j = 4; j < b.length; j++) if (b[j] !== ((seq * 31 + j) & 255)) return -1;
    return seq;
  }
  function numbered(seq, size) {
    const b = new Uint8Array(size);
    b[0] = seq >>> 24; b[1] = (seq >>> 16) & 255; b[2] = (seq >>> 8) & 255; b[3] = seq & 255;
    for (let j = 4; j < size; j++) b[j] = (seq * 31 + j) & 255;
    return b;
  }

  window.pr = {
    // a channel the remote opened, by label (waits for it)
    async adopt(pcName, key, label, timeoutMs) {
      const t0 = performance.now();
      while (performance.now() - t0 < timeoutMs) {
        const c = peer(pcName).channels.find(ch => ch.label === label);
        if (c) { chans[key] = c; return key; }
        await new Promise(r => setTimeout(r, 5));
      }
      throw new Error('no remote channel ' + label);
    },
    open(pcName, key, label, init) { chans[key] = peer(pcName).pc.createDataChannel(label, init); return key; },
    async waitOpen(key, timeoutMs) {
      const c = chan(key);
      const t0 = performance.now();
      while (c.readyState !== 'open') {
        if (performance.now() - t0 > timeoutMs) throw new Error(key + ' is ' + c.readyState);
        await new Promise(r => setTimeout(r, 5));
      }
      return {ordered: c.ordered, maxRetransmits: c.maxRetransmits, maxPacketLifeTime: c.maxPacketLifeTime};
    },
    // records the sequence numbers arriving on channel key
    record(key) {
      const c = chan(key);
      const r = recv[key] = {seqs: [], corrupt: 0, text: []};
      c.binaryType = 'arraybuffer';
      c.addEventListener('message', e => {
        if (typeof e.data === 'string') { r.text.push(e.data); return; }
        const s = check(e.data);
        if (s < 0) r.corrupt++; else r.seqs.push(s);
      });
      return true;
    },
    // what arrived: count, duplicates, values outside [0, n) (probes >= n excepted), order
    summary(key, n) {
      const r = recv[key];
      const seen = new Set();
      let dups = 0, outOfRange = 0, notIncreasing = 0, last = -1, data = 0, probes = 0;
      for (const s of r.seqs) {
        if (s >= n) { probes++; continue; }
        data++;
        if (seen.has(s)) dups++; else seen.add(s);
        if (s < 0) outOfRange++;
        if (s <= last) notIncreasing++;
        last = Math.max(last, s);
      }
      return {received: data, distinct: seen.size, dups, outOfRange, notIncreasing, corrupt: r.corrupt, probes,
              text: r.text.slice(-5)};
    },
    hasSeq(key, seq) { return recv[key].seqs.includes(seq); },
    // sends n numbered messages of `size` as fast as the channel takes them (kept under `high`
    // buffered bytes, W3C back-pressure), then `end` on the reliable control channel
    async blast(key, n, size, high, ctlKey, end) {
      const c = chan(key);
      const t0 = performance.now();
      let refused = 0;
      c.bufferedAmountLowThreshold = high / 2;
      for (let i = 0; i < n; i++) {
        if (c.bufferedAmount > high) {
          await new Promise(resolve => {
            const f = () => { c.removeEventListener('bufferedamountlow', f); resolve(); };
            c.addEventListener('bufferedamountlow', f);
          });
        }
        try { c.send(numbered(i, size)); } catch (e) { refused++; }
      }
      chan(ctlKey).send(end);
      return {ms: performance.now() - t0, refused};
    },
    send(key, seq, size) { chan(key).send(numbered(seq, size)); return true; },
    async stats() {
      const out = {};
      for (const p of Object.values(peers)) {
        const report = await p.pc.getStats();
        report.forEach(s => { if (s.type === 'data-channel') out[s.label] = {messagesSent: s.messagesSent,
            messagesReceived: s.messagesReceived, bytesSent: s.bytesSent, bytesReceived: s.bytesReceived}; });
      }
      return out;
    },
  };
})();
