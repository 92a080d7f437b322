// The C++ client SDK (as `huddle-cli join`) and livekit-client 2.23 in headless Chromium in one
// room through huddle-server.
// media: the page publishes Chromium's fake camera and microphone and subscribes; it renders the
//   cli's test pattern (framesDecoded rising, a canvas sample not black) and hears its tone
//   (WebAudio analyser peak at 440 +- 20 Hz); the cli's --stats-json shows the page's video
//   decoded (not black) and its audio received.
// data: the cli sends N reliable messages ("hello 1" .. "hello N"): the page gets every one
//   exactly once and in order; the page sends reliable and lossy messages: the cli records all
//   reliable ones in order and at least one lossy one.
// Then the cli leaves on SIGTERM with exit code 0. Prints what it measured.
//
// usage: node cli_browser.mjs <huddle-server> <huddle-cli> <media|data> [v1|v0]
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { kDevKey, kDevSecret, makeLog, runScenario, startMediaServer, tokenFor,
         waitUntil } from '../media/media_harness.mjs';
import { startCli } from './cli_harness.mjs';

const [serverBinary, cliBinary, what, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !cliBinary || !['media', 'data'].includes(what) || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node cli_browser.mjs <huddle-server> <huddle-cli> <media|data> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`cli_browser ${what} ${mode}`);
const kRoom = `cli-browser-${what}-${mode}`;
const kTone = 440;
const kToleranceHz = 20;
const kMinFrames = 30;
const kCliMessages = 10;
const kPageReliable = 20;
const kPageLossy = 20;

