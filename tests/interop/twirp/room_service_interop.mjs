// RoomService over Twirp, driven by livekit-server-sdk's RoomServiceClient: every method, the
// results the SDK parses, and the errors it surfaces. Exits non-zero on the first mismatch.
//
// Against the fixture (CTest):   node room_service_interop.mjs --fixture <twirp_fixture_server>
// Against a running server:      node room_service_interop.mjs --url http://127.0.0.1:7880 \
//                                  --api-key K --api-secret S [participant options]
// Options (or env LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET, TWIRP_*):
//   --participant-room R  room holding a connected participant (default: the room this script
//                         creates; the fixture puts a canned participant in every room)
//   --participant ID      that participant's identity (fixture: canned-participant)
//   --track SID           one of its published tracks, for MutePublishedTrack (fixture:
//                         TR_canned); "" skips the mute check
//   --skip-participant    skip every participant method (no participant available)
//   --skip-remove         do not remove the participant at the end
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { DataPacket_Kind } from '@livekit/protocol';

const kOverallTimeoutMs = 90_000;

function parseArgs(argv) {
  const env = process.env;
  const opts = {
    fixture: undefined,
    url: env.LIVEKIT_URL,
    apiKey: env.LIVEKIT_API_KEY,
    apiSecret: env.LIVEKIT_API_SECRET,
    participantRoom: env.TWIRP_PARTICIPANT_ROOM,
    participant: env.TWIRP_PARTICIPANT,
    track: env.TWIRP_TRACK,
    skipParticipant: env.TWIRP_SKIP_PARTICIPANT === '1',
    skipRemove: env.TWIRP_SKIP_REMOVE === '1',
  };
  const names = {
    '--fixture': 'fixture', '--url': 'url', '--api-key': 'apiKey', '--api-secret': 'apiSecret',
    '--participant-room': 'participantRoom', '--participant': 'participant', '--track': 'track',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--skip-participant') opts.skipParticipant = true;
    else if (a === '--skip-remove') opts.skipRemove = true;
    else if (names[a] && i + 1 < argv.length) opts[names[a]] = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.fixture && !opts.url) throw new Error('need --fixture <binary> or --url <server>');
  return opts;
}

// Starts the fixture server and resolves with its base URL once it prints its port.
function startFixture(binary, apiKey, apiSecret) {
  const child = spawn(binary, ['--api-key', apiKey, '--api-secret', apiSecret,
                               '--lifetime-seconds', '100'],
                      { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /^PORT (\d+)$/.exec(line.trim());
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
    child.on('error', reject);
  });
  return { child, port };
}

