// The packed engine's state: the adapter's Store (src/adapter/store.ts) made snapshot-able. A
// snapshot is the explorer's integer encoding (src/explorer/encode.ts layout, the same words the
// reducer engine queues), so both engines share keys and frontiers (and, but for EXP-FP-IMAGE,
// fingerprints):
// - loadKey() resets a Store and fills it from an encoding, without building a State (compiled
//   for the configuration when the store is built: loadCode.ts);
// - encodeStore() writes the plain key of a Store, word for word what
//   encodeState(storeToState(st), out, false) writes (test/packed.test.ts; no notifier list
//   positions, EXP-KEY-MN-ORDER), without building a State
//   (compiled for the configuration too: encodeCode.ts);
// - writeImage() writes the Store's image, its state's words as they lie in the Store plus its
//   lists, which the packed engine fingerprints without symmetry reduction, and keyOfImage()
//   reads the key back from it (compiled: imageCode.ts; EXP-FP-IMAGE in spec/explorer.md).
// PackedStore records which TLB ASIDs were written so that a reset touches only those (the TLB is
// an array over the whole ASID space).
//
// Within one node's expansion the parent is put back before each event by restore(), not by
// reloading its encoding: the Store's fixed arrays are views of one buffer (StoreArena), so
// saving the loaded state (snapshot()) and putting it back is one copy of that buffer plus the
// few lists that live outside it (TLB rows, pending faults, deferred frees, ATC duplicates).
// test/packed.test.ts checks that a restored Store is array for array the one loaded.
import type { Config } from '../../model/config.ts';
import { Store, type DeferredRec, type FaultRec, type StoreAlloc, type StoreShape } from '../../adapter/store.ts';
import { compileLoadKey, faultRecFlags, loadFaults, type CompiledLoad } from './loadCode.ts';
import { compileEncode, type CompiledEncode } from './encodeCode.ts';
import { compileKeyOfImage, type CompiledKeyOfImage } from './imageCode.ts';
import type { IntBuf } from '../encode.ts';

/**
 * The layout of every reachable state: PASIDs below nMm + 1 (lowest-free allocation over nMm
 * holders), pages below the largest process.
 */
export function packedShape(config: Config): StoreShape {
  let pageStride = 1;
  for (const p of config.processes) pageStride = Math.max(pageStride, p.pages);
  return { pasidCap: config.processes.length + 1, pageStride };
}

/**
 * A bump allocator over one ArrayBuffer for a Store's fixed arrays (StoreAlloc). Without a buffer
 * it only counts (sized()). The arrays of the state come first, their Int32 arrays and then their
 * bytes, so that the state's words are one prefix of the buffer (imageWords); the derived arrays
 * (StoreAlloc's `derived`) follow, 4-byte aligned.
 */
class StoreArena implements StoreAlloc {
  readonly eager = true;
  /** Where the next array of each kind goes: state i32, state u8, derived i32, derived u8. */
  private readonly at: number[];
  private constructor(private readonly buffer: ArrayBuffer | undefined, starts: readonly number[]) {
    this.at = [...starts];
    this.imageBytes = starts[2]!;
  }
  /** Bytes of the state's arrays (a multiple of 4). */
  private readonly imageBytes: number;

  /** An arena exactly large enough for the Store of (config, shape): one Store is laid out to count. */
  static sized(config: Config, shape: StoreShape): StoreArena {
    const counter = new StoreArena(undefined, [0, 0, 0, 0]);
    new Store(config, shape, counter);
    const [i32, u8, di32, du8] = counter.at as [number, number, number, number];
    const image = (i32 + u8 + 3) & ~3;
    return new StoreArena(new ArrayBuffer((image + di32 + du8 + 3) & ~3), [0, i32, image, image + di32]);
  }

  u8(n: number, derived = false): Uint8Array {
    const k = derived ? 3 : 1, at = this.at[k]!;
    this.at[k] = at + n;
    return this.buffer === undefined ? new Uint8Array(n) : new Uint8Array(this.buffer, at, n);
  }

  i32(n: number, derived = false): Int32Array {
    const k = derived ? 2 : 0, at = this.at[k]!;
    this.at[k] = at + 4 * n;
    return this.buffer === undefined ? new Int32Array(n) : new Int32Array(this.buffer, at, n);
  }

  /** The whole buffer, as bytes. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer!);
  }

  /** The state's arrays, as words (once laid out: the derived Int32 arrays start there). */
  imageWords(): Int32Array {
    return new Int32Array(this.buffer!, 0, this.imageBytes >> 2);
  }
}

