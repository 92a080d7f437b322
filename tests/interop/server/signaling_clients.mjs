// huddle-server against the official clients at the signaling level:
// - livekit-client 2.23 in Debian's headless Chromium joins (/rtc/v1, token in the query) and sees
//   a second participant join, change its metadata and leave, through the SDK's own room model;
// - @livekit/rtc-node joins (token as a Bearer header) and the server admits it;
// - livekit-server-sdk's RoomServiceClient sees them all; its WebhookReceiver validates every
//   webhook the server sends;
// - SIGTERM: participants are told (leave SERVER_SHUTDOWN), room_finished is delivered, exit 0.
// Media transport is not part of this test: peer connections may stay unconnected.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AccessToken, RoomServiceClient, WebhookReceiver } from 'livekit-server-sdk';
import { kDevKey, kDevSecret, startServer, waitFor, withTimeout } from './server_harness.mjs';

const serverBinary = process.argv[2];
if (!serverBinary) throw new Error('usage: signaling_clients.mjs <huddle-server>');
const kRoom = 'interop-room';

async function token(identity, grants = {}) {
  const at = new AccessToken(kDevKey, kDevSecret, { identity, ttl: '10m' });
  at.addGrant({ roomJoin: true, room: kRoom, canUpdateOwnMetadata: true, ...grants });
  return at.toJwt();
}

