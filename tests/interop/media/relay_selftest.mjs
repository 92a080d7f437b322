// Self-test of the impairment helpers in udp_relay.mjs, on loopback only, then huddle-server
// behind the relay: a UDP echo target sees one distinct source per client; seeded loss drops
// about the asked share and the same seed drops the same packets; reordering delivers out of
// order; block() drops everything until unblock(); per-direction loss only hits its direction.
// The TCP proxy carries bytes, cutAll() closes the client's connection, block() refuses new
// ones. Last, two rtc-node participants join a huddle-server whose candidates announce the
// relay's port (--advertise-udp-port): the media crosses the relay in both directions.
//
// usage: node relay_selftest.mjs <huddle-server>
import { createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';
import { makeLog, publishToneAndColour, rtcNode, runScenario, startMediaServerBehindRelay, tokenFor,
         waitUntil, withTimeout } from './media_harness.mjs';
import { startTcpProxy, startUdpRelay } from './udp_relay.mjs';

const [serverBinary] = process.argv.slice(2);
if (!serverBinary) {
  console.error('usage: node relay_selftest.mjs <huddle-server>');
  process.exit(2);
}
const log = makeLog('relay_selftest');
const cleanups = [];
let server;

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function udpSocket(onMessage) {
  const s = createSocket('udp4');
  if (onMessage) s.on('message', onMessage);
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { try { s.close(r); } catch { r(); } }));
  return s;
}

// An echo target that records the source of each datagram and the sequence numbers it got.
async function echoTarget() {
  const t = { sources: new Set(), seqs: [] };
  t.sock = await udpSocket((msg, rinfo) => {
    t.sources.add(`${rinfo.address}:${rinfo.port}`);
    t.seqs.push(msg.readUInt32BE(0));
    t.sock.send(msg, rinfo.port, rinfo.address);
  });
  t.port = t.sock.address().port;
  return t;
}

