// hash64, the explorer's 64-bit fingerprint (src/explorer/visited.ts): its collision bound is a
// heuristic (each half behaves as a random 32-bit function), so this checks the behaviour it rests
// on, deterministically, on keys shaped like the explorer's: 68 small words that differ from one
// another in a few positions, every position mod 4 (one per lane) among them.
import { describe, expect, it } from 'vitest';
import { hash64 } from '../src/explorer/visited.ts';

describe('hash64', () => {
  it('collides at about the birthday rate in each half and never in both, on 300,000 near-identical keys', () => {
    const L = 68, n = 300_000, positions = [3, 10, 17, 24, 45, 66, 67];
    const base = Int32Array.from({ length: L }, (_, i) => (i * 7) % 5);
    const seenHi = new Set<number>(), seenLo = new Set<number>(), seen = new Set<string>(), h = new Uint32Array(2);
    let hiCollisions = 0, loCollisions = 0, both = 0;
    for (let i = 0; i < n; i++) {
      const k = base.slice();
      // i in base 8 across the positions: keys differ in one to seven small words (8^7 > n: all distinct)
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

  it('depends on the length and on every word, wherever it starts', () => {
    const a = Int32Array.from({ length: 40 }, (_, i) => i);
    const h = new Uint32Array(2), g = new Uint32Array(2);
    hash64(a, 0, 39, h);
    hash64(a, 0, 40, g);
    expect([g[0], g[1]]).not.toEqual([h[0], h[1]]);
    for (let i = 0; i < 40; i++) {
      const b = a.slice(); b[i] = b[i]! + 1;
      hash64(b, 0, 40, h);
      expect([h[0], h[1]], `word ${i}`).not.toEqual([g[0], g[1]]);
      expect(h[0], `word ${i}, high half`).not.toBe(g[0]);
      expect(h[1], `word ${i}, low half`).not.toBe(g[1]);
    }
    const c = new Int32Array(50); c.set(a, 10);
    hash64(c, 10, 50, h);
    expect([h[0], h[1]]).toEqual([g[0], g[1]]);
  });
});