// Webhook receiver: every request verified by the official receiver.
const receiver = new WebhookReceiver(kDevKey, kDevSecret);
const webhooks = [];
const webhookErrors = [];
const hookServer = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', async () => {
    try {
      const event = await receiver.receive(body, req.headers.authorization);
      webhooks.push(event);
      res.writeHead(200).end('ok');
    } catch (e) {
      webhookErrors.push(String(e));
      res.writeHead(401).end('bad');
    }
  });
});
await new Promise((r) => hookServer.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${hookServer.address().port}/hook`;

const config = `webhook:\n  api_key: ${kDevKey}\n  urls:\n    - ${hookUrl}\n`;
const server = await startServer(serverBinary, ['--config-body', config, ...(process.env.HUDDLE_SERVER_DEBUG ? ['--log-level', 'debug'] : [])]);
let browser;
let rtcRoom;
let pageConsole = [];
const failures = [];

async function main() {
  const api = new RoomServiceClient(server.base, kDevKey, kDevSecret);

  // Validate endpoints, as the JS client calls them after a failed upgrade.
  const good = await token('probe');
  let r = await fetch(`${server.base}/rtc/validate?access_token=${good}`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'success');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  r = await fetch(`${server.base}/rtc/validate?access_token=not.a.token`);
  assert.equal(r.status, 401);
  r = await fetch(`${server.base}/rtc/v1/validate?access_token=${good}`);
  assert.equal(r.status, 400, 'v1 validate without join_request');

  // The browser: alice, and later bob, both livekit-client Rooms in one page.
  // playwright gives the browser a fresh temporary profile of its own.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  pageConsole = consoleLines;
  await page.goto(`${server.base}/`);  // an http://127.0.0.1 origin (a secure context)
  await page.addScriptTag({
    content: readFileSync(new URL('../../../node_modules/livekit-client/dist/livekit-client.umd.js',
                                  import.meta.url), 'utf8'),
  });
  await page.evaluate(() => {
    window.rooms = {};
    window.join = (name, url, tok) => {
      const room = new LivekitClient.Room({ adaptiveStream: false, dynacast: false });
      const entry = { room, events: [], result: 'pending' };
      room.on('participantConnected', (p) => entry.events.push(`connected:${p.identity}`));
      room.on('participantMetadataChanged', (_m, p) =>
        entry.events.push(`metadata:${p.identity}:${p.metadata}`));
      room.on('participantDisconnected', (p) => entry.events.push(`disconnected:${p.identity}`));
      room.on('disconnected', (reason) => entry.events.push(`self-disconnected:${reason}`));
      room.connect(url, tok, { autoSubscribe: true, peerConnectionTimeout: 60000 })
          .then(() => { entry.result = 'connected'; }, (e) => { entry.result = `failed: ${e.message}`; });
      window.rooms[name] = entry;
    };
    window.snapshot = (name) => {
      const e = window.rooms[name];
      const remotes = [...e.room.remoteParticipants.values()].map((p) => ({
        identity: p.identity, sid: p.sid, metadata: p.metadata }));
      return { state: e.room.state, sid: e.room.localParticipant.sid, remotes,
               events: e.events, result: e.result, serverVersion: e.room.serverInfo?.version };
    };
    window.setMeta = (name, m) => window.rooms[name].room.localParticipant.setMetadata(m)
        .then(() => 'ok', (e) => `failed: ${e.message}`);
    window.leave = (name) => window.rooms[name].room.disconnect();
  });

  await page.evaluate(([u, t]) => window.join('alice', u, t), [server.ws, await token('alice')]);
  const alice = await waitFor(async () => {
    const s = await page.evaluate(() => window.snapshot('alice'));
    return s.sid?.startsWith('PA_') ? s : JSON.stringify(s) && null;
  }, 15_000, 'alice to receive her JoinResponse in livekit-client');
  assert.equal(alice.serverVersion, '1.9.0');
  await waitFor(async () => (await api.listParticipants(kRoom)).some((p) => p.identity === 'alice'),
                5_000, 'RoomService to list alice');

  // Bob joins: alice's SDK gets him, then his metadata, then his leave.
  await page.evaluate(([u, t]) => window.join('bob', u, t), [server.ws, await token('bob')]);
  await waitFor(async () => (await page.evaluate(() => window.snapshot('alice')))
      .remotes.some((p) => p.identity === 'bob' && p.sid.startsWith('PA_')),
                15_000, 'alice to see bob join');
  await waitFor(async () => (await page.evaluate(() => window.snapshot('bob'))).sid?.startsWith('PA_'),
                15_000, 'bob to be joined');
  const metaResult = await page.evaluate(() => window.setMeta('bob', 'hello from bob'));
  assert.equal(metaResult, 'ok', 'bob setMetadata');
  await waitFor(async () => (await page.evaluate(() => window.snapshot('alice')))
      .remotes.some((p) => p.identity === 'bob' && p.metadata === 'hello from bob'),
                10_000, 'alice to see bob\'s metadata');
  // The server-side view agrees.
  const bobInfo = await api.getParticipant(kRoom, 'bob');
  assert.equal(bobInfo.metadata, 'hello from bob');
  // An admin update reaches the SDK too.
  await api.updateParticipant(kRoom, 'bob', { metadata: 'set by admin' });
  await waitFor(async () => (await page.evaluate(() => window.snapshot('alice')))
      .remotes.some((p) => p.identity === 'bob' && p.metadata === 'set by admin'),
                10_000, 'alice to see the admin metadata');
  await page.evaluate(() => window.leave('bob'));
  await waitFor(async () => !(await page.evaluate(() => window.snapshot('alice')))
      .remotes.some((p) => p.identity === 'bob'), 10_000, 'alice to see bob leave');
  await waitFor(async () => !(await api.listParticipants(kRoom)).some((p) => p.identity === 'bob'),
                5_000, 'RoomService to drop bob');

  // @livekit/rtc-node: its join reaches the server with a Bearer token on /rtc/v1.
  const { Room: RtcRoom } = await import('@livekit/rtc-node');
  rtcRoom = new RtcRoom();
  const rtcConnect = rtcRoom.connect(server.ws, await token('carol'),
                                     { autoSubscribe: true, dynacast: false })
      .then(() => 'connected', (e) => `failed: ${e.message}`);
  await waitFor(async () => (await api.listParticipants(kRoom)).some((p) => p.identity === 'carol'),
                15_000, 'the server to admit rtc-node\'s carol');
  await waitFor(async () => (await page.evaluate(() => window.snapshot('alice')))
      .remotes.some((p) => p.identity === 'carol'), 10_000, 'alice to see carol');
  void rtcConnect;

  // Graceful shutdown: alice is told, webhooks flush, exit 0.
  const ended = await server.stop(15_000);
  assert.equal(ended.code, 0, `exit status ${JSON.stringify(ended)}`);
  await waitFor(async () => (await page.evaluate(() => window.snapshot('alice'))).state === 'disconnected',
                10_000, 'alice to be disconnected by the shutdown');

  const names = webhooks.map((w) => `${w.event}:${w.participant?.identity ?? w.room?.name}`);
  for (const expected of ['room_started:interop-room', 'participant_joined:alice',
                          'participant_joined:bob', 'participant_left:bob',
                          'participant_joined:carol', 'room_finished:interop-room']) {
    assert.ok(names.includes(expected), `webhook ${expected} missing from ${names.join(', ')}`);
  }
  assert.deepEqual(webhookErrors, [], 'every webhook verifies with WebhookReceiver');
  assert.ok(names.indexOf('room_started:interop-room') < names.indexOf('participant_joined:alice'));
  console.log(`ok: livekit-client saw join/metadata/leave; rtc-node admitted; ${webhooks.length} webhooks verified; clean exit`);
}

try {
  await withTimeout(main(), 100_000, 'the whole interop scenario');
} catch (e) {
  failures.push(e);
  console.error(e);
  console.error('--- browser console (last 40) ---\n' + pageConsole.slice(-40).join('\n'));
  console.error('--- huddle-server output ---\n' + server.output());
} finally {
  try { await rtcRoom?.disconnect(); } catch {}
  try { await browser?.close(); } catch {}
  server.kill();
  hookServer.close();
}
process.exit(failures.length ? 1 : 0);
