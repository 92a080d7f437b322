// Resume after a network cut, with livekit-client 2.23 in headless Chromium: pages A and B in
// one room, both publishing camera and microphone. A's media crosses the UDP relay and its
// signaling WebSocket the TCP proxy (udp_relay.mjs); B's media crosses the relay too (the
// server announces only the relay's port) but is never cut, and B's WebSocket goes direct.
//
// 1. Signal-only cut: A's WebSocket is reset, UDP untouched.
// 2. Full cut: A's UDP is blackholed and its WebSocket reset, new connections refused, for
//    ~4 s; then everything is let through again.
// Each time A must resume (SignalReconnecting/Reconnecting then Reconnected, same participant
// sid, a reconnect join on the wire), B must never see A leave or join, and video must decode
// again both ways (B <- A and A <- B) after the cut. Prints the time from the end of the cut to
// A's Reconnected and to the first newly decoded frames, and what A sent on the wire to resume.
//
// usage: node resume.mjs <huddle-server> <v1|v0>
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { JoinRequest, SignalRequest, SignalResponse, WrappedJoinRequest,
         WrappedJoinRequest_Compression } from '@livekit/protocol';
import { chromium } from 'playwright-core';
import { makeLog, runScenario, startMediaServerBehindRelay, tokenFor, waitUntil } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node resume.mjs <huddle-server> <v1|v0>');
  process.exit(2);
}
const log = makeLog(`resume ${mode}`);
const kRoom = `resume-${mode}`;
const kCutMs = 4_000;
const kMinNewFrames = 10;

function pageScript() {
  const S = { result: 'pending', events: [], t0: performance.now() };
  window.S = S;
  const now = () => Math.round(performance.now() - S.t0);
  const ev = (e) => { S.events.push({ at: now(), wall: Date.now(), e }); if (S.events.length > 300) S.events.shift(); };
  window.start = async (url, token) => {
    const room = new LivekitClient.Room({
      adaptiveStream: false, dynacast: false,
      videoCaptureDefaults: { resolution: { width: 320, height: 240, frameRate: 15 } },
      publishDefaults: { simulcast: false, videoCodec: 'vp8' },
    });
    S.room = room;
    const E = LivekitClient.RoomEvent;
    room.on(E.ParticipantConnected, (p) => ev(`participantConnected ${p.identity} ${p.sid}`));
    room.on(E.ParticipantDisconnected, (p) => ev(`participantDisconnected ${p.identity} ${p.sid}`));
    room.on(E.Disconnected, (r) => ev(`disconnected reason=${r}`));
    room.on(E.Reconnecting, () => ev('reconnecting'));
    room.on(E.SignalReconnecting, () => ev('signalReconnecting'));
    room.on(E.Reconnected, () => ev('reconnected'));
    room.on(E.TrackSubscribed, (track, pub, p) => {
      ev(`trackSubscribed ${p.identity} ${track.kind}`);
      const el = track.attach();
      el.muted = true;
      el.autoplay = true;
      document.body.appendChild(el);
      el.play?.().catch(() => {});
    });
    room.on(E.TrackUnsubscribed, (track, pub, p) => ev(`trackUnsubscribed ${p.identity} ${track.kind}`));
    try {
      await room.connect(url, token, { autoSubscribe: true, peerConnectionTimeout: 20000 });
      ev('connected');
      await room.localParticipant.setCameraEnabled(true);
      await room.localParticipant.setMicrophoneEnabled(true);
      S.result = 'publishing';
    } catch (e) {
      S.result = `failed: ${e.message}`;
      ev(S.result);
    }
  };
  window.snapshot = async () => {
    const room = S.room;
    if (!room) return { result: S.result, events: S.events };
    const pm = room.engine?.pcManager;
    const out = { result: S.result, state: room.state, sid: room.localParticipant.sid,
                  pcs: { publisher: pm?.publisher?.getConnectionState?.(),
                         subscriber: pm?.subscriber?.getConnectionState?.() },
                  remotes: {}, events: S.events };
    for (const p of room.remoteParticipants.values()) {
      const r = { sid: p.sid, framesDecoded: 0, audioPackets: 0 };
      for (const pub of p.trackPublications.values()) {
        const rep = await pub.track?.receiver?.getStats();
        rep?.forEach((x) => {
          if (x.type !== 'inbound-rtp') return;
          if (pub.kind === 'video') r.framesDecoded = x.framesDecoded ?? 0;
          else r.audioPackets = x.packetsReceived ?? 0;
        });
      }
      out.remotes[p.identity] = r;
    }
    return out;
  };
  window.leave = async () => { await S.room?.disconnect(); };
}

