// Bandwidth estimation through huddle-server with livekit-client in headless Chromium.
//
// Phase 1 (publisher side): a page publishes its fake camera (one layer, a high max bitrate so
// the encoder is limited by the estimate, not by the preset) while a second page subscribes.
// With the server's transport-cc feedback, Chromium's send-side estimate (candidate-pair
// availableOutgoingBitrate) must rise well above its start value and the outbound video
// bitrate must grow; without feedback Chromium keeps its start estimate (about 300 kbps).
// The figures (estimate and video bitrate per second) are printed.
//
// Phase 2 (subscriber side, HUDDLE_BW_CONGESTION=0 skips it): the server runs behind the UDP
// relay (udp_relay.mjs); the relay then drops 40% of the packets it forwards, the subscriber's
// estimate collapses, and the server must pause (or lower) its video while its audio keeps
// arriving; /metrics shows the pause and the transport-cc counters. The server runs with
// rtc.congestion_control.allow_pause (off by default, as in LiveKit).
//
// usage: node bandwidth.mjs <huddle-server> [v1|v0]
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { makeLog, runScenario, startMediaServerBehindRelay, tokenFor, waitUntil } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node bandwidth.mjs <huddle-server> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`bandwidth ${mode}`);
const kRoom = `bandwidth-${mode}`;
const kRampSeconds = 15;
const kTwiceStartBps = 1_000_000;
const kCongestion = process.env.HUDDLE_BW_CONGESTION !== '0';

function pageScript() {
  const S = { result: 'pending', events: [], remote: {}, t0: performance.now() };
  window.S = S;
  const now = () => Math.round(performance.now() - S.t0);
  const ev = (e) => { S.events.push(`${now()}ms ${e}`); if (S.events.length > 100) S.events.shift(); };

  window.start = async (url, token, publish) => {
    const room = new LivekitClient.Room({
      adaptiveStream: false, dynacast: false,
      videoCaptureDefaults: { resolution: { width: 1280, height: 720, frameRate: 30 } },
      publishDefaults: { simulcast: false, videoCodec: 'vp8',
                         videoEncoding: { maxBitrate: 2_500_000, maxFramerate: 30 } },
    });
    S.room = room;
    const E = LivekitClient.RoomEvent;
    room.on(E.TrackSubscribed, (track, pub, p) => {
      ev(`trackSubscribed ${p.identity} ${track.kind}`);
      const el = track.attach();
      el.muted = true;
      document.body.appendChild(el);
      S.remote[track.kind] = { track, el };
    });
    room.on(E.TrackStreamStateChanged, (pub, state, p) => ev(`streamState ${p.identity} ${pub.kind} ${state}`));
    room.on(E.Disconnected, (r) => ev(`disconnected reason=${r}`));
    try {
      await room.connect(url, token, { autoSubscribe: true, peerConnectionTimeout: 20000 });
      ev('connected');
      if (publish) {
        await room.localParticipant.setCameraEnabled(true);
        await room.localParticipant.setMicrophoneEnabled(true);
        ev('publishing');
      }
      S.result = 'ok';
    } catch (e) {
      S.result = `failed: ${e.message}`;
      ev(S.result);
    }
  };

  // The publisher's view: estimate from the selected candidate pair, video bytes sent.
  window.sendStats = async () => {
    const pm = S.room?.engine?.pcManager;
    const pc = pm?.publisher?.pc ?? pm?.publisher?._pc;
    const out = { available: null, videoBytes: 0, qualityLimitation: null, rtt: null };
    const pub = S.room?.localParticipant.getTrackPublication(LivekitClient.Track.Source.Camera);
    const rep = await pub?.track?.sender?.getStats();
    rep?.forEach((r) => {
      if (r.type === 'outbound-rtp' && r.kind === 'video') {
        out.videoBytes += r.bytesSent ?? 0;
        out.qualityLimitation = r.qualityLimitationReason;
      }
      if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
        out.available = r.availableOutgoingBitrate ?? out.available;
        out.rtt = r.currentRoundTripTime ?? out.rtt;
      }
    });
    if (out.available === null && pc) {
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate !== undefined) {
          out.available = r.availableOutgoingBitrate;
        }
      });
    }
    return out;
  };

  // The subscriber's view: bytes and packets received per kind, frames decoded.
  window.recvStats = async () => {
    const out = { events: S.events.slice(-15) };
    for (const kind of ['video', 'audio']) {
      const rep = await S.remote[kind]?.track?.receiver?.getStats();
      let s = null;
      rep?.forEach((r) => { if (r.type === 'inbound-rtp') s = r; });
      out[kind] = { bytes: s?.bytesReceived ?? 0, packets: s?.packetsReceived ?? 0,
                    frames: s?.framesDecoded ?? 0, lost: s?.packetsLost ?? 0 };
    }
    return out;
  };
}

