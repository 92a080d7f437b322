// Golden vectors from the reference implementation (@livekit/protocol 1.52.1, protobuf-es).
//
// For every message type in our schema scope this builds instances with every field set
// (non-default scalars, negative signed values, 64-bit values beyond 2^53, repeated fields with two
// items, maps with two entries, enums with non-zero values, proto3 `optional` fields alternately set
// to their zero value) and one vector per member of the type's oneofs, so every field number of
// every type crosses the wire at least once. A few hand-made vectors add realistic content.
// Per vector it writes <name>.bin (toBinary) and <name>.json (toJsonString, default options) plus
// a manifest.json the C++ side iterates over. Exits non-zero if some field was never set.
//
//   node tests/interop/proto/make_vectors.mjs <out dir>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as lk from '@livekit/protocol';
import { loadUpstreamTypes, scopeTypes } from './schema_lib.mjs';

const kMaxDepth = 7;

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: make_vectors.mjs <out dir>');
  process.exit(2);
}
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

const types = loadUpstreamTypes();
const scope = scopeTypes(types);

// Fields that were set at least once, as "type.field"; checked against the scope at the end.
const covered = new Set();
// Rotating counters: which member a oneof picks next, which variant a scalar gets next.
const oneofTurn = new Map();
let serial = 0;

function scalarValue(T, fieldName, opt) {
  const n = ++serial;
  // Presence must survive a zero value, so optional fields take it on every other use.
  if (opt && n % 2 === 0) {
    switch (T) {
      case 8: return false;
      case 9: return '';
      case 12: return new Uint8Array(0);
      case 3: case 4: case 6: case 16: case 18: return 0n;
      default: return 0;
    }
  }
  switch (T) {
    case 1: return n + 0.125;                    // double
    case 2: return (n % 64) + 0.5;               // float: exactly representable
    case 3: case 16: case 18:                    // int64, sfixed64, sint64
      return n % 3 === 0 ? -(1700000000000n + BigInt(n)) : 9007199254740993n + BigInt(n);
    case 4: case 6:                              // uint64, fixed64
      return 18446744073709551000n + BigInt(n % 500);
    case 5: case 15: case 17:                    // int32, sfixed32, sint32
      return n % 3 === 0 ? -(1000 + n) : 100000 + n;
    case 7: case 13:                             // fixed32, uint32
      return 4000000000 + n;
    case 8: return true;
    case 9: return `${fieldName}-${n}-é`;
    case 12: return Uint8Array.from([0x00, 0xff, n & 0xff, 0x80, 0x7f]);
    default: throw new Error(`scalar type ${T}`);
  }
}

function enumValue(E, opt) {
  const n = ++serial;
  if (opt && n % 2 === 0) return E.values[0].no;
  const nonZero = E.values.filter((v) => v.no !== 0);
  return nonZero.length ? nonZero[n % nonZero.length].no : E.values[0].no;
}

function timestampValue(T) {
  const n = ++serial;
  return new T({ seconds: BigInt(1700000000 + n), nanos: (n % 10) * 100000000 + 123000 });
}

function fieldValue(f, kind, T, ctx) {
  if (kind === 'scalar') return scalarValue(T, f.name, f.opt);
  if (kind === 'enum') return enumValue(T, f.opt);
  return build(T, ctx);
}

// Builds one instance of `M`; `force` picks the member for the first oneof (by local name).
function build(M, ctx, force) {
  const msg = new M();
  if (M.typeName === 'google.protobuf.Timestamp') return timestampValue(M);
  if (ctx.depth >= kMaxDepth || ctx.stack.includes(M.typeName)) return msg;
  const inner = { depth: ctx.depth + 1, stack: [...ctx.stack, M.typeName] };
  const handled = new Set();
  let firstOneof = true;
  for (const f of M.fields.list()) {
    if (f.oneof && !f.opt) {
      if (handled.has(f.oneof.name)) continue;
      handled.add(f.oneof.name);
      const key = `${M.typeName}.${f.oneof.name}`;
      let pick;
      if (firstOneof && force) pick = f.oneof.fields.find((g) => g.localName === force);
      if (!pick) {
        const turn = oneofTurn.get(key) ?? 0;
        oneofTurn.set(key, turn + 1);
        pick = f.oneof.fields[turn % f.oneof.fields.length];
      }
      firstOneof = false;
      msg[f.oneof.localName] = { case: pick.localName, value: fieldValue(pick, pick.kind, pick.T, inner) };
      covered.add(`${M.typeName}.${pick.name}`);
      continue;
    }
    if (f.kind === 'map') {
      const m = {};
      // Keys go in ascending order so a deterministic C++ serialisation writes the same bytes.
      const keys = f.K === 9 ? ['alpha', 'beta'] : f.K === 8 ? [false, true] : [7, 300];
      for (const k of keys) m[String(k)] = fieldValue(f, f.V.kind, f.V.T, inner);
      msg[f.localName] = m;
    } else if (f.repeated) {
      msg[f.localName] = [fieldValue(f, f.kind, f.T, inner), fieldValue(f, f.kind, f.T, inner)];
    } else {
      msg[f.localName] = fieldValue(f, f.kind, f.T, inner);
    }
    covered.add(`${M.typeName}.${f.name}`);
  }
  return msg;
}

const manifest = [];
function emit(name, msg) {
  const file = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  fs.writeFileSync(path.join(outDir, `${file}.bin`), msg.toBinary());
  fs.writeFileSync(path.join(outDir, `${file}.json`), msg.toJsonString());
  manifest.push({ name, type: msg.getType().typeName, file });
}

