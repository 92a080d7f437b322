// Simulcast, layer choice, dynacast and mute with livekit-client 2.23 in headless Chromium
// through huddle-server. A publisher page sends its fake camera at 1280x720 in three layers
// (q 320x180, h 640x360, f 1280x720; VP8, dynacast on); a subscriber page (adaptive stream off)
// receives it. Passes when:
// - the publisher's outbound-rtp shows three rids sending;
// - the subscriber starts on the top layer (LiveKit's default), then setVideoQuality(LOW)
//   brings its inbound frameWidth down to the width the publisher sends on rid q, and HIGH
//   brings it back to rid f's, with frames decoded throughout each switch and freezes short;
// - dynacast: while the only subscriber wants LOW, the publisher is told to pause h and f and
//   their outbound bytes stop growing; asking HIGH again turns them back on;
// - mute: the publisher mutes (its track disabled, Chromium keeps sending black frames) and the
//   subscriber's framesDecoded stops growing because the server stops forwarding; unmuted, it
//   grows again.
// Widths, switch times, frame and freeze figures are printed.
//
// usage: node simulcast.mjs <huddle-server> [v1|v0]
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { makeLog, runScenario, startMediaServer, tokenFor, waitUntil } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node simulcast.mjs <huddle-server> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`simulcast ${mode}`);
const kRoom = `simulcast-${mode}`;
// A switch must not freeze the picture for longer than this in total (Chromium counts a freeze
// when a frame comes more than max(3x the mean interval, mean + 150 ms) after the previous).
const kMaxFreezeSecondsPerSwitch = 1.0;
// When the publisher has to restart its paused encodings first (dynacast), Chromium's simulcast
// encoder reconfigures and every layer may stall briefly.
const kMaxFreezeSecondsDynacastResume = 2.0;

function pageScript() {
  const S = { events: [], t0: performance.now(), remote: null };
  window.S = S;
  const now = () => Math.round(performance.now() - S.t0);
  const ev = (e) => { S.events.push(`${now()}ms ${e}`); if (S.events.length > 100) S.events.shift(); };
  const L = LivekitClient;

  window.join = async (url, token, role) => {
    const room = new L.Room({ adaptiveStream: false, dynacast: role === 'publisher' });
    S.room = room;
    const E = L.RoomEvent;
    room.on(E.TrackSubscribed, (track, pub, p) => {
      ev(`trackSubscribed ${p.identity} ${track.kind}`);
      if (track.kind !== 'video') return;
      const el = track.attach();
      el.muted = true;
      el.autoplay = true;
      document.body.appendChild(el);
      S.remote = { track, pub, el };
    });
    room.on(E.TrackMuted, (pub, p) => ev(`trackMuted ${p.identity} ${pub.kind}`));
    room.on(E.TrackUnmuted, (pub, p) => ev(`trackUnmuted ${p.identity} ${pub.kind}`));
    room.on(E.Disconnected, (r) => ev(`disconnected ${r}`));
    room.engine.on('subscribedQualityUpdate', (u) => ev(`subscribedQualityUpdate ${JSON.stringify(u.subscribedQualities?.map((q) => q.enabled))}`));
    await room.connect(url, token, { autoSubscribe: role !== 'publisher', peerConnectionTimeout: 20000 });
    ev('connected');
    if (role !== 'publisher') return 'joined';
    // A track of our own (user-provided): muting only disables it, so Chromium keeps sending
    // black frames and it is the server that must stop forwarding them.
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 30 } });
    const mst = stream.getVideoTracks()[0];
    const pub = await room.localParticipant.publishTrack(mst, {
      source: L.Track.Source.Camera, simulcast: true, videoCodec: 'vp8',
      videoEncoding: L.VideoPresets.h720.encoding,
      videoSimulcastLayers: [L.VideoPresets.h180, L.VideoPresets.h360],
    });
    S.localPub = pub;
    ev(`published ${pub.trackSid}`);
    return 'published';
  };

  window.outbound = async () => {
    const pub = S.localPub;
    const rep = await pub?.track?.sender?.getStats();
    const out = {};
    rep?.forEach((r) => {
      if (r.type === 'outbound-rtp' && r.kind === 'video') {
        out[r.rid ?? '-'] = { bytes: r.bytesSent ?? 0, w: r.frameWidth ?? 0, h: r.frameHeight ?? 0,
                             frames: r.framesEncoded ?? 0, sent: r.framesSent ?? 0, packets: r.packetsSent ?? 0,
                             active: r.active,
                             limit: r.qualityLimitationReason };
      }
    });
    const params = pub?.track?.sender?.getParameters();
    const active = {};
    for (const e of params?.encodings ?? []) active[e.rid ?? '-'] = e.active;
    return { rids: out, active, sid: pub?.trackSid, muted: pub?.isMuted };
  };

  window.inbound = async () => {
    const r = S.remote;
    if (!r) return null;
    const rep = await r.track.receiver?.getStats();
    let s = null;
    rep?.forEach((x) => { if (x.type === 'inbound-rtp') s = x; });
    return { w: s?.frameWidth ?? 0, h: s?.frameHeight ?? 0, decoded: s?.framesDecoded ?? 0,
             received: s?.framesReceived ?? 0, freezes: s?.freezeCount ?? 0,
             freezeSeconds: s?.totalFreezesDuration ?? 0, pli: s?.pliCount ?? 0,
             bytes: s?.bytesReceived ?? 0, lost: s?.packetsLost ?? 0, nack: s?.nackCount ?? 0,
             dropped: s?.framesDropped ?? 0, packets: s?.packetsReceived ?? 0, muted: r.pub.isMuted, at: now() };
  };

  window.setQuality = (q) => { S.remote.pub.setVideoQuality(L.VideoQuality[q]); ev(`setVideoQuality ${q}`); };
  window.setMuted = async (m) => { if (m) await S.localPub.mute(); else await S.localPub.unmute(); ev(`muted=${m}`); };
  window.events = () => S.events.slice(-40);
  window.leave = async () => { await S.room?.disconnect(); };
}

