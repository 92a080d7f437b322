// Chromium against rtc_browser_echo: a plain RTCPeerConnection with fake camera and
// microphone tracks and a data channel, answered by our server-role WebRtcTransport.
// Passes when the endpoint decrypted and parsed audio and video RTP, the browser decoded video
// frames and received audio from the echo, and data channel messages (1 B, 16 KiB, 64 KiB
// binary, and a string) came back byte-identical. Exits non-zero with a reason otherwise;
// chromium and the endpoint are always stopped.
//
// usage: node chromium_echo.mjs <path to rtc_browser_echo>

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const kOverallMs = 90_000;
const kConnectMs = 30_000;
const kMediaMs = 40_000;
const kDataMs = 20_000;
const kRequestMs = 5_000;

const endpointPath = process.argv[2];
if (!endpointPath) {
  console.error('usage: node chromium_echo.mjs <rtc_browser_echo>');
  process.exit(2);
}

function log(...args) {
  console.log(`[chromium_echo ${new Date().toISOString().slice(11, 23)}]`, ...args);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The endpoint speaks one JSON object per line; requests are answered in order.
class Endpoint {
  constructor(binary) {
    const args = ['--lifetime-ms', String(kOverallMs + 10_000)];
    if (process.env.RTC_ECHO_LOG_LEVEL) args.push('--log-level', process.env.RTC_ECHO_LOG_LEVEL);
    this.proc = spawn(binary, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.waiters = [];
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.proc.on('exit', (code, signal) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`endpoint exited (code ${code}, signal ${signal})`));
    });
    this.proc.on('error', (e) => {
      for (const w of this.waiters.splice(0)) w.reject(e);
    });
    this.stderrTail = [];
    readline.createInterface({ input: this.proc.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 40) this.stderrTail.shift();
      if (process.env.RTC_ECHO_VERBOSE) console.error(`[endpoint] ${line}`);
    });
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        log('endpoint wrote a non-JSON line:', line);
        return;
      }
      const w = this.waiters.shift();
      if (w) w.resolve(msg);
      else log('unexpected endpoint message:', line);
    });
  }

  next(what) {
    return withTimeout(
      new Promise((resolve, reject) => this.waiters.push({ resolve, reject })),
      kRequestMs,
      `endpoint reply to ${what}`,
    );
  }

  request(obj) {
    const reply = this.next(obj.type);
    this.proc.stdin.write(JSON.stringify(obj) + '\n');
    return reply;
  }

  async quit() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    try {
      this.proc.stdin.write(JSON.stringify({ type: 'quit' }) + '\n');
      this.proc.stdin.end();
    } catch {
      // already gone
    }
    try {
      await withTimeout(this.exited, 3_000, 'endpoint exit');
    } catch {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }
}

// A blank page on 127.0.0.1: a secure context (getUserMedia needs one) without any file.
function startPageServer() {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>rtc echo</title><body></body>');
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// Runs in the page. Builds the peer connection and exposes helpers on window.
async function pageSetUp() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const dc = pc.createDataChannel('echo', { ordered: true });
  dc.binaryType = 'arraybuffer';
  const state = { received: [], dcOpen: false, remoteTracks: 0, errors: [] };
  dc.onopen = () => { state.dcOpen = true; };
  dc.onerror = (e) => state.errors.push(`datachannel error: ${e.error?.message ?? e}`);
  dc.onmessage = (e) => state.received.push(e.data);
  pc.ontrack = (e) => {
    state.remoteTracks += 1;
    // Playing the track keeps Chromium's receive pipeline honest (decode and render).
    const el = document.createElement(e.track.kind === 'video' ? 'video' : 'audio');
    el.autoplay = true;
    el.muted = true;
    el.srcObject = new MediaStream([e.track]);
    document.body.appendChild(el);
  };
  window.__rtc = { pc, dc, state };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  return pc.localDescription.sdp;
}

async function pageSetAnswer(sdp) {
  await window.__rtc.pc.setRemoteDescription({ type: 'answer', sdp });
}

