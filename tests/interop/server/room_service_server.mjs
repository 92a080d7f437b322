// livekit-server-sdk's RoomServiceClient against huddle-server itself: every RoomService call of
// tests/interop/twirp/room_service_interop.mjs, with a real participant in a real room. The
// participant is a bare WebSocket signal client (node's WebSocket, @livekit/protocol messages);
// it publishes one audio track so MutePublishedTrack has something to mute, and it must be told
// about what the API does to it: the mute, its new metadata, and its removal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AccessToken } from 'livekit-server-sdk';
import { SignalRequest, SignalResponse, TrackSource, TrackType, DisconnectReason } from '@livekit/protocol';
import { kDevKey, kDevSecret, startServer, waitFor, withTimeout } from './server_harness.mjs';

const serverBinary = process.argv[2];
if (!serverBinary) throw new Error('usage: room_service_server.mjs <huddle-server>');
if (typeof WebSocket !== 'function') throw new Error('run with node --experimental-websocket');
const kRoom = 'svc-room';
const server = await startServer(serverBinary);
let ws;
let failed = false;

async function main() {
  const at = new AccessToken(kDevKey, kDevSecret, { identity: 'dave', ttl: '10m' });
  at.addGrant({ roomJoin: true, room: kRoom });
  const received = [];
  ws = new WebSocket(`${server.ws}/rtc?access_token=${await at.toJwt()}&protocol=17&sdk=js`);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e) => received.push(SignalResponse.fromBinary(new Uint8Array(e.data)));
  await waitFor(() => received.some((r) => r.message.case === 'join'), 10_000, 'dave\'s join');
  ws.send(new SignalRequest({ message: { case: 'addTrack', value: {
    cid: 'mic-1', name: 'microphone', type: TrackType.AUDIO, source: TrackSource.MICROPHONE } } })
      .toBinary());
  const published = await waitFor(
      () => received.find((r) => r.message.case === 'trackPublished')?.message.value,
      10_000, 'track_published');
  assert.equal(published.cid, 'mic-1');
  assert.match(published.track.sid, /^TR_AM/);

  const script = fileURLToPath(new URL('../twirp/room_service_interop.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, '--url', server.base, '--api-key', kDevKey,
                                         '--api-secret', kDevSecret, '--participant', 'dave',
                                         '--participant-room', kRoom, '--track', published.track.sid],
                      { stdio: 'inherit' });
  const code = await withTimeout(new Promise((r) => child.on('exit', r)), 100_000,
                                 'room_service_interop.mjs');
  assert.equal(code, 0, 'room_service_interop.mjs against huddle-server');

  // What the API did reached the participant over its signal connection.
  const mute = received.find((r) => r.message.case === 'mute')?.message.value;
  assert.ok(mute && mute.sid === published.track.sid && mute.muted, 'mute sent to the publisher');
  assert.ok(received.some((r) => r.message.case === 'update' && r.message.value.participants.some(
      (p) => p.identity === 'dave' && p.metadata === '{"role":"speaker"}')), 'metadata update seen');
  const leave = await waitFor(() => received.find((r) => r.message.case === 'leave')?.message.value,
                              5_000, 'leave after removeParticipant');
  assert.equal(leave.reason, DisconnectReason.PARTICIPANT_REMOVED);
  const ended = await server.stop();
  assert.equal(ended.code, 0);
  console.log('ok: RoomServiceClient against huddle-server, participant told of mute, metadata and removal');
}

try {
  await withTimeout(main(), 130_000, 'the RoomService scenario');
} catch (e) {
  failed = true;
  console.error(e);
  console.error('--- huddle-server output ---\n' + server.output());
} finally {
  try { ws?.close(); } catch {}
  server.kill();
}
process.exit(failed ? 1 : 0);
