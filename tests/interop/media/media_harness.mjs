// Shared by the media interop scripts: huddle-server on free ports with its media path, tokens,
// bounded steps that name what they waited for, a scenario runner that always prints the server
// log on failure, and content checks for rtc-node media (tone frequency by FFT, frame colour).
// Generic on purpose: any interop script driving media through huddle-server may import it.
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AccessToken } from 'livekit-server-sdk';
import { kDevKey, kDevSecret, freePort, startServer, waitFor, withTimeout } from '../server/server_harness.mjs';
import { startTcpProxy, startUdpRelay } from './udp_relay.mjs';

export { kDevKey, kDevSecret, freePort, waitFor, withTimeout };

export function makeLog(tag) {
  const t0 = Date.now();
  const log = (...args) => console.log(`[${tag} +${((Date.now() - t0) / 1000).toFixed(2)}s]`, ...args);
  log.elapsedMs = () => Date.now() - t0;
  return log;
}

export async function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

// huddle-server --dev on free HTTP and UDP ports, no ICE-TCP (parallel ctest runs must not
// collide on the default 7881/7882). Debug logging unless HUDDLE_MEDIA_LOG_LEVEL says otherwise:
// the log is only printed when something failed.
export async function startMediaServer(binary, { noRtcV1 = false, extraArgs = [] } = {}) {
  const udpPort = await freeUdpPort();
  const level = process.env.HUDDLE_MEDIA_LOG_LEVEL ?? 'debug';
  const args = ['--udp-port', String(udpPort), '--tcp-port', '0', '--log-level', level,
                ...(noRtcV1 ? ['--no-rtc-v1'] : []), ...extraArgs];
  const server = await startServer(binary, args);
  server.udpPort = udpPort;
  server.args = args;
  return server;
}

// huddle-server behind a UDP impairment relay (udp_relay.mjs): the server binds a free UDP port
// and announces the relay's port in its ICE candidates, so every client's media crosses the
// relay. `relay` options go to startUdpRelay (lossRate, reorderRate, seed ...). With
// `signalProxy` the WebSocket can be cut too: connect clients to `proxy.ws` instead of server.ws.
// The caller closes relay and proxy (close() on each; both are idempotent).
export async function startMediaServerBehindRelay(binary, { noRtcV1 = false, extraArgs = [],
                                                            relay: relayOptions = {},
                                                            signalProxy = false } = {}) {
  const udpPort = await freeUdpPort();
  const relay = await startUdpRelay({ ...relayOptions, targetPort: udpPort });
  let server;
  try {
    const level = process.env.HUDDLE_MEDIA_LOG_LEVEL ?? 'debug';
    const args = ['--udp-port', String(udpPort), '--advertise-udp-port', String(relay.port),
                  '--tcp-port', '0', '--log-level', level, ...(noRtcV1 ? ['--no-rtc-v1'] : []),
                  ...extraArgs];
    server = await startServer(binary, args);
    server.udpPort = udpPort;
    server.args = args;
  } catch (e) {
    await relay.close();
    throw e;
  }
  let proxy = null;
  if (signalProxy) {
    proxy = await startTcpProxy({ targetPort: server.port });
    proxy.ws = `ws://127.0.0.1:${proxy.port}`;
  }
  return { server, relay, proxy };
}

export async function tokenFor(identity, room, grants = {}) {
  const at = new AccessToken(kDevKey, kDevSecret, { identity, ttl: '10m' });
  at.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true, ...grants });
  return at.toJwt();
}

