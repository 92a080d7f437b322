// Leaving, unpublishing and rejoining leave no stale state, with @livekit/rtc-node 1.1
// participants through huddle-server. alice publishes a 440 Hz tone and red video, bob a 660 Hz
// tone, carol only watches. Steps, each checked on every remaining participant's remote list,
// on carol's received media and on the server's RoomService view:
//   1. alice unpublishes her video: it disappears everywhere, her audio keeps flowing;
//   2. bob leaves mid-stream: he disappears everywhere;
//   3. bob rejoins with the same identity and republishes: one bob, one new track, 660 Hz flows;
//   4. alice joins again from a second connection while the first is live: the first is
//      disconnected (duplicate identity), her old tracks are gone, the new 550 Hz tone and blue
//      video flow.
// Each participant's tone has its own frequency, so the FFT says whose audio carol receives.
//
// usage: node rejoin_cleanup.mjs <huddle-server> [v1|v0]
import { RoomServiceClient } from 'livekit-server-sdk';
import { colourNear, dominantFrequency, kDevKey, kDevSecret, makeLog, meterTrack,
         publishToneAndColour, rtcNode, rtcNodeView, runScenario, startMediaServer, tokenFor,
         waitUntil, withTimeout } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node rejoin_cleanup.mjs <huddle-server> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`rejoin_cleanup ${mode}`);
const kRoom = 'rejoin';

let server;
let api;
const rooms = {};    // name -> rtc-node Room (alice, alice2, bob, bob2, carol)
const media = {};    // name -> publishToneAndColour handle
const meters = new Map(); // track sid -> meter (carol's receptions)
const events = [];

function viewSummary(view) {
  return Object.fromEntries(Object.entries(view).map(([id, p]) => [id, p.tracks.map((t) => `${t.kind}:${t.sid}`)]));
}

// The remote view must be exactly `expected`: {identity: {audio: n, video: n}}, optionally with
// the track sids that must (or must not) be there.
function viewMatches(view, expected, { forbiddenSids = [] } = {}) {
  const problems = [];
  const ids = Object.keys(view).sort();
  const want = Object.keys(expected).sort();
  if (ids.join(',') !== want.join(',')) problems.push(`participants [${ids}] expected [${want}]`);
  for (const [id, kinds] of Object.entries(expected)) {
    const tracks = view[id]?.tracks ?? [];
    for (const kind of ['audio', 'video']) {
      const n = tracks.filter((t) => t.kind === kind).length;
      if (n !== (kinds[kind] ?? 0)) problems.push(`${id} has ${n} ${kind} publications, expected ${kinds[kind] ?? 0}`);
    }
    for (const t of tracks) if (forbiddenSids.includes(t.sid)) problems.push(`${id} still has stale track ${t.sid}`);
  }
  return problems;
}

async function expectViews(what, expectations, opts = {}) {
  await waitUntil(what, 10_000, async () => {
    const problems = [];
    const views = {};
    for (const [name, expected] of Object.entries(expectations)) {
      views[name] = viewSummary(rtcNodeView(rooms[name]));
      problems.push(...viewMatches(rtcNodeView(rooms[name]), expected, opts).map((p) => `${name}: ${p}`));
    }
    return { ok: problems.length === 0, detail: `${problems.join('; ')}; views ${JSON.stringify(views)}` };
  });
}

async function expectServerView(what, expected) {
  await waitUntil(`server RoomService: ${what}`, 10_000, async () => {
    const list = await api.listParticipants(kRoom);
    const got = Object.fromEntries(list.map((p) => [p.identity, p.tracks.map((t) => `${t.type === 0 ? 'audio' : 'video'}:${t.sid}`)]));
    const want = Object.fromEntries(Object.entries(expected).map(([id, k]) => [id, (k.audio ?? 0) + (k.video ?? 0)]));
    const ok = Object.keys(got).sort().join(',') === Object.keys(want).sort().join(',') &&
        Object.entries(want).every(([id, n]) => got[id].length === n);
    return { ok, detail: `server lists ${JSON.stringify(got)}` };
  });
}