async function pageStatus() {
  const { pc, dc, state } = window.__rtc;
  const out = {
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    dcState: dc.readyState,
    remoteTracks: state.remoteTracks,
    errors: state.errors,
    inbound: {},
    outbound: {},
    transport: null,
  };
  const report = await pc.getStats();
  report.forEach((s) => {
    if (s.type === 'inbound-rtp') {
      out.inbound[s.kind] = {
        ssrc: s.ssrc,
        packetsReceived: s.packetsReceived ?? 0,
        framesDecoded: s.framesDecoded ?? 0,
        keyFramesDecoded: s.keyFramesDecoded ?? 0,
        bytesReceived: s.bytesReceived ?? 0,
        pliCount: s.pliCount ?? 0,
        firCount: s.firCount ?? 0,
        nackCount: s.nackCount ?? 0,
      };
    } else if (s.type === 'outbound-rtp') {
      out.outbound[s.kind] = { ssrc: s.ssrc, packetsSent: s.packetsSent ?? 0, pliCount: s.pliCount ?? 0, firCount: s.firCount ?? 0 };
    } else if (s.type === 'transport') {
      out.transport = { dtlsState: s.dtlsState, srtpCipher: s.srtpCipher, tlsVersion: s.tlsVersion, dtlsRole: s.dtlsRole };
    }
  });
  return out;
}