// 1. Every message type in scope, once per member of its first oneof (or once).
for (const [typeName, entry] of scope) {
  if (entry.kind !== 'message' || typeName.startsWith('google.')) continue;
  const M = entry.type;
  const oneof = M.fields.list().find((f) => f.oneof && !f.opt)?.oneof;
  const short = typeName.slice('livekit.'.length);
  if (!oneof) {
    emit(short, build(M, { depth: 0, stack: [] }));
  } else {
    for (const member of oneof.fields) emit(`${short}.${member.name}`, build(M, { depth: 0, stack: [] }, member.localName));
  }
}

// 2. Realistic hand-made messages.
const candidate = JSON.stringify({
  candidate: 'candidate:1 1 udp 2122260223 192.168.1.20 52000 typ host generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
});
emit('real.SignalRequest.trickle', new lk.SignalRequest({
  message: { case: 'trickle', value: new lk.TrickleRequest({ candidateInit: candidate, target: lk.SignalTarget.SUBSCRIBER, final: true }) },
}));
const joinRequest = new lk.JoinRequest({
  clientInfo: new lk.ClientInfo({ sdk: lk.ClientInfo_SDK.JS, version: '2.23.0', protocol: 17, clientProtocol: 2, browser: 'Chrome' }),
  connectionSettings: new lk.ConnectionSettings({ autoSubscribe: true, adaptiveStream: true, subscriberAllowPause: false }),
  publisherOffer: new lk.SessionDescription({ type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n', id: 1 }),
});
emit('real.JoinRequest', joinRequest);
emit('real.WrappedJoinRequest.gzip', new lk.WrappedJoinRequest({
  compression: lk.WrappedJoinRequest_Compression.GZIP,
  joinRequest: gzipSync(joinRequest.toBinary()),
}));
const alice = new lk.ParticipantInfo({
  sid: 'PA_alice', identity: 'alice', state: lk.ParticipantInfo_State.ACTIVE, joinedAt: 1700000001n, joinedAtMs: 1700000001234n,
  version: 3, permission: new lk.ParticipantPermission({ canSubscribe: true, canPublish: true, canPublishData: true }),
  tracks: [new lk.TrackInfo({ sid: 'TR_VCabc', type: lk.TrackType.VIDEO, source: lk.TrackSource.CAMERA, mimeType: 'video/VP8', width: 1280, height: 720,
    layers: [new lk.VideoLayer({ quality: lk.VideoQuality.LOW, width: 320, height: 180, ssrc: 1234 }), new lk.VideoLayer({ quality: lk.VideoQuality.HIGH, width: 1280, height: 720, ssrc: 5678 })] })],
  attributes: { role: 'host', team: 'blue' },
});
const room = new lk.Room({ sid: 'RM_demo', name: 'demo', emptyTimeout: 300, departureTimeout: 20, creationTime: 1700000000n, creationTimeMs: 1700000000123n, numParticipants: 1 });
emit('real.SignalResponse.join', new lk.SignalResponse({
  message: { case: 'join', value: new lk.JoinResponse({
    room, participant: alice, otherParticipants: [], serverInfo: new lk.ServerInfo({ version: '1.9.0', protocol: 17 }),
    pingInterval: 5, pingTimeout: 15, subscriberPrimary: true, fastPublish: true,
    iceServers: [new lk.ICEServer({ urls: ['stun:127.0.0.1:3478'] })],
  }) },
}));
emit('real.WebhookEvent.participant_joined', new lk.WebhookEvent({ event: 'participant_joined', room, participant: alice, id: 'EV_x', createdAt: 1700000002n }));
emit('real.SendDataRequest', new lk.SendDataRequest({ room: 'demo', data: new TextEncoder().encode('hi'), kind: lk.DataPacket_Kind.LOSSY, nonce: new Uint8Array(16).fill(7) }));

fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1));

// The reference's type information itself, so the C++ side can compare descriptors field by field
// (including enum values no vector happens to use). Scalar `T` numbers equal descriptor.proto's
// FieldDescriptorProto.Type numbers.
const schema = { messages: {}, enums: {} };
const typeOf = (kind, T) => (kind === 'scalar' ? T : T.typeName);
for (const [typeName, entry] of scope) {
  if (typeName.startsWith('google.')) continue;
  if (entry.kind === 'enum') {
    schema.enums[typeName] = entry.type.values.map((v) => ({ no: v.no, name: v.name }));
    continue;
  }
  schema.messages[typeName] = entry.type.fields.list().map((f) => ({
    no: f.no,
    name: f.name,
    jsonName: f.jsonName,
    kind: f.kind,
    type: f.kind === 'map' ? undefined : typeOf(f.kind, f.T),
    mapKey: f.kind === 'map' ? f.K : undefined,
    mapValueKind: f.kind === 'map' ? f.V.kind : undefined,
    mapValue: f.kind === 'map' ? typeOf(f.V.kind, f.V.T) : undefined,
    repeated: f.repeated,
    optional: f.opt,
    oneof: f.oneof && !f.opt ? f.oneof.name : '',
  }));
}
fs.writeFileSync(path.join(outDir, 'schema.json'), JSON.stringify(schema));

// Every field of every type in scope must have been exercised.
const missing = [];
for (const [typeName, entry] of scope) {
  if (entry.kind !== 'message' || typeName.startsWith('google.')) continue;
  for (const f of entry.type.fields.list()) if (!covered.has(`${typeName}.${f.name}`)) missing.push(`${typeName}.${f.name}`);
}
if (missing.length) {
  console.error(`fields never set by any vector:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`wrote ${manifest.length} vectors to ${outDir}`);