// carol's meter of `identity`'s `kind` track with sid `sid` (the latest one if sid is omitted).
function meterOf(identity, kind, sid) {
  const all = [...meters.values()].filter((m) => m.identity === identity && m.kind === kind && (!sid || m.sid === sid));
  return all[all.length - 1];
}

async function expectTone(who, freq, sid) {
  const m = await waitUntil(`carol subscribed to ${who}'s audio${sid ? ` ${sid}` : ''}`, 15_000, async () => {
    const x = meterOf(who, 'audio', sid);
    return { ok: !!x, meter: x, detail: { meters: [...meters.values()].map((y) => y.summary()), events: events.slice(-15) } };
  });
  const meter = m.meter;
  meter.clearSamples();
  const before = meter.nonSilentFrames;
  await waitUntil(`carol hears ${who} (${meter.sid}): 1 s of fresh samples, >= 60 new non-silent frames`, 15_000, async () => ({
    ok: meter.samples().length >= 48000 && meter.nonSilentFrames - before >= 60, detail: meter.summary(),
  }));
  // A loaded machine can stall the receiving side for a moment; the latest 8192 samples then hold
  // a gap, so the spectrum is re-read (bounded) until a window holds the tone or time runs out.
  let spec = dominantFrequency(meter.samples(), 48000, 8192);
  const isTone = (x) => Math.abs(x.freq - freq) <= 2 * x.binHz && x.peakShare >= 0.6;
  if (!isTone(spec)) {
    try {
      await waitUntil(`carol hears ${who}'s ${freq} Hz tone in a full window`, 10_000, async () => {
        spec = dominantFrequency(meter.samples(), 48000, 8192);
        return { ok: isTone(spec), detail: { peak: spec.freq, share: spec.peakShare, meter: meter.summary() } };
      });
    } catch {
      // Reported below with the last measurement.
    }
  }
  log(`carol <- ${who} audio ${meter.sid}: peak ${spec.freq.toFixed(1)} Hz (sent ${freq}), ` +
      `${(spec.peakShare * 100).toFixed(1)}% at the peak, ${meter.frames} frames, first sound ` +
      `${meter.firstSoundAt ? meter.firstSoundAt - meter.startedAt : '-'} ms after subscription`);
  if (!isTone(spec)) {
    throw new Error(`carol <- ${who}: expected a ${freq} Hz tone, measured peak ${spec.freq.toFixed(1)} Hz with ` +
                    `${(spec.peakShare * 100).toFixed(1)}% of the energy`);
  }
  return meter;
}

async function expectVideo(who, colour, sid) {
  const m = await waitUntil(`carol subscribed to ${who}'s video${sid ? ` ${sid}` : ''}`, 15_000, async () => {
    const x = meterOf(who, 'video', sid);
    return { ok: !!x, meter: x, detail: { meters: [...meters.values()].map((y) => y.summary()), events: events.slice(-15) } };
  });
  const meter = m.meter;
  const before = meter.frames;
  await waitUntil(`carol decodes ${who}'s video ${meter.sid} (+10 frames near ${colour})`, 15_000, async () => ({
    ok: meter.frames - before >= 10 && colourNear(meter.colour, colour), detail: meter.summary(),
  }));
  log(`carol <- ${who} video ${meter.sid}: ${meter.frames} frames ${meter.width}x${meter.height}, colour ` +
      `${meter.colour}, first frame ${meter.firstFrameAt - meter.startedAt} ms after subscription`);
  return meter;
}

