// hash64, the explorer's 64-bit fingerprint (src/explorer/visited.ts): its collision bound is a
// heuristic (each half behaves as a random 32-bit function), so this checks the behaviour it rests
// on, deterministically, on keys shaped like the explorer's: 68 small words that differ from one
// another in a few positions, one in each of the eight lanes and one in the last group of four among them. The packed engine's
// WebAssembly copy of hash64 (src/explorer/packed/hashKernel.ts) must give the same bits.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { hash64 } from '../src/explorer/visited.ts';
import { HashKernel, makeHashKernel } from '../src/explorer/packed/hashKernel.ts';
import { IntBuf } from '../src/explorer/encode.ts';

describe('hash64', () => {
  it('collides at about the birthday rate in each half and never in both, on 300,000 near-identical keys', () => {
    const L = 68, n = 300_000, positions = [3, 10, 17, 24, 36, 45, 54, 63, 66];
    const base = Int32Array.from({ length: L }, (_, i) => (i * 7) % 5);
    const seenHi = new Set<number>(), seenLo = new Set<number>(), seen = new Set<string>(), h = new Uint32Array(2);
    let hiCollisions = 0, loCollisions = 0, both = 0;
    for (let i = 0; i < n; i++) {
      const k = base.slice();
      // i in base 8 across the positions: keys differ in one to nine small words (8^9 > n: all distinct)
      for (let j = 0, x = i; j < positions.length; j++, x >>>= 3) k[positions[j]!] = x & 7;
      hash64(k, 0, L, h);
      if (seenHi.has(h[0]!)) hiCollisions++; else seenHi.add(h[0]!);
      if (seenLo.has(h[1]!)) loCollisions++; else seenLo.add(h[1]!);
      const s = `${h[0]}:${h[1]}`;
      if (seen.has(s)) both++; else seen.add(s);
    }
    const expected = (n * (n - 1)) / 2 / 2 ** 32; // 10.5
    expect(hiCollisions).toBeLessThan(3 * expected);
    expect(loCollisions).toBeLessThan(3 * expected);
    expect(both).toBe(0);
  });

  // 40 words: blocks of eight only; 44: and a last group of four; 47: and three words in lane 1
  it.each([40, 44, 47])('depends on the length and on every word, wherever it starts (%i words)', (L) => {
    const a = Int32Array.from({ length: L }, (_, i) => i);
    const h = new Uint32Array(2), g = new Uint32Array(2);
    hash64(a, 0, L - 1, h);
    hash64(a, 0, L, g);
    expect([g[0], g[1]]).not.toEqual([h[0], h[1]]);
    for (let i = 0; i < L; i++) {
      const b = a.slice(); b[i] = b[i]! + 1;
      hash64(b, 0, L, h);
      expect([h[0], h[1]], `word ${i}`).not.toEqual([g[0], g[1]]);
      expect(h[0], `word ${i}, high half`).not.toBe(g[0]);
      expect(h[1], `word ${i}, low half`).not.toBe(g[1]);
    }
    const c = new Int32Array(L + 10); c.set(a, 10);
    hash64(c, 10, L + 10, h);
    expect([h[0], h[1]]).toEqual([g[0], g[1]]);
  });
});

describe('the hash kernel (hash64 in WebAssembly)', () => {
  // the packed engine falls back to hash64 in JavaScript where the kernel cannot be made, with
  // the same fingerprints: on this Node it must be made, or the tests below check nothing
  const kernel = makeHashKernel();
  it('is made on this Node', () => {
    expect(kernel).toBeInstanceOf(HashKernel);
  });

  test.prop([
    fc.array(fc.oneof(fc.integer({ min: -2, max: 70 }), fc.integer()), { maxLength: 300 }),
    fc.nat({ max: 20 }),
  ])('gives hash64\'s bits and appends the record unchanged, for any words and length', (words, at) => {
    const k = kernel!, h = new Uint32Array(2), g = new Uint32Array(2);
    const out = new IntBuf(4);
    out.n = at;
    const rec = k.begin();
    for (const w of words) rec.push(w);
    k.finish(out, h);
    const a = Int32Array.from(words);
    hash64(a, 0, a.length, g);
    expect([h[0], h[1]]).toEqual([g[0], g[1]]);
    expect(out.n).toBe(at + words.length);
    expect(Array.from(out.a.subarray(at, out.n))).toEqual(words);
  });

  it('grows its memory for a record larger than it (40,000 words), and hashes right after', () => {
    const k = kernel!, h = new Uint32Array(2), g = new Uint32Array(2), out = new IntBuf(4);
    for (const len of [75, 40_000, 75, 3]) {
      const a = Int32Array.from({ length: len }, (_, i) => Math.imul(i + len, 0x9e3779b1));
      const rec = k.begin();
      rec.ensure(len);
      rec.a.set(a, 0);
      rec.n = len;
      out.reset();
      k.finish(out, h);
      hash64(a, 0, len, g);
      expect([h[0], h[1]], `${len} words`).toEqual([g[0], g[1]]);
      expect(out.a.subarray(0, len)).toEqual(a);
    }
  });
});
