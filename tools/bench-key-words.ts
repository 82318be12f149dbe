// How large the words of the frontier's keys are: a breadth-first prefix of seed-wide `v6` (both
// reductions, the packed engine), every distinct successor key kept, its words counted by value.
// Sizes a byte-wise frontier (docs/performance.md, "seed-wide, all seven variants, with the
// copy"); figures only, no assertion. Usage: npm run bench:key-words [-- max-keys]
import * as E from 'fp-ts/lib/Either.js';
import { loadConfigFile } from '../src/codecs/config.ts';
import { PackedExpander } from '../src/explorer/packed/expand.ts';
import { EDGE_WORDS, SRC_WORDS } from '../src/explorer/expand.ts';
import { encodeState, IntBuf } from '../src/explorer/encode.ts';
import { initialState } from '../src/machine/initial.ts';
const c = loadConfigFile('spec/configs/seed-wide.json');
if (E.isLeft(c)) throw new Error('cfg');
const cfg = c.right;
const maxKeys = Number(process.argv[2] ?? 400000);
if (!Number.isInteger(maxKeys) || maxKeys <= 0) { console.error(`max-keys: expected a positive integer, got ${process.argv[2]}`); process.exit(2); }
const px = new PackedExpander({ config: cfg, variant: 'v6', symmetry: true, por: true });
const init = new IntBuf(256); encodeState(initialState(cfg), init);
let level: Int32Array[] = [init.a.slice(0, init.n)];
const seen = new Set<string>();
let words = 0, small = 0, byte = 0, keys = 0; const hist = new Map<number, number>();
for (let d = 0; level.length > 0 && keys < maxKeys; d++) {
  const next: Int32Array[] = [];
  for (let i = 0; i < level.length; i += 512) {
    const part = level.slice(i, i + 512);
    const offsets = new Uint32Array(part.length + 1); let n = 0;
    part.forEach((k, j) => { offsets[j] = n; n += k.length; }); offsets[part.length] = n;
    const enc = new Int32Array(n); part.forEach((k, j) => enc.set(k, offsets[j]!));
    const r = px.expand({ enc, offsets }, true);
    const nSrc = r.src.length / SRC_WORDS; let e = 0, pos = 0;
    for (let s = 0; s < nSrc; s++) {
      const ne = r.src[s * SRC_WORDS]!; const only = r.src[s * SRC_WORDS + 3]!;
      for (let k = 0; k < ne; k++, e++) {
        const len = r.edges[e * EDGE_WORDS + 4]!; const key = r.enc.slice(pos, pos + len); pos += len;
        if (only >= 0 && k !== only) continue;
        const h = key.join(','); if (seen.has(h)) continue; seen.add(h);
        next.push(key); keys++;
        for (const w of key) { words++; if (w >= -1 && w <= 126) small++; if (w >= -128 && w <= 127) byte++; hist.set(w, (hist.get(w) ?? 0) + 1); }
      }
    }
  }
  level = next;
}
console.log('keys', keys, 'words/key', (words / keys).toFixed(1), 'in [-1,126]', (small / words).toFixed(4), 'in int8', (byte / words).toFixed(4));
console.log([...hist].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([v, n]) => `${v}:${(n / words * 100).toFixed(1)}%`).join(' '));
console.log('largest', Math.max(...hist.keys()), 'smallest', Math.min(...hist.keys()));
