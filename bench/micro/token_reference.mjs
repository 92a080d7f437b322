// livekit-server-sdk's mint and verify cost on this machine, for bench_token to print beside
// Huddle's. CPU microseconds per operation. Prints one JSON line: {"mint_us":..,"verify_us":..,"iterations":..}.
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';

const apiKey = 'APIbench';
const apiSecret = 'bench-secret-0123456789abcdefghijklmn';
const iterations = Number(process.argv[2] ?? 20000);

function makeToken() {
  const at = new AccessToken(apiKey, apiSecret, { identity: 'alice', name: 'Alice', ttl: '6h' });
  at.addGrant({ roomJoin: true, room: 'standup', canPublish: true, canSubscribe: true });
  return at.toJwt();
}

async function timePerOp(fn) {
  for (let i = 0; i < iterations / 10; i++) await fn();  // warm the JIT
  // CPU time (user + system), like the C++ side, so load from other processes counts for neither.
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

const token = await makeToken();
const verifier = new TokenVerifier(apiKey, apiSecret);
const mint_us = await timePerOp(makeToken);
const verify_us = await timePerOp(() => verifier.verify(token));
console.log(JSON.stringify({ mint_us, verify_us, iterations }));
