// Active speakers through huddle-server: two @livekit/rtc-node publishers ("amy", "ben") take
// turns with a loud 440/660 Hz tone (2 s each, three rounds) while the other sends silence,
// then both fall silent. A third rtc-node participant ("ear") records
// RoomEvent.ActiveSpeakersChanged, and a bare signal client ("watch", WebSocket +
// @livekit/protocol) records the SpeakersChanged messages themselves (levels and order, which
// the rtc-node event does not carry). Checks: after each switch the loud one is the loudest
// speaker within 1 s (signal) and listed by the rtc-node event within 1 s; the one that fell
// silent is sent with active=false; after the final silence nobody is active. Prints the
// follow latencies.
//
// usage: node --experimental-websocket speakers.mjs <huddle-server>
import { SignalRequest, SignalResponse } from '@livekit/protocol';
import { makeLog, rtcNode, runScenario, startMediaServer, tokenFor, waitUntil,
         withTimeout } from './media_harness.mjs';

const [serverBinary] = process.argv.slice(2);
if (!serverBinary) {
  console.error('usage: node --experimental-websocket speakers.mjs <huddle-server>');
  process.exit(2);
}
if (typeof WebSocket !== 'function') throw new Error('run with node --experimental-websocket');
const log = makeLog('speakers');
const kRoom = 'speakers';
const kTurnMs = 2000;
const kRounds = 3;
const kFollowMs = 1000;

let server;
const rooms = [];
const publishers = {};
let ws;
let pingTimer;
const signalUpdates = [];  // {at, speakers: [{identity, level, active}]}
const nodeEvents = [];     // {at, identities}
const sidToIdentity = new Map();

// Audio only; `state.loud` switches between the tone and digital silence at the next frame.
async function publishSwitchableTone(room, name, freq) {
  const rtc = await rtcNode();
  const kRate = 48000;
  const kFrame = kRate / 100;
  const source = new rtc.AudioSource(kRate, 1, 50);  // short queue: switches reach the wire fast
  const track = rtc.LocalAudioTrack.createAudioTrack(`${name}-mic`, source);
  const pub = await withTimeout(room.localParticipant.publishTrack(
      track, new rtc.TrackPublishOptions({ source: rtc.TrackSource.SOURCE_MICROPHONE })),
                                15_000, `${name}: publishTrack(audio)`);
  const state = { loud: false, stopped: false, frames: 0, error: null };
  (async () => {
    let phase = 0;
    const step = (2 * Math.PI * freq) / kRate;
    while (!state.stopped) {
      const data = new Int16Array(kFrame);
      if (state.loud) {
        for (let i = 0; i < kFrame; i++) {
          data[i] = Math.round(16000 * Math.sin(phase));
          phase += step;
        }
        phase %= 2 * Math.PI;
      }
      await source.captureFrame(new rtc.AudioFrame(data, kRate, 1, kFrame));
      state.frames++;
    }
  })().catch((e) => { if (!state.stopped) state.error = e; });
  return { pub, state, stop: async () => { state.stopped = true; try { await source.close(); } catch {} } };
}

async function connectWatcher() {
  const token = await tokenFor('watch', kRoom, { canPublish: false });
  ws = new WebSocket(`${server.ws}/rtc?access_token=${token}&protocol=16&sdk=js&auto_subscribe=0`);
  ws.binaryType = 'arraybuffer';
  let joined = false;
  ws.onmessage = (e) => {
    const r = SignalResponse.fromBinary(new Uint8Array(e.data));
    const c = r.message.case;
    if (c === 'join') {
      joined = true;
      for (const p of r.message.value.otherParticipants) sidToIdentity.set(p.sid, p.identity);
    } else if (c === 'update') {
      for (const p of r.message.value.participants) sidToIdentity.set(p.sid, p.identity);
    } else if (c === 'speakersChanged') {
      signalUpdates.push({ at: Date.now(), speakers: r.message.value.speakers.map((s) => ({
        identity: sidToIdentity.get(s.sid) ?? s.sid, level: s.level, active: s.active })) });
    }
  };
  await waitUntil('watch: join response on the bare signal connection', 10_000, async () => ({ ok: joined, detail: {} }));
  pingTimer = setInterval(() => {
    try {
      ws.send(new SignalRequest({ message: { case: 'ping', value: BigInt(Date.now()) } }).toBinary());
    } catch {}
  }, 3000);
}

function describeSignal(from) {
  return signalUpdates.filter((u) => u.at >= from).slice(0, 12).map((u) =>
    `+${u.at - from}ms ` + u.speakers.map((s) => `${s.identity}:${s.active ? s.level.toFixed(3) : 'off'}`).join(' '));
}