const kPage = `<!doctype html><html><head><meta charset="utf-8"><title>huddle resume</title>
<script src="/livekit-client.umd.js"></script></head><body><script>(${pageScript.toString()})();</script>
</body></html>`;

let server;
let relay;
let proxy;
let browser;
let pageServer;
const pages = {};
const wire = [];  // what A sent and got on its signal WebSockets: { at, dir, what }

function startPageServer() {
  const umd = readFileSync(new URL('../../../node_modules/livekit-client/dist/livekit-client.umd.js', import.meta.url));
  const srv = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(kPage);
    else if (req.url === '/livekit-client.umd.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(umd);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

const ufragOf = (sdp) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1] ?? '-';

// The join parameters of a signal URL: v0 query fields, or v1's join_request protobuf.
function describeJoinUrl(url) {
  const u = new URL(url);
  const q = u.searchParams;
  if (q.has('join_request')) {
    const wrapped = WrappedJoinRequest.fromBinary(Buffer.from(q.get('join_request'), 'base64url'));
    const bytes = wrapped.compression === WrappedJoinRequest_Compression.GZIP
      ? gunzipSync(Buffer.from(wrapped.joinRequest)) : Buffer.from(wrapped.joinRequest);
    const j = JoinRequest.fromBinary(bytes);
    return `${u.pathname} join_request{reconnect=${j.reconnect} participantSid=${j.participantSid || '-'} ` +
           `reconnectReason=${j.reconnectReason} publisherOffer=${j.publisherOffer ? `ufrag ${ufragOf(j.publisherOffer.sdp)}` : 'none'}}`;
  }
  const keep = ['reconnect', 'sid', 'reconnect_reason', 'auto_subscribe', 'protocol'];
  return `${u.pathname} ?${keep.filter((k) => q.has(k)).map((k) => `${k}=${q.get(k)}`).join('&')}`;
}

function describeFrame(payload, Type) {
  if (typeof payload === 'string') return `text ${payload.slice(0, 60)}`;
  try {
    const m = Type.fromBinary(payload).message;
    if (!m.case || m.case === 'ping' || m.case === 'pingReq' || m.case === 'pong' || m.case === 'pongResp') return null;
    if (m.case === 'offer' || m.case === 'answer') return `${m.case} id=${m.value.id} ufrag=${ufragOf(m.value.sdp)}`;
    if (m.case === 'trickle') return `trickle target=${m.value.target}`;
    return m.case;
  } catch (e) {
    return `undecodable (${e.message})`;
  }
}

async function openPage(name, watchWire) {
  const page = await browser.newPage();
  const entry = { name, page, console: [] };
  page.on('console', (m) => { entry.console.push(`${m.type()}: ${m.text().slice(0, 300)}`); if (entry.console.length > 300) entry.console.shift(); });
  page.on('pageerror', (e) => entry.console.push(`pageerror: ${e.message}`));
  if (watchWire) {
    page.on('websocket', (ws) => {
      if (!ws.url().includes('/rtc')) return;
      wire.push({ at: log.elapsedMs(), dir: 'open', what: describeJoinUrl(ws.url()) });
      ws.on('framesent', (f) => {
        const d = describeFrame(f.payload, SignalRequest);
        if (d) wire.push({ at: log.elapsedMs(), dir: '->', what: d });
      });
      ws.on('framereceived', (f) => {
        const d = describeFrame(f.payload, SignalResponse);
        if (d) wire.push({ at: log.elapsedMs(), dir: '<-', what: d });
      });
      ws.on('close', () => wire.push({ at: log.elapsedMs(), dir: 'close', what: '' }));
    });
  }
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  pages[name] = entry;
  return entry;
}

const snap = (name) => pages[name].page.evaluate(() => window.snapshot());

async function bothDecode(label, minNew = kMinNewFrames, ms = 30_000) {
  const base = { A: (await snap('A')).remotes.B?.framesDecoded ?? 0, B: (await snap('B')).remotes.A?.framesDecoded ?? 0 };
  const firstAt = { A: null, B: null };
  const t0 = Date.now();
  await waitUntil(`${label}: A decodes B's video and B decodes A's (+${minNew} frames each)`, ms, async () => {
    const a = await snap('A');
    const b = await snap('B');
    const got = { A: (a.remotes.B?.framesDecoded ?? 0) - base.A, B: (b.remotes.A?.framesDecoded ?? 0) - base.B };
    for (const k of ['A', 'B']) if (got[k] > 0 && firstAt[k] === null) firstAt[k] = Date.now() - t0;
    return { ok: got.A >= minNew && got.B >= minNew,
             detail: { newFrames: got, A: { state: a.state, pcs: a.pcs }, B: { state: b.state, pcs: b.pcs } } };
  }, 100);
  return firstAt;
}

function eventsSince(s, wall) { return s.events.filter((e) => e.wall >= wall).map((e) => e.e); }

// Samples both directions' framesDecoded every ~100 ms until stopped: the longest stretch
// without a newly decoded frame, and when frames first rose after `from`.
function startSampler() {
  const st = { stop: false, last: {}, lastRiseAt: {}, longestStallMs: { A: 0, B: 0 }, firstRiseAfter: {} };
  st.done = (async () => {
    for (let i = 0; !st.stop && i < 2_000; i++) {
      const now = Date.now();
      const v = { A: (await snap('A')).remotes.B?.framesDecoded ?? 0, B: (await snap('B')).remotes.A?.framesDecoded ?? 0 };
      for (const k of ['A', 'B']) {
        st.lastRiseAt[k] ??= now;
        if (st.last[k] !== undefined && v[k] > st.last[k]) {
          st.longestStallMs[k] = Math.max(st.longestStallMs[k], now - st.lastRiseAt[k]);
          st.lastRiseAt[k] = now;
          if (st.from && now >= st.from && st.firstRiseAfter[k] === undefined) st.firstRiseAfter[k] = now - st.from;
        }
        st.last[k] = v[k];
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return st;
}

async function cut(label, { udp }) {
  const before = await snap('A');
  const sampler = startSampler();
  const startedAt = Date.now();
  log(`[${label}] cutting A: WebSocket reset${udp ? `, UDP blackholed and new connections refused for ${kCutMs} ms` : ''}`);
  const wireFrom = wire.length;
  if (udp) {
    relay.block({ except: bKeys });
    proxy.block();
  }
  proxy.cutAll();
  let endedAt = Date.now();
  if (udp) {
    await new Promise((r) => setTimeout(r, kCutMs));  // the length of the outage itself, not a sync
    relay.unblock();
    proxy.unblock();
    endedAt = Date.now();
  }
  sampler.from = endedAt;
  const reconnectedWait = Date.now();
  const s = await waitUntil(`[${label}] A emits Reconnected after the cut`, 30_000, async () => {
    const a = await snap('A');
    const ev = eventsSince(a, startedAt);
    return { ok: ev.includes('reconnected'), detail: { events: ev, state: a.state, pcs: a.pcs }, a };
  }, 100);
  const reconnectedMs = Date.now() - endedAt;
  const ev = eventsSince(s.a, startedAt);
  const started = ev.findIndex((e) => e === 'signalReconnecting' || e === 'reconnecting');
  if (started < 0 || started > ev.indexOf('reconnected')) {
    throw new Error(`[${label}] A did not emit SignalReconnecting/Reconnecting before Reconnected: ${JSON.stringify(ev)}`);
  }
  if (ev.some((e) => e.startsWith('disconnected') || e.startsWith('failed'))) throw new Error(`[${label}] A disconnected: ${JSON.stringify(ev)}`);
  if (s.a.sid !== before.sid) throw new Error(`[${label}] A's sid changed ${before.sid} -> ${s.a.sid}: a full rejoin, not a resume`);
  await bothDecode(`[${label}] after the cut`);
  const mediaMs = Date.now() - endedAt;
  sampler.stop = true;
  await sampler.done;
  const sent = wire.slice(wireFrom);
  const reconnectOpens = sent.filter((w) => w.dir === 'open');
  if (!reconnectOpens.some((w) => /reconnect(=1|=true)/.test(w.what))) {
    throw new Error(`[${label}] no reconnect join on A's wire: ${JSON.stringify(reconnectOpens)}`);
  }
  const timed = s.a.events.filter((e) => e.wall >= startedAt).map((e) => `${e.e} ${e.wall - endedAt} ms`);
  log(`[${label}] A events (ms from the end of the cut): ${timed.join(', ')}; sid ${s.a.sid} unchanged`);
  log(`[${label}] from the end of the cut: Reconnected after ${reconnectedMs} ms (waited ${Date.now() - reconnectedWait} ms), ` +
      `first newly decoded frame B<-A ${sampler.firstRiseAfter.B ?? '-'} ms / A<-B ${sampler.firstRiseAfter.A ?? '-'} ms, ` +
      `+${kMinNewFrames} frames both ways ${mediaMs} ms; longest decode stall B<-A ` +
      `${sampler.longestStallMs.B} ms, A<-B ${sampler.longestStallMs.A} ms (sampled every ~100 ms)`);
  log(`[${label}] A's signal traffic during the resume (ms from the end of the cut; pings omitted):`);
  const endedAtLog = endedAt - (Date.now() - log.elapsedMs());
  for (const w of sent.slice(0, 30)) log(`    ${w.at - endedAtLog} ms ${w.dir} ${w.what}`);
  return { reconnectedMs, firstFrameMs: sampler.firstRiseAfter, mediaMs, longestStallMs: sampler.longestStallMs };
}

let bKeys = [];

async function main() {
  ({ server, relay, proxy } = await startMediaServerBehindRelay(serverBinary, { noRtcV1: mode === 'v0', signalProxy: true }));
  log(`huddle-server on ${server.base}, udp ${server.udpPort} behind relay ${relay.port}, A's signal via proxy ${proxy.port}`);
  pageServer = await startPageServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
           '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required',
           '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
           '--disable-backgrounding-occluded-windows'],
  });
  await openPage('A', true);
  await openPage('B', false);
  await pages.A.page.evaluate(([u, t]) => { window.start(u, t); }, [proxy.ws, await tokenFor('A', kRoom)]);
  await waitUntil('A publishing', 25_000, async () => { const s = await snap('A'); return { ok: s.result === 'publishing', detail: s.result }; });
  const aKeys = relay.clientKeys();
  await pages.B.page.evaluate(([u, t]) => { window.start(u, t); }, [server.ws, await tokenFor('B', kRoom)]);
  await waitUntil('B publishing', 25_000, async () => { const s = await snap('B'); return { ok: s.result === 'publishing', detail: s.result }; });
  await bothDecode('before any cut');
  bKeys = relay.clientKeys().filter((k) => !aKeys.includes(k));
  if (bKeys.length === 0) throw new Error(`no relay client for B (A ${JSON.stringify(aKeys)}, all ${JSON.stringify(relay.clientKeys())})`);
  const bFirst = await snap('B');
  const aSidAtB = bFirst.remotes.A?.sid;
  log(`A and B decode each other; relay clients A ${JSON.stringify(aKeys)} B ${JSON.stringify(bKeys)}; A is ${aSidAtB} at B`);

  const figures = {};
  figures.signalOnly = await cut('signal-only cut', { udp: false });
  figures.full = await cut('UDP+signal cut', { udp: true });

  const bEnd = await snap('B');
  const aAtB = bEnd.events.map((e) => e.e).filter((e) => / A /.test(`${e} `) && /participant(Dis)?[Cc]onnected/.test(e));
  if (aAtB.length > 0) throw new Error(`B saw A leave or join during the run: ${JSON.stringify(aAtB)}`);
  if (bEnd.remotes.A?.sid !== aSidAtB) throw new Error(`B's view of A changed sid ${aSidAtB} -> ${bEnd.remotes.A?.sid}`);
  const m = await fetch(`${server.base}/metrics`).then((r) => r.text());
  const resumes = /^huddle_\S*resume\S*\s+(\d+)/m.exec(m)?.[0] ?? 'no resume counter';
  log(`B saw no leave/join of A; server ${resumes}; relay ${JSON.stringify({ up: relay.stats().up, down: relay.stats().down })}`);
  log(`figures: ${JSON.stringify(figures)}`);
  for (const p of Object.values(pages)) await p.page.evaluate(() => window.leave());
  // For a look at the server's side of a passing run (ICE, selected paths): the whole log.
  if (process.env.RESUME_SERVER_LOG) writeFileSync(process.env.RESUME_SERVER_LOG, server.output());
}

await runScenario(`resume_${mode}`, {
  overallMs: 150_000,
  server: () => server,
  main,
  diagnostics: async () => {
    const out = [];
    for (const p of Object.values(pages)) {
      let s;
      try { s = await p.page.evaluate(() => window.snapshot()); } catch (e) { s = String(e); }
      if (s?.events) s.events = s.events.slice(-40).map((e) => `${e.at}ms ${e.e}`);
      out.push(`=== ${p.name} snapshot ===\n${JSON.stringify(s, null, 1)}`);
      out.push(`=== ${p.name} console (last 30) ===\n${p.console.slice(-30).join('\n')}`);
    }
    out.push(`=== A's signal wire (last 40) ===\n${wire.slice(-40).map((w) => `+${w.at} ${w.dir} ${w.what}`).join('\n')}`);
    out.push(`relay ${JSON.stringify(relay?.stats())} proxy ${JSON.stringify(proxy?.stats())}`);
    return out.join('\n');
  },
  cleanups: [() => browser?.close(), () => pageServer?.close(), () => relay?.close(), () => proxy?.close()],
});