const kPage = `<!doctype html><html><head><meta charset="utf-8"><title>huddle bandwidth</title>
<script src="/livekit-client.umd.js"></script></head><body><script>(${pageScript.toString()})();</script>
</body></html>`;

let server;
let relay;
let browser;
let pageServer;
const pages = [];

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

async function openPage(name) {
  const page = await browser.newPage();
  const entry = { name, page, console: [] };
  page.on('console', (m) => { entry.console.push(`${m.type()}: ${m.text().slice(0, 300)}`); if (entry.console.length > 200) entry.console.shift(); });
  page.on('pageerror', (e) => entry.console.push(`pageerror: ${e.message}`));
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  pages.push(entry);
  return entry;
}

async function metrics() {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const pick = (name) => Number(text.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? NaN);
  return {
    twccSent: pick('huddle_media_twcc_feedback_sent_total'),
    twccReceived: pick('huddle_media_twcc_feedback_received_total'),
    remb: pick('huddle_media_remb_sent_total'),
    pauses: pick('huddle_media_congestion_pauses_total'),
    resumes: pick('huddle_media_congestion_resumes_total'),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  // Pausing is off by default (as in LiveKit); phase 2 checks the pause, so it turns it on.
  ({ server, relay } = await startMediaServerBehindRelay(serverBinary, {
    noRtcV1: mode === 'v0', relay: { seed: 7 },
    extraArgs: ['--config-body', 'rtc:\n  congestion_control:\n    allow_pause: true\n'],
  }));
  log(`huddle-server on ${server.base} behind relay udp ${relay.port} -> ${server.udpPort}`);
  pageServer = await startPageServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
           '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required',
           '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
           '--disable-backgrounding-occluded-windows'],
  });
  const pub = await openPage('publisher');
  const sub = await openPage('subscriber');
  await pub.page.evaluate(([u, t]) => { window.start(u, t, true); }, [server.ws, await tokenFor('publisher', kRoom)]);
  await sub.page.evaluate(([u, t]) => { window.start(u, t, false); }, [server.ws, await tokenFor('subscriber', kRoom)]);

  await waitUntil('the publisher sends video and has an estimate (candidate-pair availableOutgoingBitrate)', 25_000, async () => {
    const s = await pub.page.evaluate(() => window.sendStats());
    return { ok: s.available > 0 && s.videoBytes > 0, detail: s };
  });
  // Phase 1: the publisher's estimate and bitrate, once a second.
  const samples = [];
  let prev = await pub.page.evaluate(() => window.sendStats());
  let prevAt = Date.now();
  const startEstimate = prev.available;
  for (let i = 0; i < kRampSeconds; i++) {
    await sleep(1000);
    const s = await pub.page.evaluate(() => window.sendStats());
    const at = Date.now();
    const kbps = Math.round(((s.videoBytes - prev.videoBytes) * 8) / (at - prevAt));
    samples.push({ t: i + 1, availableKbps: Math.round(s.available / 1000), videoKbps: kbps,
                   limit: s.qualityLimitation });
    prev = s;
    prevAt = at;
  }
  await waitUntil('the subscriber receives video and audio', 20_000, async () => {
    const r = await sub.page.evaluate(() => window.recvStats());
    return { ok: r.video.frames > 0 && r.audio.packets > 0, detail: r };
  });
  const m1 = await metrics();
  log(`publisher estimate start ${Math.round(startEstimate / 1000)} kbps; per second: ` +
      samples.map((x) => `${x.t}s ${x.availableKbps}/${x.videoKbps}${x.limit && x.limit !== "none" ? `(${x.limit})` : ""}`).join(', ') + ' (estimate/video kbps)');
  log(`server: twcc feedback sent ${m1.twccSent}, received ${m1.twccReceived}, remb sent ${m1.remb}`);
  const maxEstimate = Math.max(...samples.map((x) => x.availableKbps)) * 1000;
  // Video: the first three seconds against the best three-second stretch of the second half
  // (the encoder's rate swings with the fake camera's content and a loaded machine).
  const mean3 = (from) => samples.slice(from, from + 3).reduce((a, x) => a + x.videoKbps, 0) / 3;
  const early = mean3(0);
  let late = 0;
  for (let i = Math.floor(kRampSeconds / 2); i + 3 <= samples.length; i++) late = Math.max(late, mean3(i));
  if (!(m1.twccSent > 50)) throw new Error(`the server sent ${m1.twccSent} transport-cc feedback packets to the publisher`);
  // livekit-client starts Chromium at x-google-start-bitrate ~500 kbps; without feedback the
  // estimate stays there. Chromium often probes above it before the first sample, so the bar is
  // twice the configured start, not twice the first sample.
  if (!(maxEstimate >= kTwiceStartBps)) {
    throw new Error(`the publisher's estimate did not rise: first sample ${startEstimate} bps, max ${maxEstimate} bps within ${kRampSeconds} s`);
  }
  // The video rate depends on the encoder (fake camera content, CPU of a loaded machine): printed.
  if (!(late >= 1.15 * early)) log(`note: video bitrate ${early.toFixed(0)} -> ${late.toFixed(0)} kbps did not grow by 15%`);
  log(`PASS phase 1: estimate ${Math.round(startEstimate / 1000)} -> max ${Math.round(maxEstimate / 1000)} kbps, ` +
      `video ${early.toFixed(0)} -> ${late.toFixed(0)} kbps`);

  if (!kCongestion) return;
  // Phase 2: heavy loss on every path through the relay; the subscriber's estimate falls below
  // the video's rate: its video is paused (or lowered), its audio keeps coming.
  if (!(m1.twccReceived > 20)) throw new Error(`the subscriber sent ${m1.twccReceived} transport-cc feedback packets`);
  const pausesBefore = m1.pauses;
  // Server to clients only: the subscriber's downlink suffers, the publisher's media does not
  // (its encoder would otherwise shrink the video below what the cap can price).
  relay.setLossRate(0.4, 'down');
  log('relay drops 40% of what the server sends now');
  const before = await sub.page.evaluate(() => window.recvStats());
  const paused = await waitUntil('the server pauses the subscriber\'s video under 40% loss', 30_000, async () => {
    const m = await metrics();
    return { ok: m.pauses > pausesBefore, detail: m };
  }, 500);
  log(`server paused video: ${JSON.stringify(paused.detail)}`);
  const r0 = await sub.page.evaluate(() => window.recvStats());
  await sleep(3000);
  const r1 = await sub.page.evaluate(() => window.recvStats());
  const audioPackets = r1.audio.packets - r0.audio.packets;
  const videoBytes = r1.video.bytes - r0.video.bytes;
  log(`while paused (3 s): subscriber audio +${audioPackets} packets, video +${videoBytes} B ` +
      `(before the loss video ${before.video.bytes} B); events ${JSON.stringify(r1.events.slice(-4))}`);
  if (audioPackets < 20) throw new Error(`audio stalled while video was paused: +${audioPackets} packets in 3 s`);
  relay.setLossRate(0, 'down');
  log('relay clean again');
  const resumed = await waitUntil('the server resumes the subscriber\'s video when the loss ends', 40_000, async () => {
    const m = await metrics();
    const r = await sub.page.evaluate(() => window.recvStats());
    return { ok: m.resumes > 0 && r.video.frames > r1.video.frames + 10, detail: { m, video: r.video } };
  }, 500);
  log(`PASS phase 2: resumed ${JSON.stringify(resumed.detail)}`);
  const bweLines = server.output().split('\n').filter((l) => /bwe estimate|video (paused|resumed)/.test(l));
  log(`server estimate log (last 12 of ${bweLines.length}):\n${bweLines.slice(-12).join('\n')}`);
}

await runScenario(`bandwidth_${mode}`, {
  overallMs: 150_000,
  server: () => server,
  main,
  diagnostics: async () => {
    const out = [];
    for (const p of pages) {
      out.push(`=== ${p.name} console (last 20) ===\n${p.console.slice(-20).join('\n')}`);
    }
    try { out.push(`relay: ${JSON.stringify(relay?.stats())}`); } catch {}
    return out.join('\n');
  },
  cleanups: [() => browser?.close(), () => pageServer?.close(), () => relay?.close()],
});
