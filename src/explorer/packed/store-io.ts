// The packed engine's state: the adapter's Store (src/adapter/store.ts) made snapshot-able. A
// snapshot is the explorer's integer encoding (src/explorer/encode.ts layout, the same words the
// reducer engine queues), so both engines share keys, hashes and frontiers:
// - loadKey() resets a Store and fills it from an encoding, without building a State (compiled
//   for the configuration when the store is built: loadCode.ts);
// - encodeStore() writes the plain key of a Store, word for word what
//   encodeState(storeToState(st), out, false) writes (test/packed.test.ts; no notifier list
//   positions, EXP-KEY-MN-ORDER), without building a State
//   (compiled for the configuration too: encodeCode.ts).
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
 * it only counts (sized()); Int32 views are 4-byte aligned.
 */
class StoreArena implements StoreAlloc {
  readonly eager = true;
  private at = 0;
  private constructor(private readonly buffer: ArrayBuffer | undefined) {}

  /** An arena exactly large enough for the Store of (config, shape): one Store is laid out to count. */
  static sized(config: Config, shape: StoreShape): StoreArena {
    const counter = new StoreArena(undefined);
    new Store(config, shape, counter);
    return new StoreArena(new ArrayBuffer(counter.at));
  }

  u8(n: number): Uint8Array {
    const at = this.at;
    this.at += n;
    return this.buffer === undefined ? new Uint8Array(n) : new Uint8Array(this.buffer, at, n);
  }

  i32(n: number): Int32Array {
    const at = (this.at + 3) & ~3;
    this.at = at + 4 * n;
    return this.buffer === undefined ? new Int32Array(n) : new Int32Array(this.buffer, at, n);
  }

  /** The whole buffer, as bytes. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer!);
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

  constructor(config: Config) {
    const shape = packedShape(config);
    const arena = StoreArena.sized(config, shape);
    super(config, shape, arena);
    this.arena = arena.bytes();
    this.savedArena = new Uint8Array(this.arena.length);
    this.savedTlb = new Int32Array(16 * (2 + this.pageStride));
    this.savedFaults = new Int32Array(1 + 8 * FAULT_WORDS);
    this.tlbTouched = new Int32Array(this.asidSpace);
    this.tlbMark = new Uint8Array(this.asidSpace);
    this.faultPool = Array.from({ length: this.nDev }, () => []);
    this.load = compileLoadKey(config, this);
    this.encode = compileEncode(config, this);
  }

  override tlbInsert(asid: number, page: number, frame: number): void {
    if (this.tlbMark[asid] === 0) { this.tlbMark[asid] = 1; this.tlbTouched[this.nTouched++] = asid; }
    super.tlbInsert(asid, page, frame);
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
    for (let i = 0; i < this.nTouched; i++) {
      const asid = this.tlbTouched[i]!;
      this.tlbMark[asid] = 0;
      if (this.tlbCount[asid] !== 0) { const arr = this.tlb[asid]!; for (let p = 0; p < arr.length; p++) arr[p] = -1; this.tlbCount[asid] = 0; }
    }
    this.nTouched = 0;
    if (this.atcExtra.size > 0) this.atcExtra.clear();
    // pop(), not `length = 0`: V8 inlines pop() and calls a builtin for the length setter
    for (let d = 0; d < this.nDev; d++) { const list = this.faults[d]!; while (list.length > 0) list.pop(); }
    const deferred = this.deferred;
    while (deferred.length > 0) deferred.pop();
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
  }

  /** Put back the state of the last snapshot(): afterwards every array and list is as it was then. */
  restore(): void {
    this.arena.set(this.savedArena);
    this.clearLists();
    const stride = this.pageStride, rowWords = 2 + stride;
    const t = this.savedTlb;
    for (let w = 0; w < this.savedTlbWords; w += rowWords) {
      const asid = t[w]!, row = this.tlb[asid]!;
      this.tlbMark[asid] = 1; this.tlbTouched[this.nTouched++] = asid;
      this.tlbCount[asid] = t[w + 1]!;
      for (let p = 0; p < stride; p++) row[p] = t[w + 2 + p]!;
    }
    if (this.savedExtra !== undefined) for (const [slot, byPage] of copyExtra(this.savedExtra)) this.atcExtra.set(slot, byPage);
    if (this.savedFaults[0] !== 0) loadFaults(this, this.savedFaults, 0);
    for (const r of this.savedDeferred) this.deferred.push(r);
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
