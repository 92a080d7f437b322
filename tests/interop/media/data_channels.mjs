// Data channels through huddle-server, with three livekit-client 2.23 participants (alice, bob,
// carol), each in its own page of headless Chromium, and livekit-server-sdk for the API:
// - alice sends 1,000 reliable messages, sizes cycling 1 B .. 15 KiB, each with distinct content
//   and its own topic: bob and carol each receive every one exactly once, in order, byte-identical
//   (checked inside the pages against the same generator, so 15 MB never cross into node);
// - 300 lossy messages: most arrive, none twice, none altered;
// - a reliable message addressed to [bob] reaches bob only (carol gets a later broadcast marker
//   from alice instead, so "not delivered" is observed, not waited out);
// - a hand-made DataPacket claiming to be from "mallory", written straight onto alice's reliable
//   RTCDataChannel: bob and carol get it as alice's;
// - RoomServiceClient.sendData with a topic reaches all three, from no participant.
// Every wait is bounded and names what it waited for; figures are printed at the end.
// The page is served from its own origin (a node http server), as a real app's would be.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { DataPacket, DataPacket_Kind, UserPacket } from '@livekit/protocol';
import { freeUdpPort } from './media_harness.mjs';
import { kDevKey, kDevSecret, startServer, withTimeout } from '../server/server_harness.mjs';

// v1: one peer connection per client (/rtc/v1); v0: huddle-server --no-rtc-v1, so the clients
// fall back to two peer connections and receive on the server-made subscriber channels.
const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  throw new Error('usage: data_channels.mjs <huddle-server> [v1|v0]');
}
const kRoom = `data-room-${mode}`;
const kReliableCount = 1000;
const kLossyCount = 300;
const kLossySize = 1000;
const kConnectMs = 30_000;

const t0 = Date.now();

// Polls `check` every 50 ms until it returns a truthy value (returned) or `ms` pass. Unlike the
// harness's waitFor, an exception from `check` ends the wait at once: a wrong message will not
// turn right by waiting.
async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
const log = (...a) => console.log(`[data ${mode} +${((Date.now() - t0) / 1000).toFixed(2)}s]`, ...a);

async function token(identity) {
  const at = new AccessToken(kDevKey, kDevSecret, { identity, ttl: '10m' });
  at.addGrant({ roomJoin: true, room: kRoom, canPublish: true, canSubscribe: true,
                canPublishData: true });
  return at.toJwt();
}

