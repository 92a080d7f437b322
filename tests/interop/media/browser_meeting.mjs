// A meeting of livekit-client 2.23 Rooms in headless Chromium through huddle-server's media
// path: each participant in its own page with the fake camera and microphone, first two, then
// four in the same room. Passes when every page renders every other participant's video
// (framesDecoded rising, a canvas sample of the <video> not black) and receives every other
// participant's audio (inbound-rtp bytes and packets rising). Mode v1 (default signal path,
// single peer connection) or v0 (server started with --no-rtc-v1: /rtc/v1 answers 404 and the
// client falls back to /rtc with a publisher and a subscriber peer connection).
//
// Then one participant leaves mid-stream and joins again: the others drop it and render its
// new tracks.
//
// usage: node browser_meeting.mjs <huddle-server> <v1|v0>
// env: MEETING_SIMULCAST=0 publishes one video layer (default: the SDK's simulcast default);
//      MEETING_REJOIN=0 skips the leave-and-rejoin phase.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { makeLog, runScenario, startMediaServer, tokenFor, waitUntil } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node browser_meeting.mjs <huddle-server> <v1|v0>');
  process.exit(2);
}
const log = makeLog(`browser_meeting ${mode}`);
const kRoom = `meeting-${mode}`;
const kSimulcast = process.env.MEETING_SIMULCAST !== '0';
const kExpectedPcMode = mode === 'v1' ? 'publisher-only' : 'subscriber-primary';
const kMinNewFrames = 10;       // per remote video, within the media window
const kMinNewAudioPackets = 25; // per remote audio, within the media window (20 ms opus frames)

