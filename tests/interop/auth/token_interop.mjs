// Interop of Huddle's access tokens and webhook signatures with livekit-server-sdk (npm), both
// directions, through the huddle-cli binary given as argv[2]. Exits non-zero on any mismatch.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessToken, TokenVerifier, WebhookReceiver } from 'livekit-server-sdk';
import { TrackSource } from '@livekit/protocol';

const cli = process.argv[2];
if (!cli) throw new Error('usage: token_interop.mjs <path to huddle-cli>');

const apiKey = 'APIinterop';
const apiSecret = 'interop-secret-0123456789abcdefghij';
const env = { ...process.env, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret };
let checks = 0;

function huddle(args, input) {
  const r = spawnSync(cli, args, { env, input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// 1. livekit-server-sdk mints, Huddle verifies: every grant field must come through intact.
{
  const at = new AccessToken(apiKey, apiSecret, {
    identity: 'alice', name: 'Alice A.', metadata: '{"role":"host"}', ttl: '2h',
    attributes: { team: 'blue', seat: '3' },
  });
  const video = {
    roomCreate: true, roomJoin: true, roomList: true, roomRecord: true, roomAdmin: true,
    room: 'standup', ingressAdmin: true, canPublish: true,
    canPublishSources: [TrackSource.CAMERA, TrackSource.SCREEN_SHARE],
    canSubscribe: false, canPublishData: false, canUpdateOwnMetadata: true, hidden: true,
    recorder: true, agent: true, canSubscribeMetrics: true, canManageAgentSession: true,
    destinationRoom: 'overflow',
  };
  at.addGrant(video);
  at.addSIPGrant({ admin: true, call: true });
  at.kind = 'agent';
  at.roomPreset = 'small';
  at.roomConfig = { name: 'standup', emptyTimeout: 60, maxParticipants: 4 };
  const token = await at.toJwt();

  const r = huddle(['token', 'verify', token]);
  assert.equal(r.code, 0, `huddle rejected a livekit-server-sdk token: ${r.err}`);
  const out = JSON.parse(r.out);
  assert.equal(out.apiKey, apiKey);
  assert.equal(out.identity, 'alice');
  const c = out.claims;
  assert.equal(c.name, 'Alice A.');
  assert.equal(c.metadata, '{"role":"host"}');
  assert.deepEqual(c.attributes, { team: 'blue', seat: '3' });
  assert.equal(c.kind, 'agent');
  assert.equal(c.roomPreset, 'small');
  assert.deepEqual(c.sip, { admin: true, call: true });
  assert.deepEqual(c.roomConfig, { name: 'standup', emptyTimeout: 60, maxParticipants: 4 });
  assert.deepEqual(c.video, { ...video, canPublishSources: ['camera', 'screen_share'] });
  assert.equal(out.expiresAt - out.notBefore, 7200);
  checks++;

  // Defaults: a bare join grant publishes, subscribes and sends data, but may not update metadata.
  const bare = new AccessToken(apiKey, apiSecret, { identity: 'bob' });
  bare.addGrant({ roomJoin: true, room: 'r' });
  const b = JSON.parse(huddle(['token', 'verify', await bare.toJwt()]).out);
  assert.deepEqual(b.effective, { canPublish: true, canSubscribe: true, canPublishData: true, canUpdateOwnMetadata: false });
  checks++;

  // A token signed with another secret, and one for another key, are refused with their reasons.
  const wrong = new AccessToken(apiKey, 'another-secret-0123456789abcdefghijk', { identity: 'eve' });
  let rr = huddle(['token', 'verify', await wrong.toJwt()]);
  assert.notEqual(rr.code, 0);
  assert.match(rr.err, /bad_signature/);
  const other = new AccessToken('APIother', apiSecret, { identity: 'eve' });
  rr = huddle(['token', 'verify', await other.toJwt()]);
  assert.notEqual(rr.code, 0);
  assert.match(rr.err, /unknown_api_key/);
  checks++;

  // The server's LIVEKIT_KEYS form (several keys) and a LiveKit key file verify it too.
  const bareToken = await bare.toJwt();
  const keysEnv = { ...process.env, LIVEKIT_KEYS: `APIzzz: ${'z'.repeat(32)}, ${apiKey}: ${apiSecret}` };
  let k = spawnSync(cli, ['token', 'verify', bareToken], { env: keysEnv, encoding: 'utf8' });
  assert.equal(k.status, 0, k.stderr);
  assert.equal(JSON.parse(k.stdout).identity, 'bob');
  const keyDir = mkdtempSync(join(tmpdir(), 'huddle-keys-'));
  writeFileSync(join(keyDir, 'keys.yaml'), `${apiKey}: ${apiSecret}\n`);
  k = spawnSync(cli, ['token', 'verify', '--keys-file', join(keyDir, 'keys.yaml'), bareToken], { encoding: 'utf8' });
  assert.equal(k.status, 0, k.stderr);
  checks++;
}

// 2. Huddle mints, livekit-server-sdk's TokenVerifier verifies.
{
  const r = huddle(['token', 'create', '--identity', 'carol', '--name', 'Carol', '--room', 'standup', '--join',
    '--admin', '--create', '--list', '--record', '--ingress-admin', '--hidden', '--recorder', '--agent',
    '--can-publish', 'true', '--can-subscribe', 'false', '--can-publish-data', 'false',
    '--can-update-metadata', 'true', '--can-publish-sources', 'camera,microphone',
    '--destination-room', 'overflow', '--metadata', 'meta', '--attribute', 'k1=v1', '--attribute', 'k2=v2',
    '--kind', 'sip', '--room-preset', 'p1', '--room-config', '{"name":"standup","maxParticipants":9}',
    '--sip-admin', '--sip-call', '--valid-for', '30m']);
  assert.equal(r.code, 0, r.err);
  const token = r.out.trim();
  const claims = await new TokenVerifier(apiKey, apiSecret).verify(token);
  assert.equal(claims.iss, apiKey);
  assert.equal(claims.sub, 'carol');
  assert.equal(claims.name, 'Carol');
  assert.equal(claims.metadata, 'meta');
  assert.equal(claims.kind, 'sip');
  assert.equal(claims.roomPreset, 'p1');
  assert.deepEqual(claims.attributes, { k1: 'v1', k2: 'v2' });
  assert.deepEqual(claims.sip, { admin: true, call: true });
  assert.deepEqual(claims.roomConfig, { name: 'standup', maxParticipants: 9 });
  assert.deepEqual(claims.video, {
    roomJoin: true, roomAdmin: true, roomCreate: true, roomList: true, roomRecord: true, room: 'standup',
    ingressAdmin: true, hidden: true, recorder: true, agent: true, canPublish: true, canSubscribe: false,
    canPublishData: false, canUpdateOwnMetadata: true, canPublishSources: ['camera', 'microphone'],
    destinationRoom: 'overflow',
  });
  assert.equal(claims.exp - claims.nbf, 1800);
  checks++;

  // The other secret must not verify it.
  await assert.rejects(new TokenVerifier(apiKey, 'x'.repeat(40)).verify(token));
  checks++;
}

// 3. Webhooks: Huddle signs, WebhookReceiver accepts; WebhookReceiver's format verifies in Huddle.
{
  const dir = mkdtempSync(join(tmpdir(), 'huddle-webhook-'));
  const body = JSON.stringify({
    event: 'participant_joined', id: 'EV_interop', createdAt: '1700000002',
    room: { sid: 'RM_x', name: 'demo', emptyTimeout: 300 },
    participant: { sid: 'PA_x', identity: 'alice', state: 'ACTIVE' },
  });
  const bodyFile = join(dir, 'body.json');
  writeFileSync(bodyFile, body);
  const signed = huddle(['webhook', 'sign', '--body', bodyFile]);
  assert.equal(signed.code, 0, signed.err);
  const auth = signed.out.trim();
  const event = await new WebhookReceiver(apiKey, apiSecret).receive(body, auth);
  assert.equal(event.event, 'participant_joined');
  assert.equal(event.participant.identity, 'alice');
  await assert.rejects(new WebhookReceiver(apiKey, apiSecret).receive(body + ' ', auth), /sha256/);
  checks++;

  // A header made the way LiveKit's server makes it (a token with only the sha256 claim) verifies
  // in Huddle; a changed body does not.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
  const at = new AccessToken(apiKey, apiSecret, { ttl: '5m' });
  at.sha256 = Buffer.from(digest).toString('base64');
  const lkAuth = await at.toJwt();
  let v = huddle(['webhook', 'verify', '--body', bodyFile, '--authorization', lkAuth]);
  assert.equal(v.code, 0, v.err);
  writeFileSync(bodyFile, body.replace('alice', 'mallory'));
  v = huddle(['webhook', 'verify', '--body', bodyFile, '--authorization', lkAuth]);
  assert.notEqual(v.code, 0);
  assert.match(v.err, /body_hash_mismatch/);
  checks++;
}

console.log(`token interop: ${checks} checks passed`);