// Runs in the page: one livekit-client Room; remote tracks attached to elements, a WebAudio
// analyser on remote audio, data messages kept in arrival order.
function pageScript() {
  const S = { result: 'pending', events: [], remote: {}, data: [] };
  window.S = S;
  const ev = (e) => { S.events.push(`${Math.round(performance.now())}ms ${e}`); if (S.events.length > 100) S.events.shift(); };

  window.start = async (url, token, publish) => {
    const room = new LivekitClient.Room({
      adaptiveStream: false, dynacast: false,
      videoCaptureDefaults: { resolution: { width: 320, height: 240, frameRate: 15 } },
      publishDefaults: { simulcast: false, videoCodec: 'vp8' },
    });
    S.room = room;
    const E = LivekitClient.RoomEvent;
    room.on(E.ParticipantConnected, (p) => ev(`participantConnected ${p.identity}`));
    room.on(E.ParticipantDisconnected, (p) => ev(`participantDisconnected ${p.identity}`));
    room.on(E.TrackSubscriptionFailed, (sid, p, err) => ev(`trackSubscriptionFailed ${p?.identity} ${sid} ${err}`));
    room.on(E.Disconnected, (r) => ev(`disconnected reason=${r}`));
    room.on(E.DataReceived, (payload, participant, kind, topic, _encryption, identity) => {
      S.data.push({ from: participant?.identity ?? identity ?? null, kind, topic: topic ?? null,
                    text: new TextDecoder().decode(payload) });
    });
    room.on(E.TrackSubscribed, (track, pub, p) => {
      ev(`trackSubscribed ${p.identity} ${track.kind} ${pub.trackSid}`);
      const el = track.attach();
      el.muted = track.kind === 'video';
      el.autoplay = true;
      document.body.appendChild(el);
      const entry = { track, el };
      S.remote[`${p.identity}/${track.kind}`] = entry;
      el.play?.().catch((e) => ev(`play ${track.kind}: ${e.message}`));
      if (track.kind === 'audio') {
        // The analyser runs into a silent gain, so the graph is pulled without making sound.
        const ctx = new AudioContext();
        const src = ctx.createMediaStreamSource(new MediaStream([track.mediaStreamTrack]));
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 8192;
        analyser.smoothingTimeConstant = 0;
        const mute = ctx.createGain();
        mute.gain.value = 0;
        src.connect(analyser);
        analyser.connect(mute);
        mute.connect(ctx.destination);
        ctx.resume().catch((e) => ev(`AudioContext.resume: ${e.message}`));
        Object.assign(entry, { ctx, analyser });
      }
    });
    try {
      await room.connect(url, token, { autoSubscribe: true, peerConnectionTimeout: 20000 });
      ev('connected');
    } catch (e) {
      S.result = `connect failed: ${e.message}`;
      return;
    }
    if (publish) {
      try {
        await room.localParticipant.setCameraEnabled(true);
        await room.localParticipant.setMicrophoneEnabled(true);
      } catch (e) {
        S.result = `publish failed: ${e.message}`;
        return;
      }
    }
    S.result = 'ready';
  };

  // Peak of the analyser's spectrum (Hz) and its level (dB).
  const peak = (entry) => {
    if (!entry?.analyser) return null;
    const bins = new Float32Array(entry.analyser.frequencyBinCount);
    entry.analyser.getFloatFrequencyData(bins);
    let best = 1;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    return { hz: Math.round((best * entry.ctx.sampleRate) / entry.analyser.fftSize * 10) / 10,
             db: Math.round(bins[best]), ctxState: entry.ctx.state };
  };

  const canvas = (el) => {
    if (!el || !el.videoWidth) return null;
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 18;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(el, 0, 0, c.width, c.height);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += (px[i] + px[i + 1] + px[i + 2]) / 3;
    return { mean: Math.round(sum / (px.length / 4)) };
  };

  window.snapshot = async () => {
    const out = { result: S.result, state: S.room?.state, remotes: {}, data: S.data, events: S.events.slice(-20),
                  local: [] };
    for (const pub of S.room?.localParticipant.trackPublications.values() ?? []) {
      out.local.push({ kind: pub.kind, sid: pub.trackSid });
    }
    for (const [key, entry] of Object.entries(S.remote)) {
      const report = await entry.track.receiver?.getStats();
      let s = null;
      report?.forEach((r) => { if (r.type === 'inbound-rtp') s = r; });
      out.remotes[key] = entry.track.kind === 'video'
        ? { framesDecoded: s?.framesDecoded ?? 0, size: s?.frameWidth ? `${s.frameWidth}x${s.frameHeight}` : null,
            packetsLost: s?.packetsLost ?? 0, canvas: canvas(entry.el) }
        : { packetsReceived: s?.packetsReceived ?? 0, energy: s?.totalAudioEnergy ?? 0, peak: peak(entry) };
    }
    return out;
  };

  window.sendMessages = async (reliableCount, lossyCount) => {
    const lp = S.room.localParticipant;
    const enc = new TextEncoder();
    for (let i = 1; i <= reliableCount; i++) {
      await lp.publishData(enc.encode(`page ${i}`), { reliable: true, topic: 'page-reliable' });
    }
    // livekit-client drops a lossy message while its channel's buffer is high: pace them.
    for (let i = 1; i <= lossyCount; i++) {
      await lp.publishData(enc.encode(`lossy ${i}`), { reliable: false, topic: 'page-lossy' });
      await new Promise((r) => setTimeout(r, 20));
    }
    return 'sent';
  };
}

const kPage = `<!doctype html><html><head><meta charset="utf-8"><title>huddle cli</title>
<script src="/livekit-client.umd.js"></script></head><body><script>(${pageScript.toString()})();</script>
</body></html>`;

let server;
let cli;
let browser;
let pageServer;
let page;
const consoleLines = [];

function startPageServer() {
  const umd = readFileSync(new URL('../../../node_modules/livekit-client/dist/livekit-client.umd.js', import.meta.url));
  const srv = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(kPage);
    else if (req.url === '/livekit-client.umd.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(umd);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

async function openPage() {
  pageServer = await startPageServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
           '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required',
           '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
           '--disable-backgrounding-occluded-windows'],
  });
  page = await browser.newPage();
  page.on('console', (m) => { consoleLines.push(`${m.type()}: ${m.text().slice(0, 300)}`); if (consoleLines.length > 200) consoleLines.shift(); });
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
}

const snap = () => page.evaluate(() => window.snapshot());

async function joinPage(publish) {
  const token = await tokenFor('browser', kRoom, { canPublishData: true });
  await page.evaluate(([u, t, p]) => { window.start(u, t, p); }, [server.ws, token, publish]);
  await waitUntil('the page joined' + (publish ? ' and published camera and microphone' : ''), 25_000, async () => {
    const s = await snap();
    if (s.result.startsWith('connect failed') || s.result.startsWith('publish failed')) throw new Error(`page: ${s.result}`);
    return { ok: s.result === 'ready', detail: s };
  });
}

