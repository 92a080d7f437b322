// Explicit subscriptions through huddle-server with @livekit/rtc-node 1.1: "tone" publishes a
// 700 Hz sine; "auto" joins with auto-subscribe (the reference point: once it hears the tone the
// track is forwardable); "picky" joins with autoSubscribe false and must get nothing until it
// subscribes (UpdateSubscription), then hears 700 Hz, and loses the track when it unsubscribes.
//
// usage: node rtc_node_subscription.mjs <huddle-server> [v1|v0]
import { dominantFrequency, makeLog, meterTrack, publishToneAndColour, rtcNode, rtcNodeView,
         runScenario, startMediaServer, tokenFor, waitUntil, withTimeout } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node rtc_node_subscription.mjs <huddle-server> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`rtc_node_subscription ${mode}`);
const kRoom = 'subscription';
const kFreq = 700;

let server;
const rooms = {};
const meters = {};
const events = [];
let media;

async function join(rtc, identity, autoSubscribe) {
  const room = new rtc.Room();
  room.on(rtc.RoomEvent.TrackSubscribed, (track, pub, p) => {
    events.push(`${identity}: subscribed ${p.identity} ${pub.sid}`);
    meterTrack(track, `${identity}<-${p.identity}`).then((m) => { meters[identity] = m; });
  });
  room.on(rtc.RoomEvent.TrackUnsubscribed, (track, pub, p) => {
    events.push(`${identity}: unsubscribed ${p.identity} ${pub.sid}`);
  });
  await withTimeout(room.connect(server.ws, await tokenFor(identity, kRoom), { autoSubscribe, dynacast: false }),
                    20_000, `${identity}: room.connect`);
  rooms[identity] = room;
  return room;
}

async function main() {
  const rtc = await rtcNode();
  server = await startMediaServer(serverBinary, { noRtcV1: mode === 'v0' });
  const picky = await join(rtc, 'picky', false);
  await join(rtc, 'auto', true);
  const tone = await join(rtc, 'tone', true);
  media = await publishToneAndColour(tone, { freq: kFreq, video: false, name: 'tone' });
  log(`tone published ${media.audioPub.sid}`);

  await waitUntil('auto hears the tone (the track is forwardable)', 20_000, async () => ({
    ok: (meters.auto?.nonSilentFrames ?? 0) >= 50, detail: { events },
  }));
  const remote = [...picky.remoteParticipants.values()].find((p) => p.identity === 'tone');
  const pub = remote && [...remote.trackPublications.values()][0];
  if (!pub) throw new Error(`picky does not see tone's publication: ${JSON.stringify(rtcNodeView(picky))}`);
  if (pub.subscribed || meters.picky) {
    throw new Error(`picky (autoSubscribe false) got the track without asking: ${JSON.stringify(events)}`);
  }
  log('picky sees the publication and is not subscribed while auto already hears it');

  pub.setSubscribed(true);
  await waitUntil('picky hears the tone after subscribing (>= 150 non-silent frames)', 20_000, async () => ({
    ok: (meters.picky?.nonSilentFrames ?? 0) >= 150, detail: { events, picky: meters.picky?.summary() },
  }));
  // The latest 8192 samples may hold a gap on a loaded machine: re-read (bounded) until a window
  // holds the tone.
  let spec;
  await waitUntil(`picky hears the ${kFreq} Hz tone in a full window`, 10_000, async () => {
    spec = dominantFrequency(meters.picky.samples(), 48000, 8192);
    return { ok: Math.abs(spec.freq - kFreq) <= 2 * spec.binHz && spec.peakShare >= 0.6,
             detail: { peak: spec.freq, share: spec.peakShare } };
  });
  log(`picky: FFT peak ${spec.freq.toFixed(1)} Hz, ${(spec.peakShare * 100).toFixed(1)}% at the peak`);

  pub.setSubscribed(false);
  await waitUntil('picky is unsubscribed', 15_000, async () => ({
    ok: events.some((e) => e.startsWith('picky: unsubscribed')), detail: { events },
  }));
  log('picky unsubscribed; auto still subscribed');
  await media.stop();
  for (const r of Object.values(rooms)) await r.disconnect();
}

await runScenario(`rtc_node_subscription_${mode}`, {
  overallMs: 100_000,
  server: () => server,
  main,
  diagnostics: async () => JSON.stringify({ events }),
  cleanups: [async () => media?.stop(), ...['picky', 'auto', 'tone'].map((k) => async () => rooms[k]?.disconnect())],
});
