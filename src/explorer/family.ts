// States shared by the searches of several variants (tools/bench-family.ts): each search's
// fingerprints (ExploreResult.graph.hi/lo) sorted, then one k-way merge over all of them. A key
// carries no variant, so one fingerprint is one state (up to symmetry, and up to the collision
// bound of visited.ts) whichever variant reached it.
import type { ExploreResult } from './explore.ts';

export interface FamilyCounts {
  /** Distinct states over all the searches. */
  readonly union: number;
  /** Per search: its states that no other search reached. */
  readonly only: number[];
  /** States that every search reached. */
  readonly all: number;
}

/** The fingerprints of a search's states, sorted (as unsigned 64-bit values, hi then lo). */
export function sortedFingerprints(r: Pick<ExploreResult, 'states' | 'graph'>): BigUint64Array {
  const g = r.graph, fp = new BigUint64Array(r.states);
  for (let i = 0; i < r.states; i++) fp[i] = (BigInt(g.hi[i]!) << 32n) | BigInt(g.lo[i]!);
  return fp.sort();
}

/**
 * Counts over sorted arrays of distinct values (sortedFingerprints), by a k-way merge that reads
 * each value as its two little-endian 32-bit halves (no BigInt per step).
 */
export function familyCounts(sets: readonly BigUint64Array[]): FamilyCounts {
  const words = sets.map((s) => new Uint32Array(s.buffer, s.byteOffset, 2 * s.length));
  const pos = sets.map(() => 0), only = sets.map(() => 0);
  let union = 0, all = 0;
  for (;;) {
    // the least value not yet counted, as (hi, lo); -1 when every array is done
    let hi = -1, lo = -1;
    for (let i = 0; i < sets.length; i++) {
      const p = pos[i]!;
      if (p === sets[i]!.length) continue;
      const h = words[i]![2 * p + 1]!, l = words[i]![2 * p]!;
      if (hi < 0 || h < hi || (h === hi && l < lo)) { hi = h; lo = l; }
    }
    if (hi < 0) break;
    let holders = 0, last = -1;
    for (let i = 0; i < sets.length; i++) {
      const p = pos[i]!;
      if (p < sets[i]!.length && words[i]![2 * p + 1] === hi && words[i]![2 * p] === lo) { holders++; last = i; pos[i] = p + 1; }
    }
    union++;
    if (holders === 1) only[last]!++;
    if (holders === sets.length) all++;
  }
  return { union, only, all };
}