async function join(name, identity) {
  const rtc = await rtcNode();
  const room = new rtc.Room();
  room.on(rtc.RoomEvent.Disconnected, (r) => { events.push(`${name} disconnected reason=${r}`); room.disconnectReason = r; });
  room.on(rtc.RoomEvent.ParticipantDisconnected, (p) => events.push(`${name}: participantDisconnected ${p.identity}`));
  room.on(rtc.RoomEvent.TrackUnpublished, (pub, p) => events.push(`${name}: trackUnpublished ${p.identity} ${pub.sid}`));
  if (name === 'carol') {
    room.on(rtc.RoomEvent.TrackSubscribed, (track, pub, p) => {
      events.push(`carol: trackSubscribed ${p.identity} ${pub.sid}`);
      meterTrack(track, `${p.identity}/${pub.sid}`).then((m) => {
        Object.assign(m, { identity: p.identity, sid: pub.sid });
        meters.set(pub.sid, m);
      }, (e) => events.push(`meter ${pub.sid}: ${e}`));
    });
    room.on(rtc.RoomEvent.TrackUnsubscribed, (track, pub, p) => {
      events.push(`carol: trackUnsubscribed ${p.identity} ${pub.sid}`);
      const m = meters.get(pub.sid);
      if (m) { m.unsubscribed = true; m.stop(); }
    });
  }
  const t0 = Date.now();
  await withTimeout(room.connect(server.ws, await tokenFor(identity, kRoom), { autoSubscribe: true, dynacast: false }),
                    20_000, `${name} (${identity}): room.connect`);
  rooms[name] = room;
  log(`${name} joined as ${identity} (${room.localParticipant.sid}) in ${Date.now() - t0} ms`);
  return room;
}