// The page: livekit-client's UMD bundle plus helpers shared by sender and receivers. The content
// generator lives here so that receivers can check every byte without shipping it to node.
const kPageScript = `
window.kReliableCount = ${kReliableCount};
// 100 sizes spread over 1 .. 15360 bytes, repeated.
window.sizeOf = (i) => 1 + Math.round((i % 100) * (15 * 1024 - 1) / 99);
// Byte 0 is the low byte of the index (distinct among the 1-byte messages), the rest xorshift32
// seeded by the index, so every message differs.
window.contentOf = (i, size) => {
  const out = new Uint8Array(size);
  out[0] = i & 0xff;
  let x = (i * 2654435761 + 12345) >>> 0 || 1;
  for (let k = 1; k < size; k++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[k] = x & 0xff;
  }
  return out;
};
window.equalBytes = (a, b) => {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
};
window.state = { result: 'pending', log: [], bulk: { count: 0, bytes: 0, firstError: null,
  firstAt: 0, lastAt: 0 }, lossy: { seen: new Set(), dup: 0, bad: 0 }, others: [] };
window.join = (url, tok) => {
  const room = new LivekitClient.Room({ adaptiveStream: false, dynacast: false });
  window.room = room;
  room.on(LivekitClient.RoomEvent.DataReceived, (payload, participant, kind, topic, _enc, identity) => {
    const s = window.state;
    const from = participant?.identity ?? null;
    if (topic?.startsWith('bulk/')) {
      const k = s.bulk.count;
      const expectedTopic = 'bulk/' + k;
      if (s.bulk.firstError === null) {
        if (topic !== expectedTopic) {
          s.bulk.firstError = 'message #' + k + ' has topic ' + topic + ', expected ' + expectedTopic;
        } else if (!window.equalBytes(payload, window.contentOf(k, window.sizeOf(k)))) {
          s.bulk.firstError = 'message #' + k + ' differs (' + payload.length + ' bytes, expected ' +
              window.sizeOf(k) + ')';
        } else if (from !== 'alice' || kind !== LivekitClient.DataPacket_Kind.RELIABLE) {
          s.bulk.firstError = 'message #' + k + ' from ' + from + ' kind ' + kind;
        }
      }
      if (k === 0) s.bulk.firstAt = performance.now();
      s.bulk.lastAt = performance.now();
      s.bulk.count++;
      s.bulk.bytes += payload.length;
    } else if (topic?.startsWith('lossy/')) {
      const i = Number(topic.slice(6));
      if (s.lossy.seen.has(i)) s.lossy.dup++;
      s.lossy.seen.add(i);
      const expected = window.contentOf(100000 + i, ${kLossySize});
      if (!window.equalBytes(payload, expected) || kind !== LivekitClient.DataPacket_Kind.LOSSY) s.lossy.bad++;
    } else {
      s.others.push({ topic: topic ?? null, from, identity: identity ?? null, kind,
                      text: new TextDecoder().decode(payload) });
    }
  });
  room.on(LivekitClient.RoomEvent.Disconnected, (r) => window.state.log.push('disconnected:' + r));
  room.connect(url, tok, { autoSubscribe: true, peerConnectionTimeout: 25000 })
      .then(() => { window.state.result = 'connected'; },
            (e) => { window.state.result = 'failed: ' + e.message; });
};
window.snapshot = () => {
  const s = window.state;
  const r = window.room;
  const engine = r?.engine;
  const pub = engine?.pcManager?.publisher?.getConnectionState?.();
  const sub = engine?.pcManager?.subscriber?.getConnectionState?.();
  const dc = engine?.dataChannels;
  return { result: s.result, state: r?.state, sid: r?.localParticipant?.sid,
           remotes: r ? [...r.remoteParticipants.values()].map((p) => p.identity).sort() : [],
           pcs: { publisher: pub ?? null, subscriber: sub ?? null },
           channels: { pubReliable: dc?.reliable?.channelHandle?.readyState ?? null,
                       subReliable: dc?.getHandle?.(LivekitClient.DataPacket_Kind.RELIABLE, true)?.readyState ?? null },
           bulk: { ...s.bulk }, lossy: { received: s.lossy.seen.size, dup: s.lossy.dup, bad: s.lossy.bad },
           others: s.others, log: s.log };
};
window.sendBulk = async () => {
  const lp = window.room.localParticipant;
  const start = performance.now();
  let bytes = 0;
  for (let i = 0; i < window.kReliableCount; i++) {
    const data = window.contentOf(i, window.sizeOf(i));
    bytes += data.length;
    await lp.publishData(data, { reliable: true, topic: 'bulk/' + i });
  }
  return { bytes, ms: performance.now() - start };
};
// livekit-client itself drops a lossy message while its channel's buffer is above a low-water
// mark, so the sender paces on the buffer draining (bounded), leaving only the server's relay and
// the unreliable channels to lose anything. Returns how many the SDK still dropped.
window.sendLossy = async (count) => {
  const lp = window.room.localParticipant;
  const lossy = window.room.engine.dataChannels.lossy;
  const dropsBefore = lossy.dropCount ?? 0;
  for (let i = 0; i < count; i++) {
    const dc = lossy.channelHandle;
    for (let w = 0; dc && dc.bufferedAmount > 0 && w < 2000; w++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    await lp.publishData(window.contentOf(100000 + i, ${kLossySize}), { reliable: false, topic: 'lossy/' + i });
  }
  return (lossy.dropCount ?? 0) - dropsBefore;
};
window.sendText = (text, topic, destinationIdentities) =>
  window.room.localParticipant.publishData(new TextEncoder().encode(text),
                                           { reliable: true, topic, destinationIdentities })
      .then(() => 'ok', (e) => 'failed: ' + e.message);
// Writes raw bytes on the publisher's reliable RTCDataChannel, bypassing the SDK's packet building.
window.sendRaw = (bytes) => {
  const dc = window.room.engine.dataChannels.reliable.channelHandle;
  if (!dc || dc.readyState !== 'open') return 'no open reliable channel: ' + (dc?.readyState ?? 'none');
  dc.send(new Uint8Array(bytes));
  return 'ok';
};
`;

const umd = readFileSync(new URL('../../../node_modules/livekit-client/dist/livekit-client.umd.js',
                                  import.meta.url));
