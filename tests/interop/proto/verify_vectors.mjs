// Direction 2 of the golden-vector test: decodes the binaries our C++ classes wrote with
// @livekit/protocol and checks they carry exactly what the reference vectors carried: no unknown
// fields, the same proto3 JSON, the same bytes. Exits 1 with a per-path diff on any mismatch.
//
//   node tests/interop/proto/verify_vectors.mjs <reference vector dir> <c++ output dir>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadUpstreamTypes } from './schema_lib.mjs';

const [refDir, cppDir] = process.argv.slice(2);
if (!refDir || !cppDir) {
  console.error('usage: verify_vectors.mjs <reference vector dir> <c++ output dir>');
  process.exit(2);
}

const types = loadUpstreamTypes();
const cppManifest = path.join(cppDir, 'manifest.json');
if (!fs.existsSync(cppManifest)) {
  console.error(`${cppManifest} missing: proto_golden_test did not write its vectors`);
  process.exit(1);
}
const manifest = JSON.parse(fs.readFileSync(cppManifest, 'utf8'));
const refManifest = JSON.parse(fs.readFileSync(path.join(refDir, 'manifest.json'), 'utf8'));

// Paths of fields the reference did not recognise (protobuf-es keeps them aside as unknown).
function unknownFields(msg, where, out) {
  const unknown = msg.getType().runtime.bin.listUnknownFields(msg);
  for (const u of unknown) out.push(`${where} #${u.no}`);
  for (const f of msg.getType().fields.list()) {
    const visit = (v, p) => {
      if (v && typeof v === 'object' && typeof v.getType === 'function') unknownFields(v, p, out);
    };
    if (f.oneof && !f.opt) {
      const o = msg[f.oneof.localName];
      if (o.case === f.localName) visit(o.value, `${where}.${f.name}`);
    } else if (f.kind === 'map') {
      for (const [k, v] of Object.entries(msg[f.localName])) visit(v, `${where}.${f.name}[${k}]`);
    } else if (f.repeated) {
      msg[f.localName].forEach((v, i) => visit(v, `${where}.${f.name}[${i}]`));
    } else {
      visit(msg[f.localName], `${where}.${f.name}`);
    }
  }
  return out;
}

function diff(expected, actual, where, out) {
  if (typeof expected !== typeof actual || Array.isArray(expected) !== Array.isArray(actual) || (expected === null) !== (actual === null)) {
    out.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  } else if (expected && typeof expected === 'object') {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of keys) {
      if (!(k in actual)) out.push(`${where}.${k}: missing (expected ${JSON.stringify(expected[k])})`);
      else if (!(k in expected)) out.push(`${where}.${k}: unexpected ${JSON.stringify(actual[k])}`);
      else diff(expected[k], actual[k], `${where}.${k}`, out);
    }
  } else if (expected !== actual) {
    out.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
  return out;
}

let failures = 0;
if (manifest.length !== refManifest.length) {
  console.error(`C++ wrote ${manifest.length} vectors, reference has ${refManifest.length}`);
  failures++;
}
for (const v of manifest) {
  const problems = [];
  const entry = types.get(v.type);
  if (!entry) {
    problems.push(`type ${v.type} unknown to @livekit/protocol`);
  } else {
    const ours = new Uint8Array(fs.readFileSync(path.join(cppDir, `${v.file}.bin`)));
    const refBytes = new Uint8Array(fs.readFileSync(path.join(refDir, `${v.file}.bin`)));
    const expected = JSON.parse(fs.readFileSync(path.join(refDir, `${v.file}.json`), 'utf8'));
    let msg;
    try {
      msg = entry.type.fromBinary(ours);
    } catch (e) {
      problems.push(`fromBinary failed: ${e.message}`);
    }
    if (msg) {
      for (const u of unknownFields(msg, v.type, [])) problems.push(`unknown field ${u}`);
      problems.push(...diff(expected, msg.toJson(), '$', []));
      if (Buffer.compare(Buffer.from(ours), Buffer.from(refBytes)) !== 0) {
        problems.push(`bytes differ: ${ours.length} (c++) vs ${refBytes.length} (js)`);
      }
    }
  }
  if (problems.length) {
    failures++;
    console.error(`FAIL ${v.name}:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
}
if (failures) {
  console.error(`${failures} of ${manifest.length} C++-written vectors do not match the reference`);
  process.exit(1);
}
console.log(`all ${manifest.length} C++-written vectors decode identically with @livekit/protocol`);
