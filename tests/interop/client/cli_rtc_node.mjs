// The C++ client SDK (as `huddle-cli join`) and @livekit/rtc-node in one room through
// huddle-server, media checked by content both ways:
// - the cli publishes the test pattern (640x360, one layer, its frame counter drawn in blocks)
//   and a 440 Hz tone; rtc-node decodes our video (enough frames, the right size, not black, the
//   counter read back and rising) and hears the tone (FFT peak 440 +- 20 Hz);
// - rtc-node publishes a 660 Hz tone and solid green 320x240 frames carrying a counter in the
//   test pattern's layout; the cli's --stats-json shows the tone at 660 +- 20 Hz (Goertzel) and
//   the frames decoded, green below the counter blocks, the counter read and rising.
// Then the cli leaves on SIGTERM with exit code 0 and final figures. Prints what it measured.
//
// usage: node cli_rtc_node.mjs <huddle-server> <huddle-cli> [v1|v0]
import { colourNear, dominantFrequency, kDevKey, kDevSecret, makeLog, meterTrack, publishToneAndColour,
         rtcNode, rtcNodeView, runScenario, startMediaServer, tokenFor, waitUntil,
         withTimeout } from '../media/media_harness.mjs';
import { drawFrameCounter, readFrameCounter, rgbToYuv, startCli } from './cli_harness.mjs';

const [serverBinary, cliBinary, mode = 'v1'] = process.argv.slice(2);
if (!serverBinary || !cliBinary || !['v1', 'v0'].includes(mode)) {
  console.error('usage: node cli_rtc_node.mjs <huddle-server> <huddle-cli> [v1|v0]');
  process.exit(2);
}
const log = makeLog(`cli_rtc_node ${mode}`);
const kRoom = `cli-rtc-node-${mode}`;
const kCliTone = 440;
const kNodeTone = 660;
const kToleranceHz = 20;
const kGreen = [0, 255, 0];
const kMinFrames = 30;
const kCliSize = [640, 360];
const kNodeSize = [320, 240];

let server;
let cli;
let node;
let nodeAudio;
let nodeVideo;
const meters = {};
const events = [];

// Solid colour I420 frames with the counter blocks, ~15 fps, from an rtc-node VideoSource.
async function publishCounterVideo(room, colour) {
  const rtc = await rtcNode();
  const [w, h] = kNodeSize;
  const [y, u, v] = rgbToYuv(colour);
  const source = new rtc.VideoSource(w, h);
  const track = rtc.LocalVideoTrack.createVideoTrack('node-video', source);
  const pub = await withTimeout(room.localParticipant.publishTrack(
      track, new rtc.TrackPublishOptions({ source: rtc.TrackSource.SOURCE_CAMERA, simulcast: false })),
                                15_000, 'rtc-node: publishTrack(video)');
  const state = { frames: 0, stopped: false };
  const t0 = process.hrtime.bigint();
  const timer = setInterval(() => {
    if (state.stopped) return;
    const data = new Uint8Array((w * h * 3) / 2);
    data.fill(y, 0, w * h);
    data.fill(u, w * h, w * h + (w * h) / 4);
    data.fill(v, w * h + (w * h) / 4);
    drawFrameCounter(data, w, h, state.frames & 0xffff);
    source.captureFrame(new rtc.VideoFrame(data, w, h, rtc.VideoBufferType.I420),
                        (process.hrtime.bigint() - t0) / 1000n);
    state.frames++;
  }, 66);
  return { pub, state, stop: async () => { state.stopped = true; clearInterval(timer); await source.close().catch(() => {}); } };
}

// Reads our video in rtc-node: frames, size, mean colour and the test pattern's counter.
async function meterCounterVideo(track) {
  const rtc = await rtcNode();
  const m = { frames: 0, width: 0, height: 0, colour: null, counters: 0, firstCounter: null,
              lastCounter: null, regressions: 0, firstFrameAt: null, startedAt: Date.now(), stopped: false };
  const reader = new rtc.VideoStream(track).getReader();
  m.stop = () => { m.stopped = true; reader.cancel().catch(() => {}); };
  (async () => {
    for (let i = 0; !m.stopped && i < 1_000_000; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      const f = value.frame;
      m.frames++;
      m.firstFrameAt ??= Date.now();
      m.width = f.width;
      m.height = f.height;
      const i420 = f.type === rtc.VideoBufferType.I420 ? f : f.convert(rtc.VideoBufferType.I420);
      const counter = readFrameCounter(i420.data, i420.width, i420.height);
      if (counter !== null) {
        if (m.lastCounter !== null && ((counter - m.lastCounter) & 0xffff) > 0x8000) m.regressions++;
        m.firstCounter ??= counter;
        m.lastCounter = counter;
        m.counters++;
      }
      // The colour costs an RGBA conversion: every 10th frame is plenty.
      if (m.frames % 10 === 1) {
        const rgba = f.convert(rtc.VideoBufferType.RGBA);
        let r = 0, g = 0, b = 0, n = 0;
        for (let p = 0; p < rgba.data.length; p += 4 * 16) { r += rgba.data[p]; g += rgba.data[p + 1]; b += rgba.data[p + 2]; n++; }
        m.colour = [r / n, g / n, b / n].map(Math.round);
      }
    }
  })().catch((e) => { m.error = String(e); });
  m.summary = () => ({ frames: m.frames, size: `${m.width}x${m.height}`, colour: m.colour, counters: m.counters,
                       firstCounter: m.firstCounter, lastCounter: m.lastCounter, regressions: m.regressions,
                       firstFrameMs: m.firstFrameAt ? m.firstFrameAt - m.startedAt : null, error: m.error });
  return m;
}

