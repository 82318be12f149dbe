// The packed engine's visited set: at most 16 bytes per state, counted on allocated capacity.
// Per node, the 64-bit fingerprint as two adjacent Uint32 words (8 bytes, one cache line for
// both halves; also what counterexample replay matches, counterexample.ts, through
// takeColumns()), in pages of PAGE_NODES nodes: up to FIRST_PAGES pages they are views of one
// array grown by 1/8 at a time, beyond that each new page is an array of its own and none is ever
// copied again (either way at most 9 bytes per node); an
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
//
// A rebuild inserts the nodes in the order of their home slots, bucket by bucket, so that its
// writes go to one small stretch of the new table at a time instead of anywhere in it
// (docs/performance.md, "A rebuild in the order of the home slots, and pages that are never
// copied"). The slot a node lands on may differ from an insertion in node order; lookups do not
// depend on it.

const MAX_LOAD = 0.85;
/** Most edges one touch() call reads ahead for (its scratch array's size). */
export const TOUCH_BATCH = 256;
const TARGET_LOAD = 0.6;

/** Nodes per page of fingerprints (8 MiB). */
export const PAGE_NODES = 1 << 20;
/**
 * Pages held in one array grown by 1/8 (copied at each growth); beyond them pages are added one
 * by one, never copied, each at most an eighth of the nodes held (at most 9 bytes per node).
 */
const FIRST_PAGES = 8;
/** Nodes a rebuild sorts into home-slot order at a time (8 bytes each: 128 MiB of scratch at most). */
export const REBUILD_BATCH = 1 << 24;
/** A rebuild's bucket spans about 2^BUCKET_SLOT_BITS home slots (256 KiB of table). */
const BUCKET_SLOT_BITS = 16;

