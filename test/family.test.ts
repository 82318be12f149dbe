// familyCounts (src/explorer/family.ts, npm run bench:family): the k-way merge over sorted 64-bit
// fingerprints against a plain count with sets of BigInts.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { familyCounts, sortedFingerprints } from '../src/explorer/family.ts';

/** Values whose high words collide often and whose low words cross 2^31 (an unsigned compare). */
const value = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff))
  .map(([hi, lo]) => (BigInt(hi === 3 ? 0xffffffff : hi) << 32n) | BigInt(lo));

function naive(sets: bigint[][]) {
  const distinct = sets.map((s) => new Set(s));
  const union = new Set(sets.flat());
  const holders = (x: bigint) => distinct.filter((d) => d.has(x)).length;
  return {
    union: union.size,
    only: distinct.map((d) => [...d].filter((x) => holders(x) === 1).length),
    all: [...union].filter((x) => holders(x) === sets.length).length,
  };
}

/** The hi/lo columns of a search result holding these values (distinct, in any order). */
function result(values: bigint[]) {
  const d = [...new Set(values)];
  return {
    states: d.length,
    graph: { hi: Uint32Array.from(d, (x) => Number(x >> 32n)), lo: Uint32Array.from(d, (x) => Number(x & 0xffffffffn)) },
  };
}

describe('familyCounts', () => {
  test.prop([fc.array(fc.array(value, { maxLength: 12 }), { minLength: 1, maxLength: 4 })])('equals a count with sets', (sets) => {
    const sorted = sets.map((s) => sortedFingerprints(result(s) as never));
    expect(familyCounts(sorted)).toEqual(naive(sets));
  });

  it('counts shared, lone and common states', () => {
    const a = sortedFingerprints(result([1n, 2n, 0xffffffff00000000n]) as never);
    const b = sortedFingerprints(result([2n, 0xffffffff00000000n, 5n]) as never);
    expect(familyCounts([a, b])).toEqual({ union: 4, only: [1, 1], all: 2 });
  });
});
