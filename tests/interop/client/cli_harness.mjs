// Shared by the client SDK interop scripts: runs `huddle-cli join` (the C++ SDK as a bot) as a
// child process and reads the figures it writes to --stats-json (once a second while running,
// "final": true at the end). Each script starts its own huddle-server (media_harness.mjs).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withTimeout } from '../media/media_harness.mjs';

// Starts `huddle-cli join --url <ws> <args...> --stats-json <tmp>`; the caller ends it with
// stop() (SIGTERM) and checks the exit code. Output is kept for failure reports.
export function startCli(binary, url, args, { label = 'cli' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'huddle-cli-join-'));
  const statsFile = path.join(dir, 'stats.json');
  const fullArgs = ['join', '--url', url, '--stats-json', statsFile, ...args];
  const child = spawn(binary, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const cli = {
    label, args: fullArgs, child, statsFile,
    output: () => output,
    exitStatus: null,
    // The latest figures, or null before the first write.
    stats() {
      try { return JSON.parse(readFileSync(statsFile, 'utf8')); } catch { return null; }
    },
    // The remote track of `participant` and `kind` in the latest figures.
    received(participant, kind) {
      return cli.stats()?.received?.find((t) => t.participant === participant && t.kind === kind) ?? null;
    },
    // SIGTERM (a clean leave), then the exit status and the final figures (bounded).
    async stop(ms = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      cli.exitStatus = await withTimeout(exited, ms, `${label}: huddle-cli join to exit after SIGTERM`);
      return { ...cli.exitStatus, stats: cli.stats() };
    },
    // Waits for the process to end by itself (--duration), bounded.
    async wait(ms) {
      cli.exitStatus = await withTimeout(exited, ms, `${label}: huddle-cli join to end`);
      return { ...cli.exitStatus, stats: cli.stats() };
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    cleanup() {
      cli.kill();
      try { rmSync(dir, { recursive: true, force: true }); } catch {}
    },
    // For failure reports: the command line and the last lines of its output.
    describe(lines = 60) {
      const all = output.split('\n');
      return `--- ${label}: ${binary} ${fullArgs.join(' ')} (exit ${JSON.stringify(cli.exitStatus)}; ` +
             `last ${Math.min(lines, all.length)} of ${all.length} lines) ---\n${all.slice(-lines).join('\n')}`;
    },
  };
  return cli;
}

// The frame counter drawn by huddle's TestPatternSource (src/media/synthetic_sources.cpp), read
// from an I420 luma plane the same way: 16 blocks on an 11 x 8 grid, two rows of eight bits each
// led by a white (row 0) and a black (row 1) reference block; null without that contrast.
export function readFrameCounter(luma, width, height, stride = width) {
  const block = (row, col) => {
    const x0 = Math.floor(((col + 1) * width) / 11);
    const x1 = Math.floor(((col + 2) * width) / 11);
    const y0 = Math.floor(((row + 1) * height) / 8);
    const y1 = Math.floor(((row + 2) * height) / 8);
    const w = x1 - x0;
    const h = y1 - y0;
    let sum = 0;
    let n = 0;
    for (let y = y0 + Math.floor(h / 4); y < Math.max(y0 + Math.floor(h / 4) + 1, y1 - Math.floor(h / 4)); y++) {
      for (let x = x0 + Math.floor(w / 4); x < Math.max(x0 + Math.floor(w / 4) + 1, x1 - Math.floor(w / 4)); x++) {
        sum += luma[y * stride + x];
        n++;
      }
    }
    return n ? sum / n : 0;
  };
  if (width < 22 || height < 16) return null;
  const white = block(0, 0);
  const black = block(1, 0);
  if (white - black < 100) return null;
  const threshold = (white + black) / 2;
  let value = 0;
  for (let row = 0; row < 2; row++) {
    for (let col = 1; col < 9; col++) {
      if (block(row, col) > threshold) value |= 1 << (row * 8 + col - 1);
    }
  }
  return value;
}

// Draws `counter` into an I420 luma plane in that layout (blocks at limited-range white 235 and
// black 16), so the C++ side can read a counter from frames made here.
export function drawFrameCounter(luma, width, height, counter) {
  for (let row = 0; row < 2; row++) {
    for (let col = 0; col < 9; col++) {
      const white = col === 0 ? row === 0 : ((counter >> (row * 8 + col - 1)) & 1) === 1;
      const x0 = Math.floor(((col + 1) * width) / 11);
      const x1 = Math.floor(((col + 2) * width) / 11);
      const y0 = Math.floor(((row + 1) * height) / 8);
      const y1 = Math.min(height, Math.floor(((row + 2) * height) / 8));
      for (let y = y0; y < y1; y++) luma.fill(white ? 235 : 16, y * width + x0, y * width + x1);
    }
  }
}

// Limited-range BT.601, as libyuv converts.
export function rgbToYuv([r, g, b]) {
  const y = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
  const u = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
  const v = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
  return [y, u, v];
}
