// The visited set: a 64-bit hash of each state's key encoding, in an open-addressing table of
// node indices. Memory per state: 8 bytes of hash (two Uint32Array columns, also used to find a
// node again when a counterexample is replayed) + 8 bytes of table at load factor <= 1/2.
//
// Collision probability: the hash (below) keeps 256 bits of state, folds them into 128 and
// finishes those into two 32-bit halves by different mixes; like any 64-bit non-cryptographic hash it is taken to behave as a
// random function on these keys, so two distinct keys share a hash with probability about 2^-64
// and, for n states, the chance that ANY two collide is at most about n^2 / 2^65: 2.7e-8 for one
// million states, 2.7e-4 for 100 million. A collision would make the explorer miss the states
// behind one node. This is a heuristic bound, as it was for the two murmur3 streams used before
// 2026-12-04 (docs/performance.md, "Tagged slots, one pass of signatures, a four-lane
// fingerprint") and for the four lanes used until 2026-12-07 ("hash64 in WebAssembly"), not a proof.

/** hash64's constants (xxHash32's primes, murmur3's finalizer multipliers), shared with its WebAssembly copy. */
export const P1 = 0x9e3779b1, P2 = 0x85ebca77, P3 = 0xc2b2ae3d, P4 = 0x27d4eb2f, FMIX_M1 = 0x85ebca6b, FMIX_M2 = 0xc2b2ae35;
/** The eight lanes' starting values (lanes 1, 2 and 4 also take in the length). */
export const HASH_SEED: readonly number[] = [0x9747b28c, 0x85ebca6b, 0x165667b1, 0x61c88647, 0x2545f491, 0x1b873593, 0x6a09e667, 0x3c6ef372];

/**
 * The 64-bit fingerprint of a[start, end): xxHash32's round (v = rotl(v + k * P2, 13) * P1) on eight
 * lanes, word i of each block of eight into lane i; lanes 5-8 are then folded into lanes 1-4 by
 * the same round; a last group of four words (when (end - start) mod 8 >= 4) goes into lanes 1-4,
 * and the last (end - start) mod 4 words into lane 1 by a second round; the four lanes are then
 * combined twice, by rotate-and-add and by multiply-and-xor, and each result goes through
 * murmur3's finalizer. The lanes run side by side, and each group of four lanes is one 128-bit
 * SIMD register in the packed engine's WebAssembly copy of this function (packed/hashKernel.ts,
 * which gives the same bits: test/fingerprint.test.ts).
 */
