// User-space network impairment for interop tests on loopback (no tc here): a UDP relay that
// drops, reorders or blackholes datagrams between clients and huddle-server's media port, and a
// TCP proxy that can cut or stall the signaling WebSocket.
//
// UDP: one listening socket for the clients; per client source address an upstream socket of its
// own towards the server, so the server still sees one distinct 5-tuple per client (its ICE
// demux depends on that). The server must announce the relay's port in its candidates
// (huddle-server --advertise-udp-port). Impairments come from a seeded PRNG so a failing run can
// be repeated with the same drop pattern for the same packet order.
//
// Directions: "up" is client -> server, "down" server -> client.
import { createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';

// mulberry32: small, fast and good enough to pick which packets to drop.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(r, what) {
  if (typeof r !== 'number' || !(r >= 0 && r <= 1)) throw new Error(`${what}: ${r} is not a rate in [0, 1]`);
  return r;
}

// A rate for both directions, or {up, down}.
function perDirection(r, what) {
  if (typeof r === 'object' && r !== null) {
    return { up: checkRate(r.up ?? 0, `${what}.up`), down: checkRate(r.down ?? 0, `${what}.down`) };
  }
  return { up: checkRate(r, what), down: checkRate(r, what) };
}

const kMaxClients = 256;    // source addresses with an upstream socket; more are dropped
const kMaxHeld = 4096;      // reordered datagrams waiting at once; more are sent in order

export async function startUdpRelay({ targetPort, host = '127.0.0.1', lossRate = 0, reorderRate = 0,
                                      reorderDelayMs = 20, seed = 1 } = {}) {
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    throw new Error(`startUdpRelay: targetPort ${targetPort} is not a UDP port`);
  }
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const random = prng(seed);
  const loss = perDirection(lossRate, 'lossRate');
  const reorder = perDirection(reorderRate, 'reorderRate');
  let delayMs = reorderDelayMs;
  let blocked = { up: false, down: false };
  let blockScope = null;  // null: every client; else key => whether that client is blocked
  let closed = false;
  const counters = () => ({ received: 0, forwarded: 0, dropped: 0, reordered: 0, blocked: 0 });
  const counts = { up: counters(), down: counters(), clients: 0, clientsRefused: 0, sendErrors: 0 };
  const held = new Set();  // timers of reordered datagrams
  const clients = new Map();  // "addr|port" -> { address, port, upstream }

  const bindSocket = (sock) => new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, host, () => {
      sock.off('error', reject);
      sock.on('error', () => { counts.sendErrors++; });
      resolve(sock.address().port);
    });
  });

  const send = (sock, msg, port, address) => {
    if (closed) return;
    sock.send(msg, port, address, (err) => { if (err) counts.sendErrors++; });
  };

  // Decides one datagram's fate in direction `dir` and sends it (now or later).
  const pass = (dir, sock, msg, port, address, key) => {
    const c = counts[dir];
    c.received++;
    if (blocked[dir] && (!blockScope || blockScope(key))) {
      c.blocked++;
      return;
    }
    if (loss[dir] > 0 && random() < loss[dir]) {
      c.dropped++;
      return;
    }
    if (reorder[dir] > 0 && held.size < kMaxHeld && random() < reorder[dir]) {
      c.reordered++;
      const timer = setTimeout(() => {
        held.delete(timer);
        c.forwarded++;
        send(sock, msg, port, address);
      }, delayMs);
      held.add(timer);
      return;
    }
    c.forwarded++;
    send(sock, msg, port, address);
  };

  const listener = createSocket({ type: family });
  const port = await bindSocket(listener);

  const upstreamFor = async (rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    let client = clients.get(key);
    if (client) return client;
    if (clients.size >= kMaxClients) return null;
    client = { address: rinfo.address, port: rinfo.port, upstream: createSocket({ type: family }),
               ready: null };
    clients.set(key, client);
    counts.clients++;
    client.ready = bindSocket(client.upstream).then(() => {
      client.upstream.on('message', (msg) => pass('down', listener, msg, client.port, client.address, key));
    });
    return client;
  };

  listener.on('message', (msg, rinfo) => {
    if (closed) return;
    upstreamFor(rinfo).then(async (client) => {
      if (!client) {
        counts.clientsRefused++;
        return;
      }
      await client.ready;
      pass('up', client.upstream, msg, targetPort, host, `${rinfo.address}|${rinfo.port}`);
    }).catch(() => { counts.sendErrors++; });
  });

  const dirs = (direction) => (direction === undefined ? ['up', 'down'] : [direction]);
  const checkDir = (direction) => {
    if (direction !== undefined && direction !== 'up' && direction !== 'down') {
      throw new Error(`direction '${direction}' is not 'up', 'down' or undefined (both)`);
    }
  };
  return {
    port,
    // r: a rate for both directions, or {up, down}; or (r, 'up'|'down') for one direction.
    setLossRate(r, direction) {
      checkDir(direction);
      if (direction) loss[direction] = checkRate(r, 'lossRate');
      else Object.assign(loss, perDirection(r, 'lossRate'));
    },
    setReorder(r, ms = delayMs, direction) {
      checkDir(direction);
      if (!(ms >= 0 && ms <= 10_000)) throw new Error(`reorder delay ${ms} ms is outside 0..10000`);
      if (direction) reorder[direction] = checkRate(r, 'reorderRate');
      else Object.assign(reorder, perDirection(r, 'reorderRate'));
      delayMs = ms;
    },
    // Drops everything until unblock(): both directions unless one is named, every client
    // unless scoped. block('up'), or block({ direction, only: [keys], except: [keys] }) where
    // keys come from clientKeys(); `except` also blocks clients that appear later (a client
    // that gathers new ports for an ICE restart stays cut).
    block(arg) {
      const o = typeof arg === 'object' && arg !== null ? arg : { direction: arg };
      checkDir(o.direction);
      if (o.only && o.except) throw new Error('block: give `only` or `except`, not both');
      if (o.only) {
        const only = new Set(o.only);
        blockScope = (key) => only.has(key);
      } else if (o.except) {
        const except = new Set(o.except);
        blockScope = (key) => !except.has(key);
      } else {
        blockScope = null;
      }
      blocked = { up: false, down: false };
      for (const d of dirs(o.direction)) blocked[d] = true;
    },
    unblock(direction) {
      checkDir(direction);
      for (const d of dirs(direction)) blocked[d] = false;
      if (!blocked.up && !blocked.down) blockScope = null;
    },
    // Client source addresses seen so far ("address|port"), in order of first datagram.
    clientKeys() { return [...clients.keys()]; },
    stats() {
      return { up: { ...counts.up }, down: { ...counts.down }, clients: counts.clients,
               clientsRefused: counts.clientsRefused, sendErrors: counts.sendErrors,
               lossRate: { ...loss }, reorderRate: { ...reorder }, reorderDelayMs: delayMs,
               blocked: { ...blocked } };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of held) clearTimeout(t);
      held.clear();
      const closes = [new Promise((r) => listener.close(r))];
      for (const c of clients.values()) {
        closes.push(c.ready.catch(() => {}).then(() => new Promise((r) => {
          try { c.upstream.close(r); } catch { r(); }
        })));
      }
      clients.clear();
      await Promise.all(closes);
    },
  };
}