/** The 32 bits a fingerprint's home slot is taken from (CompactVisitedSet.home). */
function mixOf(hi: number, lo: number): number {
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** For tests: smaller pages and rebuild batches than PAGE_NODES and REBUILD_BATCH. */
export interface CompactVisitedOptions {
  /** A power of two. */
  readonly pageNodes?: number;
  readonly rebuildBatch?: number;
}

export class CompactVisitedSet {
  /**
   * Fingerprint of node n: pages[n >>> pageShift][2i] (hi) and [2i + 1] (lo), i = n & pageMask.
   * Every page but the last holds pageNodes nodes.
   */
  private pages: Uint32Array[];
  /** While below FIRST_PAGES pages: the one array the pages are views of (grown by copying). */
  private first: Uint32Array | undefined;
  /** Nodes the pages hold. */
  private capacity: number;
  private readonly pageShift: number;
  private readonly pageMask: number;
  private readonly pageNodes: number;
  private readonly rebuildBatch: number;
  size = 0;
  private table: Uint32Array; // node index + 1, 0 = empty
  private slots: number;
  private limit: number;
  /** Bits of a slot that hold node + 1 (all up to the next rebuild fit); the rest is the tag. */
  private nodeMask = 0;
  /** The tag bits of a slot: the same bits of the fingerprint's low word. */
  private tagMask = 0;

  constructor(capacity = 1 << 16, opts: CompactVisitedOptions = {}) {
    this.slots = Math.max(16, Math.ceil(capacity / TARGET_LOAD));
    this.table = new Uint32Array(this.slots);
    this.limit = Math.floor(this.slots * MAX_LOAD);
    this.setMasks();
    this.pageNodes = opts.pageNodes ?? PAGE_NODES;
    if (!(this.pageNodes >= 1 && (this.pageNodes & (this.pageNodes - 1)) === 0)) throw new RangeError(`pageNodes must be a power of two, got ${this.pageNodes}`);
    this.pageShift = 31 - Math.clz32(this.pageNodes);
    this.pageMask = this.pageNodes - 1;
    this.rebuildBatch = Math.max(1, opts.rebuildBatch ?? REBUILD_BATCH);
    // room for `capacity` nodes: one array of up to FIRST_PAGES pages, then pages of their own
    this.pages = [];
    this.capacity = 0;
    this.setFirst(new Uint32Array(2 * Math.max(1, Math.min(capacity, FIRST_PAGES * this.pageNodes))));
    while (this.capacity < capacity) this.addPage();
  }

  /** The pages become views of `a` (the nodes it holds, in pageNodes-node pages, the last shorter). */
  private setFirst(a: Uint32Array): void {
    const cap = a.length / 2;
    this.pages = [];
    for (let n = 0; n < cap; n += this.pageNodes) this.pages.push(a.subarray(2 * n, 2 * Math.min(cap, n + this.pageNodes)));
    this.capacity = cap;
    this.first = cap < FIRST_PAGES * this.pageNodes ? a : undefined;
  }

  private addPage(): void {
    this.pages.push(new Uint32Array(2 * this.pageNodes));
    this.capacity += this.pageNodes;
  }

  /** Node numbers below limit + 1 (the most a table holds before it is rebuilt) fit under nodeMask. */
  private setMasks(): void {
    const bits = 32 - Math.clz32(this.limit + 1);
    this.nodeMask = bits >= 32 ? -1 : (1 << bits) - 1;
    this.tagMask = ~this.nodeMask;
  }

  /** The first slot of (hi, lo): floor(mix * slots / 2^32), exact in doubles. */
  private home(hi: number, lo: number): number {
    return Math.floor(mixOf(hi, lo) * this.slots / 4294967296);
  }

  /** The node index of (hi, lo) when present; otherwise -(the empty slot where it goes + 1). */
  private find(hi: number, lo: number): number {
    const t = this.table, slots = this.slots;
    let slot = this.home(hi, lo);
    const nodeMask = this.nodeMask, tagMask = this.tagMask, pages = this.pages, pageShift = this.pageShift, pageMask = this.pageMask;
    for (;;) {
      const v = t[slot]!;
      if (v === 0) return -(slot + 1);
      if (((v ^ lo) & tagMask) === 0) {
        const n = (v & nodeMask) - 1;
        const p = pages[n >>> pageShift]!, i = 2 * (n & pageMask);
        if (p[i + 1] === lo && p[i] === hi) return n;
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
    const t = this.table, pages = this.pages, pageShift = this.pageShift, pageMask = this.pageMask, nodeMask = this.nodeMask, tagMask = this.tagMask;
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
      if (v !== 0 && ((v ^ lo) & tagMask) === 0) {
        const n = (v & nodeMask) - 1;
        sink ^= pages[n >>> pageShift]![2 * (n & pageMask) + 1]!;
      }
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
    if (n >= this.capacity) this.growColumns();
    const p = this.pages[n >>> this.pageShift]!, i = 2 * (n & this.pageMask);
    p[i] = hi;
    p[i + 1] = lo;
    this.table[-found - 1] = (lo & this.tagMask) | (n + 1);
    if (this.size > this.limit) this.rehash();
    return -(n + 1);
  }

  /** Room for more nodes: the first array grown by 1/8 (a copy) while below FIRST_PAGES pages, then one more page. */
  private growColumns(): void {
    const first = this.first;
    if (first === undefined) { this.addPage(); return; }
    const nodes = first.length / 2, cap = Math.min(FIRST_PAGES * this.pageNodes, nodes + Math.max(1024, nodes >>> 3));
    const a = new Uint32Array(2 * cap);
    a.set(first);
    this.setFirst(a);
  }

  /** A new table at TARGET_LOAD for the nodes held. */
  private rehash(): void {
    this.table = new Uint32Array(0); // let the old table go before the new one is allocated
    this.slots = Math.ceil(this.size / TARGET_LOAD);
    this.limit = Math.floor(this.slots * MAX_LOAD);
    this.setMasks();
    const t = new Uint32Array(this.slots);
    this.insertByHome(t);
    this.table = t;
  }

  /**
   * Every node into the empty table t, in the order of the home slots.
   * A node's bucket is the top bits of its mix; home() is monotone in the mix, so the buckets are
   * consecutive stretches of the table. Buckets are taken in runs of about rebuildBatch nodes:
   * one pass over the fingerprints writes each node of the run (its home, its slot word) into
   * scratch at its bucket's place, then they are inserted in that order. Linear probing gives a
   * valid table whatever the order of insertion.
   */
  private insertByHome(t: Uint32Array): void {
    const slots = this.slots, tagMask = this.tagMask, pageNodes = this.pageNodes, size = this.size, pages = this.pages;
    const bits = Math.max(1, 32 - Math.clz32(slots) - BUCKET_SLOT_BITS), shift = 32 - bits, nb = 1 << bits;
    // start[b] = nodes in the buckets before b
    const start = new Uint32Array(nb + 1);
    for (let k = 0, n = 0; n < size; k++) {
      const p = pages[k]!, end = Math.min(size, n + pageNodes);
      for (let i = 0; n < end; n++, i += 2) start[(mixOf(p[i]!, p[i + 1]!) >>> shift) + 1]!++;
    }
    for (let b = 0; b < nb; b++) start[b + 1]! += start[b]!;
    let most = 0;
    for (let b = 0; b < nb; b++) most = Math.max(most, start[b + 1]! - start[b]!);
    // a run holds at most max(rebuildBatch, the largest bucket) nodes; the pair of words after
    // them is where the nodes outside the run are written (and overwritten), so the pass has no
    // branch on it
    const cap = Math.min(size, Math.max(this.rebuildBatch, most));
    const scratch = new Uint32Array(2 * (cap + 1)), pos = new Uint32Array(nb), step = new Uint32Array(nb);
    for (let b0 = 0; b0 < nb;) {
      let b1 = b0 + 1;
      while (b1 < nb && start[b1 + 1]! - start[b0]! <= cap) b1++;
      const base = start[b0]!, m = start[b1]! - base;
      for (let b = 0; b < nb; b++) {
        const inRun = b >= b0 && b < b1;
        pos[b] = inRun ? start[b]! - base : cap;
        step[b] = inRun ? 1 : 0;
      }
      for (let k = 0, n = 0; n < size; k++) {
        const p = pages[k]!, end = Math.min(size, n + pageNodes);
        for (let i = 0; n < end; n++, i += 2) {
          const lo = p[i + 1]!, mix = mixOf(p[i]!, lo), b = mix >>> shift;
          const q = pos[b]!;
          pos[b] = q + step[b]!;
          scratch[2 * q] = Math.floor(mix * slots / 4294967296);
          scratch[2 * q + 1] = (lo & tagMask) | (n + 1);
        }
      }
      for (let q = 0; q < m; q++) {
        let slot = scratch[2 * q]!;
        while (t[slot] !== 0) if (++slot === slots) slot = 0;
        t[slot] = scratch[2 * q + 1]!;
      }
      b0 = b1;
    }
  }

  bytes(): number {
    let b = this.table.byteLength;
    for (const p of this.pages) b += p.byteLength;
    return b;
  }

  /**
   * The fingerprints as two columns, hi[n] and lo[n] for node n < size, for the search's result:
   * both views of one new buffer (lo its first `size` words, hi the next), so the result holds 8
   * bytes per node. Spends the set: the table is let go first, then each page once copied. Until
   * the pages are collected the new buffer and they hold up to 16 bytes per node together (the
   * table held 4.7 to 6.7 of them). No method may be called afterwards.
   */
  takeColumns(): { readonly hi: Uint32Array; readonly lo: Uint32Array } {
    this.table = new Uint32Array(0);
    const size = this.size, out = new Uint32Array(2 * size), pageNodes = this.pageNodes;
    for (let k = 0, n = 0; n < size; k++) {
      const p = this.pages[k]!, end = Math.min(size, n + pageNodes);
      for (let i = 0; n < end; n++, i += 2) { out[size + n] = p[i]!; out[n] = p[i + 1]!; }
      this.pages[k] = new Uint32Array(0);
    }
    this.pages = [];
    this.first = undefined;
    this.capacity = 0;
    this.size = 0;
    return { hi: out.subarray(size, 2 * size), lo: out.subarray(0, size) };
  }
}
