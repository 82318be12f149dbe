// The visited set: a 64-bit hash of each state's key encoding, in an open-addressing table of
// node indices. Memory per state: 8 bytes of hash (two Uint32Array columns, also used to find a
// node again when a counterexample is replayed) + 8 bytes of table at load factor <= 1/2.
//
// Collision probability: two distinct keys share a 64-bit hash with probability 2^-64 (the two
// 32-bit halves come from independent multiply-xorshift mixes seeded differently), so for n
// states the chance that ANY two collide is at most n^2 / 2^65: 2.7e-8 for one million states,
// 2.7e-4 for 100 million. A collision would make the explorer miss the states behind one node.

/** Two independent 32-bit hashes of a[start, end) (murmur3-style mixing of 32-bit words). */
export function hash64(a: Int32Array, start: number, end: number, out: Uint32Array): void {
  let h1 = 0x9747b28c ^ (end - start), h2 = 0x85ebca6b ^ Math.imul(end - start, 0x27d4eb2f);
  for (let i = start; i < end; i++) {
    let k = a[i]!;
    k = Math.imul(k, 0xcc9e2d51); k = (k << 15) | (k >>> 17); k = Math.imul(k, 0x1b873593);
    h1 ^= k; h1 = (h1 << 13) | (h1 >>> 19); h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let j = a[i]! ^ 0x5bd1e995;
    j = Math.imul(j, 0x85ebca77); j = (j << 13) | (j >>> 19); j = Math.imul(j, 0xc2b2ae3d);
    h2 ^= j; h2 = (h2 << 17) | (h2 >>> 15); h2 = (Math.imul(h2, 9) + 0x165667b1) | 0;
  }
  h1 ^= h1 >>> 16; h1 = Math.imul(h1, 0x85ebca6b); h1 ^= h1 >>> 13; h1 = Math.imul(h1, 0xc2b2ae35); h1 ^= h1 >>> 16;
  h2 ^= h2 >>> 15; h2 = Math.imul(h2, 0x2c1b3c6d); h2 ^= h2 >>> 12; h2 = Math.imul(h2, 0x297a2d39); h2 ^= h2 >>> 15;
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