// Polls `probe` (async; returns {ok, detail}) until ok or `ms` pass; the error carries the last
// detail so a failure says what was missing at the time.
export async function waitUntil(what, ms, probe, intervalMs = 200) {
  const deadline = Date.now() + ms;
  let last = { ok: false, detail: 'never probed' };
  for (let i = 0; Date.now() < deadline && i < 100_000; i++) {
    try {
      last = await probe();
    } catch (e) {
      last = { ok: false, detail: `probe threw: ${e?.stack ?? e}` };
    }
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const detail = typeof last.detail === 'string' ? last.detail : JSON.stringify(last.detail, null, 1);
  throw new Error(`timed out after ${ms} ms: ${what}\n  state at the time: ${detail}`);
}

// Runs the scenario under an overall bound. On failure prints the error, the caller's
// diagnostics and the server log (tail here, all of it in a file); cleanups always run, each
// bounded. Exits the process with 0 or 1.
export async function runScenario(name, { overallMs, server, main, diagnostics, cleanups }) {
  let failed = null;
  try {
    await withTimeout(main(), overallMs, `the whole ${name} scenario`);
  } catch (e) {
    failed = e;
    console.error(`FAIL ${name}: ${e?.stack ?? e}`);
    if (diagnostics) {
      try {
        const d = await withTimeout(diagnostics(), 15_000, 'collecting diagnostics');
        if (d) console.error(`--- diagnostics ---\n${d}`);
      } catch (de) {
        console.error(`(diagnostics failed: ${de})`);
      }
    }
    const srv = server();
    if (srv) {
      try {
        const r = await withTimeout(fetch(`${srv.base}/metrics`), 3_000, 'GET /metrics');
        const lines = (await r.text()).split('\n').filter((l) => l && !l.startsWith('#') &&
            /media|rtp|rtcp|track|packet|byte|nack|pli|subscri|publish/i.test(l));
        console.error(`--- huddle-server /metrics (media lines) ---\n${lines.slice(0, 80).join('\n')}`);
      } catch (me) {
        console.error(`(GET /metrics failed: ${me})`);
      }
      const out = srv.output();
      const file = path.join(tmpdir(), `huddle-${name}-${process.pid}-server.log`);
      try { writeFileSync(file, out); } catch {}
      const lines = out.split('\n');
      console.error(`--- huddle-server ${srv.args?.join(' ')} (last 150 of ${lines.length} lines; ` +
                    `full log in ${file}) ---\n${lines.slice(-150).join('\n')}`);
    }
  }
  for (const c of cleanups ?? []) {
    try { await withTimeout(Promise.resolve().then(c), 10_000, 'cleanup'); } catch (e) {
      console.error(`cleanup: ${e}`);
    }
  }
  try { server()?.kill(); } catch {}
  if (!failed) console.log(`PASS ${name}`);
  process.exit(failed ? 1 : 0);
}

// ---- content analysis -------------------------------------------------------------------

// In-place iterative radix-2 FFT; re/im are Float64Arrays of a power-of-two length.
export function fft(re, im) {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`fft length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

// Dominant frequency of the last `n` samples (Hann window). peakShare is the fraction of the
// spectrum's energy within +-3 bins of the peak: near 1 for a clean tone, low for noise.
export function dominantFrequency(samples, sampleRate, n = 8192) {
  if (samples.length < n) throw new Error(`need ${n} samples for the FFT, have ${samples.length}`);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const off = samples.length - n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[off + i] / 32768;
    sq += s * s;
    re[i] = s * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  }
  fft(re, im);
  let peak = 1;
  let total = 0;
  const power = new Float64Array(n / 2);
  for (let k = 1; k < n / 2; k++) {
    power[k] = re[k] * re[k] + im[k] * im[k];
    total += power[k];
    if (power[k] > power[peak]) peak = k;
  }
  let near = 0;
  for (let k = Math.max(1, peak - 3); k <= Math.min(n / 2 - 1, peak + 3); k++) near += power[k];
  const binHz = sampleRate / n;
  return { freq: peak * binHz, bin: peak, binHz, peakShare: total > 0 ? near / total : 0,
           rms: Math.sqrt(sq / n) };
}

export function meanColour(rgba, width, height, step = 4) {
  let r = 0;
  let g = 0;
  let b = 0;
  let count = 0;
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      const o = (y * width + x) * 4;
      r += rgba[o];
      g += rgba[o + 1];
      b += rgba[o + 2];
      count++;
    }
  }
  return count ? [r / count, g / count, b / count].map((v) => Math.round(v)) : [0, 0, 0];
}

export function colourNear(measured, expected, tolerance = 60) {
  return measured && measured.every((v, i) => Math.abs(v - expected[i]) <= tolerance);
}

// ---- rtc-node media ---------------------------------------------------------------------

// Imported lazily so that browser-only scripts do not load the native module.
export async function rtcNode() {
  return import('@livekit/rtc-node');
}

// Publishes a sine tone (48 kHz mono, 10 ms frames) and solid-colour video (I420 converted from
// RGBA, ~15 fps) from an rtc-node Room. The colour can be switched while running.
export async function publishToneAndColour(room, { freq = 440, colour = [255, 0, 0], width = 320,
                                                  height = 240, fps = 15, audio = true,
                                                  video = true, name = 'media' } = {}) {
  const rtc = await rtcNode();
  const kRate = 48000;
  const kFrame = kRate / 100;
  const state = { stopped: false, audioFrames: 0, videoFrames: 0, colour, audioError: null };
  const frames = new Map();
  const frameFor = (c) => {
    const key = c.join(',');
    if (!frames.has(key)) {
      const rgba = new Uint8Array(width * height * 4);
      for (let i = 0; i < width * height; i++) rgba.set([c[0], c[1], c[2], 255], i * 4);
      frames.set(key, new rtc.VideoFrame(rgba, width, height, rtc.VideoBufferType.RGBA)
          .convert(rtc.VideoBufferType.I420));
    }
    return frames.get(key);
  };
  const out = { state, audioPub: null, videoPub: null };
  let audioSource;
  let videoSource;
  let timer;
  if (audio) {
    audioSource = new rtc.AudioSource(kRate, 1, 200);
    const track = rtc.LocalAudioTrack.createAudioTrack(`${name}-audio`, audioSource);
    out.audioPub = await withTimeout(room.localParticipant.publishTrack(
        track, new rtc.TrackPublishOptions({ source: rtc.TrackSource.SOURCE_MICROPHONE })),
                                     15_000, `${name}: publishTrack(audio)`);
    (async () => {
      let phase = 0;
      const step = (2 * Math.PI * freq) / kRate;
      while (!state.stopped) {
        const data = new Int16Array(kFrame);
        for (let i = 0; i < kFrame; i++) {
          data[i] = Math.round(12000 * Math.sin(phase));
          phase += step;
        }
        phase %= 2 * Math.PI;
        // captureFrame resolves when the source's 200 ms queue has room: real-time pacing.
        await audioSource.captureFrame(new rtc.AudioFrame(data, kRate, 1, kFrame));
        state.audioFrames++;
      }
    })().catch((e) => { if (!state.stopped) state.audioError = e; });
  }
  if (video) {
    videoSource = new rtc.VideoSource(width, height);
    const track = rtc.LocalVideoTrack.createVideoTrack(`${name}-video`, videoSource);
    out.videoPub = await withTimeout(room.localParticipant.publishTrack(
        track, new rtc.TrackPublishOptions({ source: rtc.TrackSource.SOURCE_CAMERA, simulcast: false })),
                                     15_000, `${name}: publishTrack(video)`);
    const t0 = process.hrtime.bigint();
    timer = setInterval(() => {
      if (state.stopped) return;
      videoSource.captureFrame(frameFor(state.colour), (process.hrtime.bigint() - t0) / 1000n);
      state.videoFrames++;
    }, Math.round(1000 / fps));
  }
  out.setColour = (c) => { state.colour = c; };
  out.stop = async () => {
    state.stopped = true;
    clearInterval(timer);
    try { await audioSource?.close(); } catch {}
    try { await videoSource?.close(); } catch {}
  };
  return out;
}

// Reads a subscribed rtc-node track and keeps figures about it: for audio the last 2 s of
// samples (48 kHz mono), frame counts and non-silent frames; for video frame counts, size and
// the mean colour of the latest frame (RGBA), with the time each colour was first seen.
export async function meterTrack(track, label) {
  const rtc = await rtcNode();
  const m = { label, kind: track.kind === rtc.TrackKind.KIND_AUDIO ? 'audio' : 'video',
              frames: 0, startedAt: Date.now(), firstFrameAt: null, lastFrameAt: null,
              ended: false, error: null };
  let reader;
  if (m.kind === 'audio') {
    m.nonSilentFrames = 0;
    m.firstSoundAt = null;
    const ring = new Int16Array(96000);
    let filled = 0;
    let pos = 0;
    m.samples = () => {
      const out = new Int16Array(filled);
      const start = (pos - filled + ring.length) % ring.length;
      for (let i = 0; i < filled; i++) out[i] = ring[(start + i) % ring.length];
      return out;
    };
    m.clearSamples = () => { filled = 0; };
    reader = new rtc.AudioStream(track, { sampleRate: 48000, numChannels: 1 }).getReader();
    m.onFrame = (f) => {
      let sq = 0;
      for (let i = 0; i < f.data.length; i++) {
        ring[pos] = f.data[i];
        pos = (pos + 1) % ring.length;
        sq += f.data[i] * f.data[i];
      }
      filled = Math.min(ring.length, filled + f.data.length);
      if (Math.sqrt(sq / Math.max(1, f.data.length)) > 300) {
        m.nonSilentFrames++;
        m.firstSoundAt ??= Date.now();
      }
    };
  } else {
    m.colour = null;
    m.colourSeen = new Map();
    reader = new rtc.VideoStream(track).getReader();
    m.onFrame = (ev) => {
      const f = ev.frame;
      m.width = f.width;
      m.height = f.height;
      const rgba = f.type === rtc.VideoBufferType.RGBA ? f : f.convert(rtc.VideoBufferType.RGBA);
      m.colour = meanColour(rgba.data, rgba.width, rgba.height, 8);
      const key = m.colour.map((v) => Math.round(v / 64)).join(',');
      if (!m.colourSeen.has(key)) m.colourSeen.set(key, { colour: m.colour, at: Date.now() });
    };
  }
  m.stop = () => { m.stopped = true; reader.cancel().catch(() => {}); };
  (async () => {
    for (let i = 0; !m.stopped && i < 10_000_000; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      m.frames++;
      m.lastFrameAt = Date.now();
      m.firstFrameAt ??= m.lastFrameAt;
      m.onFrame(value);
    }
    m.ended = true;
  })().catch((e) => { m.error = e; m.ended = true; });
  m.summary = () => {
    const s = { label, kind: m.kind, frames: m.frames, ended: m.ended,
                firstFrameMs: m.firstFrameAt ? m.firstFrameAt - m.startedAt : null,
                sinceLastFrameMs: m.lastFrameAt ? Date.now() - m.lastFrameAt : null };
    if (m.kind === 'audio') s.nonSilentFrames = m.nonSilentFrames;
    else Object.assign(s, { size: m.width ? `${m.width}x${m.height}` : null, colour: m.colour });
    if (m.error) s.error = String(m.error);
    return s;
  };
  return m;
}

// Participant -> published tracks as an rtc-node Room sees them (for stale-state checks).
export function rtcNodeView(room) {
  const view = {};
  for (const p of room.remoteParticipants.values()) {
    view[p.identity] = {
      sid: p.sid,
      tracks: [...p.trackPublications.values()].map((t) => ({
        sid: t.sid, kind: t.kind === 1 ? 'audio' : t.kind === 2 ? 'video' : String(t.kind),
        subscribed: t.subscribed, hasTrack: !!t.track, muted: t.muted })),
    };
  }
  return view;
}
