// The visited set: a 64-bit hash of each state's key encoding, in an open-addressing table of
// node indices. Memory per state: 8 bytes of hash (two Uint32Array columns, also used to find a
// node again when a counterexample is replayed) + 8 bytes of table at load factor <= 1/2.
//
// Collision probability: the hash (below) keeps 128 bits of state and finishes it into two 32-bit
// halves by different mixes; like any 64-bit non-cryptographic hash it is taken to behave as a
// random function on these keys, so two distinct keys share a hash with probability about 2^-64
// and, for n states, the chance that ANY two collide is at most about n^2 / 2^65: 2.7e-8 for one
// million states, 2.7e-4 for 100 million. A collision would make the explorer miss the states
// behind one node. This is a heuristic bound, as it was for the two murmur3 streams used before
// 2026-12-04 (docs/performance.md, "Tagged slots, one pass of signatures, a four-lane
// fingerprint"), not a proof.

const P1 = 0x9e3779b1, P2 = 0x85ebca77, P3 = 0xc2b2ae3d, P4 = 0x27d4eb2f;

/**
 * The 64-bit fingerprint of a[start, end): xxHash32's round (v = rotl(v + k * P2, 13) * P1) on four
 * lanes, word i into lane i mod 4, so the four multiply chains run side by side; the last
 * (end - start) mod 4 words go into lane 1 by a second round; the lanes are then combined twice,
 * by rotate-and-add and by multiply-and-xor, and each result goes through murmur3's finalizer.
 */
export function hash64(a: Int32Array, start: number, end: number, out: Uint32Array): void {
  const len = end - start;
  let v1 = (0x9747b28c + len) | 0, v2 = 0x85ebca6b ^ len, v3 = 0x165667b1, v4 = 0x61c88647 ^ Math.imul(len, P4);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    v1 = (v1 + Math.imul(a[i]!, P2)) | 0; v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
    v2 = (v2 + Math.imul(a[i + 1]!, P2)) | 0; v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
    v3 = (v3 + Math.imul(a[i + 2]!, P2)) | 0; v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
    v4 = (v4 + Math.imul(a[i + 3]!, P2)) | 0; v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
  }
  for (; i < end; i++) { v1 = (v1 + Math.imul(a[i]!, P3)) | 0; v1 = Math.imul((v1 << 17) | (v1 >>> 15), P4); }
  let h1 = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
  let h2 = v1 ^ ((v2 << 16) | (v2 >>> 16)) ^ Math.imul(v3, P3) ^ Math.imul((v4 << 5) | (v4 >>> 27), P1);
  h1 ^= h1 >>> 15; h1 = Math.imul(h1, P2); h1 ^= h1 >>> 13; h1 = Math.imul(h1, P3); h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 16; h2 = Math.imul(h2, 0x85ebca6b); h2 ^= h2 >>> 13; h2 = Math.imul(h2, 0xc2b2ae35); h2 ^= h2 >>> 16;
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
