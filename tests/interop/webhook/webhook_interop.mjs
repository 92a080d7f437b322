// Huddle's WebhookNotifier (through the driver binary in argv[2]) against livekit-server-sdk's
// WebhookReceiver: an HTTP server on 127.0.0.1 records each POST, the first one is answered 503
// to make the notifier retry, and afterwards every request must verify with the SDK and the six
// events must have arrived in order with the fields the driver set. Exits non-zero on a mismatch.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { WebhookReceiver } from 'livekit-server-sdk';
import { ParticipantInfo_State, TrackSource, TrackType, DisconnectReason } from '@livekit/protocol';

const driver = process.argv[2];
if (!driver) throw new Error('usage: webhook_interop.mjs <path to webhook_interop_driver>');

const apiKey = 'APIwebhookinterop';
const apiSecret = 'webhook-interop-secret-0123456789abcdefgh';
const deadline = setTimeout(() => {
  console.error('webhook interop: timed out');
  process.exit(1);
}, 90_000);

const requests = [];
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    requests.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    // The first delivery fails with a retryable status: the notifier must send it again, and
    // still keep the events in order.
    res.statusCode = requests.length === 1 ? 503 : 200;
    res.end(res.statusCode === 200 ? 'ok' : 'try later');
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/livekit/webhook`;

const { code, stdout, stderr } = await new Promise((resolve, reject) => {
  const child = spawn(driver, [url, apiKey, apiSecret], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.on('error', reject);
  child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
});
server.close();
assert.equal(code, 0, `driver failed (${code}): ${stdout} ${stderr}`);
const stats = JSON.parse(stdout.trim());
assert.equal(stats.delivered, 6);
assert.equal(stats.failedAttempts, 1, 'exactly the one 503 should have failed');
assert.equal(stats.dropped, 0);
assert.equal(stats.givenUp, 0);
assert.equal(requests.length, 7, 'six events plus one retry');

// Every request, the refused one included, must verify with the official receiver.
const receiver = new WebhookReceiver(apiKey, apiSecret);
const events = [];
for (const r of requests) {
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/livekit/webhook');
  assert.equal(r.headers['content-type'], 'application/webhook+json');
  assert.ok(r.headers['user-agent'], 'User-Agent missing');
  assert.ok(!r.headers.authorization.startsWith('Bearer'), 'Authorization must be a bare JWT');
  const event = await receiver.receive(r.body, r.headers.authorization);
  if (events.length && events.at(-1).id === event.id) {
    assert.equal(r.body, requests[0].body, 'a retry must resend the same body');
    continue;
  }
  events.push(event);
}

assert.deepEqual(events.map((e) => e.event), [
  'room_started', 'participant_joined', 'track_published', 'track_unpublished',
  'participant_left', 'room_finished',
]);
const ids = new Set();
const now = BigInt(Math.floor(Date.now() / 1000));
for (const e of events) {
  assert.match(e.id, /^EV_[0-9A-Za-z]+$/);
  ids.add(e.id);
  assert.ok(e.createdAt > now - 300n && e.createdAt <= now + 5n, `createdAt ${e.createdAt}`);
  assert.equal(e.room.sid, 'RM_hT4kWq9ZbX2c');
  assert.equal(e.room.name, 'weekly-sync');
  assert.equal(e.room.emptyTimeout, 300);
  assert.equal(e.room.departureTimeout, 20);
  assert.equal(e.room.maxParticipants, 10);
  assert.equal(e.room.creationTime, 1764000000n);
  assert.equal(e.room.creationTimeMs, 1764000000250n);
  assert.equal(e.room.metadata, '{"topic":"planning"}');
}
assert.equal(ids.size, 6, 'event ids must be unique');

const [started, joined, published, unpublished, left, finished] = events;
assert.equal(started.room.numParticipants, 0);
assert.equal(started.participant, undefined);
assert.equal(started.track, undefined);
assert.equal(finished.participant, undefined);

for (const e of [joined, unpublished, left]) {
  const p = e.participant;
  assert.equal(p.sid, 'PA_n3Rv8JmQ1sLe');
  assert.equal(p.identity, 'alice');
  assert.equal(p.name, 'Alice Example');
  assert.equal(p.metadata, '{"seat":3}');
  assert.equal(p.joinedAt, 1764000005n);
  assert.equal(p.joinedAtMs, 1764000005120n);
  assert.equal(p.version, 4);
  assert.equal(p.region, 'eu-west');
  assert.equal(p.isPublisher, true);
  assert.deepEqual({ ...p.attributes }, { role: 'host' });
  assert.equal(p.permission.canSubscribe, true);
  assert.equal(p.permission.canPublish, true);
  assert.equal(p.permission.canPublishData, true);
  assert.deepEqual(p.permission.canPublishSources, [TrackSource.CAMERA, TrackSource.MICROPHONE]);
}
assert.equal(joined.room.numParticipants, 1);
assert.equal(joined.participant.state, ParticipantInfo_State.ACTIVE);
assert.equal(left.participant.state, ParticipantInfo_State.DISCONNECTED);
assert.equal(left.participant.disconnectReason, DisconnectReason.CLIENT_INITIATED);
// track_published names the participant by sid and identity only, as the reference server does.
assert.equal(published.participant.sid, 'PA_n3Rv8JmQ1sLe');
assert.equal(published.participant.identity, 'alice');
assert.equal(published.participant.name, '');
assert.equal(published.participant.permission, undefined);

for (const e of [published, unpublished]) {
  const t = e.track;
  assert.equal(t.sid, 'TR_VCk2Lp7Xw0Qa');
  assert.equal(t.type, TrackType.VIDEO);
  assert.equal(t.source, TrackSource.CAMERA);
  assert.equal(t.name, 'camera');
  assert.equal(t.width, 1280);
  assert.equal(t.height, 720);
  assert.equal(t.simulcast, true);
  assert.equal(t.mimeType, 'video/VP8');
  assert.equal(t.mid, '1');
  assert.deepEqual(t.layers.map((l) => [l.width, l.height, l.bitrate]),
                   [[320, 180, 150000], [1280, 720, 1700000]]);
}

// Sanity of the check itself: the SDK refuses a tampered body, and a receiver with another
// secret refuses the genuine one.
const sample = requests.at(-1);
const tampered = sample.body.replace('weekly-sync', 'weekly-syne');
assert.notEqual(tampered, sample.body);
await assert.rejects(receiver.receive(tampered, sample.headers.authorization), /sha256/);
await assert.rejects(
  new WebhookReceiver(apiKey, 'some-other-secret-0123456789abcdefghijk')
    .receive(sample.body, sample.headers.authorization));

clearTimeout(deadline);
console.log(`webhook interop: ${events.length} events verified in order by livekit-server-sdk ` +
            `(${requests.length} requests, driver stats ${JSON.stringify(stats)})`);