async function main() {
  const rtc = await rtcNode();
  server = await startMediaServer(serverBinary, { noRtcV1: mode === 'v0' });
  log(`huddle-server on ${server.base} (udp ${server.udpPort})`);

  // The cli first, alone in the room; v0: it falls back to /rtc by itself on the 404.
  cli = startCli(cliBinary, server.ws, [
    '--api-key', kDevKey, '--api-secret', kDevSecret, '--dev', '--room', kRoom, '--identity', 'cpp-bot',
    '--publish', 'video,audio', '--video-size', kCliSize.join('x'), '--fps', '30', '--no-simulcast',
    '--tone-hz', String(kCliTone), '-v']);
  await waitUntil('the cli joined and published video and audio (stats file)', 30_000, async () => {
    const s = cli.stats();
    return { ok: !!s && s.published?.length === 2 && s.published.every((p) => p.sid?.startsWith('TR_')),
             detail: { stats: s, exit: cli.child.exitCode, output: cli.output().split('\n').slice(-8) } };
  });
  const s0 = cli.stats();
  if (s0.signalPath !== mode) throw new Error(`the cli joined over ${s0.signalPath}, expected ${mode}`);
  log(`cli joined in ${s0.joinMs} ms over ${s0.signalPath}; published ` +
      `${s0.published.map((p) => `${p.kind} ${p.sid} in ${p.publishMs} ms`).join(', ')}`);

  node = new rtc.Room();
  node.on(rtc.RoomEvent.TrackSubscriptionFailed, (sid, p, why) => events.push(`trackSubscriptionFailed ${p.identity} ${sid} ${why}`));
  node.on(rtc.RoomEvent.Disconnected, (r) => events.push(`node disconnected ${r}`));
  node.on(rtc.RoomEvent.TrackSubscribed, (track, pub, p) => {
    events.push(`trackSubscribed ${p.identity} ${pub.sid} kind ${track.kind}`);
    if (track.kind === rtc.TrackKind.KIND_AUDIO) {
      meterTrack(track, `${p.identity}/audio`).then((m) => { meters.audio = m; }, (e) => events.push(`meter failed: ${e}`));
    } else {
      meterCounterVideo(track).then((m) => { meters.video = m; }, (e) => events.push(`meter failed: ${e}`));
    }
  });
  const t0 = Date.now();
  await withTimeout(node.connect(server.ws, await tokenFor('node-peer', kRoom), { autoSubscribe: true, dynacast: false }),
                    20_000, 'rtc-node: room.connect');
  log(`rtc-node connected in ${Date.now() - t0} ms; publishing ${kNodeTone} Hz and green counter frames`);
  nodeAudio = await publishToneAndColour(node, { freq: kNodeTone, video: false, name: 'node' });
  nodeVideo = await publishCounterVideo(node, kGreen);

  // rtc-node receives ours.
  await waitUntil('rtc-node subscribed to the cli\'s audio and video', 20_000, async () => ({
    ok: !!meters.audio && !!meters.video, detail: { view: rtcNodeView(node), events },
  }));
  await waitUntil('rtc-node hears the cli\'s tone (>= 150 non-silent 10 ms frames)', 20_000, async () => ({
    ok: meters.audio.nonSilentFrames >= 150, detail: meters.audio.summary(),
  }));
  const spec = dominantFrequency(meters.audio.samples(), 48000, 8192);
  log(`rtc-node <- cli audio: ${meters.audio.frames} frames (${meters.audio.nonSilentFrames} non-silent), FFT peak ` +
      `${spec.freq.toFixed(1)} Hz, ${(spec.peakShare * 100).toFixed(1)}% of energy at the peak, rms ${spec.rms.toFixed(3)}`);
  if (Math.abs(spec.freq - kCliTone) > kToleranceHz) {
    throw new Error(`rtc-node hears the cli's tone at ${spec.freq.toFixed(1)} Hz, sent ${kCliTone} Hz`);
  }
  await waitUntil(`rtc-node decodes the cli's video (>= ${kMinFrames} frames ${kCliSize.join('x')}, not black, counter rising)`,
                  20_000, async () => {
    const v = meters.video;
    return { ok: v.frames >= kMinFrames && v.width === kCliSize[0] && v.height === kCliSize[1] && !!v.colour &&
                 v.colour.reduce((a, b) => a + b, 0) > 90 && v.counters >= kMinFrames / 2 && v.lastCounter > v.firstCounter,
             detail: v.summary() };
  });
  log(`rtc-node <- cli video: ${JSON.stringify(meters.video.summary())}`);

  // The cli receives rtc-node's.
  const figures = await waitUntil(`the cli's stats show rtc-node's tone at ${kNodeTone} +- ${kToleranceHz} Hz and ` +
                                  `>= ${kMinFrames} green frames with a rising counter`, 25_000, async () => {
    const a = cli.received('node-peer', 'audio');
    const v = cli.received('node-peer', 'video');
    const why = [];
    if (!a) why.push('no audio track');
    else {
      if (a.nonSilentFrames < 100) why.push(`audio: ${a.nonSilentFrames} non-silent frames`);
      if (a.dominantHz === null || Math.abs(a.dominantHz - kNodeTone) > kToleranceHz) why.push(`audio at ${a.dominantHz} Hz`);
    }
    if (!v) why.push('no video track');
    else {
      if (v.framesDecoded < kMinFrames) why.push(`video: ${v.framesDecoded} frames decoded`);
      if (v.width !== kNodeSize[0] || v.height !== kNodeSize[1]) why.push(`video size ${v.width}x${v.height}`);
      if (!colourNear(v.lowerHalfMeanRgb, kGreen)) why.push(`video colour ${JSON.stringify(v.lowerHalfMeanRgb)}`);
      if (v.framesWithCounter < kMinFrames / 2 || !(v.lastFrameCounter > v.firstFrameCounter)) {
        why.push(`counter ${v.firstFrameCounter}..${v.lastFrameCounter} in ${v.framesWithCounter} frames`);
      }
    }
    return { ok: why.length === 0, detail: why.join('; '), a, v };
  }, 500);
  log(`cli <- rtc-node audio: ${figures.a.dominantHz} Hz (zero crossings ${figures.a.zeroCrossingHz} Hz), ` +
      `${figures.a.rmsDbfs} dBFS, ${figures.a.framesDecoded} frames, first frame ${figures.a.firstFrameMs} ms after the cli's join start`);
  log(`cli <- rtc-node video: ${figures.v.framesDecoded} frames ${figures.v.width}x${figures.v.height}, lower half ` +
      `${JSON.stringify(figures.v.lowerHalfMeanRgb)}, luma ${figures.v.meanLuma}, counter ${figures.v.firstFrameCounter}..` +
      `${figures.v.lastFrameCounter} (${figures.v.framesWithCounter} frames), lost ${figures.v.packetsLost}, freezes ${figures.v.freezes}`);

  // A clean leave: exit 0 and the final figures.
  const end = await cli.stop();
  if (end.code !== 0) throw new Error(`huddle-cli join exited with ${JSON.stringify(end)} after SIGTERM`);
  const f = end.stats;
  if (!f?.final || !f.ok) throw new Error(`final stats not ok: ${JSON.stringify(f)?.slice(0, 400)}`);
  for (const p of f.published) {
    if (!(p.packetsSent > 0) || !(p.framesEncoded > 0)) throw new Error(`cli's ${p.kind} sent nothing: ${JSON.stringify(p)}`);
  }
  log(`cli left cleanly; sent ${f.published.map((p) => `${p.kind} ${p.framesEncoded} frames/${p.packetsSent} pkts/` +
                                                     `${p.bytesSent} B`).join(', ')}`);
  await waitUntil('rtc-node sees the cli leave', 10_000, async () => ({
    ok: !rtcNodeView(node)['cpp-bot'], detail: rtcNodeView(node),
  }));
  await nodeAudio.stop();
  await nodeVideo.stop();
  await node.disconnect();
}

await runScenario(`cli_rtc_node_${mode}`, {
  overallMs: 85_000,
  server: () => server,
  main,
  diagnostics: async () => [
    JSON.stringify({ view: node ? rtcNodeView(node) : null,
                     meters: { audio: meters.audio?.summary(), video: meters.video?.summary() }, events }, null, 1),
    cli ? `cli stats: ${JSON.stringify(cli.stats(), null, 1)?.slice(0, 6000)}` : '',
    cli ? cli.describe() : '',
  ].join('\n'),
  cleanups: [
    () => { meters.audio?.stop(); meters.video?.stop(); },
    () => nodeAudio?.stop(),
    () => nodeVideo?.stop(),
    () => node?.disconnect(),
    () => cli?.cleanup(),
    async () => (await rtcNode()).dispose(),
  ],
});