// Sends each message and waits until the echo of all of them arrived, in order.
async function pageDataEcho() {
  const { dc, state } = window.__rtc;
  const pattern = (n, seed) => {
    const a = new Uint8Array(n);
    for (let i = 0; i < n; ++i) a[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
    return a;
  };
  let text = '';
  for (let i = 0; text.length < 3000; ++i) text += `huddle-${i}-\u00e9\u4e16\u{1F600};`;
  const sent = [
    { kind: 'binary', data: pattern(1, 1) },
    { kind: 'binary', data: pattern(16 * 1024, 2) },
    { kind: 'binary', data: pattern(64 * 1024, 3) },
    { kind: 'string', data: text },
    { kind: 'string', data: 'x' },
  ];
  state.received.length = 0;
  for (const m of sent) dc.send(m.data);
  const deadline = Date.now() + 15_000;
  while (state.received.length < sent.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const results = [];
  for (let i = 0; i < sent.length; ++i) {
    const m = sent[i];
    const got = state.received[i];
    let ok = false;
    let detail = '';
    if (got === undefined) {
      detail = 'no echo';
    } else if (m.kind === 'string') {
      ok = typeof got === 'string' && got === m.data;
      detail = typeof got === 'string' ? `string of ${got.length} chars` : 'came back binary';
    } else if (!(got instanceof ArrayBuffer)) {
      detail = `came back as ${typeof got}`;
    } else {
      const g = new Uint8Array(got);
      ok = g.length === m.data.length && g.every((b, j) => b === m.data[j]);
      detail = `${g.length} bytes`;
    }
    const size = m.kind === 'string' ? new TextEncoder().encode(m.data).length : m.data.length;
    results.push({ kind: m.kind, size, ok, detail });
  }
  return { results, extra: Math.max(0, state.received.length - sent.length) };
}

async function pollUntil(what, ms, fn) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last.done) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last?.info ?? last)}`);
}

async function main() {
  let browser;
  let endpoint;
  let server;
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'huddle-rtc-chromium-'));
  const overall = setTimeout(() => {
    console.error('FAIL: overall timeout reached');
    if (endpoint) endpoint.proc.kill('SIGKILL');
    if (browser) browser.close().catch(() => {});
    process.exit(1);
  }, kOverallMs);
  try {
    endpoint = new Endpoint(endpointPath);
    const ready = await endpoint.next('startup');
    if (ready.type !== 'ready') throw new Error(`endpoint did not start: ${JSON.stringify(ready)}`);
    server = await startPageServer();
    const url = `http://127.0.0.1:${server.address().port}/`;

    browser = await withTimeout(
      // A persistent context is how playwright takes a fresh --user-data-dir.
      chromium.launchPersistentContext(userDataDir, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
      20_000,
      'chromium launch',
    );
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') log('page console error:', m.text());
    });
    page.on('pageerror', (e) => log('page error:', e.message));
    await page.goto(url, { timeout: 10_000 });

    const offer = await withTimeout(page.evaluate(pageSetUp), 15_000, 'getUserMedia + createOffer');
    const reply = await endpoint.request({ type: 'offer', sdp: offer });
    if (reply.type !== 'answer') throw new Error(`endpoint refused the offer: ${JSON.stringify(reply)}`);
    if (process.env.RTC_ECHO_VERBOSE) log('answer:\n' + reply.sdp);
    await withTimeout(page.evaluate(pageSetAnswer, reply.sdp), 10_000, 'setRemoteDescription');

    const connected = await pollUntil('connection + data channel open', kConnectMs, async () => {
      const s = await page.evaluate(pageStatus);
      if (s.connectionState === 'failed') throw new Error(`browser connection failed: ${JSON.stringify(s)}`);
      return { done: s.connectionState === 'connected' && s.dcState === 'open', info: s };
    });
    log('connected:', JSON.stringify(connected.info.transport));

    const media = await pollUntil('media echo', kMediaMs, async () => {
      const [s, e] = await Promise.all([page.evaluate(pageStatus), endpoint.request({ type: 'stats' })]);
      const audioIn = s.inbound.audio?.packetsReceived ?? 0;
      const framesDecoded = s.inbound.video?.framesDecoded ?? 0;
      const done =
        (e.audio?.rtpReceived ?? 0) > 0 && (e.video?.rtpReceived ?? 0) > 0 && audioIn > 0 && framesDecoded > 0;
      return { done, info: { browser: s, endpoint: e } };
    });

    const data = await withTimeout(page.evaluate(pageDataEcho), kDataMs, 'data channel echo');
    const bad = data.results.filter((r) => !r.ok);
    if (bad.length > 0 || data.extra > 0) {
      throw new Error(`data channel echo mismatch: ${JSON.stringify(data)}`);
    }
    const final = await endpoint.request({ type: 'stats' });
    // Everything the browser sent must have decrypted, parsed and gone back out: a failed echo
    // means sends were refused while SCTP was still connecting, an SRTP drop means the two
    // SRTP implementations disagree.
    const problems = [];
    for (const kind of ['audio', 'video']) {
      if (final[kind].rtpEchoFailed !== 0) problems.push(`${kind} echo sends failed: ${final[kind].rtpEchoFailed}`);
      if (final[kind].unknownPayloadType !== 0) problems.push(`${kind} unexpected payload types: ${final[kind].unknownPayloadType}`);
    }
    if (final.transport.droppedSrtp !== 0) problems.push(`SRTP unprotect failures: ${final.transport.droppedSrtp}`);
    if (final.rtpUnparsed !== 0) problems.push(`unparsable RTP: ${final.rtpUnparsed}`);
    if (final.rtcp.malformed !== 0) problems.push(`malformed RTCP: ${final.rtcp.malformed}`);
    if (final.data.echoFailed !== 0) problems.push(`data echo sends failed: ${final.data.echoFailed}`);
    if (problems.length > 0) throw new Error(`endpoint counters: ${problems.join('; ')}; ${JSON.stringify(final)}`);
    const b = media.info.browser;
    log(
      `PASS: endpoint rtp audio=${final.audio.rtpReceived} video=${final.video.rtpReceived}` +
        ` echoed audio=${final.audio.rtpEchoed} video=${final.video.rtpEchoed};` +
        ` browser inbound audio packets=${b.inbound.audio.packetsReceived}` +
        ` video framesDecoded=${b.inbound.video.framesDecoded} keyFrames=${b.inbound.video.keyFramesDecoded};` +
        ` rtcp pliFromBrowser=${final.rtcp.pliFromBrowser} firFromBrowser=${final.rtcp.firFromBrowser}` +
        ` pliSentOwn=${final.rtcp.pliSentOwn} forwarded=${final.rtcp.feedbackForwarded};` +
        ` data ${data.results.map((r) => `${r.kind}:${r.size}`).join(',')} identical;` +
        ` srtp=${connected.info.transport?.srtpCipher} dtlsRole(browser)=${connected.info.transport?.dtlsRole}`,
    );
    log('endpoint stats:', JSON.stringify(final));
    return 0;
  } catch (e) {
    console.error(`FAIL: ${e.message}`);
    if (endpoint?.stderrTail.length) console.error('endpoint stderr (tail):\n  ' + endpoint.stderrTail.join('\n  '));
    return 1;
  } finally {
    clearTimeout(overall);
    if (browser) await withTimeout(browser.close(), 10_000, 'chromium close').catch(() => {});
    if (endpoint) await endpoint.quit();
    if (server) server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

// Exit explicitly: a stray grandchild of a broken endpoint could hold its pipes open and keep
// node waiting.
process.exit(await main());