export function hash64(a: Int32Array, start: number, end: number, out: Uint32Array): void {
  const len = end - start;
  let v1 = (HASH_SEED[0]! + len) | 0, v2 = HASH_SEED[1]! ^ len, v3 = HASH_SEED[2]!, v4 = HASH_SEED[3]! ^ Math.imul(len, P4);
  let v5 = HASH_SEED[4]!, v6 = HASH_SEED[5]!, v7 = HASH_SEED[6]!, v8 = HASH_SEED[7]!;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    v1 = (v1 + Math.imul(a[i]!, P2)) | 0; v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
    v2 = (v2 + Math.imul(a[i + 1]!, P2)) | 0; v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
    v3 = (v3 + Math.imul(a[i + 2]!, P2)) | 0; v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
    v4 = (v4 + Math.imul(a[i + 3]!, P2)) | 0; v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
    v5 = (v5 + Math.imul(a[i + 4]!, P2)) | 0; v5 = Math.imul((v5 << 13) | (v5 >>> 19), P1);
    v6 = (v6 + Math.imul(a[i + 5]!, P2)) | 0; v6 = Math.imul((v6 << 13) | (v6 >>> 19), P1);
    v7 = (v7 + Math.imul(a[i + 6]!, P2)) | 0; v7 = Math.imul((v7 << 13) | (v7 >>> 19), P1);
    v8 = (v8 + Math.imul(a[i + 7]!, P2)) | 0; v8 = Math.imul((v8 << 13) | (v8 >>> 19), P1);
  }
  v1 = (v1 + Math.imul(v5, P2)) | 0; v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
  v2 = (v2 + Math.imul(v6, P2)) | 0; v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
  v3 = (v3 + Math.imul(v7, P2)) | 0; v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
  v4 = (v4 + Math.imul(v8, P2)) | 0; v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
  if (i + 4 <= end) {
    v1 = (v1 + Math.imul(a[i]!, P2)) | 0; v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
    v2 = (v2 + Math.imul(a[i + 1]!, P2)) | 0; v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
    v3 = (v3 + Math.imul(a[i + 2]!, P2)) | 0; v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
    v4 = (v4 + Math.imul(a[i + 3]!, P2)) | 0; v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
    i += 4;
  }
  for (; i < end; i++) { v1 = (v1 + Math.imul(a[i]!, P3)) | 0; v1 = Math.imul((v1 << 17) | (v1 >>> 15), P4); }
  let h1 = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
  let h2 = v1 ^ ((v2 << 16) | (v2 >>> 16)) ^ Math.imul(v3, P3) ^ Math.imul((v4 << 5) | (v4 >>> 27), P1);
  h1 ^= h1 >>> 15; h1 = Math.imul(h1, P2); h1 ^= h1 >>> 13; h1 = Math.imul(h1, P3); h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 16; h2 = Math.imul(h2, FMIX_M1); h2 ^= h2 >>> 13; h2 = Math.imul(h2, FMIX_M2); h2 ^= h2 >>> 16;
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}

/** Node indices keyed by 64-bit hash; also holds the per-node hash columns. */
export class VisitedSet {
  hi: Uint32Array;
  lo: Uint32Array;
  size = 0;
  private table: Uint32Array; // node index + 1, 0 = empty
  private mask: number;

  constructor(capacity = 1 << 16) {
    let cap = 1;
    while (cap < capacity * 2) cap <<= 1;
    this.table = new Uint32Array(cap);
    this.mask = cap - 1;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
  }

  /** The node index of (hi, lo), or -1. */
  get(hi: number, lo: number): number {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const v = this.table[slot]!;
      if (v === 0) return -1;
      const n = v - 1;
      if (this.lo[n] === lo && this.hi[n] === hi) return n;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The node index of (hi, lo) when present; otherwise inserts it as node `size` and returns -(size + 1). */
  insert(hi: number, lo: number): number {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const v = this.table[slot]!;
      if (v === 0) break;
      const n = v - 1;
      if (this.lo[n] === lo && this.hi[n] === hi) return n;
      slot = (slot + 1) & this.mask;
    }
    const n = this.size++;
    if (n >= this.hi.length) this.growColumns();
    this.hi[n] = hi;
    this.lo[n] = lo;
    this.table[slot] = n + 1;
    if (this.size * 2 > this.table.length) this.rehash();
    return -(n + 1);
  }

  private growColumns(): void {
    const cap = this.hi.length * 2;
    const hi = new Uint32Array(cap); hi.set(this.hi); this.hi = hi;
    const lo = new Uint32Array(cap); lo.set(this.lo); this.lo = lo;
  }

  private rehash(): void {
    const cap = this.table.length * 2;
    this.table = new Uint32Array(cap);
    this.mask = cap - 1;
    for (let n = 0; n < this.size; n++) {
      let slot = (this.lo[n]! ^ Math.imul(this.hi[n]!, 0x9e3779b1)) & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
      this.table[slot] = n + 1;
    }
  }

  bytes(): number {
    return this.table.byteLength + this.hi.byteLength + this.lo.byteLength;
  }

  /** The fingerprints as two columns, hi[n] and lo[n] for node n < size (views of the set's own). */
  takeColumns(): { readonly hi: Uint32Array; readonly lo: Uint32Array } {
    return { hi: this.hi.subarray(0, this.size), lo: this.lo.subarray(0, this.size) };
  }
}
