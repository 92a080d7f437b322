// Connection quality through huddle-server with injected loss: "talker" (@livekit/rtc-node)
// publishes a tone and video and "ear" subscribes, both behind the UDP relay (udp_relay.mjs,
// the server announces the relay's port). With 0 % loss the talker's quality as ear sees it
// (RoomEvent.ConnectionQualityChanged) must reach EXCELLENT; with 10 % loss in both directions
// it must fall to POOR or LOST. Prints the qualities seen and the server's scores (R, MOS).
//
// usage: node quality.mjs <huddle-server>
import { makeLog, publishToneAndColour, rtcNode, runScenario, startMediaServerBehindRelay,
         tokenFor, waitUntil, withTimeout } from './media_harness.mjs';

const [serverBinary] = process.argv.slice(2);
if (!serverBinary) {
  console.error('usage: node quality.mjs <huddle-server>');
  process.exit(2);
}
const log = makeLog('quality');
const kRoom = 'quality';
const kNames = ['POOR', 'GOOD', 'EXCELLENT', 'LOST'];

let server;
let relay;
let media;
const rooms = [];
const seen = [];  // {at, by, of, quality}

function serverScores(sid) {
  // "participant=PA_x quality excellent (R 92.1, MOS 4.38, 2 streams)" lines of the debug log.
  return server.output().split('\n').filter((l) => l.includes(`participant=${sid} quality`))
      .map((l) => l.slice(l.indexOf('quality')));
}

async function main() {
  const rtc = await rtcNode();
  ({ server, relay } = await startMediaServerBehindRelay(serverBinary, { relay: { lossRate: 0, seed: 11 } }));
  log(`huddle-server on ${server.base}, media through relay port ${relay.port}`);
  const connect = async (name) => {
    const room = new rtc.Room();
    rooms.push(room);
    room.on(rtc.RoomEvent.ConnectionQualityChanged, (quality, participant) => {
      seen.push({ at: Date.now(), by: name, of: participant.identity, quality });
    });
    await withTimeout(room.connect(server.ws, await tokenFor(name, kRoom), { autoSubscribe: true, dynacast: false }),
                      20_000, `${name}: room.connect`);
    return room;
  };
  const ear = await connect('ear');
  const talker = await connect('talker');
  media = await publishToneAndColour(talker, { name: 'talker' });
  const talkerSid = talker.localParticipant.sid;
  log(`talker (${talkerSid}) publishes audio and video; ear subscribes`);
  const latest = (by) => [...seen].reverse().find((s) => s.by === by && s.of === 'talker')?.quality;

  const t0 = Date.now();
  await waitUntil('with 0% loss ear sees talker EXCELLENT', 20_000, async () => ({
    ok: latest('ear') === 2, detail: { seen: seen.map((s) => `${s.by}:${s.of}=${kNames[s.quality]}`), scores: serverScores(talkerSid) },
  }), 250);
  const clean = seen.filter((s) => s.at >= t0).map((s) => `${s.by}:${s.of}=${kNames[s.quality]}`);
  log(`0% loss: ${clean.join(', ')} after ${Date.now() - t0} ms; server: ${serverScores(talkerSid).slice(-2).join(' | ')}`);

  relay.setLossRate(0.10);
  const t1 = Date.now();
  await waitUntil('with 10% loss ear sees talker POOR or LOST', 30_000, async () => ({
    ok: latest('ear') === 0 || latest('ear') === 3,
    detail: { seen: seen.filter((s) => s.at >= t1).map((s) => `${s.by}:${s.of}=${kNames[s.quality]}`),
              scores: serverScores(talkerSid).slice(-4), relay: relay.stats() },
  }), 250);
  const lossy = seen.filter((s) => s.at >= t1).map((s) => `+${s.at - t1}ms ${s.by}:${s.of}=${kNames[s.quality]}`);
  log(`10% loss: ${lossy.join(', ')}; server: ${serverScores(talkerSid).slice(-3).join(' | ')}`);
  log(`relay: ${JSON.stringify(relay.stats())}`);
  const metrics = await (await fetch(`${server.base}/metrics`)).text();
  log(metrics.split('\n').filter((l) => /quality_updates/.test(l) && !l.startsWith('#')).join('; '));
}

await runScenario('quality', {
  overallMs: 90_000,
  server: () => server,
  main,
  diagnostics: async () => `qualities seen: ${seen.map((s) => `${s.by}:${s.of}=${kNames[s.quality]}`).join(', ')}`,
  cleanups: [
    async () => media?.stop(),
    async () => { for (const r of rooms) { try { await r.disconnect(); } catch {} } },
    async () => relay?.close(),
  ],
});