/** Words of one pending fault in a fault encoding (loadCode.ts loadFaults). */
const FAULT_WORDS = 5;

export class PackedStore extends Store {
  /** ASIDs whose TLB array may hold entries (each at most once). */
  private readonly tlbTouched: Int32Array;
  private readonly tlbMark: Uint8Array;
  private nTouched = 0;
  /**
   * Fault records loadKey() fills in, per device and list position, reused from load to load (a
   * fresh object per pending fault per load was most of loadKey's garbage). The engine only
   * reads them within a step, edits their status and splices them out; it keeps none.
   */
  readonly faultPool: FaultRec[][];
  /** loadKey compiled for this store's configuration (loadCode.ts). */
  readonly load: CompiledLoad;
  /** encodeStore compiled for this store's configuration (encodeCode.ts). */
  readonly encode: CompiledEncode;

  /** The fixed arrays' buffer, and its copy at the last snapshot(). */
  private readonly arena: Uint8Array;
  private readonly savedArena: Uint8Array;
  /** TLB at the last snapshot: per ASID with entries, [asid, count, row (pageStride words)]. */
  private savedTlb: Int32Array;
  private savedTlbWords = 0;
  /** Pending faults at the last snapshot, as loadFaults reads them: [n, (flags, dev, group, pasid, page) * n]. */
  private savedFaults: Int32Array;
  private readonly savedDeferred: DeferredRec[] = [];
  /** ATC duplicates at the last snapshot (a copy), when there were any. */
  private savedExtra: Map<number, Map<number, number[]>> | undefined;
  private savedFree = 0;

  /** The state's arrays as words: the first part of an image (writeImage). */
  private readonly image: Int32Array;
  private imageAsids: Int32Array;
  /** Words of the state's arrays: where an image's lists begin. */
  readonly imageWords: number;
  /** The key of an image (writeImage) at a[start...], appended to `out` (compiled: imageCode.ts). */
  readonly keyOfImage: CompiledKeyOfImage;

  constructor(config: Config) {
    const shape = packedShape(config);
    const arena = StoreArena.sized(config, shape);
    super(config, shape, arena);
    this.arena = arena.bytes();
    this.image = arena.imageWords();
    this.imageWords = this.image.length;
    this.imageAsids = new Int32Array(16);
    this.savedArena = new Uint8Array(this.arena.length);
    this.savedTlb = new Int32Array(16 * (2 + this.pageStride));
    this.savedFaults = new Int32Array(1 + 8 * FAULT_WORDS);
    this.tlbTouched = new Int32Array(this.asidSpace);
    this.tlbMark = new Uint8Array(this.asidSpace);
    this.faultPool = Array.from({ length: this.nDev }, () => []);
    this.load = compileLoadKey(config, this);
    this.encode = compileEncode(config, this);
    this.keyOfImage = compileKeyOfImage(config, this);
  }

  /**
   * Which lists outside the buffer changed since the last snapshot() or restore(): restore() puts
   * back only those (the ATC duplicates, seldom there, are put back whenever either side has any).
   */
  private tlbChanged = false;
  private faultsChanged = false;
  private deferredChanged = false;

  override tlbInsert(asid: number, page: number, frame: number): void {
    if (this.tlbMark[asid] === 0) { this.tlbMark[asid] = 1; this.tlbTouched[this.nTouched++] = asid; }
    this.tlbChanged = true;
    super.tlbInsert(asid, page, frame);
  }

  override tlbDropAsid(asid: number): void {
    this.tlbChanged = true;
    super.tlbDropAsid(asid);
  }

  override tlbDropRange(asid: number, start: number, end: number): void {
    this.tlbChanged = true;
    super.tlbDropRange(asid, start, end);
  }

  override faultInsert(dev: number, at: number, f: FaultRec): void {
    this.faultsChanged = true;
    super.faultInsert(dev, at, f);
  }

  override faultSetStatus(f: FaultRec, status: number): void {
    this.faultsChanged = true;
    super.faultSetStatus(f, status);
  }

  override faultRemove(dev: number, at: number): void {
    this.faultsChanged = true;
    super.faultRemove(dev, at);
  }

  override deferredInsert(at: number, r: DeferredRec): void {
    this.deferredChanged = true;
    super.deferredInsert(at, r);
  }

