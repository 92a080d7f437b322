// Shared by the huddle-server interop scripts: start the server on free loopback ports with the
// development key, wait until it answers, stop it and report how it ended.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export const kDevKey = 'devkey';
export const kDevSecret = 'secret';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// Polls `check` (async, returns a truthy value when done) every 50 ms until `ms` pass.
export async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${String(last)})`);
}

export async function startServer(binary, extraArgs = []) {
  const port = await freePort();
  // An ephemeral UDP port unless the test names one, so parallel tests never collide.
  const udp = extraArgs.includes('--udp-port') ? [] : ['--udp-port', '0'];
  const args = ['--dev', '--port', String(port), ...udp, ...extraArgs];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`huddle-server exited: ${output}`);
    const r = await fetch(base + '/');
    return r.status === 200;  // GET / serves the demo page
  }, 15_000, 'huddle-server to answer GET /');
  return {
    port,
    base,
    ws: `ws://127.0.0.1:${port}`,
    child,
    output: () => output,
    // SIGTERM, then the exit status (bounded).
    async stop(ms = 10_000) {
      if (child.exitCode === null) child.kill('SIGTERM');
      return withTimeout(exited, ms, 'huddle-server to exit after SIGTERM');
    },
    kill() { if (child.exitCode === null) child.kill('SIGKILL'); },
  };
}