async function main() {
  server = await startMediaServer(serverBinary, { noRtcV1: mode === 'v0' });
  api = new RoomServiceClient(server.base, kDevKey, kDevSecret);
  log(`huddle-server on ${server.base} (udp ${server.udpPort})`);

  await join('carol', 'carol');
  await join('alice', 'alice');
  media.alice = await publishToneAndColour(rooms.alice, { freq: 440, colour: [255, 0, 0], name: 'alice' });
  await join('bob', 'bob');
  media.bob = await publishToneAndColour(rooms.bob, { freq: 660, video: false, name: 'bob' });
  const aliceVideoSid = media.alice.videoPub.sid;
  const aliceAudioSid = media.alice.audioPub.sid;
  const bobAudioSid = media.bob.audioPub.sid;

  await expectViews('step 0: everyone sees the others with their tracks', {
    carol: { alice: { audio: 1, video: 1 }, bob: { audio: 1 } },
    alice: { bob: { audio: 1 }, carol: {} },
    bob: { alice: { audio: 1, video: 1 }, carol: {} },
  });
  await expectServerView('alice 2 tracks, bob 1, carol 0', { alice: { audio: 1, video: 1 }, bob: { audio: 1 }, carol: {} });
  await expectTone('alice', 440, aliceAudioSid);
  await expectTone('bob', 660, bobAudioSid);
  const aliceVideo = await expectVideo('alice', [255, 0, 0], aliceVideoSid);
  log('step 0 ok: all media flowing');

  // 1. Unpublish alice's video.
  await rooms.alice.localParticipant.unpublishTrack(aliceVideoSid);
  await expectViews('step 1: alice\'s unpublished video is gone at carol and bob', {
    carol: { alice: { audio: 1 }, bob: { audio: 1 } },
    bob: { alice: { audio: 1 }, carol: {} },
  }, { forbiddenSids: [aliceVideoSid] });
  await expectServerView('alice\'s video gone', { alice: { audio: 1 }, bob: { audio: 1 }, carol: {} });
  await waitUntil('step 1: carol\'s subscription to alice\'s video ended (TrackUnsubscribed or stream end)', 10_000, async () => ({
    ok: aliceVideo.unsubscribed || aliceVideo.ended, detail: { meter: aliceVideo.summary(), events: events.slice(-10) },
  }));
  await expectTone('alice', 440, aliceAudioSid);
  log('step 1 ok: unpublish cleaned up, alice\'s audio still flows');

  // 2. bob leaves while his tone is flowing.
  await rooms.bob.disconnect();
  await media.bob.stop();
  await expectViews('step 2: bob is gone at carol and alice', {
    carol: { alice: { audio: 1 } },
    alice: { carol: {} },
  }, { forbiddenSids: [bobAudioSid] });
  await expectServerView('bob gone', { alice: { audio: 1 }, carol: {} });
  log('step 2 ok: bob\'s leave cleaned up');

  // 3. bob rejoins with the same identity.
  await join('bob2', 'bob');
  media.bob2 = await publishToneAndColour(rooms.bob2, { freq: 660, video: false, name: 'bob2' });
  const bob2AudioSid = media.bob2.audioPub.sid;
  if (bob2AudioSid === bobAudioSid) throw new Error(`bob's rejoin reused the old track sid ${bobAudioSid}`);
  await expectViews('step 3: exactly one bob with one new audio track', {
    carol: { alice: { audio: 1 }, bob: { audio: 1 } },
    alice: { bob: { audio: 1 }, carol: {} },
    bob2: { alice: { audio: 1 }, carol: {} },
  }, { forbiddenSids: [bobAudioSid, aliceVideoSid] });
  await expectServerView('bob back with one track', { alice: { audio: 1 }, bob: { audio: 1 }, carol: {} });
  await expectTone('bob', 660, bob2AudioSid);
  log('step 3 ok: bob\'s rejoin flows');

  // 4. alice connects again while her first connection is live.
  await join('alice2', 'alice');
  await waitUntil('step 4: the first alice connection is disconnected by the duplicate identity', 10_000, async () => ({
    ok: rooms.alice.disconnectReason !== undefined, detail: { events: events.slice(-10), state: rooms.alice.connectionState },
  }));
  log(`first alice connection disconnected, reason ${rooms.alice.disconnectReason}`);
  await media.alice.stop();
  await expectViews('step 4: alice (second connection) has no tracks yet; the old ones are gone', {
    carol: { alice: {}, bob: { audio: 1 } },
    bob2: { alice: {}, carol: {} },
    alice2: { bob: { audio: 1 }, carol: {} },
  }, { forbiddenSids: [aliceAudioSid, aliceVideoSid] });
  media.alice2 = await publishToneAndColour(rooms.alice2, { freq: 550, colour: [0, 0, 255], name: 'alice2' });
  await expectViews('step 4: alice\'s new tracks, nothing stale', {
    carol: { alice: { audio: 1, video: 1 }, bob: { audio: 1 } },
    bob2: { alice: { audio: 1, video: 1 }, carol: {} },
  }, { forbiddenSids: [aliceAudioSid, aliceVideoSid, bobAudioSid] });
  await expectServerView('alice with her new tracks', { alice: { audio: 1, video: 1 }, bob: { audio: 1 }, carol: {} });
  await expectTone('alice', 550, media.alice2.audioPub.sid);
  await expectVideo('alice', [0, 0, 255], media.alice2.videoPub.sid);
  await expectTone('bob', 660, bob2AudioSid);
  log('step 4 ok: alice\'s rejoin flows, bob unaffected');
}

await runScenario(`rejoin_cleanup_${mode}`, {
  overallMs: 150_000,
  server: () => server,
  main,
  diagnostics: async () => {
    const views = Object.fromEntries(Object.entries(rooms).map(([n, r]) => [n, viewSummary(rtcNodeView(r))]));
    let serverView = null;
    try {
      serverView = (await api.listParticipants(kRoom)).map((p) => `${p.identity}:${p.sid}:[${p.tracks.map((t) => t.sid)}]`);
    } catch (e) { serverView = String(e); }
    return JSON.stringify({ views, serverView, meters: [...meters.values()].map((m) => m.summary()),
                            sent: Object.fromEntries(Object.entries(media).map(([n, x]) => [n, { a: x.state.audioFrames, v: x.state.videoFrames }])),
                            events }, null, 1);
  },
  cleanups: [
    () => { for (const m of meters.values()) m.stop(); },
    ...['alice', 'alice2', 'bob', 'bob2'].map((n) => () => media[n]?.stop()),
    ...['alice', 'alice2', 'bob', 'bob2', 'carol'].map((n) => () => rooms[n]?.disconnect()),
    async () => (await rtcNode()).dispose(),
  ],
});