  override deferredRemove(at: number): void {
    this.deferredChanged = true;
    super.deferredRemove(at);
  }

  /** Writes the ASIDs that have TLB entries to `out`, ascending; returns how many. */
  tlbAsidsWithEntries(out: Int32Array): number {
    let n = 0;
    for (let i = 0; i < this.nTouched; i++) {
      const asid = this.tlbTouched[i]!;
      if (this.tlbCount[asid] === 0) continue;
      let j = n++;
      while (j > 0 && out[j - 1]! > asid) { out[j] = out[j - 1]!; j--; }
      out[j] = asid;
    }
    return n;
  }

  /** Empty the collections whose size the state decides: the TLB, ATC duplicates, faults and deferred frees. */
  clearLists(): void {
    this.clearTlb();
    if (this.atcExtra.size > 0) this.atcExtra.clear();
    this.clearFaults();
    this.clearDeferred();
  }

  private clearTlb(): void {
    for (let i = 0; i < this.nTouched; i++) {
      const asid = this.tlbTouched[i]!;
      this.tlbMark[asid] = 0;
      if (this.tlbCount[asid] !== 0) { const arr = this.tlb[asid]!; for (let p = 0; p < arr.length; p++) arr[p] = -1; this.tlbCount[asid] = 0; }
    }
    this.nTouched = 0;
  }

  // pop(), not `length = 0`: V8 inlines pop() and calls a builtin for the length setter
  private clearFaults(): void {
    for (let d = 0; d < this.nDev; d++) { const list = this.faults[d]!; while (list.length > 0) list.pop(); }
  }

  private clearDeferred(): void {
    const deferred = this.deferred;
    while (deferred.length > 0) deferred.pop();
  }

  /**
   * Append the store's image: the words of the state's arrays (the arena's first part, derived
   * arrays left out), then the lists, each as a count and its records: TLB entries (ASIDs
   * ascending, pages ascending: asid, page, frame), pending faults (as loadFaults reads them),
   * deferred frees (domain, mm * 2 + inDomainOps) and ATC duplicates (slot, page, frame; slots and
   * pages ascending). Two Stores holding the same state have the same image (absent slots hold
   * zeros: loadKey and the Engine clear them), and different states different images.
   */
  writeImage(out: IntBuf): void {
    const img = this.image, K = img.length;
    if (this.imageAsids.length < this.nTouched) this.imageAsids = new Int32Array(this.asidSpace);
    const asids = this.imageAsids, nAsid = this.tlbAsidsWithEntries(asids);
    let nTlb = 0;
    for (let j = 0; j < nAsid; j++) nTlb += this.tlbCount[asids[j]!]!;
    let nFaults = 0;
    for (let d = 0; d < this.nDev; d++) nFaults += this.faults[d]!.length;
    const def = this.deferred, extras = this.atcExtra;
    let nExtra = 0;
    if (extras.size > 0) for (const m of extras.values()) for (const more of m.values()) nExtra += more.length;
    out.ensure(K + 4 + 3 * nTlb + FAULT_WORDS * nFaults + 2 * def.length + 3 * nExtra);
    const a = out.a;
    let o = out.n;
    a.set(img, o);
    o += K;
    a[o++] = nTlb;
    const stride = this.pageStride;
    for (let j = 0; j < nAsid; j++) {
      const asid = asids[j]!, row = this.tlb[asid]!;
      for (let p = 0; p < stride; p++) { const f = row[p]!; if (f >= 0) { a[o] = asid; a[o + 1] = p; a[o + 2] = f; o += 3; } }
    }
    a[o++] = nFaults;
    for (let d = 0; d < this.nDev; d++) {
      const list = this.faults[d]!;
      for (let i = 0; i < list.length; i++) {
        const x = list[i]!;
        a[o] = faultRecFlags(x); a[o + 1] = d; a[o + 2] = x.group; a[o + 3] = x.pasid; a[o + 4] = x.page;
        o += FAULT_WORDS;
      }
    }
    a[o++] = def.length;
    for (let i = 0; i < def.length; i++) { const x = def[i]!; a[o] = x.domain; a[o + 1] = x.mm * 2 + (x.inDomainOps ? 1 : 0); o += 2; }
    a[o++] = nExtra;
    if (nExtra > 0) {
      for (const slot of [...extras.keys()].sort((x, y) => x - y)) {
        const byPage = extras.get(slot)!;
        for (const page of [...byPage.keys()].sort((x, y) => x - y)) for (const g of byPage.get(page)!) { a[o] = slot; a[o + 1] = page; a[o + 2] = g; o += 3; }
      }
    }
    out.n = o;
  }