async function media() {
  cli = startCli(cliBinary, server.ws, [
    '--api-key', kDevKey, '--api-secret', kDevSecret, '--dev', '--room', kRoom, '--identity', 'cpp-bot',
    '--publish', 'video,audio', '--video-size', '640x360', '--fps', '30', '--simulcast', '--tone-hz', String(kTone), '-v']);
  await waitUntil('the cli joined and published video and audio', 30_000, async () => {
    const s = cli.stats();
    return { ok: s?.published?.length === 2 && s.published.every((p) => p.sid?.startsWith('TR_')),
             detail: { stats: s, output: cli.output().split('\n').slice(-8) } };
  });
  log(`cli joined in ${cli.stats().joinMs} ms over ${cli.stats().signalPath}`);
  await joinPage(true);
  log('page joined and publishes its fake camera and microphone');

  // The page renders our video and hears our tone.
  const seen = await waitUntil(`the page decodes the cli's video (>= ${kMinFrames} frames, not black) and hears ` +
                               `${kTone} +- ${kToleranceHz} Hz`, 30_000, async () => {
    const s = await snap();
    const v = s.remotes['cpp-bot/video'];
    const a = s.remotes['cpp-bot/audio'];
    const ok = !!v && v.framesDecoded >= kMinFrames && v.canvas?.mean > 30 && !!a && a.packetsReceived > 50 &&
               !!a.peak && Math.abs(a.peak.hz - kTone) <= kToleranceHz;
    return { ok, detail: { remotes: s.remotes, events: s.events }, v, a };
  }, 500);
  log(`page <- cli video: ${seen.v.framesDecoded} frames decoded, ${seen.v.size}, canvas mean ${seen.v.canvas.mean}, ` +
      `lost ${seen.v.packetsLost}; audio: ${seen.a.packetsReceived} packets, analyser peak ${seen.a.peak.hz} Hz ` +
      `(${seen.a.peak.db} dB)`);

  // The cli decodes the page's fake camera and receives its microphone.
  const got = await waitUntil(`the cli's stats show the page's video (>= ${kMinFrames} frames, not black) and audio`,
                              25_000, async () => {
    const v = cli.received('browser', 'video');
    const a = cli.received('browser', 'audio');
    // Not black: Chromium's fake camera is mostly a dark green, so the brightest channel tells.
    const ok = !!v && v.framesDecoded >= kMinFrames && Math.max(...(v.meanRgb ?? [0])) > 60 && !!a &&
               a.framesDecoded >= 100 && a.packetsReceived > 50;
    return { ok, detail: { video: v, audio: a }, v, a };
  }, 500);
  log(`cli <- page video: ${got.v.framesDecoded} frames ${got.v.width}x${got.v.height}, luma ${got.v.meanLuma}, ` +
      `rgb ${JSON.stringify(got.v.meanRgb)}, first frame ${got.v.firstFrameMs} ms, lost ${got.v.packetsLost}, freezes ${got.v.freezes}; ` +
      `audio: ${got.a.framesDecoded} frames, ${got.a.packetsReceived} packets, peak ${got.a.dominantHz} Hz, ${got.a.rmsDbfs} dBFS`);
}