const kPage = `<!doctype html><html><head><meta charset="utf-8"><title>huddle simulcast</title>
<script src="/livekit-client.umd.js"></script></head><body><script>(${pageScript.toString()})();</script>
</body></html>`;

let server;
let browser;
let pageServer;
let pub;
let sub;

function startPageServer() {
  const umd = readFileSync(new URL('../../../node_modules/livekit-client/dist/livekit-client.umd.js', import.meta.url));
  const srv = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(kPage);
    else if (req.url === '/livekit-client.umd.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(umd);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

async function openPage(name) {
  const page = await browser.newPage();
  const entry = { name, page, console: [] };
  page.on('console', (m) => { entry.console.push(`${m.type()}: ${m.text().slice(0, 300)}`); if (entry.console.length > 200) entry.console.shift(); });
  page.on('pageerror', (e) => entry.console.push(`pageerror: ${e.message}`));
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  if (!(await page.evaluate(() => typeof window.join === 'function' && typeof LivekitClient?.Room === 'function'))) {
    throw new Error(`${name}: the livekit-client bundle did not load`);
  }
  return entry;
}

const outbound = () => pub.page.evaluate(() => window.outbound());
const inbound = () => sub.page.evaluate(() => window.inbound());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits until the subscriber decodes frames `width` wide; returns the time it took and the
// frame/freeze figures across the switch.
async function switchTo(quality, width, label, { windowMs = 3000, maxFreezeSeconds = kMaxFreezeSecondsPerSwitch } = {}) {
  const before = await inbound();
  const t0 = Date.now();
  await sub.page.evaluate((q) => window.setQuality(q), quality);
  const samples = [];
  const reached = await waitUntil(`${label}: subscriber decodes ${width}-pixel-wide frames after setVideoQuality(${quality})`, 15_000, async () => {
    const s = await inbound();
    samples.push(s.decoded);
    return { ok: s.w === width && s.decoded > before.decoded, detail: s };
  }, 100);
  const switchMs = Date.now() - t0;
  // Frames keep coming after the switch, as many as the publisher encodes on that layer (a
  // loaded machine encodes the top layer slowly, so compare rather than expect a frame rate).
  const rid = quality === 'LOW' ? 'q' : quality === 'MEDIUM' ? 'h' : 'f';
  const o0 = await outbound();
  const s0 = await inbound();
  const timeline = [];
  for (let i = 0; i < windowMs / 500; i++) {
    await sleep(500);
    const [o, s] = [await outbound(), await inbound()];
    timeline.push(`${o.rids[rid].frames}/${o.rids[rid].sent}/${o.rids[rid].packets}->${s.received}/${s.decoded}/${s.packets}/lost${s.lost}/nack${s.nack}/w${s.w}`);
  }
  log(`${label} timeline (publisher encoded/sent/packets on ${rid} -> subscriber received/decoded/packets): ${timeline.join(' ')}`);
  const o1 = await outbound();
  const after = await inbound();
  const stalls = samples.filter((d, i) => i > 0 && d === samples[i - 1]).length;
  const fig = { switchMs, width: reached.detail.w, height: reached.detail.h,
                framesDuring: reached.detail.decoded - before.decoded,
                framesDecodedAfter: after.decoded - s0.decoded,
                framesEncodedAfter: o1.rids[rid].frames - o0.rids[rid].frames,
                freezeCountDelta: after.freezes - before.freezes,
                freezeSecondsDelta: Math.round((after.freezeSeconds - before.freezeSeconds) * 1000) / 1000,
                stalled100msPolls: stalls, polls: samples.length };
  log(`${label}: ${JSON.stringify(fig)}`);
  if (after.w !== width) throw new Error(`${label}: the subscriber left width ${width} (now ${after.w})`);
  if (fig.framesDecodedAfter < Math.max(3, fig.framesEncodedAfter / 2)) {
    throw new Error(`${label}: ${fig.framesDecodedAfter} frames decoded in the ${windowMs} ms after the switch while the publisher encoded ${fig.framesEncodedAfter} on ${rid}`);
  }
  if (fig.freezeSecondsDelta > maxFreezeSeconds) {
    throw new Error(`${label}: video froze ${fig.freezeSecondsDelta} s across the switch (${fig.freezeCountDelta} freezes)`);
  }
  return fig;
}

async function bytesGrowth(ms) {
  const a = await outbound();
  await sleep(ms);
  const b = await outbound();
  const growth = {};
  for (const rid of Object.keys(b.rids)) growth[rid] = b.rids[rid].bytes - (a.rids[rid]?.bytes ?? 0);
  return { growth, active: b.active, rids: b.rids };
}

async function main() {
  server = await startMediaServer(serverBinary, { noRtcV1: mode === 'v0' });
  log(`huddle-server on ${server.ws}`);
  pageServer = await startPageServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
           '--autoplay-policy=no-user-gesture-required'],
  });
  pub = await openPage('publisher');
  sub = await openPage('subscriber');
  const r1 = await pub.page.evaluate(([u, t]) => window.join(u, t, 'publisher'), [server.ws, await tokenFor('publisher', kRoom)]);
  log(`publisher: ${r1}`);
  await sub.page.evaluate(([u, t]) => window.join(u, t, 'subscriber'), [server.ws, await tokenFor('subscriber', kRoom)]);
  log('subscriber joined');

  // Three rids sending.
  const three = await waitUntil('publisher sends three simulcast layers (q, h, f) with frames of three sizes', 20_000, async () => {
    const g = await bytesGrowth(500);
    const sending = Object.entries(g.growth).filter(([, b]) => b > 0).map(([rid]) => rid);
    const widths = Object.fromEntries(Object.entries(g.rids).map(([rid, r]) => [rid, r.w]));
    return { ok: ['q', 'h', 'f'].every((r) => sending.includes(r) && g.rids[r].w > 0) &&
                 g.rids.q.w < g.rids.h.w && g.rids.h.w < g.rids.f.w,
             detail: { sending, widths, active: g.active } };
  });
  log(`publisher layers: ${JSON.stringify(three.detail)}`);

  // Default: the top layer.
  const first = await waitUntil('subscriber decodes the top layer first', 20_000, async () => {
    const [o, s] = [await outbound(), await inbound()];
    return { ok: !!s && s.decoded > 10 && s.w === o.rids.f.w, detail: { in: s, fWidth: o.rids.f.w } };
  });
  log(`subscriber starts at ${first.detail.in.w}x${first.detail.in.h}`);

  // LOW and back to HIGH within the dynacast pause delay: the publisher keeps sending every
  // layer, so this is the server's switching alone.
  const qWidth = (await outbound()).rids.q.w;
  const fWidth = (await outbound()).rids.f.w;
  const low = await switchTo('LOW', qWidth, 'HIGH -> LOW', { windowMs: 1000 });
  const high = await switchTo('HIGH', fWidth, 'LOW -> HIGH', { windowMs: 1500 });

  // LOW until dynacast pauses h and f at the publisher, then HIGH: the publisher must restart
  // f first (its encoder reconfigures), so the switch takes longer.
  const low2 = await switchTo('LOW', qWidth, 'HIGH -> LOW (stays)', { windowMs: 1000 });
  const paused = await waitUntil('dynacast: with the only subscriber on LOW, the publisher stops sending h and f', 12_000, async () => {
    const g = await bytesGrowth(700);
    return { ok: g.growth.q > 0 && g.growth.h === 0 && g.growth.f === 0, detail: g };
  }, 300);
  log(`dynacast paused: ${JSON.stringify(paused.detail.active)} growth ${JSON.stringify(paused.detail.growth)}`);
  const high2 = await switchTo('HIGH', fWidth, 'LOW -> HIGH (publisher resumes f)', { maxFreezeSeconds: kMaxFreezeSecondsDynacastResume });
  const resumed = await bytesGrowth(700);
  if (!(resumed.growth.f > 0 && resumed.growth.h > 0)) throw new Error(`dynacast: h and f do not resume: ${JSON.stringify(resumed)}`);

  // Mute: the server stops forwarding (Chromium would keep sending black frames).
  await pub.page.evaluate(() => window.setMuted(true));
  await waitUntil('subscriber sees the publication muted', 5_000, async () => {
    const s = await inbound();
    return { ok: s.muted, detail: s };
  });
  await sleep(700);
  const m0 = await inbound();
  await sleep(1500);
  const m1 = await inbound();
  const mutedOut = await bytesGrowth(300);
  log(`muted: subscriber decoded ${m1.decoded - m0.decoded} frames in 1.5 s; publisher still sends ${JSON.stringify(mutedOut.growth)} bytes/300ms`);
  if (m1.decoded !== m0.decoded) throw new Error(`muted: the subscriber still decoded ${m1.decoded - m0.decoded} frames in 1.5 s`);
  const tUnmute = Date.now();
  await pub.page.evaluate(() => window.setMuted(false));
  const back = await waitUntil('unmuted: the subscriber decodes frames again', 10_000, async () => {
    const s = await inbound();
    return { ok: s.decoded > m1.decoded + 10, detail: s };
  });
  log(`unmuted: frames again after ${Date.now() - tUnmute} ms (${back.detail.w}x${back.detail.h})`);

  log(`SUMMARY ${mode}: layers ${JSON.stringify(three.detail.widths)}; start ${first.detail.in.w}; ` +
      `LOW ${low.width} in ${low.switchMs} ms (freezes +${low.freezeCountDelta}, ${low.freezeSecondsDelta} s); ` +
      `HIGH ${high.width} in ${high.switchMs} ms (freezes +${high.freezeCountDelta}, ${high.freezeSecondsDelta} s); ` +
      `after dynacast pause LOW ${low2.switchMs} ms, HIGH ${high2.switchMs} ms (freezes +${high2.freezeCountDelta}, ${high2.freezeSecondsDelta} s)`);
}

async function diagnostics() {
  const out = [];
  for (const p of [pub, sub]) {
    if (!p) continue;
    try {
      out.push(`${p.name} events: ${JSON.stringify(await p.page.evaluate(() => window.events()))}`);
      out.push(`${p.name} console: ${p.console.slice(-15).join('\n  ')}`);
    } catch (e) {
      out.push(`${p.name}: ${e}`);
    }
  }
  try { out.push(`outbound: ${JSON.stringify(await outbound())}`); } catch {}
  try { out.push(`inbound: ${JSON.stringify(await inbound())}`); } catch {}
  return out.join('\n');
}

await runScenario(`simulcast-${mode}`, {
  overallMs: 150_000,
  server: () => server,
  main,
  diagnostics,
  cleanups: [
    async () => { for (const p of [sub, pub]) await p?.page.evaluate(() => window.leave()).catch(() => {}); },
    async () => browser?.close(),
    async () => new Promise((r) => (pageServer ? pageServer.close(() => r()) : r())),
  ],
});
