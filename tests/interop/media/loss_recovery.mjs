// Loss recovery through huddle-server with livekit-client in headless Chromium.
//
// A publisher page sends its fake camera (one VP8 layer) and a subscriber page receives it; both
// reach the server through the UDP relay (udp_relay.mjs), so every media path can be impaired.
// Control phase: no loss, the figures are printed. Loss phase: the relay drops 5% of the
// datagrams both ways and reorders 2% (by 20 ms). Then the subscriber's video must keep decoding,
// the server must answer the subscriber's NACKs from its packet cache (retransmissions_sent) and
// NACK the publisher for what it lost upstream (nacks_sent), and the freezes the subscriber sees
// (getStats freezeCount / totalFreezesDuration) must stay bounded: less than half the phase.
//
// usage: node loss_recovery.mjs <huddle-server> [v1|v0]
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { makeLog, runScenario, startMediaServerBehindRelay, tokenFor, waitUntil } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node loss_recovery.mjs <huddle-server> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`loss_recovery ${mode}`);
const kRoom = `loss-${mode}`;
const kControlSeconds = Number(process.env.HUDDLE_LOSS_CONTROL_S ?? 8);
const kLossSeconds = Number(process.env.HUDDLE_LOSS_S ?? 20);
const kLossRate = Number(process.env.HUDDLE_LOSS_RATE ?? 0.05);