// A TCP proxy for the signaling WebSocket. cutAll() resets every proxied connection (the client
// sees its WebSocket drop); block() refuses new connections and stalls the open ones (bytes wait
// in the kernel as behind a dead link) until unblock().
export async function startTcpProxy({ targetPort, host = '127.0.0.1' } = {}) {
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    throw new Error(`startTcpProxy: targetPort ${targetPort} is not a TCP port`);
  }
  const pairs = new Set();
  const counts = { accepted: 0, refused: 0, cut: 0, bytesUp: 0, bytesDown: 0 };
  let blocked = false;
  const drop = (pair, hard) => {
    if (!pairs.delete(pair)) return;
    for (const s of [pair.client, pair.server]) {
      if (hard && typeof s.resetAndDestroy === 'function' && s.readyState !== 'closed') {
        try { s.resetAndDestroy(); continue; } catch {}
      }
      s.destroy();
    }
  };
  const server = createServer((client) => {
    if (blocked) {
      counts.refused++;
      client.destroy();
      return;
    }
    counts.accepted++;
    const upstream = createConnection({ port: targetPort, host });
    const pair = { client, server: upstream };
    pairs.add(pair);
    client.on('data', (d) => { counts.bytesUp += d.length; });
    upstream.on('data', (d) => { counts.bytesDown += d.length; });
    client.pipe(upstream);
    upstream.pipe(client);
    for (const s of [client, upstream]) {
      s.on('error', () => drop(pair, false));
      s.on('close', () => drop(pair, false));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address();
  return {
    port,
    cutAll() {
      for (const pair of [...pairs]) {
        counts.cut++;
        drop(pair, true);
      }
    },
    block() {
      blocked = true;
      for (const { client, server: up } of pairs) {
        client.pause();
        up.pause();
      }
    },
    unblock() {
      blocked = false;
      for (const { client, server: up } of pairs) {
        client.resume();
        up.resume();
      }
    },
    stats() { return { ...counts, open: pairs.size, blocked }; },
    async close() {
      for (const pair of [...pairs]) drop(pair, false);
      await new Promise((r) => server.close(() => r()));
    },
  };
}