// Runs inside each page: one livekit-client Room, remote tracks attached to elements, figures
// from the receivers' getStats and a canvas sample of each remote <video>.
function pageScript() {
  const S = { result: 'pending', events: [], remote: {}, t0: 0 };
  window.S = S;
  const now = () => Math.round(performance.now() - S.t0);
  const ev = (e) => { S.events.push(`${now()}ms ${e}`); if (S.events.length > 200) S.events.shift(); };

  window.start = async (url, token, simulcast) => {
    // A page may join again after leaving: nothing from the earlier Room carries over.
    Object.assign(S, { t0: performance.now(), result: 'pending', connectedAt: undefined, remote: {}, localEl: null });
    const room = new LivekitClient.Room({
      adaptiveStream: false, dynacast: false,
      videoCaptureDefaults: { resolution: { width: 320, height: 240, frameRate: 15 } },
      publishDefaults: { simulcast, videoCodec: 'vp8' },
    });
    S.room = room;
    const E = LivekitClient.RoomEvent;
    room.on(E.ParticipantConnected, (p) => ev(`participantConnected ${p.identity}`));
    room.on(E.ParticipantDisconnected, (p) => ev(`participantDisconnected ${p.identity}`));
    room.on(E.TrackPublished, (pub, p) => ev(`trackPublished ${p.identity} ${pub.kind} ${pub.trackSid}`));
    room.on(E.TrackUnpublished, (pub, p) => ev(`trackUnpublished ${p.identity} ${pub.kind} ${pub.trackSid}`));
    room.on(E.TrackSubscriptionFailed, (sid, p, err) => ev(`trackSubscriptionFailed ${p?.identity} ${sid} ${err}`));
    room.on(E.Disconnected, (r) => ev(`disconnected reason=${r}`));
    room.on(E.Reconnecting, () => ev('reconnecting'));
    room.on(E.Reconnected, () => ev('reconnected'));
    room.on(E.SignalReconnecting, () => ev('signalReconnecting'));
    room.on(E.MediaDevicesError, (e) => ev(`mediaDevicesError ${e?.message}`));
    room.on(E.TrackSubscribed, (track, pub, p) => {
      ev(`trackSubscribed ${p.identity} ${track.kind} ${pub.trackSid}`);
      const el = track.attach();
      el.muted = track.kind === 'video';
      el.autoplay = true;
      el.setAttribute('data-identity', p.identity);
      document.body.appendChild(el);
      const entry = { track, el, subscribedAt: now(), firstFrameAt: null, sid: pub.trackSid };
      S.remote[`${p.identity}/${track.kind}`] = entry;
      if (track.kind === 'video' && el.requestVideoFrameCallback) {
        el.requestVideoFrameCallback(() => { entry.firstFrameAt = now(); });
      }
      el.play?.().catch((e) => ev(`play ${p.identity} ${track.kind}: ${e.message}`));
    });
    room.on(E.TrackUnsubscribed, (track, pub, p) => {
      ev(`trackUnsubscribed ${p.identity} ${track.kind}`);
      track.detach().forEach((el) => el.remove());
      delete S.remote[`${p.identity}/${track.kind}`];
    });
    try {
      await room.connect(url, token, { autoSubscribe: true, peerConnectionTimeout: 20000 });
      S.connectedAt = now();
      ev('connected');
    } catch (e) {
      S.result = `connect failed: ${e.message}`;
      ev(S.result);
      return;
    }
    try {
      await room.localParticipant.setCameraEnabled(true);
      ev('camera enabled');
      await room.localParticipant.setMicrophoneEnabled(true);
      ev('microphone enabled');
      S.result = 'publishing';
    } catch (e) {
      S.result = `publish failed: ${e.message}`;
      ev(S.result);
    }
  };

  const sampleCanvas = (el) => {
    if (!el || !el.videoWidth) return null;
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 24;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(el, 0, 0, c.width, c.height);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      const m = Math.max(px[i], px[i + 1], px[i + 2]);
      sum += (px[i] + px[i + 1] + px[i + 2]) / 3;
      if (m > 40) lit++;
    }
    const n = px.length / 4;
    return { mean: Math.round(sum / n), litShare: Math.round((lit / n) * 100) / 100 };
  };

  const inbound = async (track) => {
    const report = await track?.receiver?.getStats();
    let s = null;
    report?.forEach((r) => { if (r.type === 'inbound-rtp') s = r; });
    return s;
  };

  window.localCanvas = () => {
    const pub = S.room?.localParticipant.getTrackPublication(LivekitClient.Track.Source.Camera);
    if (!pub?.track) return null;
    if (!S.localEl) {
      S.localEl = pub.track.attach();
      S.localEl.muted = true;
      document.body.appendChild(S.localEl);
    }
    return sampleCanvas(S.localEl);
  };

  window.snapshot = async () => {
    const room = S.room;
    if (!room) return { result: S.result };
    const pm = room.engine?.pcManager;
    const out = {
      result: S.result, state: room.state, sid: room.localParticipant.sid,
      identity: room.localParticipant.identity, pcMode: pm?.mode,
      pcs: { publisher: pm?.publisher?.getConnectionState?.(), subscriber: pm?.subscriber?.getConnectionState?.() },
      connectedAt: S.connectedAt, local: [], remotes: {},
    };
    for (const pub of room.localParticipant.trackPublications.values()) {
      const l = { kind: pub.kind, source: pub.source, sid: pub.trackSid };
      const rep = await pub.track?.sender?.getStats();
      let bytes = 0;
      let frames = 0;
      rep?.forEach((r) => {
        if (r.type === 'outbound-rtp') { bytes += r.bytesSent ?? 0; frames += r.framesEncoded ?? 0; }
      });
      l.bytesSent = bytes;
      if (pub.kind === 'video') l.framesEncoded = frames;
      out.local.push(l);
    }
    for (const p of room.remoteParticipants.values()) {
      const r = { sid: p.sid, tracks: {} };
      for (const pub of p.trackPublications.values()) {
        const t = { sid: pub.trackSid, source: pub.source, subscribed: pub.isSubscribed, hasTrack: !!pub.track,
                    muted: pub.isMuted };
        const entry = S.remote[`${p.identity}/${pub.kind}`];
        if (pub.track) {
          const s = await inbound(pub.track);
          if (pub.kind === 'video') {
            Object.assign(t, { framesDecoded: s?.framesDecoded ?? 0, framesReceived: s?.framesReceived ?? 0,
                               bytesReceived: s?.bytesReceived ?? 0, packetsLost: s?.packetsLost ?? 0,
                               size: s?.frameWidth ? `${s.frameWidth}x${s.frameHeight}` : null,
                               pli: s?.pliCount ?? 0, nack: s?.nackCount ?? 0,
                               canvas: sampleCanvas(entry?.el), subscribedAt: entry?.subscribedAt,
                               firstFrameAt: entry?.firstFrameAt });
          } else {
            Object.assign(t, { bytesReceived: s?.bytesReceived ?? 0, packetsReceived: s?.packetsReceived ?? 0,
                               packetsLost: s?.packetsLost ?? 0,
                               energy: Math.round((s?.totalAudioEnergy ?? 0) * 1e4) / 1e4,
                               audioLevel: s?.audioLevel ?? 0, subscribedAt: entry?.subscribedAt });
          }
        }
        r.tracks[pub.kind] = t;
      }
      out.remotes[p.identity] = r;
    }
    out.events = S.events.slice(-30);
    return out;
  };

  window.leave = async () => { await S.room?.disconnect(); };
}

