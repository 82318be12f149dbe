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
import type { Config } from '../../model/config.ts';
import { Store, type FaultRec, type StoreShape } from '../../adapter/store.ts';
import { compileLoadKey, type CompiledLoad } from './loadCode.ts';
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

  constructor(config: Config) {
    super(config, packedShape(config));
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
}

/** Reset `st` and load the state encoded at a[start...] (encode.ts layout). Returns the end. */
export function loadKey(st: PackedStore, a: Int32Array, start: number): number {
  return st.load(st, a, start);
}

/** Append the plain key of the store's state: encodeState(storeToState(st), out, false), word for word (compiled: encodeCode.ts). */
export function encodeStore(st: PackedStore, out: IntBuf): void {
  st.encode(st, out);
}
