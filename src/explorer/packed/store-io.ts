// The packed engine's state: the adapter's Store (src/adapter/store.ts) made snapshot-able. A
// snapshot is the explorer's integer encoding (src/explorer/encode.ts layout, the same words the
// reducer engine queues), so both engines share keys, hashes and frontiers:
// - loadKey() resets a Store and fills it from an encoding, without building a State (compiled
//   for the configuration when the store is built: loadCode.ts);
// - encodeStore() writes the plain encoding of a Store, word for word what
//   encodeState(storeToState(st)) writes (test/packed.test.ts), without building a State.
// PackedStore records which TLB ASIDs were written so that a reset touches only those (the TLB is
// an array over the whole ASID space).
import type { Config } from '../../model/config.ts';
import { CD_PRESENT, Store, type FaultRec, type StoreShape } from '../../adapter/store.ts';
import { compileLoadKey, type CompiledLoad } from './loadCode.ts';
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

  constructor(config: Config) {
    super(config, packedShape(config));
    this.tlbTouched = new Int32Array(this.asidSpace);
    this.tlbMark = new Uint8Array(this.asidSpace);
    this.faultPool = Array.from({ length: this.nDev }, () => []);
    this.load = compileLoadKey(config, this);
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

let asidScratch = new Int32Array(256);

/** Append the plain encoding of the store's state: encodeState(storeToState(st)), word for word. */
export function encodeStore(st: PackedStore, out: IntBuf): void {
  const nDev = st.nDev, nMm = st.nMm, nDom = st.nDom, cap = st.pasidCap;
  out.ensure(64);
  for (let d = 0; d < nDev; d++) { out.push(st.steTranslate[d]!); out.push(st.steDomain[d]!); out.push(st.steS1stalld[d]! | (st.steEats[d]! << 1)); }
  for (let d = 0; d < nDom; d++) {
    out.push(st.domFreed[d]!); out.push(st.domPrivateAsid[d]!);
    const at = out.n; out.push(0);
    let n = 0;
    for (let ssid = 0; ssid < cap; ssid++) {
      const slot = d * cap + ssid, f = st.cdFlags[slot]!;
      if ((f & CD_PRESENT) === 0) continue;
      out.ensure(4); out.push(ssid); out.push(f >> 1); out.push(st.cdAsid[slot]!); out.push(st.cdTtb0[slot]!);
      n++;
    }
    out.a[at] = n;
  }
  let at = out.n; out.push(0);
  let n = 0;
  const asids = asidScratch.length >= st.asidSpace ? asidScratch : (asidScratch = new Int32Array(st.asidSpace));
  const nAsid = st.tlbAsidsWithEntries(asids);
  for (let j = 0; j < nAsid; j++) {
    const asid = asids[j]!;
    const arr = st.tlb[asid]!;
    for (let page = 0; page < arr.length; page++) if (arr[page]! >= 0) { out.ensure(3); out.push(asid); out.push(page); out.push(arr[page]!); n++; }
  }
  out.a[at] = n;
  at = out.n; out.push(0); n = 0;
  for (let dev = 0; dev < nDev; dev++) {
    for (let pasid = 0; pasid < cap; pasid++) {
      const slot = dev * cap + pasid;
      if (st.atcCount[slot] === 0) continue;
      const arr = st.atc[slot]!;
      const extra = st.atcExtra.size > 0 ? st.atcExtra.get(slot) : undefined;
      for (let page = 0; page < arr.length; page++) {
        if (arr[page]! < 0) continue;
        out.ensure(4); out.push(dev); out.push(pasid); out.push(page); out.push(arr[page]!); n++;
        const more = extra?.get(page);
        if (more) for (const frame of more) { out.ensure(4); out.push(dev); out.push(pasid); out.push(page); out.push(frame); n++; }
      }
    }
  }
  out.a[at] = n;
  at = out.n; out.push(0); n = 0;
  for (let dev = 0; dev < nDev; dev++) {
    const list = st.faults[dev]!;
    for (let k = 0; k < list.length; k++) {
      const f = list[k]!;
      out.ensure(5);
      out.push((f.via === 'pri' ? 1 : 0) | (f.write ? 2 : 0) | (f.afterRelease ? 4 : 0) | (f.status << 3));
      out.push(dev); out.push(f.group); out.push(f.pasid); out.push(f.page);
      n++;
    }
  }
  out.a[at] = n;
  let sva = 0;
  for (let d = 0; d < nDev; d++) if (st.svaEnabled[d]) sva |= 1 << d;
  out.push(sva);
  at = out.n; out.push(0); n = 0;
  for (let k = 0; k < nDev * nMm; k++) {
    if (!st.bondOn[k]) continue;
    out.ensure(3); out.push((k / nMm) | 0); out.push(k % nMm); out.push(st.bondRefs[k]! * 2 + st.bondAfterExit[k]!); n++;
  }
  out.a[at] = n;
  at = out.n; out.push(0); n = 0;
  for (let k = 0; k < st.mnOn.length; k++) {
    if (!st.mnOn[k]) continue;
    out.ensure(3); out.push((k / 2 / nMm) | 0); out.push(((k / 2) | 0) % nMm); out.push(st.mnRefs[k]! * 4 + st.mnCleared[k]! + 2 * (k & 1)); n++;
  }
  out.a[at] = n;
  const def = st.deferred;
  out.ensure(1 + 2 * def.length);
  out.push(def.length);
  for (let k = 0; k < def.length; k++) { const f = def[k]!; out.push(f.domain); out.push(f.mm * 2 + (f.inDomainOps ? 1 : 0)); }
  for (let m = 0; m < nMm; m++) {
    const pages = st.pages[m]!;
    out.ensure(4 + pages.length);
    out.push(st.mmAlive[m]!); out.push(st.mmPasid[m]!); out.push(st.mmPasidRefs[m]!); out.push(st.mmCtxDescRefs[m]!);
    for (let p = 0; p < pages.length; p++) out.push(pages[p]!);
  }
}