// Awaits a call that must fail, and checks what the SDK made of the error.
async function expectError(what, promise, { status, code }) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${what}: expected an error, got success`);
  assert.equal(error.status, status, `${what}: status (${error.message})`);
  assert.equal(error.code, code, `${what}: code (${error.message})`);
  return error;
}

async function run(opts, url) {
  let checks = 0;
  const step = (name) => { checks++; console.log(`ok ${checks} ${name}`); };
  const svc = new RoomServiceClient(url, opts.apiKey, opts.apiSecret, { requestTimeout: 10 });
  const room = `twirp-interop-${randomBytes(4).toString('hex')}`;

  // CreateRoom: the fields we sent come back in the Room the SDK parses.
  const created = await svc.createRoom({
    name: room, emptyTimeout: 120, maxParticipants: 7, metadata: '{"topic":"interop"}',
  });
  assert.equal(created.name, room);
  assert.ok(created.sid.length > 0, 'room sid');
  assert.equal(created.emptyTimeout, 120);
  assert.equal(created.maxParticipants, 7);
  assert.equal(created.metadata, '{"topic":"interop"}');
  assert.equal(typeof created.creationTime, 'bigint');
  step('createRoom');

  // ListRooms, all and filtered by name.
  const all = await svc.listRooms();
  assert.ok(all.some((r) => r.name === room && r.sid === created.sid), 'room in listRooms()');
  const only = await svc.listRooms([room]);
  assert.equal(only.length, 1);
  assert.equal(only[0].name, room);
  assert.equal((await svc.listRooms([`${room}-absent`])).length, 0);
  step('listRooms');

  const updatedRoom = await svc.updateRoomMetadata(room, 'second metadata');
  assert.equal(updatedRoom.name, room);
  assert.equal(updatedRoom.metadata, 'second metadata');
  assert.equal((await svc.listRooms([room]))[0].metadata, 'second metadata');
  step('updateRoomMetadata');

  if (!opts.skipParticipant) {
    const pRoom = opts.participantRoom || room;
    const identity = opts.participant;
    const listed = await svc.listParticipants(pRoom);
    const mine = listed.find((p) => p.identity === identity);
    assert.ok(mine, `participant ${identity} in listParticipants(${pRoom})`);
    step('listParticipants');

    const info = await svc.getParticipant(pRoom, identity);
    assert.equal(info.identity, identity);
    assert.equal(info.sid, mine.sid);
    step('getParticipant');

    if (opts.track) {
      const track = await svc.mutePublishedTrack(pRoom, identity, opts.track, true);
      assert.ok(track, 'mutePublishedTrack returns the track');
      assert.equal(track.sid, opts.track);
      assert.equal(track.muted, true);
      step('mutePublishedTrack');
    }

    const updated = await svc.updateParticipant(pRoom, identity, {
      metadata: '{"role":"speaker"}', name: 'Renamed By Interop', attributes: { seat: '4' },
      permission: { canSubscribe: true, canPublish: true, canPublishData: false },
    });
    assert.equal(updated.identity, identity);
    assert.equal(updated.metadata, '{"role":"speaker"}');
    assert.equal(updated.name, 'Renamed By Interop');
    assert.equal(updated.attributes.seat, '4');
    assert.equal(updated.permission?.canPublish, true);
    assert.equal(updated.permission?.canPublishData, false);
    step('updateParticipant');

    await svc.updateSubscriptions(pRoom, identity, opts.track ? [opts.track] : [], true);
    step('updateSubscriptions');

    await svc.sendData(pRoom, new TextEncoder().encode('hello from interop'),
                       DataPacket_Kind.RELIABLE, { topic: 'interop', destinationIdentities: [identity] });
    await svc.sendData(pRoom, new Uint8Array([0, 1, 2, 255]), DataPacket_Kind.LOSSY, []);
    step('sendData');

    // Errors the SDK must surface with the Twirp code.
    await expectError('getParticipant(unknown identity)',
                      svc.getParticipant(pRoom, 'nobody-by-this-name'),
                      { status: 404, code: 'not_found' });
    step('getParticipant unknown -> not_found');

    if (!opts.skipRemove) {
      await svc.removeParticipant(pRoom, identity);
      await expectError('getParticipant(removed)', svc.getParticipant(pRoom, identity),
                        { status: 404, code: 'not_found' });
      step('removeParticipant');
    }
  }

  // Unknown room -> not_found, as a TwirpError with status and code.
  const absent = `${room}-absent`;
  await expectError('deleteRoom(unknown)', svc.deleteRoom(absent), { status: 404, code: 'not_found' });
  await expectError('updateRoomMetadata(unknown)', svc.updateRoomMetadata(absent, 'x'),
                    { status: 404, code: 'not_found' });
  step('unknown room -> not_found');

  // Wrong secret: refused before Twirp, plain 401 with no Twirp code.
  const wrong = new RoomServiceClient(url, opts.apiKey, `${opts.apiSecret}-but-wrong-0123456789`);
  const e401 = await expectError('listRooms(wrong secret)', wrong.listRooms(), { status: 401, code: undefined });
  assert.ok(e401.message.length > 0, 'plain-text reason');
  const unknownKey = new RoomServiceClient(url, `${opts.apiKey}-unknown`, opts.apiSecret);
  await expectError('listRooms(unknown key)', unknownKey.listRooms(), { status: 401, code: undefined });
  step('wrong key -> 401');

  // A valid token without roomAdmin: Twirp's unauthenticated, "permissions denied".
  const at = new AccessToken(opts.apiKey, opts.apiSecret, { identity: 'weak', ttl: '5m' });
  at.addGrant({ roomJoin: true, room });
  const weak = new RoomServiceClient(url, undefined, undefined, { token: await at.toJwt() });
  const eAuth = await expectError('listParticipants(no roomAdmin)', weak.listParticipants(room),
                                  { status: 401, code: 'unauthenticated' });
  assert.equal(eAuth.message, 'permissions denied');
  await expectError('createRoom(no roomCreate)', weak.createRoom({ name: 'nope' }),
                    { status: 401, code: 'unauthenticated' });
  step('missing grant -> unauthenticated');

  // DeleteRoom last: the room is gone afterwards.
  await svc.deleteRoom(room);
  assert.equal((await svc.listRooms([room])).length, 0);
  step('deleteRoom');
  return checks;
}

const opts = parseArgs(process.argv.slice(2));
let fixture;
if (opts.fixture) {
  opts.apiKey ??= 'APItwirpinterop';
  opts.apiSecret ??= 'twirp-interop-secret-0123456789abcdefgh';
  opts.participant ??= 'canned-participant';
  opts.track ??= 'TR_canned';
} else if (!opts.skipParticipant && !opts.participant) {
  throw new Error('against a real server give --participant (and --participant-room) or --skip-participant');
}
const watchdog = setTimeout(() => {
  console.error(`timed out after ${kOverallTimeoutMs} ms`);
  fixture?.child.kill('SIGKILL');
  process.exit(3);
}, kOverallTimeoutMs);

let exitCode = 0;
try {
  let url = opts.url;
  if (opts.fixture) {
    fixture = startFixture(opts.fixture, opts.apiKey, opts.apiSecret);
    url = `http://127.0.0.1:${await fixture.port}`;
  }
  const checks = await run(opts, url);
  console.log(`PASS: ${checks} RoomService checks against ${url}`);
} catch (e) {
  console.error('FAIL:', e);
  exitCode = 1;
} finally {
  clearTimeout(watchdog);
  if (fixture) {
    fixture.child.removeAllListeners('exit');
    fixture.child.kill('SIGTERM');
  }
}
process.exitCode = exitCode;