// Sends `n` numbered datagrams from `sock` to the relay in batches of 20; with `relay`, each
// batch waits until the relay has taken the previous one, so no socket buffer overflows (a
// kernel drop would look like relay loss).
async function sendNumbered(sock, port, n, from = 0, relay = null) {
  const base = relay ? relay.stats().up.received : 0;
  for (let i = 0; i < n; i++) {
    const b = Buffer.alloc(32);
    b.writeUInt32BE(from + i, 0);
    sock.send(b, port, '127.0.0.1');
    if (i % 20 === 19) {
      if (relay) {
        await waitUntil('the relay to take a batch', 3_000, async () => ({
          ok: relay.stats().up.received >= base + i + 1, detail: relay.stats().up }), 1);
      } else {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  }
}

async function lossPattern(seed, rate, n) {
  const target = await echoTarget();
  const relay = await startUdpRelay({ targetPort: target.port, lossRate: { up: rate, down: 0 }, seed });
  cleanups.push(() => relay.close());
  const back = [];
  const client = await udpSocket((msg) => back.push(msg.readUInt32BE(0)));
  await sendNumbered(client, relay.port, n, 0, relay);
  await waitUntil(`loss seed ${seed}: all ${n} datagrams decided and echoes back`, 5_000, async () => {
    const s = relay.stats();
    return { ok: s.up.received === n && back.length === s.up.forwarded, detail: { s, back: back.length } };
  }, 20);
  await relay.close();
  return { received: [...target.seqs], stats: relay.stats(), back };
}

async function udpChecks() {
  // Distinct upstream source per client, both directions forwarded and counted.
  const target = await echoTarget();
  const relay = await startUdpRelay({ targetPort: target.port });
  cleanups.push(() => relay.close());
  const echoes = [0, 0];
  const a = await udpSocket(() => { echoes[0]++; });
  const b = await udpSocket(() => { echoes[1]++; });
  await sendNumbered(a, relay.port, 20);
  await sendNumbered(b, relay.port, 20, 1000);
  await waitUntil('both clients get their 20 echoes', 5_000, async () => ({
    ok: echoes[0] === 20 && echoes[1] === 20, detail: { echoes, stats: relay.stats() } }), 20);
  let s = relay.stats();
  check(target.sources.size === 2, `target saw ${target.sources.size} sources, want 2 (one per client)`);
  check(s.clients === 2 && s.up.forwarded === 40 && s.down.forwarded === 40,
        `stats after clean forwarding: ${JSON.stringify(s)}`);
  check(![...target.sources].includes(`127.0.0.1:${relay.port}`), 'upstream must not be the listening socket');

  // block(): nothing passes, counted as blocked; unblock(): flows again.
  relay.block();
  await sendNumbered(a, relay.port, 30, 100);
  await waitUntil('30 blocked datagrams counted', 5_000, async () => ({
    ok: relay.stats().up.blocked === 30, detail: relay.stats() }), 20);
  check(echoes[0] === 20, `echoes arrived while blocked: ${echoes[0]}`);
  relay.unblock();
  await sendNumbered(a, relay.port, 5, 200);
  await waitUntil('echoes flow again after unblock', 5_000, async () => ({
    ok: echoes[0] === 25, detail: { echoes, stats: relay.stats() } }), 20);

  // Down-only block: requests reach the target, echoes do not come back.
  const before = target.seqs.length;
  relay.block('down');
  await sendNumbered(a, relay.port, 10, 300);
  await waitUntil('down-only block: target got the 10, down counted them blocked', 5_000, async () => ({
    ok: target.seqs.length === before + 10 && relay.stats().down.blocked >= 10,
    detail: relay.stats() }), 20);
  check(echoes[0] === 25, `echoes passed a down-only block: ${echoes[0]}`);
  relay.unblock();

  // Scoped block: every client except b is cut.
  const bKey = `127.0.0.1|${b.address().port}`;
  check(relay.clientKeys().includes(bKey) && relay.clientKeys().length === 2,
        `clientKeys ${JSON.stringify(relay.clientKeys())} lacks ${bKey}`);
  relay.block({ except: [bKey] });
  await sendNumbered(a, relay.port, 10, 400);
  await sendNumbered(b, relay.port, 10, 1400);
  await waitUntil('scoped block: b gets its 10 echoes', 5_000, async () => ({
    ok: echoes[1] === 30, detail: { echoes, stats: relay.stats() } }), 20);
  check(echoes[0] === 25, `a passed a block that excepted only b: ${echoes[0]}`);
  relay.unblock();
  await relay.close();
  s = relay.stats();
  log(`forwarding/block: ${JSON.stringify({ up: s.up, down: s.down, clients: s.clients })}`);

  // Seeded loss: about the asked share, the same seed drops the same packets, another seed not.
  const n = 2000;
  const p1 = await lossPattern(7, 0.2, n);
  const p2 = await lossPattern(7, 0.2, n);
  const p3 = await lossPattern(8, 0.2, n);
  const share = p1.stats.up.dropped / n;
  log(`loss 20% seed 7: dropped ${p1.stats.up.dropped}/${n} (${(share * 100).toFixed(1)}%), ` +
      `seed 8: ${p3.stats.up.dropped}; down dropped ${p1.stats.down.dropped}`);
  check(share > 0.15 && share < 0.25, `seeded 20% loss dropped ${(share * 100).toFixed(1)}%`);
  check(p1.stats.down.dropped === 0, 'up-only loss dropped echoes');
  check(JSON.stringify(p1.received) === JSON.stringify(p2.received), 'same seed gave a different drop pattern');
  check(JSON.stringify(p1.received) !== JSON.stringify(p3.received), 'different seeds gave the same drop pattern');

  // Reordering: held datagrams arrive after later ones.
  const rt = await echoTarget();
  const rr = await startUdpRelay({ targetPort: rt.port, reorderRate: { up: 0.1, down: 0 }, reorderDelayMs: 15, seed: 3 });
  cleanups.push(() => rr.close());
  const rc = await udpSocket();
  await sendNumbered(rc, rr.port, 500, 0, rr);
  await waitUntil('reorder: all 500 reach the target', 5_000, async () => ({
    ok: rt.seqs.length === 500, detail: rr.stats() }), 20);
  let inversions = 0;
  for (let i = 1; i < rt.seqs.length; i++) if (rt.seqs[i] < rt.seqs[i - 1]) inversions++;
  const rs = rr.stats();
  log(`reorder 10%/15 ms: ${rs.up.reordered} held, ${inversions} inversions at the target`);
  check(rs.up.reordered > 20 && inversions > 0, `reordering had no effect: ${JSON.stringify(rs.up)}, inversions ${inversions}`);
  check(new Set(rt.seqs).size === 500, 'reordering lost or duplicated datagrams');
  await rr.close();
}

async function tcpChecks() {
  const sockets = new Set();
  const echo = createServer((s) => { sockets.add(s); s.on('error', () => {}); s.pipe(s); });
  await new Promise((r) => echo.listen(0, '127.0.0.1', r));
  cleanups.push(() => { for (const s of sockets) s.destroy(); return new Promise((r) => echo.close(() => r())); });
  const proxy = await startTcpProxy({ targetPort: echo.address().port });
  cleanups.push(() => proxy.close());

  const connect = () => new Promise((resolve, reject) => {
    const c = createConnection({ port: proxy.port, host: '127.0.0.1' });
    const st = { sock: c, got: '', closed: false };
    c.on('data', (d) => { st.got += d; });
    c.on('close', () => { st.closed = true; });
    c.on('error', () => {});
    c.once('connect', () => resolve(st));
    setTimeout(() => reject(new Error('connect through the proxy timed out')), 3_000);
  });
  const c1 = await connect();
  c1.sock.write('hello');
  await waitUntil('bytes echoed through the proxy', 3_000, async () => ({ ok: c1.got === 'hello', detail: c1.got }), 20);
  proxy.cutAll();
  await waitUntil('cutAll closes the client connection', 3_000, async () => ({ ok: c1.closed, detail: proxy.stats() }), 20);

  proxy.block();
  const c2 = await connect();  // accepted by the kernel, then closed by the proxy
  await waitUntil('a connection while blocked is closed at once', 3_000, async () => ({
    ok: c2.closed && proxy.stats().refused === 1, detail: proxy.stats() }), 20);
  proxy.unblock();
  const c3 = await connect();
  c3.sock.write('again');
  await waitUntil('bytes echoed after unblock', 3_000, async () => ({ ok: c3.got === 'again', detail: c3.got }), 20);
  c3.sock.destroy();
  log(`tcp proxy: ${JSON.stringify(proxy.stats())}`);
}

async function serverChecks() {
  const rtc = await rtcNode();
  const started = await startMediaServerBehindRelay(serverBinary);
  server = started.server;
  const { relay } = started;
  cleanups.push(() => relay.close());
  log(`huddle-server on ${server.base}, udp ${server.udpPort} behind relay ${relay.port}`);
  const rooms = [];
  cleanups.push(async () => { for (const r of rooms) await r.disconnect().catch(() => {}); });
  let videoFrames = 0;
  for (const id of ['pub', 'sub']) {
    const room = new rtc.Room();
    rooms.push(room);
    if (id === 'sub') {
      room.on(rtc.RoomEvent.TrackSubscribed, (track) => {
        if (track.kind !== rtc.TrackKind.KIND_VIDEO) return;
        const reader = new rtc.VideoStream(track).getReader();
        (async () => {
          for (let i = 0; i < 1_000_000; i++) {
            const { done } = await reader.read();
            if (done) break;
            videoFrames++;
          }
        })().catch(() => {});
        cleanups.push(() => reader.cancel().catch(() => {}));
      });
    }
    await withTimeout(room.connect(server.ws, await tokenFor(id, 'relay'), { autoSubscribe: true, dynacast: false }),
                      20_000, `${id}: room.connect through the relay`);
  }
  const media = await publishToneAndColour(rooms[0], { audio: false, name: 'pub' });
  cleanups.push(() => media.stop());
  await waitUntil('sub decodes pub\'s video through the relay', 20_000, async () => ({
    ok: videoFrames >= 10, detail: { videoFrames, relay: relay.stats() } }));
  const s = relay.stats();
  log(`server behind relay: ${videoFrames} frames decoded; relay ${JSON.stringify({ clients: s.clients, up: s.up, down: s.down })}`);
  check(s.clients >= 2, `relay saw ${s.clients} client sources, want both participants`);
  check(s.up.forwarded > 20 && s.down.forwarded > 20, 'media did not cross the relay both ways');
}

await runScenario('relay_selftest', {
  overallMs: 90_000,
  server: () => server,
  cleanups,
  async main() {
    await udpChecks();
    await tcpChecks();
    await serverChecks();
  },
});