const kPage = `<!doctype html><html><head><meta charset="utf-8"><title>huddle meeting</title>
<script src="/livekit-client.umd.js"></script></head><body><script>(${pageScript.toString()})();</script>
</body></html>`;

let server;
let browser;
let pageServer;
const pages = []; // { name, page, console: [] }

function startPageServer() {
  const umd = readFileSync(new URL('../../../node_modules/livekit-client/dist/livekit-client.umd.js',
                                   import.meta.url));
  const srv = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(kPage);
    else if (req.url === '/livekit-client.umd.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(umd);
    } else res.writeHead(404).end();
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

async function snapshots(list) {
  return Promise.all(list.map(async (p) => ({ name: p.name, s: await p.page.evaluate(() => window.snapshot()) })));
}

// The latest page errors (e.g. a refused remote description), to name the cause in a failure.
function pageErrors(list) {
  const out = [];
  for (const p of list) {
    const errs = p.console.filter((l) => l.startsWith('pageerror') || l.includes('unable to set'));
    if (errs.length) out.push(`${p.name}: ${errs.slice(-2).join(' | ')}`);
  }
  return out.length ? `\n   page errors: ${out.join('; ')}` : '';
}

async function openPage(name) {
  const page = await browser.newPage();
  const entry = { name, page, console: [] };
  page.on('console', (m) => { entry.console.push(`${m.type()}: ${m.text().slice(0, 400)}`); if (entry.console.length > 300) entry.console.shift(); });
  page.on('pageerror', (e) => entry.console.push(`pageerror: ${e.message}`));
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  const ok = await page.evaluate(() => typeof LivekitClient?.Room === 'function' && typeof window.start === 'function');
  if (!ok) throw new Error(`${name}: livekit-client UMD bundle did not load in the page`);
  pages.push(entry);
  return entry;
}

// One phase: `joining` pages join; then every page in `all` must see and render every other.
async function phase(label, all, joining) {
  const plog = (...a) => log(`[${label}]`, ...a);
  for (const p of joining) {
    const tok = await tokenFor(p.name, kRoom);
    await p.page.evaluate(([u, t, sc]) => { window.start(u, t, sc); }, [server.ws, tok, kSimulcast]);
  }
  const names = all.map((p) => p.name);

  // 1. Connected (signal join + peer connection(s) connected) on the expected signal path.
  await waitUntil(`${label}: every joining page connected (room.connect resolved)`, 25_000, async () => {
    const snaps = await snapshots(joining);
    const bad = snaps.filter(({ s }) => s.result === 'pending' || s.result.startsWith('connect failed') || s.connectedAt === undefined);
    const failed = snaps.find(({ s }) => s.result.startsWith('connect failed'));
    if (failed) throw new Error(`${failed.name}: ${failed.s.result}; events ${JSON.stringify(failed.s.events)}`);
    return { ok: bad.length === 0,
             detail: bad.map(({ name, s }) => `${name}: result=${s.result} state=${s.state} pcs=${JSON.stringify(s.pcs)}`).join('; ') };
  });
  for (const { name, s } of await snapshots(joining)) {
    if (s.pcMode !== kExpectedPcMode) {
      throw new Error(`${name}: livekit-client runs in peer-connection mode ${s.pcMode}, expected ${kExpectedPcMode} for ${mode}`);
    }
    plog(`${name} connected in ${s.connectedAt} ms (${s.pcMode}, pcs ${JSON.stringify(s.pcs)})`);
  }

  // 2. Own camera and microphone published (track_published received), camera renders locally.
  await waitUntil(`${label}: every joining page published camera and microphone`, 20_000, async () => {
    const snaps = await snapshots(joining);
    const failed = snaps.find(({ s }) => s.result.startsWith('publish failed'));
    if (failed) throw new Error(`${failed.name}: ${failed.s.result}; events ${JSON.stringify(failed.s.events)}`);
    const missing = snaps.filter(({ s }) => !(s.local.some((l) => l.kind === 'video' && l.sid?.startsWith('TR_')) &&
                                             s.local.some((l) => l.kind === 'audio' && l.sid?.startsWith('TR_'))));
    return { ok: missing.length === 0, detail: missing.map(({ name, s }) => `${name}: local=${JSON.stringify(s.local)} result=${s.result}`).join('; ') };
  });
  await waitUntil(`${label}: the fake camera renders locally (canvas check of the test itself)`, 10_000, async () => {
    const c = await Promise.all(joining.map((p) => p.page.evaluate(() => window.localCanvas())));
    return { ok: c.every((x) => x && x.litShare > 0.05), detail: JSON.stringify(c) };
  });

  // 3. Announced: every page knows every other participant and both of its tracks (signaling).
  await waitUntil(`${label}: every page sees every other participant's camera and microphone publications`, 15_000, async () => {
    const missing = [];
    for (const { name, s } of await snapshots(all)) {
      for (const other of names.filter((n) => n !== name)) {
        const r = s.remotes[other];
        if (!r) missing.push(`${name} does not know ${other}`);
        else {
          if (!r.tracks.video?.sid) missing.push(`${name} has no video publication of ${other}`);
          if (!r.tracks.audio?.sid) missing.push(`${name} has no audio publication of ${other}`);
        }
      }
    }
    return { ok: missing.length === 0, detail: missing.join('; ') };
  });
  plog('every page sees every other participant\'s publications');

  // 4. Subscribed: the remote tracks fired in the peer connection and were matched.
  await waitUntil(`${label}: every page subscribed to every other participant's camera and microphone (track arrived in the PC)`, 20_000, async () => {
    const missing = [];
    for (const { name, s } of await snapshots(all)) {
      for (const other of names.filter((n) => n !== name)) {
        for (const kind of ['video', 'audio']) {
          const t = s.remotes[other]?.tracks[kind];
          if (!t?.hasTrack) missing.push(`${name} <- ${other} ${kind} (${JSON.stringify(t)}; pcs ${JSON.stringify(s.pcs)})`);
        }
      }
    }
    return { ok: missing.length === 0, detail: missing.join('; ') + pageErrors(all) };
  });
  plog('every remote track subscribed');

  // 5. Media: counters rise over a bounded window and the video is not black.
  const base = new Map();
  for (const { name, s } of await snapshots(all)) base.set(name, s);
  const figures = await waitUntil(`${label}: every page decodes every other's video (+${kMinNewFrames} frames, not black) and receives every other's audio (+${kMinNewAudioPackets} packets)`,
                                  30_000, async () => {
    const missing = [];
    const rows = [];
    for (const { name, s } of await snapshots(all)) {
      const b = base.get(name);
      const sent = s.local.map((l) => `${l.kind}:${l.bytesSent}B${l.framesEncoded !== undefined ? `/${l.framesEncoded}f` : ''}`).join(',');
      for (const other of names.filter((n) => n !== name)) {
        const v = s.remotes[other]?.tracks.video ?? {};
        const a = s.remotes[other]?.tracks.audio ?? {};
        const v0 = b.remotes[other]?.tracks.video ?? {};
        const a0 = b.remotes[other]?.tracks.audio ?? {};
        const newFrames = (v.framesDecoded ?? 0) - (v0.framesDecoded ?? 0);
        const newPackets = (a.packetsReceived ?? 0) - (a0.packetsReceived ?? 0);
        const row = { viewer: name, from: other, framesDecoded: v.framesDecoded, newFrames, size: v.size,
                      canvas: v.canvas, ttffMs: v.firstFrameAt ?? null, subAtMs: v.subscribedAt,
                      videoBytes: v.bytesReceived, audioBytes: a.bytesReceived, audioPackets: a.packetsReceived,
                      newAudioPackets: newPackets, energy: a.energy, lost: `${v.packetsLost ?? '-'}/${a.packetsLost ?? '-'}`,
                      pli: v.pli };
        rows.push(row);
        const why = [];
        if (newFrames < kMinNewFrames) why.push(`video framesDecoded ${v0.framesDecoded ?? 0}->${v.framesDecoded ?? 0} (received ${v.framesReceived ?? 0}, ${v.bytesReceived ?? 0} B, pli ${v.pli ?? 0})`);
        if (!v.canvas || v.canvas.litShare <= 0.05) why.push(`video canvas ${JSON.stringify(v.canvas)} (black or no size)`);
        if (newPackets < kMinNewAudioPackets) why.push(`audio packets ${a0.packetsReceived ?? 0}->${a.packetsReceived ?? 0} (${a.bytesReceived ?? 0} B)`);
        if (why.length) missing.push(`${name} <- ${other}: ${why.join(', ')} [${name} sends ${sent}; pcs ${JSON.stringify(s.pcs)}]`);
      }
    }
    return { ok: missing.length === 0, detail: missing.join('\n   ') + pageErrors(all), rows };
  }, 500);
  plog(`media flowing between all ${all.length} participants:`);
  for (const r of figures.rows) {
    plog(`  ${r.viewer} <- ${r.from}: video ${r.framesDecoded} frames decoded (+${r.newFrames}) ${r.size} ` +
         `canvas mean ${r.canvas.mean} lit ${r.canvas.litShare}, first frame ${r.ttffMs} ms after join ` +
         `(subscribed at ${r.subAtMs} ms), ${r.videoBytes} B; audio ${r.audioBytes} B ` +
         `${r.audioPackets} pkts (+${r.newAudioPackets}) energy ${r.energy}; lost v/a ${r.lost}; pli ${r.pli}`);
  }
}

async function main() {
  server = await startMediaServer(serverBinary, { noRtcV1: mode === 'v0' });
  log(`huddle-server on ${server.base} (udp ${server.udpPort}) mode ${mode}, simulcast ${kSimulcast}`);
  if (mode === 'v0') {
    const tok = await tokenFor('probe', kRoom);
    const r = await fetch(`${server.base}/rtc/v1/validate?access_token=${tok}`);
    if (r.status !== 404) throw new Error(`--no-rtc-v1: /rtc/v1/validate answered ${r.status}, expected 404`);
  }
  pageServer = await startPageServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
           '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required',
           '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
           '--disable-backgrounding-occluded-windows'],
  });
  const p = [];
  for (let i = 0; i < 4; i++) p.push(await openPage(`p${i}`));
  await phase('N=2', p.slice(0, 2), p.slice(0, 2));
  await phase('N=4', p, p.slice(2));
  if (process.env.MEETING_REJOIN !== '0') {
    // p3 leaves mid-stream and joins again: the others drop it, then render its new tracks.
    await p[3].page.evaluate(() => window.leave());
    await waitUntil('p3 left: no page lists p3 any more', 10_000, async () => {
      const sn = await snapshots(p.slice(0, 3));
      return { ok: sn.every(({ s }) => !s.remotes.p3),
               detail: sn.map(({ name, s }) => `${name} sees [${Object.keys(s.remotes)}]`).join('; ') };
    });
    log('p3 left; joining again');
    await phase('p3 rejoined', p, p.slice(3));
  }
  for (const x of p) await x.page.evaluate(() => window.leave());
  log('all left');
}

await runScenario(`browser_meeting_${mode}`, {
  overallMs: 165_000,
  server: () => server,
  main,
  diagnostics: async () => {
    const out = [];
    for (const p of pages) {
      let snap;
      try { snap = await p.page.evaluate(() => window.snapshot()); } catch (e) { snap = String(e); }
      out.push(`=== ${p.name} snapshot ===\n${JSON.stringify(snap, null, 1)}`);
      out.push(`=== ${p.name} console (last 25) ===\n${p.console.slice(-25).join('\n')}`);
    }
    return out.join('\n');
  },
  cleanups: [() => browser?.close(), () => pageServer?.close()],
});
