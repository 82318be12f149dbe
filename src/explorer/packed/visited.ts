// The packed engine's visited set: at most 16 bytes per state, counted on allocated capacity.
// Per node, the 64-bit fingerprint as two adjacent Uint32 words (8 bytes, one cache line for
// both halves; also what counterexample replay matches, counterexample.ts, through
// takeColumns()) grown by 1/8 at a time (at most 9 bytes per node); an
// open-addressing table of node indices (4 bytes a slot) of any size, not a power of two: a slot
// is chosen by multiply-shift range reduction of the fingerprint, and the table is rebuilt at
// 0.85 load to 0.6 load (4.7 to 6.7 bytes per node). Worst case 15.7 bytes per node against 16 to
// 32 for src/explorer/visited.ts. Node numbers are insertion order, as there, so both engines
// number nodes alike. Collision probability: as visited.ts (n^2 / 2^65 for n states).
//
// A slot holds node + 1 in its low bits and, in the bits above (as many as the node numbers up
// to the next rebuild leave free: 5 or 6 at 61M states, 2 or 3 at 500M), the same bits of the fingerprint's
// low word: a probe passes over a slot whose tag differs without reading that node's fingerprint
// columns, a random access each (docs/performance.md, "Tagged slots, one pass of signatures, a four-lane
// fingerprint").

const MAX_LOAD = 0.85;
/** Most edges one touch() call reads ahead for (its scratch array's size). */
export const TOUCH_BATCH = 256;
const TARGET_LOAD = 0.6;

export class CompactVisitedSet {
  /** Fingerprint of node n: hl[2n] (hi), hl[2n + 1] (lo). */
  private hl: Uint32Array;
  size = 0;
  private table: Uint32Array; // node index + 1, 0 = empty
  private slots: number;
  private limit: number;
  /** Bits of a slot that hold node + 1 (all up to the next rebuild fit); the rest is the tag. */
  private nodeMask = 0;
  /** The tag bits of a slot: the same bits of the fingerprint's low word. */
  private tagMask = 0;

  constructor(capacity = 1 << 16) {
    this.slots = Math.max(16, Math.ceil(capacity / TARGET_LOAD));
    this.table = new Uint32Array(this.slots);
    this.limit = Math.floor(this.slots * MAX_LOAD);
    this.setMasks();
    this.hl = new Uint32Array(2 * capacity);
  }

  /** Node numbers below limit + 1 (the most a table holds before it is rebuilt) fit under nodeMask. */
  private setMasks(): void {
    const bits = 32 - Math.clz32(this.limit + 1);
    this.nodeMask = bits >= 32 ? -1 : (1 << bits) - 1;
    this.tagMask = ~this.nodeMask;
  }

  /** The first slot of (hi, lo): floor(mix * slots / 2^32), exact in doubles. */
  private home(hi: number, lo: number): number {
    const mix = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
    return Math.floor(mix * this.slots / 4294967296);
  }

  /** The node index of (hi, lo) when present; otherwise -(the empty slot where it goes + 1). */
  private find(hi: number, lo: number): number {
    const t = this.table, slots = this.slots;
    let slot = this.home(hi, lo);
    const nodeMask = this.nodeMask, tagMask = this.tagMask, hl = this.hl;
    for (;;) {
      const v = t[slot]!;
      if (v === 0) return -(slot + 1);
      if (((v ^ lo) & tagMask) === 0) {
        const n = (v & nodeMask) - 1;
        if (hl[2 * n + 1] === lo && hl[2 * n] === hi) return n;
      }
      if (++slot === slots) slot = 0;
    }
  }

  /**
   * Reads, without changing anything, the table slots and fingerprint columns that looking up the
   * edges from..to-1 of an edge-record array (hi at word 0, lo at word 1 of each `words`-word
   * record) will read first, so that the lookups that follow find them in the processor's caches:
   * independent reads, which the processor overlaps, instead of two cache misses paid one after
   * the other inside each lookup (docs/performance.md, "Looking ahead in the merge"). Returns a
   * value that depends on every read, so that none is optimised away.
   */
  touch(edges: Uint32Array, words: number, from: number, to: number): number {
    const t = this.table, hl = this.hl, nodeMask = this.nodeMask, tagMask = this.tagMask;
    const homes = this.homes;
    let sink = 0;
    for (let e = from, i = 0; e < to; e++, i++) {
      const w = e * words;
      const slot = this.home(edges[w]!, edges[w + 1]!);
      homes[i] = slot;
      sink ^= t[slot]!;
    }
    for (let e = from, i = 0; e < to; e++, i++) {
      const v = t[homes[i]!]!, lo = edges[e * words + 1]!;
      if (v !== 0 && ((v ^ lo) & tagMask) === 0) sink ^= hl[2 * ((v & nodeMask) - 1) + 1]!;
    }
    return sink;
  }

  /** Scratch for touch(): the home slots of one batch. */
  private readonly homes = new Int32Array(TOUCH_BATCH);

  get(hi: number, lo: number): number {
    const n = this.find(hi, lo);
    return n >= 0 ? n : -1;
  }

  insert(hi: number, lo: number): number {
    const found = this.find(hi, lo);
    if (found >= 0) return found;
    const n = this.size++;
    if (2 * n >= this.hl.length) this.growColumns();
    this.hl[2 * n] = hi;
    this.hl[2 * n + 1] = lo;
    this.table[-found - 1] = (lo & this.tagMask) | (n + 1);
    if (this.size > this.limit) this.rehash();
    return -(n + 1);
  }

  private growColumns(): void {
    const nodes = this.hl.length / 2, cap = nodes + Math.max(1024, nodes >>> 3);
    const hl = new Uint32Array(2 * cap); hl.set(this.hl); this.hl = hl;
  }

  private rehash(): void {
    this.table = new Uint32Array(0); // let the old table go before the new one is allocated
    this.slots = Math.ceil(this.size / TARGET_LOAD);
    this.limit = Math.floor(this.slots * MAX_LOAD);
    this.setMasks();
    const t = new Uint32Array(this.slots), slots = this.slots, tagMask = this.tagMask;
    const hl = this.hl;
    for (let n = 0; n < this.size; n++) {
      const lo = hl[2 * n + 1]!;
      let slot = this.home(hl[2 * n]!, lo);
      while (t[slot] !== 0) if (++slot === slots) slot = 0;
      t[slot] = (lo & tagMask) | (n + 1);
    }
    this.table = t;
  }

  bytes(): number {
    return this.table.byteLength + this.hl.byteLength;
  }

  /**
   * The fingerprints as two columns, hi[n] and lo[n] for node n < size, for the search's result:
   * both views of the set's own buffer (lo its first `size` words, hi the next), so the result
   * holds 8 bytes per node as before. Spends the set: the table is let go first, then hi is
   * copied out (4 bytes per node, less than the table held), lo compacted in place (node n's lo
   * moves from word 2n + 1 to word n, never over a word still to be read) and hi copied back
   * after it. No method may be called afterwards.
   */
  takeColumns(): { readonly hi: Uint32Array; readonly lo: Uint32Array } {
    this.table = new Uint32Array(0);
    const n = this.size, hl = this.hl, hi = new Uint32Array(n);
    for (let k = 0; k < n; k++) { hi[k] = hl[2 * k]!; hl[k] = hl[2 * k + 1]!; }
    hl.set(hi, n);
    this.hl = new Uint32Array(0);
    this.size = 0;
    return { hi: hl.subarray(n, 2 * n), lo: hl.subarray(0, n) };
  }
}