function pageScript() {
  const S = { result: 'pending', events: [], remote: {}, t0: performance.now() };
  window.S = S;
  const now = () => Math.round(performance.now() - S.t0);
  const ev = (e) => { S.events.push(`${now()}ms ${e}`); if (S.events.length > 100) S.events.shift(); };

  window.start = async (url, token, publish) => {
    const room = new LivekitClient.Room({
      adaptiveStream: false, dynacast: false,
      videoCaptureDefaults: { resolution: { width: 640, height: 360, frameRate: 30 } },
      publishDefaults: { simulcast: false, videoCodec: 'vp8',
                         videoEncoding: { maxBitrate: 800_000, maxFramerate: 30 } },
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
    room.on(E.Disconnected, (r) => ev(`disconnected reason=${r}`));
    try {
      await room.connect(url, token, { autoSubscribe: true, peerConnectionTimeout: 20000 });
      ev('connected');
      if (publish) {
        await room.localParticipant.setCameraEnabled(true);
        ev('publishing');
      }
      S.result = 'ok';
    } catch (e) {
      S.result = `failed: ${e.message}`;
      ev(S.result);
    }
  };

  // The publisher's outbound video: what it resent for our NACKs.
  window.sendStats = async () => {
    const pub = S.room?.localParticipant.getTrackPublication(LivekitClient.Track.Source.Camera);
    const rep = await pub?.track?.sender?.getStats();
    const out = { packets: 0, retransmitted: 0, nacks: 0 };
    rep?.forEach((r) => {
      if (r.type === 'outbound-rtp' && r.kind === 'video') {
        out.packets += r.packetsSent ?? 0;
        out.retransmitted += r.retransmittedPacketsSent ?? 0;
        out.nacks += r.nackCount ?? 0;
      }
    });
    return out;
  };

  // The subscriber's inbound video.
  window.recvStats = async () => {
    const rep = await S.remote.video?.track?.receiver?.getStats();
    let s = null;
    rep?.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') s = r; });
    return {
      frames: s?.framesDecoded ?? 0, packets: s?.packetsReceived ?? 0, lost: s?.packetsLost ?? 0,
      nacks: s?.nackCount ?? 0, freezes: s?.freezeCount ?? 0, freezeS: s?.totalFreezesDuration ?? 0,
      retransmitted: s?.retransmittedPacketsReceived ?? 0, width: s?.frameWidth ?? 0,
      events: S.events.slice(-8),
    };
  };
}

const kPage = `<!doctype html><html><head><meta charset="utf-8"><title>huddle loss recovery</title>
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

const kMetrics = {
  nacksReceived: 'huddle_media_nacks_received_total',
  retransmissions: 'huddle_media_retransmissions_sent_total',
  retransmissionsRtx: 'huddle_media_retransmissions_rtx_total',
  missed: 'huddle_media_retransmissions_missed_total',
  nacksSent: 'huddle_media_nacks_sent_total',
  rtxReceived: 'huddle_media_rtx_received_total',
  srSent: 'huddle_media_sender_reports_sent_total',
  rrSent: 'huddle_media_receiver_reports_sent_total',
};

async function metrics() {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const out = {};
  for (const [k, name] of Object.entries(kMetrics)) {
    out[k] = Number(text.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? NaN);
  }
  return out;
}

const diff = (a, b) => Object.fromEntries(Object.keys(b).filter((k) => typeof b[k] === 'number')
  .map((k) => [k, +(b[k] - a[k]).toFixed(3)]));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One measured phase: counters before and after `seconds` of media.
async function phase(name, seconds, pub, sub) {
  const m0 = await metrics();
  const r0 = await sub.page.evaluate(() => window.recvStats());
  const s0 = await pub.page.evaluate(() => window.sendStats());
  const relay0 = relay.stats();
  await sleep(seconds * 1000);  // the measurement window itself, not a synchronisation
  const m1 = await metrics();
  const r1 = await sub.page.evaluate(() => window.recvStats());
  const s1 = await pub.page.evaluate(() => window.sendStats());
  const relay1 = relay.stats();
  const out = {
    name, seconds, server: diff(m0, m1), subscriber: diff(r0, r1), publisher: diff(s0, s1),
    relay: { upDropped: relay1.up.dropped - relay0.up.dropped, downDropped: relay1.down.dropped - relay0.down.dropped,
             reordered: relay1.up.reordered + relay1.down.reordered - relay0.up.reordered - relay0.down.reordered },
  };
  const v = out.subscriber;
  log(`${name} (${seconds} s): frames decoded +${v.frames} (${(v.frames / seconds).toFixed(1)} fps), ` +
      `freezes +${v.freezes} for ${v.freezeS.toFixed(2)} s, subscriber lost +${v.lost}, nacks +${v.nacks}, ` +
      `retransmitted received +${v.retransmitted}; publisher resent +${out.publisher.retransmitted} ` +
      `for +${out.publisher.nacks} nacks; relay dropped up ${out.relay.upDropped} down ${out.relay.downDropped}, ` +
      `reordered ${out.relay.reordered}`);
  log(`${name} server: ${JSON.stringify(out.server)}`);
  return out;
}

async function main() {
  ({ server, relay } = await startMediaServerBehindRelay(serverBinary, { noRtcV1: mode === 'v0',
                                                                         relay: { seed: 11 } }));
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
  await waitUntil('the subscriber decodes video', 30_000, async () => {
    const r = await sub.page.evaluate(() => window.recvStats());
    return { ok: r.frames > 30, detail: r };
  });

  const control = await phase('control 0% loss', kControlSeconds, pub, sub);
  if (!(control.subscriber.frames >= 5 * kControlSeconds)) {
    throw new Error(`control: only ${control.subscriber.frames} frames decoded in ${kControlSeconds} s`);
  }
  if (!(control.server.srSent > 0 && control.server.rrSent > 0)) {
    throw new Error(`control: no RTCP reports from the server: ${JSON.stringify(control.server)}`);
  }

  relay.setLossRate(kLossRate);
  relay.setReorder(0.02, 20);
  log(`relay drops ${kLossRate * 100}% both ways and reorders 2% by 20 ms`);
  const lossy = await phase(`${kLossRate * 100}% loss`, kLossSeconds, pub, sub);
  relay.setLossRate(0);
  relay.setReorder(0, 20);

  const v = lossy.subscriber;
  const failures = [];
  if (!(v.frames >= 5 * kLossSeconds)) failures.push(`video stalled: +${v.frames} frames in ${kLossSeconds} s`);
  if (!(lossy.server.nacksReceived > 0)) failures.push('the server received no NACKs from the subscriber');
  if (!(lossy.server.retransmissions > 0)) failures.push('the server retransmitted nothing');
  if (!(lossy.server.nacksSent > 0)) failures.push('the server sent no NACKs to the publisher');
  if (!(v.freezeS < 0.5 * kLossSeconds)) failures.push(`frozen ${v.freezeS.toFixed(2)} s of ${kLossSeconds} s`);
  log(`summary: control ${control.subscriber.frames} frames, ${control.subscriber.freezes} freezes ` +
      `(${control.subscriber.freezeS.toFixed(2)} s); loss ${v.frames} frames, ${v.freezes} freezes ` +
      `(${v.freezeS.toFixed(2)} s); server nacks in ${lossy.server.nacksReceived}, resent ` +
      `${lossy.server.retransmissions} (rtx ${lossy.server.retransmissionsRtx}, missed ${lossy.server.missed}), ` +
      `nacks out ${lossy.server.nacksSent}, rtx in ${lossy.server.rtxReceived}`);
  if (failures.length) throw new Error(failures.join('; '));
}

await runScenario(`loss_recovery_${mode}`, {
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
