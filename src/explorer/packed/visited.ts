// The packed engine's visited set: at most 16 bytes per state, counted on allocated capacity.
// Per node, the 64-bit fingerprint in two Uint32 columns (8 bytes, also what counterexample
// replay matches, counterexample.ts) grown by 1/8 at a time (at most 9 bytes per node); an
// open-addressing table of node indices (4 bytes a slot) of any size, not a power of two: a slot
// is chosen by multiply-shift range reduction of the fingerprint, and the table is rebuilt at
// 0.85 load to 0.6 load (4.7 to 6.7 bytes per node). Worst case 15.7 bytes per node against 16 to
// 32 for src/explorer/visited.ts. Node numbers are insertion order, as there, so both engines
// number nodes alike. Collision probability: as visited.ts (n^2 / 2^65 for n states).

const MAX_LOAD = 0.85;
const TARGET_LOAD = 0.6;

export class CompactVisitedSet {
  hi: Uint32Array;
  lo: Uint32Array;
  size = 0;
  private table: Uint32Array; // node index + 1, 0 = empty
  private slots: number;
  private limit: number;

  constructor(capacity = 1 << 16) {
    this.slots = Math.max(16, Math.ceil(capacity / TARGET_LOAD));
    this.table = new Uint32Array(this.slots);
    this.limit = Math.floor(this.slots * MAX_LOAD);
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
  }

  /** The first slot of (hi, lo): floor(mix * slots / 2^32), exact in doubles. */
  private home(hi: number, lo: number): number {
    const mix = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
    return Math.floor(mix * this.slots / 4294967296);
  }

  get(hi: number, lo: number): number {
    const t = this.table, slots = this.slots;
    let slot = this.home(hi, lo);
    for (;;) {
      const v = t[slot]!;
      if (v === 0) return -1;
      const n = v - 1;
      if (this.lo[n] === lo && this.hi[n] === hi) return n;
      if (++slot === slots) slot = 0;
    }
  }

  insert(hi: number, lo: number): number {
    const t = this.table, slots = this.slots;
    let slot = this.home(hi, lo);
    for (;;) {
      const v = t[slot]!;
      if (v === 0) break;
      const n = v - 1;
      if (this.lo[n] === lo && this.hi[n] === hi) return n;
      if (++slot === slots) slot = 0;
    }
    const n = this.size++;
    if (n >= this.hi.length) this.growColumns();
    this.hi[n] = hi;
    this.lo[n] = lo;
    t[slot] = n + 1;
    if (this.size > this.limit) this.rehash();
    return -(n + 1);
  }

  private growColumns(): void {
    const cap = this.hi.length + Math.max(1024, this.hi.length >>> 3);
    const hi = new Uint32Array(cap); hi.set(this.hi); this.hi = hi;
    const lo = new Uint32Array(cap); lo.set(this.lo); this.lo = lo;
  }

  private rehash(): void {
    this.table = new Uint32Array(0); // let the old table go before the new one is allocated
    this.slots = Math.ceil(this.size / TARGET_LOAD);
    this.limit = Math.floor(this.slots * MAX_LOAD);
    const t = new Uint32Array(this.slots), slots = this.slots;
    for (let n = 0; n < this.size; n++) {
      let slot = this.home(this.hi[n]!, this.lo[n]!);
      while (t[slot] !== 0) if (++slot === slots) slot = 0;
      t[slot] = n + 1;
    }
    this.table = t;
  }

  bytes(): number {
    return this.table.byteLength + this.hi.byteLength + this.lo.byteLength;
  }
}