const pageServer = createServer((req, res) => {
  if (req.url === '/livekit-client.umd.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(umd);
  } else if (req.url === '/page.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(kPageScript);
  } else if (req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(
        '<!doctype html><title>data</title><script src="/livekit-client.umd.js"></script>' +
        '<script src="/page.js"></script>');
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
const pageUrl = `http://127.0.0.1:${pageServer.address().port}/`;

const udpPort = await freeUdpPort();
const server = await startServer(serverBinary, ['--udp-port', String(udpPort), '--tcp-port', '0',
                                                '--log-level', process.env.HUDDLE_DATA_LOG_LEVEL ?? 'info',
                                                ...(mode === 'v0' ? ['--no-rtc-v1'] : [])]);
let browser;
const pages = {};
const consoles = {};
let failed = false;

const snap = (name) => pages[name].evaluate(() => window.snapshot());

async function main() {
  const api = new RoomServiceClient(server.base, kDevKey, kDevSecret);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
           '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
  for (const name of ['alice', 'bob', 'carol']) {
    const page = await browser.newPage();
    consoles[name] = [];
    page.on('console', (m) => consoles[name].push(`${m.type()}: ${m.text().slice(0, 300)}`));
    page.on('pageerror', (e) => consoles[name].push(`pageerror: ${e.message}`));
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof window.join === 'function' && window.LivekitClient,
                               null, { timeout: 10_000 });
    pages[name] = page;
  }
  for (const name of ['alice', 'bob', 'carol']) {
    await pages[name].evaluate(([u, t]) => window.join(u, t), [server.ws, await token(name)]);
  }

  // All three connected (peer connections up) and seeing each other.
  for (const name of ['alice', 'bob', 'carol']) {
    let last;
    try {
      await waitFor(async () => {
        last = await snap(name);
        if (last.result.startsWith('failed')) throw new Error(last.result);
        return last.result === 'connected' && last.remotes.length === 2;
      }, kConnectMs, `${name} to connect`);
    } catch (e) {
      throw new Error(`${name}'s livekit-client did not connect within ${kConnectMs / 1000} s ` +
          `(result ${last?.result}, room state ${last?.state}, peer connections ` +
          `${JSON.stringify(last?.pcs)}, remotes ${JSON.stringify(last?.remotes)}): without ` +
          `connected peer connections there are no data channels, so nothing below can run. ` +
          `Is the media path (transports + data channels) in this huddle-server build? (${e.message})`);
    }
  }
  log('all three connected', JSON.stringify(await snap('alice')).slice(0, 300));

  // 1. Bulk reliable.
  const sent = await withTimeout(pages.alice.evaluate(() => window.sendBulk()), 60_000,
                                 'alice publishing 1,000 reliable messages');
  log(`alice sent ${kReliableCount} reliable messages, ${sent.bytes} bytes in ${sent.ms.toFixed(0)} ms`);
  const bulk = {};
  for (const name of ['bob', 'carol']) {
    let last;
    try {
      await waitFor(async () => {
        last = await snap(name);
        if (last.bulk.firstError) throw new Error(last.bulk.firstError);
        return last.bulk.count >= kReliableCount;
      }, 30_000, `${name} to receive ${kReliableCount} reliable messages`);
    } catch (e) {
      throw new Error(`${name}: ${e.message}; received ${last?.bulk.count}/${kReliableCount}, ` +
                      `channels ${JSON.stringify(last?.channels)}`);
    }
    bulk[name] = last.bulk;
  }
  // Nothing extra trails in: alice's next broadcast marker arrives after exactly 1,000.
  assert.equal(await pages.alice.evaluate(() => window.sendText('after bulk', 'marker-1')), 'ok');
  for (const name of ['bob', 'carol']) {
    const s = await waitFor(async () => {
      const x = await snap(name);
      return x.others.some((o) => o.topic === 'marker-1') ? x : null;
    }, 10_000, `${name} to receive marker-1`);
    assert.equal(s.bulk.count, kReliableCount, `${name} got each reliable message exactly once`);
    assert.equal(s.bulk.firstError, null, `${name}: ${s.bulk.firstError}`);
    assert.equal(s.bulk.bytes, sent.bytes, `${name} received the bytes alice sent`);
  }
  assert.equal((await snap('alice')).bulk.count, 0, 'alice does not get her own messages back');

  // 2. Lossy.
  const lossyStart = Date.now();
  const sdkDropped = await withTimeout(pages.alice.evaluate((n) => window.sendLossy(n), kLossyCount),
                                       30_000, 'alice publishing lossy messages');
  log(`alice sent ${kLossyCount} lossy messages of ${kLossySize} B in ${Date.now() - lossyStart} ms ` +
      `(livekit-client dropped ${sdkDropped} before sending)`);
  assert.equal(await pages.alice.evaluate(() => window.sendText('after lossy', 'marker-2')), 'ok');
  const lossy = {};
  for (const name of ['bob', 'carol']) {
    await waitFor(async () => (await snap(name)).others.some((o) => o.topic === 'marker-2'),
                  10_000, `${name} to receive marker-2`);
    // Lossy is unordered on its own channel: give stragglers a bounded moment to land.
    lossy[name] = await waitFor(async () => {
      const x = await snap(name);
      return x.lossy.received >= kLossyCount ? x.lossy : null;
    }, 2_000, 'all lossy').catch(async () => (await snap(name)).lossy);
    assert.equal(lossy[name].dup, 0, `${name}: lossy duplicates`);
    assert.equal(lossy[name].bad, 0, `${name}: altered lossy messages`);
    assert.ok(lossy[name].received > kLossyCount / 2,
              `${name} received only ${lossy[name].received}/${kLossyCount} lossy messages`);
  }

  // 3. Destination identities: bob only. carol sees the marker that follows, never the message.
  assert.equal(await pages.alice.evaluate(() => window.sendText('for bob only', 'direct', ['bob'])), 'ok');
  assert.equal(await pages.alice.evaluate(() => window.sendText('after direct', 'marker-3')), 'ok');
  const bobDirect = await waitFor(async () => {
    const x = await snap('bob');
    return x.others.find((o) => o.topic === 'direct') ?? null;
  }, 10_000, 'bob to receive the message addressed to him');
  assert.equal(bobDirect.text, 'for bob only');
  assert.equal(bobDirect.from, 'alice');
  const carolAfter = await waitFor(async () => {
    const x = await snap('carol');
    return x.others.some((o) => o.topic === 'marker-3') ? x : null;
  }, 10_000, 'carol to receive marker-3');
  assert.ok(!carolAfter.others.some((o) => o.topic === 'direct'),
            'carol must not receive a message addressed to bob');

  // 4. Spoofed sender: a DataPacket claiming to be mallory's, raw on alice's reliable channel.
  const spoof = new DataPacket({
    kind: DataPacket_Kind.RELIABLE,
    participantIdentity: 'mallory',
    participantSid: 'PA_mallory',
    value: { case: 'user', value: new UserPacket({
      participantIdentity: 'mallory', participantSid: 'PA_mallory',
      payload: new TextEncoder().encode('i am mallory'), topic: 'spoof' }) },
  }).toBinary();
  assert.equal(await pages.alice.evaluate((b) => window.sendRaw(b), Array.from(spoof)), 'ok');
  for (const name of ['bob', 'carol']) {
    const got = await waitFor(async () => {
      const x = await snap(name);
      return x.others.find((o) => o.topic === 'spoof') ?? null;
    }, 10_000, `${name} to receive the spoofed packet`);
    assert.equal(got.text, 'i am mallory');
    assert.equal(got.from, 'alice', `${name} sees the spoofed packet from ${got.from}`);
    assert.equal(got.identity, 'alice', `${name}: packet identity ${got.identity}`);
  }

  // 5. RoomService SendData with a topic, to everyone.
  await api.sendData(kRoom, new TextEncoder().encode('from the server'), DataPacket_Kind.RELIABLE,
                     { topic: 'server-topic' });
  for (const name of ['alice', 'bob', 'carol']) {
    const got = await waitFor(async () => {
      const x = await snap(name);
      return x.others.find((o) => o.topic === 'server-topic') ?? null;
    }, 10_000, `${name} to receive RoomService SendData`);
    assert.equal(got.text, 'from the server');
    assert.equal(got.from, null, `${name}: server data attributed to ${got.from}`);
  }
  for (const name of ['alice', 'bob', 'carol']) {
    const x = await snap(name);
    assert.ok(!x.others.some((o) => o.from === 'mallory' || o.identity === 'mallory'),
              `${name} saw mallory`);
  }

  for (const name of ['bob', 'carol']) {
    const b = bulk[name];
    log(`${name}: ${b.count} reliable messages, ${b.bytes} bytes, first->last ` +
        `${(b.lastAt - b.firstAt).toFixed(0)} ms; lossy ${lossy[name].received}/${kLossyCount}`);
  }
  console.log(`ok (${mode}): ${kReliableCount} reliable messages (${sent.bytes} bytes) to bob and carol ` +
              `exactly once, in order, byte-identical; lossy bob ${lossy.bob.received}/${kLossyCount}, ` +
              `carol ${lossy.carol.received}/${kLossyCount}; destination, topic, spoof and ` +
              `RoomService SendData checks passed`);
}

try {
  await withTimeout(main(), 150_000, 'the whole data-channel scenario');
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
  for (const [name, lines] of Object.entries(consoles)) {
    console.error(`--- ${name} browser console (last 15) ---\n${lines.slice(-15).join('\n')}`);
  }
  console.error(`--- huddle-server output (last 60 lines) ---\n${
    server.output().split('\n').slice(-60).join('\n')}`);
} finally {
  try { await withTimeout(browser?.close() ?? Promise.resolve(), 10_000, 'browser close'); } catch {}
  server.kill();
  pageServer.close();
}
process.exit(failed ? 1 : 0);
