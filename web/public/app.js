/*
 * rtc4j web app: one page, two people. Signaling goes through rtc4j's PeerJS-compatible server (the
 * origin that served this page, unless ?signal=URL says otherwise) with the real peerjs client;
 * ICE servers (the suite's STUN/TURN with minted REST credentials) come from {path}{key}/ice-servers.
 *
 * The data protocol between two pages (one PeerJS DataConnection, serialization "raw", reliable)
 * is described in web/README.md: JSON text frames for control and chat, binary frames carry the
 * bytes of the file announced by the last "file-start" of that direction.
 */
(function () {
  'use strict';

  const APP = 'rtc4j-web';
  const PROTOCOL_VERSION = 1;
  /** Bytes per binary message: well under every stack's max-message-size (Chromium 256 KiB, some 64 KiB). */
  const CHUNK = 32 * 1024;
  /** File bytes read (and hashed) at a time. */
  const READ_BLOCK = 1024 * 1024;
  /** Back-pressure: stop queueing above HIGH buffered bytes, resume at LOW (below peerjs's own 8 MiB). */
  const HIGH_WATER = 4 * 1024 * 1024;
  const LOW_WATER = 1024 * 1024;
  const ID_RULE = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

  const $ = (id) => document.getElementById(id);
  const ui = {
    serverStatus: $('server-status'), myId: $('my-id'), copyLink: $('copy-link'), inviteLink: $('invite-link'),
    chooseIdBox: $('choose-id-box'), chooseIdForm: $('choose-id-form'), chooseId: $('choose-id'),
    connectForm: $('connect-form'), peerIdInput: $('peer-id'), connectBtn: $('connect-btn'),
    peerStatus: $('peer-status'), disconnectBtn: $('disconnect-btn'),
    messages: $('messages'), chatForm: $('chat-form'), chatInput: $('chat-input'), chatSend: $('chat-send'),
    fileForm: $('file-form'), fileInput: $('file-input'), fileSend: $('file-send'), transfers: $('transfers'),
    filesCard: $('files'),
    stage: document.querySelector('.stage'), remoteVideo: $('remote-video'), localVideo: $('local-video'),
    remoteMuted: $('remote-muted'), remotePlaceholder: $('remote-placeholder'), callStatus: $('call-status'),
    callBtn: $('call-btn'), answerBtn: $('answer-btn'), declineBtn: $('decline-btn'), muteBtn: $('mute-btn'),
    cameraBtn: $('camera-btn'), hangupBtn: $('hangup-btn'), iceInfo: $('ice-info'),
  };

  const params = new URLSearchParams(location.search);
  const state = {
    peer: null,
    myId: null,
    conn: null, // the one open DataConnection
    call: null, // the current MediaConnection
    incomingCall: null,
    localStream: null,
    iceServers: [],
    outQueue: [], // files waiting to be sent
    sending: null, // the outgoing transfer in progress
    receiving: null, // the incoming transfer in progress
    transfers: new Map(), // key "in:<id>" / "out:<id>" -> transfer
    nextFileId: 1,
    pendingConnect: params.get('connect'),
    reconnectTimer: null,
  };

  // ------------------------------------------------------------------ signaling server and ICE

  function signalingTarget() {
    const base = new URL(params.get('signal') || location.href);
    const secure = base.protocol === 'https:';
    let path = params.get('signal') ? base.pathname : '/';
    if (!path.endsWith('/')) path += '/';
    return {
      host: base.hostname,
      port: base.port ? Number(base.port) : (secure ? 443 : 80),
      secure,
      path,
      key: params.get('key') || 'peerjs',
      origin: base.origin,
    };
  }

  /** The suite's STUN/TURN with fresh credentials; no iceServers at all when the endpoint is absent. */
  async function loadIceServers(target) {
    const url = target.origin + target.path + encodeURIComponent(target.key) + '/ice-servers';
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 4000);
    try {
      const res = await fetch(url, { signal: ctl.signal, cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const body = await res.json();
      const servers = Array.isArray(body) ? body : body.iceServers;
      if (!Array.isArray(servers)) throw new Error('no iceServers in the answer');
      const urls = servers.flatMap((s) => [].concat(s.urls || s.url || []));
      ui.iceInfo.textContent = urls.length ? 'ICE servers: ' + urls.join(', ') + '.' : 'No ICE servers configured.';
      return servers;
    } catch (e) {
      ui.iceInfo.textContent = 'No STUN/TURN from the server (' + e.message + '): direct connections only.';
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  function setServerStatus(kind, text) {
    ui.serverStatus.dataset.state = kind;
    ui.serverStatus.textContent = text;
  }

  function startPeer(id) {
    const target = signalingTarget();
    if (state.peer) {
      state.peer.destroy();
      state.peer = null;
    }
    setServerStatus('connecting', 'Connecting to the server…');
    ui.myId.textContent = '…';
    ui.copyLink.disabled = true;
    ui.connectBtn.disabled = true;
    const options = {
      host: target.host, port: target.port, path: target.path, key: target.key, secure: target.secure,
      config: { iceServers: state.iceServers }, debug: 1,
    };
    const peer = id ? new peerjs.Peer(id, options) : new peerjs.Peer(options);
    state.peer = peer;
    peer.on('open', (myId) => {
      if (state.peer !== peer) return;
      state.myId = myId;
      ui.myId.textContent = myId;
      const link = inviteLink(myId);
      ui.inviteLink.href = link;
      ui.inviteLink.textContent = link;
      ui.copyLink.disabled = false;
      ui.connectBtn.disabled = false;
      setServerStatus('online', 'Online');
      document.title = 'rtc4j — ' + myId;
      if (state.pendingConnect) {
        const other = state.pendingConnect;
        state.pendingConnect = null;
        ui.peerIdInput.value = other;
        connectTo(other);
      }
    });
    peer.on('connection', (conn) => acceptConnection(conn));
    peer.on('call', (call) => incomingCall(call));
    peer.on('disconnected', () => {
      if (state.peer !== peer || peer.destroyed || ui.serverStatus.dataset.state === 'error') return;
      setServerStatus('offline', 'Lost the server; reconnecting…');
      scheduleReconnect(peer, 1000);
    });
    peer.on('close', () => {
      // peerjs destroys the peer right after a fatal error (e.g. a taken id): keep that message.
      if (state.peer === peer && ui.serverStatus.dataset.state !== 'error') setServerStatus('offline', 'Offline');
    });
    peer.on('error', (err) => peerError(peer, err));
  }

  function scheduleReconnect(peer, delay) {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(() => {
      if (state.peer !== peer || peer.destroyed || !peer.disconnected) return;
      peer.reconnect();
      scheduleReconnect(peer, Math.min(delay * 2, 15000));
    }, delay);
  }

  function peerError(peer, err) {
    if (state.peer !== peer) return;
    const type = err && err.type;
    switch (type) {
      case 'peer-unavailable': {
        const who = (err.message || '').replace(/^Could not connect to peer /, '');
        if (state.conn && !state.conn.open) dropConnection();
        setPeerStatus('error', who + ' is not online.');
        system('Could not reach ' + who + ': not online.', true);
        break;
      }
      case 'unavailable-id':
        setServerStatus('error', 'That id is taken');
        ui.chooseIdBox.open = true;
        system('The id you chose is taken. Pick another one, or take a random one.', true);
        ui.myId.textContent = '—';
        break;
      case 'invalid-id':
        setServerStatus('error', 'Invalid id');
        system('Ids are letters and digits, joined by single spaces, - or _.', true);
        break;
      case 'network':
      case 'socket-error':
      case 'socket-closed':
      case 'disconnected':
        setServerStatus('offline', 'Cannot reach the server; retrying…');
        if (!peer.destroyed && peer.disconnected) scheduleReconnect(peer, 2000);
        break;
      default:
        setServerStatus('error', 'Error: ' + (type || 'unknown'));
        system('Error: ' + (err && err.message ? err.message : String(err)), true);
    }
  }

  function inviteLink(id) {
    const u = new URL(location.href);
    u.search = '';
    for (const [k, v] of params) {
      if (k !== 'connect' && k !== 'id') u.searchParams.set(k, v);
    }
    u.searchParams.set('connect', id);
    u.hash = '';
    return u.toString();
  }

  // ------------------------------------------------------------------ the data connection

  function connectTo(otherId) {
    otherId = otherId.trim();
    if (!otherId) return;
    if (!state.peer || !state.myId) {
      state.pendingConnect = otherId;
      return;
    }
    if (otherId === state.myId) {
      setPeerStatus('error', 'That is your own id.');
      return;
    }
    if (state.conn) dropConnection();
    setPeerStatus('connecting', 'Connecting to ' + otherId + '…');
    const conn = state.peer.connect(otherId, {
      label: APP, serialization: 'raw', reliable: true, metadata: { app: APP, version: PROTOCOL_VERSION },
    });
    attachConnection(conn);
  }

  function acceptConnection(conn) {
    if (state.conn && state.conn.open && state.conn.peer !== conn.peer) {
      // One conversation at a time: tell the newcomer and close.
      conn.on('open', () => {
        conn.send(JSON.stringify({ type: 'busy' }));
        setTimeout(() => conn.close(), 500);
      });
      system(conn.peer + ' tried to connect; you are busy with ' + state.conn.peer + '.');
      return;
    }
    if (state.conn) dropConnection();
    setPeerStatus('connecting', conn.peer + ' is connecting…');
    ui.peerIdInput.value = conn.peer;
    attachConnection(conn);
  }

  function attachConnection(conn) {
    state.conn = conn;
    conn.on('open', () => {
      if (state.conn !== conn) return;
      const dc = conn.dataChannel;
      dc.bufferedAmountLowThreshold = LOW_WATER;
      setPeerStatus('open', 'Connected to ' + conn.peer + '.');
      ui.disconnectBtn.hidden = false;
      setConnectedControls(true);
      system('Connected to ' + conn.peer + '.');
      describePath(conn);
      pumpOutgoing();
    });
    conn.on('data', (data) => {
      if (state.conn === conn) onData(conn, data);
    });
    conn.on('close', () => {
      if (state.conn !== conn) return;
      system(conn.peer + ' left.');
      dropConnection();
    });
    conn.on('error', (err) => {
      if (state.conn !== conn) return;
      system('Connection error: ' + (err.message || err.type || err), true);
    });
    conn.on('iceStateChanged', (s) => {
      if (state.conn === conn && s === 'failed') {
        setPeerStatus('error', 'No network path to ' + conn.peer + '.');
      }
    });
  }

  async function describePath(conn) {
    // Which way the bytes go (direct or through the TURN relay): from the selected candidate pair.
    try {
      for (let i = 0; i < 20; i++) {
        const stats = await conn.peerConnection.getStats();
        let pair = null;
        stats.forEach((s) => {
          if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
        });
        if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
        if (pair) {
          const local = stats.get(pair.localCandidateId);
          const remote = stats.get(pair.remoteCandidateId);
          if (local && remote && state.conn === conn) {
            const relayed = local.candidateType === 'relay' || remote.candidateType === 'relay';
            setPeerStatus('open', 'Connected to ' + conn.peer + (relayed ? ' through the TURN relay.' : ' directly.'));
            return;
          }
        }
        await sleep(250);
      }
    } catch (e) {
      // Stats are a nicety; the connection works without them.
    }
  }

  function dropConnection() {
    const conn = state.conn;
    state.conn = null;
    if (conn) {
      try { conn.close(); } catch (e) { /* already closed */ }
    }
    for (const t of state.transfers.values()) {
      if (!t.done) finishTransfer(t, 'failed', 'Connection closed before the end.');
    }
    state.sending = null;
    state.receiving = null;
    state.outQueue = [];
    setConnectedControls(false);
    ui.disconnectBtn.hidden = true;
    setPeerStatus('none', 'Not connected.');
  }

  function setConnectedControls(on) {
    ui.chatInput.disabled = !on;
    ui.chatSend.disabled = !on;
    ui.fileInput.disabled = !on;
    ui.fileSend.disabled = !on;
    ui.callBtn.disabled = !on || !!state.call;
  }

  function setPeerStatus(kind, text) {
    ui.peerStatus.dataset.state = kind;
    ui.peerStatus.textContent = text;
  }

  function sendControl(msg) {
    if (state.conn && state.conn.open) state.conn.send(JSON.stringify(msg));
  }

  function onData(conn, data) {
    if (typeof data === 'string') {
      let msg;
      try {
        msg = JSON.parse(data);
      } catch (e) {
        return; // not ours
      }
      if (!msg || typeof msg.type !== 'string') return;
      switch (msg.type) {
        case 'chat': if (typeof msg.text === 'string') chatLine(conn.peer, msg.text, false); break;
        case 'file-start': startIncoming(msg); break;
        case 'file-end': endIncoming(msg); break;
        case 'file-result': fileResult(msg); break;
        case 'file-cancel': cancelIncoming(msg); break;
        case 'media-state': remoteMediaState(msg); break;
        case 'busy': system(conn.peer + ' is busy in another conversation.', true); dropConnection(); break;
        default: break; // newer versions may add types
      }
    } else {
      receiveChunk(data);
    }
  }

  // ------------------------------------------------------------------ chat

  function chatLine(who, text, mine) {
    const li = document.createElement('li');
    li.className = 'msg ' + (mine ? 'mine' : 'theirs');
    const name = document.createElement('span');
    name.className = 'who';
    name.textContent = mine ? 'You' : who;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.append(name, body);
    appendMessage(li);
  }

  function system(text, error) {
    const li = document.createElement('li');
    li.className = 'msg system' + (error ? ' error' : '');
    li.textContent = text;
    appendMessage(li);
  }

  function appendMessage(li) {
    const box = ui.messages;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.append(li);
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  // ------------------------------------------------------------------ file transfer

  function queueFiles(files) {
    if (!state.conn || !state.conn.open) return;
    for (const file of files) {
      const t = newTransfer('out', String(state.nextFileId++), file.name, file.size);
      t.file = file;
      t.mime = file.type || 'application/octet-stream';
      setTransferText(t, 'Waiting…');
      state.outQueue.push(t);
    }
    pumpOutgoing();
  }

  function pumpOutgoing() {
    if (state.sending || !state.conn || !state.conn.open) return;
    const t = state.outQueue.shift();
    if (!t) return;
    state.sending = t;
    sendFile(state.conn, t).catch((e) => {
      finishTransfer(t, 'failed', 'Sending failed: ' + e.message);
    }).finally(() => {
      if (state.sending === t) state.sending = null;
      pumpOutgoing();
    });
  }

  async function sendFile(conn, t) {
    const dc = conn.dataChannel;
    const hash = new Sha256();
    t.started = performance.now();
    conn.send(JSON.stringify({ type: 'file-start', id: t.id, name: t.name, size: t.size, mime: t.mime }));
    let offset = 0;
    const progress = setInterval(() => showProgress(t, Math.max(0, offset - dc.bufferedAmount)), 100);
    try {
      while (offset < t.size) {
        const end = Math.min(offset + READ_BLOCK, t.size);
        const block = new Uint8Array(await t.file.slice(offset, end).arrayBuffer());
        hash.update(block);
        for (let o = 0; o < block.length; o += CHUNK) {
          await drained(conn, dc);
          if (t.done) return; // the receiver stopped it (e.g. it could not store the file)
          if (state.conn !== conn || !conn.open) throw new Error('the connection closed');
          conn.send(block.subarray(o, Math.min(o + CHUNK, block.length)));
        }
        offset = end;
      }
      t.sha256 = hash.hex();
      conn.send(JSON.stringify({ type: 'file-end', id: t.id, sha256: t.sha256 }));
      while (dc.bufferedAmount > 0 && state.conn === conn && conn.open) {
        await sleep(50);
      }
    } finally {
      clearInterval(progress);
    }
    showProgress(t, t.size);
    t.sentMs = performance.now() - t.started;
    if (!t.done) setTransferText(t, 'Sent; waiting for their SHA-256 check…', t.sha256);
  }

  function drained(conn, dc) {
    if (dc.bufferedAmount <= HIGH_WATER && !conn.bufferSize) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        dc.removeEventListener('bufferedamountlow', done);
        clearTimeout(timer);
        resolve();
      };
      dc.addEventListener('bufferedamountlow', done);
      // The event fires once per crossing; poll too, in case it was missed or the channel closed.
      const timer = setTimeout(done, 200);
    });
  }

  function startIncoming(msg) {
    if (typeof msg.id !== 'string' || typeof msg.size !== 'number' || msg.size < 0) return;
    const name = String(msg.name || 'file').slice(0, 255);
    if (state.receiving && !state.receiving.done) {
      finishTransfer(state.receiving, 'failed', 'Interrupted by the next file.');
    }
    const t = newTransfer('in', msg.id, name, msg.size);
    t.mime = typeof msg.mime === 'string' ? msg.mime : 'application/octet-stream';
    t.hash = new Sha256();
    t.sink = FileSink.open(t.mime, (e) => storageFailed(t, e)); // on disk where the browser allows: any size fits
    t.received = 0;
    t.started = performance.now();
    state.receiving = t;
    setTransferText(t, 'Receiving…');
    t.timer = setInterval(() => showProgress(t, t.received), 100);
  }

  function receiveChunk(data) {
    const t = state.receiving;
    if (!t || t.done) return;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (!bytes) return;
    if (t.received + bytes.length > t.size) {
      finishTransfer(t, 'failed', 'More bytes than announced.');
      sendControl({ type: 'file-result', id: t.id, ok: false, reason: 'size' });
      return;
    }
    t.hash.update(bytes);
    t.sink.write(bytes);
    t.received += bytes.length;
  }

  async function endIncoming(msg) {
    const t = state.receiving;
    if (!t || t.id !== msg.id || t.done) return;
    state.receiving = null; // the next file may start while this one is still being stored
    clearInterval(t.timer);
    showProgress(t, t.received);
    const expected = String(msg.sha256 || '').toLowerCase();
    t.sha256 = t.hash.hex();
    t.expected = expected;
    let ok = t.received === t.size && expected === t.sha256;
    setTransferText(t, 'Storing…', t.sha256);
    let blob = null;
    try {
      blob = await t.sink.finish();
    } catch (e) {
      if (t.done) return; // the connection closed meanwhile: already failed
      ok = false;
      finishTransfer(t, 'failed', 'Could not store the file: ' + (e && e.message ? e.message : e) + '.', t.sha256);
      sendControl({ type: 'file-result', id: t.id, ok, sha256: t.sha256, reason: 'storage' });
      return;
    }
    if (t.done) return; // the connection closed meanwhile: already failed
    t.url = URL.createObjectURL(blob);
    const secs = (performance.now() - t.started) / 1000;
    const detail = formatBytes(t.received) + ' in ' + secs.toFixed(1) + ' s';
    if (ok) {
      finishTransfer(t, 'verified', 'SHA-256 verified — matches the sender’s. ' + detail, t.sha256);
    } else {
      finishTransfer(t, 'mismatch', t.received !== t.size
        ? 'Incomplete: ' + t.received + ' of ' + t.size + ' bytes.'
        : 'SHA-256 mismatch: the sender had ' + expected + '.', t.sha256);
    }
    const link = document.createElement('a');
    link.className = 'save';
    link.href = t.url;
    link.download = t.name;
    link.textContent = 'Save ' + t.name;
    t.el.querySelector('.verdict').append(' ', link);
    sendControl({ type: 'file-result', id: t.id, ok, sha256: t.sha256 });
  }

  /** A write to the file failed (e.g. the storage quota is full): stop here, not at the end of the file. */
  function storageFailed(t, e) {
    if (t.done) return;
    if (state.receiving === t) state.receiving = null;
    finishTransfer(t, 'failed', 'Could not store the file: ' + (e && e.message ? e.message : e) + '.');
    sendControl({ type: 'file-result', id: t.id, ok: false, reason: 'storage' });
  }

  function cancelIncoming(msg) {
    const t = state.receiving;
    if (t && t.id === msg.id && !t.done) {
      finishTransfer(t, 'failed', 'The sender cancelled.');
      state.receiving = null;
    }
  }

  function fileResult(msg) {
    const t = state.transfers.get('out:' + msg.id);
    if (!t || t.done) return;
    if (msg.ok) {
      finishTransfer(t, 'verified', 'Delivered; they verified SHA-256.', t.sha256);
    } else if (msg.reason === 'storage') {
      finishTransfer(t, 'failed', 'They could not store the file.');
    } else {
      finishTransfer(t, 'mismatch', 'They report a mismatch' + (msg.sha256 ? ': ' + msg.sha256 : '') + '.', t.sha256);
    }
  }

  function newTransfer(direction, id, name, size) {
    const li = document.createElement('li');
    li.className = 'transfer';
    li.dataset.direction = direction;
    li.dataset.id = id;
    li.dataset.state = direction === 'out' ? 'sending' : 'receiving';
    const head = document.createElement('div');
    head.className = 'head';
    const title = document.createElement('span');
    title.className = 'name';
    const dir = document.createElement('span');
    dir.className = 'dir';
    dir.textContent = direction === 'out' ? 'Sending ' : 'Receiving ';
    title.append(dir, document.createTextNode(name));
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = formatBytes(size);
    head.append(title, meta);
    const bar = document.createElement('progress');
    bar.max = Math.max(size, 1);
    bar.value = 0;
    bar.setAttribute('aria-label', (direction === 'out' ? 'Sending ' : 'Receiving ') + name);
    const verdict = document.createElement('p');
    verdict.className = 'verdict';
    li.append(head, bar, verdict);
    ui.transfers.prepend(li);
    const t = { direction, id, name, size, el: li, bar, meta, verdict, done: false };
    state.transfers.set(direction + ':' + id, t);
    return t;
  }

  function showProgress(t, bytes) {
    t.bar.value = Math.min(bytes, t.size);
    if (t.size === 0) t.bar.value = t.bar.max;
    const pct = t.size ? Math.floor((bytes / t.size) * 100) : 100;
    const secs = (performance.now() - t.started) / 1000;
    const rate = secs > 0.2 ? ' · ' + formatBytes(bytes / secs) + '/s' : '';
    t.meta.textContent = formatBytes(bytes) + ' of ' + formatBytes(t.size) + ' · ' + pct + '%' + rate;
    t.el.dataset.progress = String(pct);
  }

  function setTransferText(t, text, sha) {
    t.verdict.textContent = '';
    const strong = document.createElement('strong');
    strong.textContent = text;
    t.verdict.append(strong);
    if (sha) {
      const code = document.createElement('code');
      code.className = 'sha256';
      code.textContent = sha;
      t.verdict.append(document.createElement('br'), 'SHA-256 ', code);
    }
  }

  function finishTransfer(t, result, text, sha) {
    t.done = true;
    clearInterval(t.timer);
    if (t.sink && result === 'failed') t.sink.discard(); // its bytes back no save link
    t.el.dataset.state = result;
    setTransferText(t, text, sha);
  }

  function formatBytes(n) {
    if (n < 1024) return Math.round(n) + ' B';
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let u = -1;
    do { n /= 1024; u++; } while (n >= 1024 && u < units.length - 1);
    return n.toFixed(n < 10 ? 1 : 0) + ' ' + units[u];
  }

  // ------------------------------------------------------------------ video call

  async function getLocalStream() {
    if (state.localStream) return state.localStream;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
    state.localStream = stream;
    ui.localVideo.srcObject = stream;
    ui.stage.classList.add('has-local');
    updateMediaButtons();
    return stream;
  }

  async function startCall() {
    if (!state.conn || !state.conn.open || state.call) return;
    const other = state.conn.peer;
    ui.callBtn.disabled = true;
    setCallStatus('Starting camera and microphone…');
    let stream;
    try {
      stream = await getLocalStream();
    } catch (e) {
      setCallStatus('No camera or microphone: ' + e.message);
      ui.callBtn.disabled = false;
      return;
    }
    setCallStatus('Calling ' + other + '…');
    const call = state.peer.call(other, stream, { metadata: { app: APP } });
    attachCall(call);
  }

  function incomingCall(call) {
    if (state.call || state.incomingCall) {
      call.close();
      system(call.peer + ' called while you were in a call.');
      return;
    }
    state.incomingCall = call;
    setCallStatus('Incoming call from ' + call.peer + '.');
    ui.answerBtn.hidden = false;
    ui.declineBtn.hidden = false;
    ui.callBtn.disabled = true;
    ui.answerBtn.focus();
    call.on('close', () => {
      if (state.incomingCall === call) {
        state.incomingCall = null;
        hideAnswer();
        setCallStatus('Missed call from ' + call.peer + '.');
        setConnectedControls(!!(state.conn && state.conn.open));
      }
    });
  }

  async function answerCall() {
    const call = state.incomingCall;
    if (!call) return;
    state.incomingCall = null;
    hideAnswer();
    setCallStatus('Starting camera and microphone…');
    let stream;
    try {
      stream = await getLocalStream();
    } catch (e) {
      setCallStatus('No camera or microphone: ' + e.message);
      call.close();
      return;
    }
    call.answer(stream);
    attachCall(call);
  }

  function declineCall() {
    const call = state.incomingCall;
    state.incomingCall = null;
    hideAnswer();
    if (call) call.close();
    setCallStatus('Declined.');
    setConnectedControls(!!(state.conn && state.conn.open));
  }

  function hideAnswer() {
    ui.answerBtn.hidden = true;
    ui.declineBtn.hidden = true;
  }

  function attachCall(call) {
    state.call = call;
    ui.hangupBtn.disabled = false;
    ui.callBtn.disabled = true;
    updateMediaButtons();
    call.on('stream', (remote) => {
      if (state.call !== call) return;
      ui.remoteVideo.srcObject = remote;
      ui.stage.classList.add('has-remote');
      ui.remoteVideo.play().catch(() => { /* autoplay policy: the user can press play */ });
      setCallStatus('In a call with ' + call.peer + '.');
      sendMediaState();
    });
    call.on('close', () => {
      if (state.call === call) endCall('Call ended.');
    });
    call.on('error', (e) => {
      if (state.call === call) endCall('Call failed: ' + (e.message || e.type));
    });
  }

  function hangUp() {
    const call = state.call;
    if (!call) return;
    sendControl({ type: 'media-state', hangup: true });
    endCall('You hung up.');
    call.close();
  }

  function endCall(text) {
    state.call = null;
    if (state.localStream) {
      state.localStream.getTracks().forEach((t) => t.stop());
      state.localStream = null;
    }
    ui.localVideo.srcObject = null;
    ui.remoteVideo.srcObject = null;
    ui.stage.classList.remove('has-local', 'has-remote');
    ui.remoteMuted.hidden = true;
    ui.hangupBtn.disabled = true;
    setCallStatus(text);
    updateMediaButtons();
    setConnectedControls(!!(state.conn && state.conn.open));
  }

  function toggleMute() {
    const stream = state.localStream;
    if (!stream) return;
    const audio = stream.getAudioTracks();
    const muted = audio.length > 0 && audio.every((t) => !t.enabled);
    audio.forEach((t) => { t.enabled = muted; });
    updateMediaButtons();
    sendMediaState();
  }

  function toggleCamera() {
    const stream = state.localStream;
    if (!stream) return;
    const video = stream.getVideoTracks();
    const off = video.length > 0 && video.every((t) => !t.enabled);
    video.forEach((t) => { t.enabled = off; });
    updateMediaButtons();
    sendMediaState();
  }

  function updateMediaButtons() {
    const stream = state.call ? state.localStream : null;
    const audio = stream ? stream.getAudioTracks() : [];
    const video = stream ? stream.getVideoTracks() : [];
    const muted = audio.length > 0 && audio.every((t) => !t.enabled);
    const camOff = video.length > 0 && video.every((t) => !t.enabled);
    ui.muteBtn.disabled = audio.length === 0;
    ui.muteBtn.setAttribute('aria-pressed', String(muted));
    ui.muteBtn.textContent = muted ? 'Unmute' : 'Mute';
    ui.cameraBtn.disabled = video.length === 0;
    ui.cameraBtn.setAttribute('aria-pressed', String(camOff));
    ui.cameraBtn.textContent = camOff ? 'Start camera' : 'Stop camera';
  }

  function sendMediaState() {
    const stream = state.localStream;
    if (!stream) return;
    sendControl({
      type: 'media-state',
      audio: stream.getAudioTracks().some((t) => t.enabled),
      video: stream.getVideoTracks().some((t) => t.enabled),
    });
  }

  function remoteMediaState(msg) {
    if (msg.hangup) {
      if (state.call) {
        const call = state.call;
        endCall('They hung up.');
        call.close();
      }
      return;
    }
    const labels = [];
    if (msg.audio === false) labels.push('Muted');
    if (msg.video === false) labels.push('Camera off');
    ui.remoteMuted.hidden = labels.length === 0 || !state.call;
    ui.remoteMuted.textContent = labels.join(' · ');
  }

  function setCallStatus(text) {
    ui.callStatus.textContent = text;
  }

  // ------------------------------------------------------------------ wiring

  function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  ui.chatForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = ui.chatInput.value;
    if (!text.trim() || !state.conn || !state.conn.open) return;
    sendControl({ type: 'chat', text });
    chatLine(state.myId, text, true);
    ui.chatInput.value = '';
    ui.chatInput.focus();
  });

  ui.connectForm.addEventListener('submit', (e) => {
    e.preventDefault();
    connectTo(ui.peerIdInput.value);
  });

  ui.disconnectBtn.addEventListener('click', () => {
    if (state.call) hangUp();
    const who = state.conn && state.conn.peer;
    dropConnection();
    if (who) system('Disconnected from ' + who + '.');
  });

  ui.chooseIdForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = ui.chooseId.value.trim();
    if (!ID_RULE.test(id)) {
      ui.chooseId.setAttribute('aria-invalid', 'true');
      system('Ids are letters and digits, joined by single spaces, - or _.', true);
      return;
    }
    ui.chooseId.removeAttribute('aria-invalid');
    if (state.call) hangUp();
    if (state.conn) dropConnection();
    startPeer(id);
  });

  $('random-id').addEventListener('click', () => {
    if (state.call) hangUp();
    if (state.conn) dropConnection();
    ui.chooseId.value = '';
    startPeer(undefined);
  });

  ui.copyLink.addEventListener('click', async () => {
    const link = ui.inviteLink.href;
    try {
      await navigator.clipboard.writeText(link);
      ui.copyLink.textContent = 'Copied';
    } catch (e) {
      // No clipboard permission (plain http on another host): select the link for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(ui.inviteLink);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      ui.copyLink.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => { ui.copyLink.textContent = 'Copy invite link'; }, 2000);
  });
  ui.inviteLink.addEventListener('click', (e) => {
    e.preventDefault(); // the link is for the other person; opening it here would connect to ourselves
  });

  ui.fileForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const files = Array.from(ui.fileInput.files || []);
    if (files.length === 0) return;
    queueFiles(files);
    ui.fileInput.value = '';
  });
  ui.filesCard.addEventListener('dragover', (e) => {
    if (!state.conn || !state.conn.open) return;
    e.preventDefault();
    ui.filesCard.classList.add('dragover');
  });
  ui.filesCard.addEventListener('dragleave', () => ui.filesCard.classList.remove('dragover'));
  ui.filesCard.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.filesCard.classList.remove('dragover');
    if (e.dataTransfer && e.dataTransfer.files.length) queueFiles(Array.from(e.dataTransfer.files));
  });

  ui.callBtn.addEventListener('click', startCall);
  ui.answerBtn.addEventListener('click', answerCall);
  ui.declineBtn.addEventListener('click', declineCall);
  ui.hangupBtn.addEventListener('click', hangUp);
  ui.muteBtn.addEventListener('click', toggleMute);
  ui.cameraBtn.addEventListener('click', toggleCamera);

  window.addEventListener('beforeunload', () => {
    if (state.peer) state.peer.destroy();
  });
  window.addEventListener('pagehide', (e) => {
    if (!e.persisted) FileSink.release(); // its files back this page's save links only
  });

  // For tests and the curious: read-only views of the live objects.
  window.rtc4jApp = {
    get peer() { return state.peer; },
    get id() { return state.myId; },
    get connection() { return state.conn; },
    get call() { return state.call; },
    get localStream() { return state.localStream; },
    transfers() {
      return Array.from(state.transfers.values()).map((t) => ({
        direction: t.direction, id: t.id, name: t.name, size: t.size, state: t.el.dataset.state,
        sha256: t.sha256 || null, expected: t.expected || null, received: t.received || 0,
        storage: t.sink ? t.sink.storage : null, url: t.url || null,
      }));
    },
  };

  (async function boot() {
    if (typeof peerjs === 'undefined' || !peerjs.Peer) {
      setServerStatus('error', 'peerjs did not load');
      return;
    }
    if (!window.RTCPeerConnection) {
      setServerStatus('error', 'This browser has no WebRTC');
      return;
    }
    await FileSink.sweep(); // files an earlier visit received: their save links died with that page
    state.iceServers = await loadIceServers(signalingTarget());
    const wanted = params.get('id');
    startPeer(wanted && ID_RULE.test(wanted) ? wanted : undefined);
  })();
})();
