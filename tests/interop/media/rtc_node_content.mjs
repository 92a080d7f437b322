// Media content through huddle-server between two @livekit/rtc-node 1.1 participants: "tone"
// publishes a 440 Hz sine (48 kHz mono, 10 ms frames) and solid-colour 320x240 video at ~15 fps
// (RGBA converted to I420), red then green; "ear" subscribes and checks what arrives: the FFT
// peak of the decoded audio at the sent frequency, the mean colour of decoded frames near the
// sent colour, and the switch from red to green. Prints the measured figures.
//
// usage: node rtc_node_content.mjs <huddle-server> [v1|v0]
import { colourNear, dominantFrequency, makeLog, meterTrack, publishToneAndColour, rtcNode,
         rtcNodeView, runScenario, startMediaServer, tokenFor, waitUntil, withTimeout } from './media_harness.mjs';

const [serverBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node rtc_node_content.mjs <huddle-server> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`rtc_node_content ${mode}`);
const kRoom = 'content';
const kFreq = 440;
const kRed = [255, 0, 0];
const kGreen = [0, 255, 0];
const kFftSize = 8192; // 5.9 Hz bins at 48 kHz

let server;
let tone;
let ear;
let media;
const meters = {};
const events = [];

async function main() {
  const rtc = await rtcNode();
  server = await startMediaServer(serverBinary, { noRtcV1: mode === 'v0' });
  log(`huddle-server on ${server.base} (udp ${server.udpPort})`);

  ear = new rtc.Room();
  ear.on(rtc.RoomEvent.ParticipantConnected, (p) => events.push(`participantConnected ${p.identity}`));
  ear.on(rtc.RoomEvent.TrackPublished, (pub, p) => events.push(`trackPublished ${p.identity} ${pub.sid}`));
  ear.on(rtc.RoomEvent.TrackSubscriptionFailed, (sid, p, why) => events.push(`trackSubscriptionFailed ${p.identity} ${sid} ${why}`));
  ear.on(rtc.RoomEvent.Disconnected, (r) => events.push(`ear disconnected ${r}`));
  ear.on(rtc.RoomEvent.TrackSubscribed, (track, pub, p) => {
    events.push(`trackSubscribed ${p.identity} ${pub.sid}`);
    meterTrack(track, `${p.identity}/${track.kind === rtc.TrackKind.KIND_AUDIO ? 'audio' : 'video'}`)
        .then((m) => { meters[m.kind] = m; }, (e) => events.push(`meter failed: ${e}`));
  });
  const t0 = Date.now();
  await withTimeout(ear.connect(server.ws, await tokenFor('ear', kRoom), { autoSubscribe: true, dynacast: false }),
                    20_000, 'ear: room.connect (signal join and peer connection)');
  log(`ear connected in ${Date.now() - t0} ms`);

  tone = new rtc.Room();
  tone.on(rtc.RoomEvent.Disconnected, (r) => events.push(`tone disconnected ${r}`));
  await withTimeout(tone.connect(server.ws, await tokenFor('tone', kRoom), { autoSubscribe: true, dynacast: false }),
                    20_000, 'tone: room.connect (signal join and peer connection)');
  log('tone connected; publishing audio and video');
  media = await publishToneAndColour(tone, { freq: kFreq, colour: kRed, name: 'tone' });
  log(`tone published audio ${media.audioPub.sid} and video ${media.videoPub.sid}`);

  await waitUntil('ear sees tone\'s audio and video publications (signaling)', 15_000, async () => {
    const v = rtcNodeView(ear).tone;
    return { ok: !!v && v.tracks.some((t) => t.kind === 'audio') && v.tracks.some((t) => t.kind === 'video'),
             detail: { view: rtcNodeView(ear), events } };
  });
  await waitUntil('ear subscribed to tone\'s audio and video (tracks arrived in the PC)', 20_000, async () => ({
    ok: !!meters.audio && !!meters.video, detail: { view: rtcNodeView(ear), events },
  }));
  const subscribedAt = Date.now();
  log('ear subscribed to both tracks');

  // Audio: at least 1.5 s of sound, then the spectrum of the latest 8192 samples.
  await waitUntil(`ear receives tone's audio (>= 150 non-silent 10 ms frames)`, 20_000, async () => ({
    ok: meters.audio.nonSilentFrames >= 150,
    detail: { audio: meters.audio.summary(), sent: { audioFrames: media.state.audioFrames, error: String(media.state.audioError) } },
  }));
  const spec = dominantFrequency(meters.audio.samples(), 48000, kFftSize);
  log(`audio: ${meters.audio.frames} frames (${meters.audio.nonSilentFrames} non-silent), first sound ` +
      `${meters.audio.firstSoundAt - meters.audio.startedAt} ms after subscription; FFT peak ` +
      `${spec.freq.toFixed(1)} Hz (bin ${spec.bin}, ${spec.binHz.toFixed(2)} Hz/bin), ` +
      `${(spec.peakShare * 100).toFixed(1)}% of energy within +-3 bins, rms ${spec.rms.toFixed(3)}`);
  if (Math.abs(spec.freq - kFreq) > 2 * spec.binHz) {
    throw new Error(`audio: FFT peak at ${spec.freq.toFixed(1)} Hz, sent ${kFreq} Hz (tolerance ${(2 * spec.binHz).toFixed(1)} Hz)`);
  }
  if (spec.peakShare < 0.8) throw new Error(`audio: not a clean tone (${(spec.peakShare * 100).toFixed(1)}% of energy at the peak)`);

  // Video: red frames, then the switch to green arrives.
  await waitUntil('ear decodes tone\'s video as red (>= 10 frames, mean colour within 60 of 255,0,0)', 20_000, async () => ({
    ok: meters.video.frames >= 10 && colourNear(meters.video.colour, kRed),
    detail: { video: meters.video.summary(), sentFrames: media.state.videoFrames },
  }));
  const redFrames = meters.video.frames;
  log(`video: ${redFrames} frames ${meters.video.width}x${meters.video.height}, first frame ` +
      `${meters.video.firstFrameAt - meters.video.startedAt} ms after subscription ` +
      `(${meters.video.firstFrameAt - subscribedAt} ms after the last subscription), mean colour ${meters.video.colour}`);
  const switchAt = Date.now();
  media.setColour(kGreen);
  await waitUntil('ear decodes the switch to green (mean colour within 60 of 0,255,0)', 15_000, async () => ({
    ok: colourNear(meters.video.colour, kGreen),
    detail: { video: meters.video.summary(), sentFrames: media.state.videoFrames },
  }));
  log(`video: green arrived ${Date.now() - switchAt} ms after the switch, mean colour ${meters.video.colour}, ` +
      `${meters.video.frames - redFrames} more frames; colours seen ${JSON.stringify([...meters.video.colourSeen.values()].map((c) => c.colour))}`);
  // The tone is still there after the video change (the audio path did not stall).
  meters.audio.clearSamples();
  await waitUntil('ear still receives the tone after the colour switch (1 s of fresh samples)', 10_000, async () => ({
    ok: meters.audio.samples().length >= 48000, detail: meters.audio.summary(),
  }));
  const spec2 = dominantFrequency(meters.audio.samples(), 48000, kFftSize);
  log(`audio again: FFT peak ${spec2.freq.toFixed(1)} Hz, ${(spec2.peakShare * 100).toFixed(1)}% at the peak`);
  if (Math.abs(spec2.freq - kFreq) > 2 * spec2.binHz || spec2.peakShare < 0.8) {
    throw new Error(`audio after the switch: peak ${spec2.freq.toFixed(1)} Hz share ${spec2.peakShare.toFixed(2)}`);
  }
  await media.stop();
  await tone.disconnect();
  await ear.disconnect();
}

await runScenario(`rtc_node_content_${mode}`, {
  overallMs: 120_000,
  server: () => server,
  main,
  diagnostics: async () => JSON.stringify({
    view: ear ? rtcNodeView(ear) : null,
    meters: Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m.summary()])),
    sent: media ? { audioFrames: media.state.audioFrames, videoFrames: media.state.videoFrames,
                    audioError: String(media.state.audioError) } : null,
    events,
  }, null, 1),
  cleanups: [
    () => { for (const m of Object.values(meters)) m.stop(); },
    () => media?.stop(),
    () => tone?.disconnect(),
    () => ear?.disconnect(),
    async () => (await rtcNode()).dispose(),
  ],
});
