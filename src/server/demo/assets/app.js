// Huddle demo meeting page: plain JavaScript on livekit-client's UMD bundle (window.LivekitClient),
// served by huddle-server itself. Tests drive it through data-testid attributes and read its
// state through window.huddleDemo.
(() => {
  'use strict';

  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const el = {
    status: $('status'),
    roomLabel: $('room-label'),
    banner: $('error-banner'),
    bannerText: $('error-text'),
    form: $('join-form'),
    joinButton: $('join-button'),
    manual: $('manual-fields'),
    hint: $('mode-hint'),
    meeting: $('meeting'),
    grid: $('grid'),
    mic: $('mic-toggle'),
    camera: $('camera-toggle'),
    leave: $('leave-button'),
  };

  // idle -> joining -> signaled (joined the room over signalling: the grid shows who is there)
  // -> connected (media transport up; camera and mic published) -> (reconnecting -> connected)
  // -> disconnected. error: the join failed.
  let state = 'idle';
  let leaving = false;  // the user pressed Leave: the disconnect is not an error
  // ?pcTimeout=<ms>: how long connect() waits for the media transport (livekit-client's
  // default is 15 s); tests raise it so a slow transport does not end the join early.
  const pcTimeout = Number(new URLSearchParams(location.search).get('pcTimeout')) || undefined;
  let room = null;
  let devTokens = null;  // true: /api/token exists (server runs --dev); false: paste a token
  let lastError = '';
  const tiles = new Map();  // identity -> { root, video, name, badge, trackSid }

  function setState(next) {
    state = next;
    el.status.textContent = next;
    document.body.dataset.state = next;
  }

  function showError(message) {
    lastError = message;
    el.bannerText.textContent = message;
    el.banner.hidden = false;
    console.error('huddle demo:', message);
  }

  function clearError() {
    el.banner.hidden = true;
    el.bannerText.textContent = '';
  }

  $('error-dismiss').addEventListener('click', clearError);

  function randomSuffix() {
    const bytes = new Uint8Array(3);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function defaultUrl() {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  }

  // The token endpoint answers 400 to a request without parameters in --dev, 404 otherwise.
  async function probeDevMode() {
    try {
      const r = await fetch('/api/token', { cache: 'no-store' });
      devTokens = r.status !== 404;
    } catch {
      devTokens = false;
    }
    el.manual.hidden = devTokens;
    el.hint.textContent = devTokens
      ? 'Development server: a token is minted for you.'
      : 'Paste a URL and a token minted for this server.';
    if (!devTokens) {
      $('url-input').value = defaultUrl();
      // The pasted token names the room and the identity; the fields are only for the record.
      for (const id of ['room-input', 'name-input']) $(id).required = false;
    }
  }

  async function fetchDevToken(roomName, identity, name) {
    const q = new URLSearchParams({ room: roomName, identity, name });
    const r = await fetch(`/api/token?${q}`, { cache: 'no-store' });
    let body = {};
    try { body = await r.json(); } catch { /* reported below */ }
    if (!r.ok) throw new Error(`token request refused (${r.status}): ${body.error ?? r.statusText}`);
    if (!body.token) throw new Error('token endpoint answered without a token');
    return { url: body.url || defaultUrl(), token: body.token };
  }

  function describeMediaError(e) {
    const failure = LivekitClient.MediaDeviceFailure?.getFailure?.(e);
    if (failure === 'PermissionDenied' || e?.name === 'NotAllowedError') {
      return 'Camera/microphone permission denied: allow them in the browser and toggle them on.';
    }
    if (failure === 'NotFound' || e?.name === 'NotFoundError') {
      return 'No camera or microphone found.';
    }
    if (failure === 'DeviceInUse' || e?.name === 'NotReadableError') {
      return 'Camera or microphone is in use by another application.';
    }
    return `Could not start camera/microphone: ${e?.message ?? e}`;
  }

  // ---- the grid ----

  function allParticipants() {
    if (!room) return [];
    return [room.localParticipant, ...room.remoteParticipants.values()];
  }

  function makeTile(p, isLocal) {
    const root = document.createElement('div');
    root.className = 'tile' + (isLocal ? ' local' : '');
    root.dataset.testid = 'tile';
    root.dataset.identity = p.identity;
    root.dataset.local = String(isLocal);
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = true;  // audio plays through separate <audio> elements
    video.dataset.testid = 'tile-video';
    const placeholder = document.createElement('div');
    placeholder.className = 'no-video';
    const label = document.createElement('div');
    label.className = 'label';
    const name = document.createElement('span');
    name.dataset.testid = 'tile-name';
    const badge = document.createElement('span');
    badge.className = 'mic-muted';
    badge.dataset.testid = 'mic-muted';
    badge.textContent = 'muted';
    label.append(name, badge);
    root.append(video, placeholder, label);
    return { root, video, placeholder, name, badge, trackSid: '' };
  }

  function cameraTrack(p) {
    const pub = p.getTrackPublication(LivekitClient.Track.Source.Camera);
    return pub && !pub.isMuted && pub.track ? pub.track : null;
  }

  function render() {
    const present = new Set();
    for (const p of allParticipants()) {
      const isLocal = p === room.localParticipant;
      present.add(p.identity);
      let tile = tiles.get(p.identity);
      if (!tile) {
        tile = makeTile(p, isLocal);
        tiles.set(p.identity, tile);
        if (isLocal) el.grid.prepend(tile.root); else el.grid.append(tile.root);
      }
      const display = p.name || p.identity;
      tile.name.textContent = isLocal ? `${display} (you)` : display;
      tile.placeholder.textContent = display.slice(0, 1).toUpperCase();
      tile.badge.hidden = p.isMicrophoneEnabled;
      tile.root.classList.toggle('speaking', p.isSpeaking);
      const track = cameraTrack(p);
      const sid = track ? (track.sid ?? track.mediaStreamTrack?.id ?? 'local') : '';
      if (sid !== tile.trackSid) {
        if (tile.track) tile.track.detach(tile.video);
        tile.track = track;
        tile.trackSid = sid;
        if (track) track.attach(tile.video);
      }
      tile.root.classList.toggle('has-video', Boolean(track));
    }
    for (const [identity, tile] of tiles) {
      if (!present.has(identity)) {
        if (tile.track) tile.track.detach(tile.video);
        tile.root.remove();
        tiles.delete(identity);
      }
    }
    el.grid.style.setProperty('--cols', String(Math.max(1, Math.ceil(Math.sqrt(tiles.size)))));
    updateControls();
  }

  function updateControls() {
    const lp = room?.localParticipant;
    const micOn = Boolean(lp?.isMicrophoneEnabled);
    const camOn = Boolean(lp?.isCameraEnabled);
    el.mic.textContent = micOn ? 'Mute mic' : 'Unmute mic';
    el.mic.setAttribute('aria-pressed', String(micOn));
    el.camera.textContent = camOn ? 'Stop camera' : 'Start camera';
    el.camera.setAttribute('aria-pressed', String(camOn));
  }

  function clearGrid() {
    clearInterval(refreshTimer);
    refreshTimer = 0;
    for (const tile of tiles.values()) {
      if (tile.track) tile.track.detach(tile.video);
    }
    tiles.clear();
    el.grid.replaceChildren();
    for (const a of document.querySelectorAll('audio[data-huddle-audio]')) a.remove();
  }

  // ---- joining and leaving ----

  function wireRoom(r) {
    const E = LivekitClient.RoomEvent;
    for (const ev of [E.ParticipantConnected, E.ParticipantDisconnected, E.TrackPublished,
                      E.TrackUnpublished, E.TrackMuted, E.TrackUnmuted, E.LocalTrackPublished,
                      E.LocalTrackUnpublished, E.ActiveSpeakersChanged,
                      E.ParticipantNameChanged, E.TrackUnsubscribed]) {
      r.on(ev, render);
    }
    r.on(E.TrackSubscribed, (track) => {
      if (track.kind === LivekitClient.Track.Kind.Audio) {
        const audio = track.attach();
        audio.dataset.huddleAudio = '1';
        audio.hidden = true;
        document.body.append(audio);
      }
      render();
    });
    r.on(E.TrackUnsubscribed, (track) => {
      if (track.kind === LivekitClient.Track.Kind.Audio) {
        for (const a of track.detach()) a.remove();
      }
    });
    r.on(E.Reconnecting, () => setState('reconnecting'));
    r.on(E.Reconnected, () => setState('connected'));
    r.on(E.MediaDevicesError, (e) => showError(describeMediaError(e)));
    r.on(E.Disconnected, (reason) => {
      if (room !== r) return;
      room = null;
      clearGrid();
      el.meeting.hidden = true;
      el.form.hidden = false;
      el.roomLabel.hidden = true;
      el.joinButton.disabled = false;
      const left = leaving || reason === LivekitClient.DisconnectReason?.CLIENT_INITIATED;
      setState('disconnected');
      if (!left) showError(`Disconnected from the meeting (reason ${reason ?? 'unknown'}).`);
    });
  }

  async function join(event) {
    event.preventDefault();
    if (room || state === 'joining') return;
    clearError();
    const form = new FormData(el.form);
    const roomName = String(form.get('room') ?? '').trim();
    const name = String(form.get('name') ?? '').trim();
    if (devTokens && (!roomName || !name)) {
      showError('Enter a room and your name.');
      return;
    }
    try { localStorage.setItem('huddle-demo-name', name); } catch { /* private mode */ }
    el.joinButton.disabled = true;
    setState('joining');
    let r = null;
    try {
      let creds;
      if (devTokens) {
        creds = await fetchDevToken(roomName, `${name}-${randomSuffix()}`, name);
      } else {
        creds = { url: String(form.get('url') ?? '').trim(), token: String(form.get('token') ?? '').trim() };
        if (!creds.url || !creds.token) throw new Error('this server needs a URL and a token');
      }
      r = new LivekitClient.Room({ adaptiveStream: false, dynacast: false });
      room = r;
      leaving = false;
      wireRoom(r);
      // The join response names the room and who is in it: show them before media is up.
      r.on(LivekitClient.RoomEvent.SignalConnected, () => enterMeeting(r, 'signaled'));
      const options = { autoSubscribe: true };
      if (pcTimeout) options.peerConnectionTimeout = pcTimeout;  // undefined would erase the default
      await r.connect(creds.url, creds.token, options);
    } catch (e) {
      if (r && room === r) {
        room = null;
        try { await r.disconnect(); } catch { /* already down */ }
        clearGrid();
        el.meeting.hidden = true;
        el.form.hidden = false;
        el.roomLabel.hidden = true;
      }
      el.joinButton.disabled = false;
      if (leaving) {
        setState('disconnected');
      } else {
        setState('error');
        showError(`Could not join: ${e?.message ?? e}`);
      }
      return;
    }
    enterMeeting(r, 'connected');
    try {
      await r.localParticipant.enableCameraAndMicrophone();
    } catch (e) {
      showError(describeMediaError(e));
    }
    render();
  }

  async function toggle(kind) {
    const lp = room?.localParticipant;
    if (!lp) return;
    try {
      if (kind === 'mic') await lp.setMicrophoneEnabled(!lp.isMicrophoneEnabled);
      else await lp.setCameraEnabled(!lp.isCameraEnabled);
    } catch (e) {
      showError(describeMediaError(e));
    }
    render();
  }

  // livekit-client holds participant events back until its media transport is up, but its
  // participant list is current from the join response on; a light refresh keeps the grid
  // right in between (and costs nothing when nothing changed).
  let refreshTimer = 0;

  function enterMeeting(r, next) {
    if (room !== r) return;
    if (!refreshTimer) refreshTimer = setInterval(() => { if (room) render(); }, 500);
    el.form.hidden = true;
    el.meeting.hidden = false;
    el.roomLabel.textContent = `Room: ${r.name}`;
    el.roomLabel.hidden = false;
    setState(next);
    render();
  }

  async function leave() {
    if (!room) return;
    leaving = true;
    await room.disconnect();
  }

  // ---- start ----

  window.huddleDemo = {
    get state() { return state; },
    get lastError() { return lastError; },
    get devTokens() { return devTokens; },
    room: () => room,
    // One entry per tile, local first: what a test (or a curious user) can check.
    participants: () => allParticipants().map((p) => {
      const tile = tiles.get(p.identity);
      return {
        identity: p.identity,
        name: p.name,
        isLocal: p === room.localParticipant,
        speaking: p.isSpeaking,
        micMuted: !p.isMicrophoneEnabled,
        hasVideo: Boolean(tile?.track),
        videoWidth: tile?.video.videoWidth ?? 0,
        currentTime: tile?.video.currentTime ?? 0,
      };
    }),
    leave,
  };

  if (typeof window.LivekitClient === 'undefined') {
    setState('unavailable');
    el.joinButton.disabled = true;
    showError('The livekit-client bundle was not built into this server: run scripts/setup.sh, '
              + 'then configure and build huddle-server again.');
    return;
  }
  try {
    el.form.elements.name.value = localStorage.getItem('huddle-demo-name') ?? '';
  } catch { /* private mode */ }
  const wantedRoom = new URLSearchParams(location.search).get('room');
  if (wantedRoom) el.form.elements.room.value = wantedRoom;
  el.form.addEventListener('submit', join);
  el.mic.addEventListener('click', () => toggle('mic'));
  el.camera.addEventListener('click', () => toggle('camera'));
  el.leave.addEventListener('click', leave);
  el.joinButton.disabled = true;
  probeDevMode().finally(() => {
    el.joinButton.disabled = false;
    setState('idle');
    document.body.dataset.ready = 'true';
  });
})();
