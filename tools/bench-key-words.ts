// How large the words of the frontier's keys are: a breadth-first prefix of seed-wide `v6` (both
// reductions, the packed engine), every distinct successor key kept, its words counted by value,
// and the share the frontier (src/explorer/queue.ts) stores in one byte (wordFitsAByte). Then the
// frontier's own cost on those keys: each of five rounds pushes them all into a fresh KeyQueue
// (segments of its default size) and takes them back in chunks of 1,024, as explore() does.
// Figures only, no assertion (docs/performance.md, "A byte per key word in the frontier" and
// "The frontier's `push` four words at a time").
// Usage: npm run bench:key-words [-- max-keys]
import * as E from 'fp-ts/lib/Either.js';
import { loadConfigFile } from '../src/codecs/config.ts';
import { PackedExpander } from '../src/explorer/packed/expand.ts';
import { EDGE_WORDS, SRC_WORDS } from '../src/explorer/expand.ts';
import { encodeState, IntBuf } from '../src/explorer/encode.ts';
import { initialState } from '../src/machine/initial.ts';
import { KeyQueue, wordFitsAByte } from '../src/explorer/queue.ts';

const configPath = 'spec/configs/seed-wide.json';
const c = loadConfigFile(configPath);
if (E.isLeft(c)) { console.error(`${configPath}: ${c.left.join('; ')}`); process.exit(2); }
const cfg = c.right;
const maxKeys = Number(process.argv[2] ?? 400000);
if (!Number.isInteger(maxKeys) || maxKeys <= 0) { console.error(`npm run bench:key-words: max-keys expects a positive integer, got ${process.argv[2]}`); process.exit(2); }
const px = new PackedExpander({ config: cfg, variant: 'v6', symmetry: true, por: true });
const init = new IntBuf(256); encodeState(initialState(cfg), init);
// one level at a time in a queue of its own, taken in chunks as explore() takes them
let level = new KeyQueue();
level.push(init.a, 0, init.n);
const seen = new Set<string>();
/** The distinct keys in the order found: all[starts[i], starts[i + 1]). */
const all = new IntBuf(1 << 20), starts: number[] = [0];
let words = 0, inAByte = 0, keys = 0; const hist = new Map<number, number>();
while (level.created > 0 && keys < maxKeys) {
  const next = new KeyQueue();
  for (let t = level.take(512); t !== undefined; t = level.take(512)) {
    const r = px.expand(t.chunk, true);
    const nSrc = r.src.length / SRC_WORDS; let e = 0, pos = 0;
    for (let s = 0; s < nSrc; s++) {
      const ne = r.src[s * SRC_WORDS]!; const only = r.src[s * SRC_WORDS + 3]!;
      for (let k = 0; k < ne; k++, e++) {
        const len = r.edges[e * EDGE_WORDS + 4]!, at = pos; pos += len;
        if (only >= 0 && k !== only) continue;
        const key = r.enc.subarray(at, at + len), h = key.join(',');
        if (seen.has(h)) continue;
        seen.add(h);
        next.push(r.enc, at, len); keys++;
        all.ensure(len); all.a.set(key, all.n); all.n += len; starts.push(all.n);
        for (const w of key) { words++; if (wordFitsAByte(w)) inAByte++; hist.set(w, (hist.get(w) ?? 0) + 1); }
      }
    }
  }
  level.close();
  level = next;
}
level.close();
console.log('keys', keys, 'words/key', (words / keys).toFixed(1), 'in a byte of the frontier', (inAByte / words).toFixed(4));
console.log([...hist].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([v, n]) => `${v}:${(n / words * 100).toFixed(1)}%`).join(' '));
console.log('largest', Math.max(...hist.keys()), 'smallest', Math.min(...hist.keys()));

for (let round = 1; round <= 5; round++) {
  const q = new KeyQueue();
  const t0 = performance.now();
  for (let i = 0; i < keys; i++) q.push(all.a, starts[i]!, starts[i + 1]! - starts[i]!);
  const t1 = performance.now();
  let back = 0;
  for (let t = q.take(1024); t !== undefined; t = q.take(1024)) back += t.chunk.enc.length;
  const t2 = performance.now();
  q.close();
  if (back !== all.n) { console.error(`the queue gave back ${back} words of ${all.n}`); process.exit(1); }
  console.log(`round ${round}: push ${((t1 - t0) * 1e6 / keys).toFixed(1)} ns/key, take ${((t2 - t1) * 1e6 / keys).toFixed(1)} ns/key`);
}