async function data() {
  // The page first, so that every message the cli sends is for it.
  await joinPage(false);
  log('page joined');
  cli = startCli(cliBinary, server.ws, [
    '--api-key', kDevKey, '--api-secret', kDevSecret, '--dev', '--room', kRoom, '--identity', 'cpp-bot',
    '--send-data', 'hello', '--data-count', String(kCliMessages), '--data-interval-ms', '300', '-v']);
  await waitUntil('the cli joined', 30_000, async () => ({
    ok: !!cli.stats()?.participantSid, detail: { stats: cli.stats(), output: cli.output().split('\n').slice(-8) } }));
  const expected = Array.from({ length: kCliMessages }, (_, i) => `hello ${i + 1}`);
  const fromCli = (s) => s.data.filter((d) => d.from === 'cpp-bot');
  const got = await waitUntil(`the page receives the cli's messages up to "hello ${kCliMessages}"`, 30_000, async () => {
    const s = await snap();
    const texts = fromCli(s).map((d) => d.text);
    return { ok: texts.includes(`hello ${kCliMessages}`), detail: { texts, stats: cli.stats()?.data }, texts, s };
  }, 200);
  if (JSON.stringify(got.texts) !== JSON.stringify(expected)) {
    throw new Error(`the page received ${JSON.stringify(got.texts)}, expected ${JSON.stringify(expected)}`);
  }
  const bad = fromCli(got.s).filter((d) => d.topic !== 'huddle-cli' || d.kind !== 0);
  if (bad.length) throw new Error(`messages with the wrong topic or kind: ${JSON.stringify(bad)}`);
  log(`page <- cli: "hello 1" .. "hello ${kCliMessages}" exactly once, in order, topic huddle-cli, reliable`);

  await page.evaluate(([r, l]) => window.sendMessages(r, l), [kPageReliable, kPageLossy]);
  const recorded = await waitUntil(`the cli records the page's ${kPageReliable} reliable messages and a lossy one`, 20_000, async () => {
    const d = cli.stats()?.data;
    const rel = (d?.received ?? []).filter((m) => m.topic === 'page-reliable');
    const lossy = (d?.received ?? []).filter((m) => m.topic === 'page-lossy');
    return { ok: rel.length >= kPageReliable && lossy.length >= 1, detail: d, rel, lossy };
  }, 300);
  const relTexts = recorded.rel.map((m) => m.payload);
  const want = Array.from({ length: kPageReliable }, (_, i) => `page ${i + 1}`);
  if (JSON.stringify(relTexts) !== JSON.stringify(want)) throw new Error(`cli recorded ${JSON.stringify(relTexts)}`);
  if (recorded.rel.some((m) => m.sender !== 'browser' || m.kind !== 'reliable')) throw new Error('wrong sender or kind');
  if (recorded.lossy.some((m) => m.sender !== 'browser' || m.kind !== 'lossy')) throw new Error('lossy: wrong sender or kind');
  log(`cli <- page: ${relTexts.length} reliable in order, ${recorded.lossy.length}/${kPageLossy} lossy`);
}

async function main() {
  server = await startMediaServer(serverBinary, { noRtcV1: mode === 'v0' });
  log(`huddle-server on ${server.base} (udp ${server.udpPort})`);
  await openPage();
  if (what === 'media') await media();
  else await data();

  const end = await cli.stop();
  if (end.code !== 0) throw new Error(`huddle-cli join exited with ${JSON.stringify(end)} after SIGTERM`);
  if (!end.stats?.final || !end.stats.ok) throw new Error(`final stats not ok: ${JSON.stringify(end.stats)?.slice(0, 400)}`);
  if (what === 'data') {
    // Nothing arrived twice after the last message (the cli has left, so nothing more can come).
    const texts = (await snap()).data.filter((d) => d.from === 'cpp-bot').map((d) => d.text);
    if (new Set(texts).size !== texts.length) throw new Error(`duplicates at the page: ${JSON.stringify(texts)}`);
    if (end.stats.data.sent !== kCliMessages) throw new Error(`the cli says it sent ${end.stats.data.sent}`);
  }
  log(`cli left cleanly (join ${end.stats.joinMs} ms, ${end.stats.received.length} tracks received, ` +
      `${end.stats.data.receivedCount} data messages)`);
  await page.evaluate(() => window.S.room?.disconnect());
}

await runScenario(`cli_browser_${what}_${mode}`, {
  overallMs: 85_000,
  server: () => server,
  main,
  diagnostics: async () => {
    const out = [];
    try { out.push(`page: ${JSON.stringify(await snap(), null, 1).slice(0, 6000)}`); } catch (e) { out.push(`page: ${e}`); }
    out.push(`page console (last 25):\n${consoleLines.slice(-25).join('\n')}`);
    if (cli) out.push(`cli stats: ${JSON.stringify(cli.stats(), null, 1)?.slice(0, 6000)}`, cli.describe());
    return out.join('\n');
  },
  cleanups: [() => cli?.cleanup(), () => browser?.close(), () => pageServer?.close()],
});