async function main() {
  const rtc = await rtcNode();
  server = await startMediaServer(serverBinary);
  log(`huddle-server on ${server.base}`);

  const ear = new rtc.Room();
  rooms.push(ear);
  ear.on(rtc.RoomEvent.ActiveSpeakersChanged, (speakers) => {
    nodeEvents.push({ at: Date.now(), identities: speakers.map((p) => p.identity) });
  });
  await withTimeout(ear.connect(server.ws, await tokenFor('ear', kRoom), { autoSubscribe: true, dynacast: false }),
                    20_000, 'ear: room.connect');
  for (const [name, freq] of [['amy', 440], ['ben', 660]]) {
    const room = new rtc.Room();
    rooms.push(room);
    await withTimeout(room.connect(server.ws, await tokenFor(name, kRoom), { autoSubscribe: false, dynacast: false }),
                      20_000, `${name}: room.connect`);
    publishers[name] = await publishSwitchableTone(room, name, freq);
  }
  await connectWatcher();
  log('amy and ben publish (silent), ear and watch listen');
  // Silence first: nobody may be reported active.
  await new Promise((r) => setTimeout(r, 1500));
  const early = signalUpdates.filter((u) => u.speakers.some((s) => s.active));
  if (early.length > 0) throw new Error(`speakers reported during silence: ${JSON.stringify(early)}`);

  const turns = [];
  for (let i = 0; i < 2 * kRounds; i++) {
    const loud = i % 2 === 0 ? 'amy' : 'ben';
    const quiet = loud === 'amy' ? 'ben' : 'amy';
    publishers[loud].state.loud = true;
    publishers[quiet].state.loud = false;
    const at = Date.now();
    turns.push({ loud, quiet, at });
    await new Promise((r) => setTimeout(r, kTurnMs));
  }
  publishers.amy.state.loud = false;
  publishers.ben.state.loud = false;
  const silentAt = Date.now();
  await new Promise((r) => setTimeout(r, 2000));

  const problems = [];
  const signalLatencies = [];
  const nodeLatencies = [];
  for (const [i, t] of turns.entries()) {
    const end = t.at + kTurnMs;
    const first = signalUpdates.find((u) => u.at >= t.at && u.at < end + 200 &&
                                           u.speakers[0]?.active && u.speakers[0].identity === t.loud);
    const sLat = first ? first.at - t.at : null;
    signalLatencies.push(sLat);
    if (sLat === null || sLat > kFollowMs) {
      problems.push(`turn ${i} (${t.loud} loud): SpeakersChanged put ${t.loud} first after ${sLat} ms ` +
                    `(limit ${kFollowMs}); updates: ${JSON.stringify(describeSignal(t.at))}`);
    }
    const ev = nodeEvents.find((e) => e.at >= t.at && e.identities.includes(t.loud) &&
                                      (i === 0 || !e.identities.includes(t.quiet)));
    const nLat = ev ? ev.at - t.at : null;
    nodeLatencies.push(nLat);
    if (nLat === null || nLat > kFollowMs) {
      problems.push(`turn ${i} (${t.loud} loud): rtc-node ActiveSpeakersChanged listed ${t.loud} ` +
                    `alone after ${nLat} ms (limit ${kFollowMs}); events: ` +
                    JSON.stringify(nodeEvents.filter((e) => e.at >= t.at).slice(0, 8)
                        .map((e) => `+${e.at - t.at}ms [${e.identities}]`)));
    }
    if (i > 0) {
      const off = signalUpdates.find((u) => u.at >= t.at && u.at < end + 200 &&
                                         u.speakers.some((s) => s.identity === t.quiet && !s.active));
      if (!off) problems.push(`turn ${i}: ${t.quiet} fell silent but was never sent with active=false`);
    }
  }
  const finalSignal = signalUpdates.find((u) => u.at >= silentAt && u.speakers.every((s) => !s.active));
  const finalNode = nodeEvents.find((e) => e.at >= silentAt && e.identities.length === 0);
  if (!finalSignal) problems.push(`after the final silence no SpeakersChanged without active speakers: ${JSON.stringify(describeSignal(silentAt))}`);
  if (!finalNode) problems.push('after the final silence rtc-node never reported an empty speaker list');
  for (const [name, p] of Object.entries(publishers)) {
    if (p.state.error) problems.push(`${name}'s tone source failed: ${p.state.error}`);
  }
  log(`SpeakersChanged: loud speaker first after ${signalLatencies.join(', ')} ms; ` +
      `rtc-node ActiveSpeakersChanged after ${nodeLatencies.join(', ')} ms; ` +
      `silence reported after ${finalSignal ? finalSignal.at - silentAt : '-'} ms (signal), ` +
      `${finalNode ? finalNode.at - silentAt : '-'} ms (rtc-node); ` +
      `${signalUpdates.length} SpeakersChanged, ${nodeEvents.length} rtc-node events`);
  const levels = signalUpdates.flatMap((u) => u.speakers.filter((s) => s.active).map((s) => s.level));
  if (levels.length) log(`levels sent: ${Math.min(...levels).toFixed(3)} .. ${Math.max(...levels).toFixed(3)}`);
  const metrics = await (await fetch(`${server.base}/metrics`)).text();
  log(metrics.split('\n').filter((l) => /speaker_updates|audio_level_missing/.test(l) && !l.startsWith('#')).join('; '));
  if (problems.length) throw new Error(problems.join('\n'));
}

await runScenario('speakers', {
  overallMs: 90_000,
  server: () => server,
  main,
  diagnostics: async () => `signal updates:\n${describeSignal(0).join('\n')}\nrtc-node events: ${nodeEvents.length}`,
  cleanups: [
    async () => { clearInterval(pingTimer); try { ws?.close(); } catch {} },
    ...['amy', 'ben'].map((n) => async () => publishers[n]?.stop()),
    async () => { for (const r of rooms) { try { await r.disconnect(); } catch {} } },
  ],
});
