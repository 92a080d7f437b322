// Writes proto/livekit_*.proto from the runtime type information of the installed
// @livekit/protocol package (names, numbers, kinds only), so our schema states the same wire facts
// as the reference without being typed in by hand.  Scope: every message of the models, rtc, room
// and webhook files, plus whatever those reference (egress, ingress, agent, metrics types), so a
// decode through our classes never leaves unknown fields behind.
//
//   cd <repo root> && node tests/interop/proto/gen_proto.mjs proto
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadUpstreamTypes, scopeTypes } from './schema_lib.mjs';

const kScalarNames = {
  1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 6: 'fixed64', 7: 'fixed32', 8: 'bool',
  9: 'string', 12: 'bytes', 13: 'uint32', 15: 'sfixed32', 16: 'sfixed64', 17: 'sint32', 18: 'sint64',
};
const kWellKnownFiles = {
  'google.protobuf.Timestamp': 'google/protobuf/timestamp.proto',
  'google.protobuf.Duration': 'google/protobuf/duration.proto',
  'google.protobuf.Empty': 'google/protobuf/empty.proto',
  'google.protobuf.Struct': 'google/protobuf/struct.proto',
  'google.protobuf.Any': 'google/protobuf/any.proto',
};

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: gen_proto.mjs <out dir>');
  process.exit(2);
}

const types = loadUpstreamTypes();
const wanted = scopeTypes(types);
const declOrder = new Map([...types.fileOf.keys()].map((n, i) => [n, i]));

const fileOfType = (n) => (n.startsWith('google.protobuf.') ? kWellKnownFiles[n] : wanted.get(n).file);
const refName = (n) => (n.startsWith('livekit.') ? n.slice('livekit.'.length) : `google.protobuf.${n.split('.').pop()}`);

function typeRef(kind, T, imports, selfFile) {
  if (kind === 'scalar') return kScalarNames[T];
  const f = fileOfType(T.typeName);
  if (!f) throw new Error(`no file for ${T.typeName}`);
  if (f !== selfFile) imports.add(f);
  return refName(T.typeName);
}

function emitEnum(e, indent) {
  const lines = [`${indent}enum ${e.typeName.split('.').pop()} {`];
  const nos = e.values.map((v) => v.no);
  if (new Set(nos).size !== nos.length) lines.push(`${indent}  option allow_alias = true;`);
  for (const v of e.values) lines.push(`${indent}  ${v.name} = ${v.no};`);
  lines.push(`${indent}}`);
  return lines;
}

function emitField(f, indent, imports, selfFile) {
  let decl;
  if (f.kind === 'map') {
    decl = `map<${kScalarNames[f.K]}, ${typeRef(f.V.kind, f.V.T, imports, selfFile)}>`;
  } else {
    const t = typeRef(f.kind, f.T, imports, selfFile);
    decl = f.repeated ? `repeated ${t}` : f.opt ? `optional ${t}` : t;
  }
  const opts = [];
  const packable = f.kind === 'enum' || (f.kind === 'scalar' && f.T !== 9 && f.T !== 12);
  if (f.repeated && packable && f.packed === false) opts.push('packed = false');
  // protoc derives the same lowerCamel name unless upstream overrode it.
  const derived = f.name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  if (f.jsonName !== derived) opts.push(`json_name = "${f.jsonName}"`);
  return `${indent}${decl} ${f.name} = ${f.no}${opts.length ? ` [${opts.join(', ')}]` : ''};`;
}

function emitMessage(name, children, imports, selfFile, indent) {
  const m = wanted.get(name).type;
  const lines = [`${indent}message ${name.split('.').pop()} {`];
  for (const child of children.get(name) ?? []) {
    const e = wanted.get(child);
    lines.push(...(e.kind === 'enum' ? emitEnum(e.type, `${indent}  `) : emitMessage(child, children, imports, selfFile, `${indent}  `)));
  }
  const doneOneofs = new Set();
  for (const f of m.fields.list()) {
    if (f.oneof && !f.opt) {
      if (doneOneofs.has(f.oneof.name)) continue;
      doneOneofs.add(f.oneof.name);
      lines.push(`${indent}  oneof ${f.oneof.name} {`);
      for (const g of f.oneof.fields) lines.push(emitField(g, `${indent}    `, imports, selfFile));
      lines.push(`${indent}  }`);
    } else {
      lines.push(emitField(f, `${indent}  `, imports, selfFile));
    }
  }
  lines.push(`${indent}}`);
  return lines;
}

const byFile = new Map();
const children = new Map();
for (const [n, e] of wanted) {
  if (n.startsWith('google.')) continue;
  const parent = n.split('.').slice(0, -1).join('.');
  if (parent !== 'livekit' && wanted.has(parent)) {
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(n);
  } else {
    if (!byFile.has(e.file)) byFile.set(e.file, []);
    byFile.get(e.file).push(n);
  }
}
const byDecl = (a, b) => declOrder.get(a) - declOrder.get(b);
for (const list of children.values()) list.sort(byDecl);

const summary = [];
for (const [file, names] of [...byFile].sort()) {
  names.sort(byDecl);
  const imports = new Set();
  const body = [];
  let messages = 0;
  let enums = 0;
  const count = (n) => {
    if (wanted.get(n).kind === 'enum') enums++;
    else messages++;
    for (const c of children.get(n) ?? []) count(c);
  };
  for (const n of names) {
    count(n);
    const e = wanted.get(n);
    body.push('', ...(e.kind === 'enum' ? emitEnum(e.type, '') : emitMessage(n, children, imports, file, '')));
  }
  const head = [
    '// Generated by tests/interop/proto/gen_proto.mjs from the @livekit/protocol runtime type',
    '// information: wire- and JSON-compatible with LiveKit protocol 17 (npm 1.52.1). Regenerate',
    '// rather than edit by hand; tests/interop/proto checks it against the npm package.',
    'syntax = "proto3";',
    '',
    'package livekit;',
  ];
  const importLines = [...imports].sort().map((i) => `import "${i}";`);
  const text = [...head, ...(importLines.length ? ['', ...importLines] : []), ...body, ''].join('\n');
  fs.writeFileSync(path.join(outDir, file), text);
  summary.push(`${file}: ${messages} messages, ${enums} enums`);
}
console.log(summary.join('\n'));
