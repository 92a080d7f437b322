// Shared helpers for the proto interop scripts: reads the runtime type information that
// @livekit/protocol (protobuf-es v1) carries, so the scripts can walk every message and field
// without a hand-kept list that would silently fall behind the npm package.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as lk from '@livekit/protocol';

const require = createRequire(import.meta.url);

// typeName -> { type, file } for every message and enum the package generates, plus the well-known
// types it references (found while walking fields).
export function loadUpstreamTypes() {
  const pkgDir = path.dirname(path.dirname(require.resolve('@livekit/protocol')));
  const genDir = path.join(pkgDir, 'src', 'gen');
  const fileOf = new Map();
  const walk = (dir) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('_pb.js')) {
        const text = fs.readFileSync(p, 'utf8');
        const rel = path.relative(genDir, p).replace(/_pb\.js$/, '.proto');
        for (const m of text.matchAll(/proto3\.make(?:MessageType|Enum)\(\s*"([^"]+)"/g)) fileOf.set(m[1], rel);
      }
    }
  };
  walk(genDir);
  const types = new Map();
  for (const v of Object.values(lk)) {
    if (typeof v === 'function' && typeof v.typeName === 'string' && v.fields) {
      types.set(v.typeName, { kind: 'message', type: v, file: fileOf.get(v.typeName) });
    }
  }
  types.fileOf = fileOf;
  return types;
}

export function lookup(types, typeName) {
  return types.get(typeName);
}

// Messages reachable from `roots` (type names), including enums; well-known google types are
// recorded too so callers can import them.
export function closure(types, roots) {
  const seen = new Map();
  const stack = [...roots];
  const addType = (t) => {
    if (!t) return;
    if (!seen.has(t.typeName)) {
      if (t.fields) {
        seen.set(t.typeName, { kind: 'message', type: t });
        stack.push(t.typeName);
      } else {
        seen.set(t.typeName, { kind: 'enum', type: t });
      }
    }
  };
  while (stack.length) {
    const name = stack.pop();
    const entry = types.get(name);
    if (!entry) throw new Error(`unknown type ${name}`);
    if (!seen.has(name)) seen.set(name, { kind: entry.kind, type: entry.type });
    for (const f of entry.type.fields.list()) {
      if (f.kind === 'message' || f.kind === 'enum') addType(f.T);
      if (f.kind === 'map' && (f.V.kind === 'message' || f.V.kind === 'enum')) addType(f.V.T);
    }
    // A nested type's parent must be emitted for the nesting to exist.
    const parts = name.split('.');
    for (let i = parts.length - 1; i > 1; i--) {
      const parent = parts.slice(0, i).join('.');
      if (types.has(parent) && !seen.has(parent)) stack.push(parent);
    }
  }
  for (const [n, e] of seen) e.file = types.fileOf.get(n) ?? (n.startsWith('google.') ? 'google' : undefined);
  return seen;
}

// The files whose every message we mirror; everything they reference comes along via closure().
export const kRootFiles = ['livekit_models.proto', 'livekit_rtc.proto', 'livekit_room.proto', 'livekit_webhook.proto'];

export function scopeTypes(types) {
  return closure(types, [...types.keys()].filter((n) => kRootFiles.includes(types.fileOf.get(n))));
}