  /** Save the state now in the store, for restore(). */
  snapshot(): void {
    this.savedArena.set(this.arena);
    const stride = this.pageStride, rowWords = 2 + stride;
    let w = 0;
    for (let i = 0; i < this.nTouched; i++) {
      const asid = this.tlbTouched[i]!, count = this.tlbCount[asid]!;
      if (count === 0) continue;
      if (w + rowWords > this.savedTlb.length) { const g = new Int32Array(2 * this.savedTlb.length); g.set(this.savedTlb); this.savedTlb = g; }
      const row = this.tlb[asid]!, t = this.savedTlb;
      t[w] = asid; t[w + 1] = count;
      for (let p = 0; p < stride; p++) t[w + 2 + p] = row[p]!;
      w += rowWords;
    }
    this.savedTlbWords = w;
    let nFaults = 0;
    for (let d = 0; d < this.nDev; d++) nFaults += this.faults[d]!.length;
    if (1 + nFaults * FAULT_WORDS > this.savedFaults.length) this.savedFaults = new Int32Array(1 + 2 * nFaults * FAULT_WORDS);
    const a = this.savedFaults;
    a[0] = nFaults;
    let i = 1;
    for (let d = 0; d < this.nDev; d++) {
      for (const f of this.faults[d]!) {
        a[i] = faultRecFlags(f);
        a[i + 1] = d; a[i + 2] = f.group; a[i + 3] = f.pasid; a[i + 4] = f.page;
        i += FAULT_WORDS;
      }
    }
    const deferred = this.savedDeferred;
    while (deferred.length > 0) deferred.pop();
    for (const r of this.deferred) deferred.push(r);
    this.savedExtra = this.atcExtra.size === 0 ? undefined : copyExtra(this.atcExtra);
    this.savedFree = this.freeFrameCount;
    this.tlbChanged = false; this.faultsChanged = false; this.deferredChanged = false;
  }

  /**
   * Put back the state of the last snapshot(): afterwards every array and list is as it was then.
   * The buffer is copied back whole; of the lists outside it, those a step changed (tlbChanged,
   * faultsChanged, deferredChanged: every change goes through the Store's methods).
   */
  restore(): void {
    this.arena.set(this.savedArena);
    if (this.tlbChanged) {
      this.clearTlb();
      const stride = this.pageStride, rowWords = 2 + stride;
      const t = this.savedTlb;
      for (let w = 0; w < this.savedTlbWords; w += rowWords) {
        const asid = t[w]!, row = this.tlb[asid]!;
        this.tlbMark[asid] = 1; this.tlbTouched[this.nTouched++] = asid;
        this.tlbCount[asid] = t[w + 1]!;
        for (let p = 0; p < stride; p++) row[p] = t[w + 2 + p]!;
      }
      this.tlbChanged = false;
    }
    if (this.atcExtra.size > 0) this.atcExtra.clear();
    if (this.savedExtra !== undefined) for (const [slot, byPage] of copyExtra(this.savedExtra)) this.atcExtra.set(slot, byPage);
    if (this.faultsChanged) {
      this.clearFaults();
      if (this.savedFaults[0] !== 0) loadFaults(this, this.savedFaults, 0);
      this.faultsChanged = false;
    }
    if (this.deferredChanged) {
      this.clearDeferred();
      for (const r of this.savedDeferred) this.deferred.push(r);
      this.deferredChanged = false;
    }
    this.freeFrameCount = this.savedFree;
    this.resetFreeHint();
  }
}

function copyExtra(extra: ReadonlyMap<number, ReadonlyMap<number, readonly number[]>>): Map<number, Map<number, number[]>> {
  const out = new Map<number, Map<number, number[]>>();
  for (const [slot, byPage] of extra) out.set(slot, new Map([...byPage].map(([page, frames]) => [page, [...frames]])));
  return out;
}

/** Reset `st` and load the state encoded at a[start...] (encode.ts layout). Returns the end. */
export function loadKey(st: PackedStore, a: Int32Array, start: number): number {
  return st.load(st, a, start);
}

/** Append the plain key of the store's state: encodeState(storeToState(st), out, false), word for word (compiled: encodeCode.ts). */
export function encodeStore(st: PackedStore, out: IntBuf): void {
  st.encode(st, out);
}
