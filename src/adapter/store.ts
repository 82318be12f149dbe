// The adapter's mutable state: the reducer's State (src/model/state.ts) laid out for speed.
// Every collection is a typed array indexed by an integer-packed key, so the DMA hit paths
// read a handful of array slots and allocate nothing. Conversion to and from State lives in
// convert.ts; the encoding of each field is documented next to it.
import type { Config } from '../model/config.ts';
import { PTE_NOT_IN_VMA } from '../model/state.ts';
import { cdStallBit } from '../hardware/cd.ts';
import { insertAt, removeAt } from './lists.ts';

/** CD flag bits (cdFlags): PRESENT marks an occupied CD slot; the rest mirror Cd's booleans. */
export const CD_PRESENT = 1;
export const CD_V = 2;
export const CD_EPD0 = 4;
export const CD_R = 8;
export const CD_S = 16;
export const CD_A = 32;
export const CD_ASET = 64;

/** HW-CD-LEGAL cdLegal() (src/hardware/cd.ts) on the CD flag bits and the locating STE's S1STALLD. */
export function cdFlagsLegal(stallModel: Config['smmu']['stallModel'], flags: number, steS1stalld: boolean): boolean {
  if (stallModel === 'forced') return (flags & CD_S) !== 0;
  if (stallModel === 'none') return (flags & CD_S) === 0;
  return (flags & CD_S) === 0 || !steS1stalld;
}

/** Fault status codes (PendingFault.status). */
export const F_PENDING = 0;
export const F_SUCCESS = 1;
export const F_INVALID = 2;

/** A pending fault; mutable, kept per device in a list sorted by group. */
export interface FaultRec {
  via: 'stall' | 'pri';
  group: number;
  pasid: number;
  page: number;
  write: boolean;
  afterRelease: boolean;
  status: number;
}

export interface DeferredRec {
  readonly domain: number;
  readonly mm: number;
  readonly inDomainOps: boolean;
}

/** Sizes the store is laid out for; `pasidCap` bounds PASID / SSID values, `pageStride` page numbers. */
export interface StoreShape {
  readonly pasidCap: number;
  readonly pageStride: number;
}

/**
 * Where a Store's fixed-size arrays live. The default gives each its own buffer; the packed
 * explorer's StoreArena (src/explorer/packed/store-io.ts) puts them all in one, so that a state
 * is saved and put back with one copy. `eager`: the ATC rows are made up front (in the same
 * place) rather than on the first insert. The per-ASID TLB arrays and tlbCount stay outside
 * (the ASID space can be large): they are always fresh arrays.
 */
export interface StoreAlloc {
  readonly eager: boolean;
  /** `derived`: the array holds a function of the others (or a constant), or what the explorer's key leaves out. */
  u8(n: number, derived?: boolean): Uint8Array;
  i32(n: number, derived?: boolean): Int32Array;
}

const freshArrays: StoreAlloc = { eager: false, u8: (n) => new Uint8Array(n), i32: (n) => new Int32Array(n) };

export class Store {
  readonly nDev: number;
  readonly nMm: number;
  readonly nDom: number;
  readonly nFrames: number;
  /** PASIDs and SSIDs live in [0, pasidCap). Reachable states use at most nMm PASIDs (lowest free). */
  readonly pasidCap: number;
  /** Page numbers live in [0, pageStride): the largest process. */
  readonly pageStride: number;
  readonly asidSpace: number;

  // ---- hardware: STE per device
  readonly steTranslate: Uint8Array;
  readonly steDomain: Int32Array;
  readonly steS1stalld: Uint8Array;
  readonly steEats: Uint8Array;
  // ---- domains and their CD tables, slot = domain * pasidCap + ssid
  readonly domFreed: Uint8Array;
  readonly domPrivateAsid: Int32Array;
  /** Precomputed cdStallBit(config, domain). */
  readonly domStallBit: Uint8Array;
  readonly cdFlags: Uint8Array;
  readonly cdAsid: Int32Array;
  readonly cdTtb0: Int32Array;
  // ---- SMMU TLB: per ASID a page -> frame array (-1 = no entry), lazily allocated
  readonly tlb: (Int32Array | undefined)[];
  readonly tlbCount: Int32Array;
  // ---- ATC: per (dev, pasid) slot = dev * pasidCap + pasid, a page -> frame array (-1 = none).
  // A standalone ATS Translation Request on a cached page adds a second entry with the same key
  // (the reducer keeps both); later entries go to atcExtra, keyed by slot, then page.
  readonly atc: (Int32Array | undefined)[];
  readonly atcCount: Int32Array;
  readonly atcExtra: Map<number, Map<number, number[]>>;
  // ---- pending faults per device, sorted by group
  readonly faults: FaultRec[][];
  // ---- driver
  readonly svaEnabled: Uint8Array;
  /** bond key = dev * nMm + mm */
  readonly bondOn: Uint8Array;
  readonly bondRefs: Int32Array;
  readonly bondAfterExit: Uint8Array;
  readonly bondsOfDev: Int32Array;
  /** notifier key = ((domain * nMm) + mm) * 2 + afterExit */
  readonly mnOn: Uint8Array;
  readonly mnRefs: Int32Array;
  readonly mnCleared: Uint8Array;
  /** Position in the mm's notifier list, 0 = the head (DRV-MN-ORDER, Notifier.mmListPos). */
  readonly mnListPos: Uint8Array;
  /** Sorted by (domain, mm), insertion order among equal keys. */
  readonly deferred: DeferredRec[];
  // ---- process memory
  readonly mmAlive: Uint8Array;
  readonly mmPasid: Int32Array;
  readonly mmPasidRefs: Int32Array;
  readonly mmCtxDescRefs: Int32Array;
  readonly pages: Int32Array[];
  /** Lowest mm index whose mm->pasid is p, or -1; pasidHolders[p] counts them. */
  readonly pasidToMm: Int32Array;
  readonly pasidHolders: Int32Array;
  /** Number of page-table entries mapping each frame (free when 0). */
  readonly frameMaps: Int32Array;
  freeFrameCount: number;
  /** No frame below this index is free (a search hint for lowestFreeFrame). */
  private freeHint = 0;

  constructor(config: Config, shape: StoreShape, alloc: StoreAlloc = freshArrays) {
    const nDev = config.devices.length, nMm = config.processes.length, nDom = config.domains.length;
    this.nDev = nDev; this.nMm = nMm; this.nDom = nDom; this.nFrames = config.frames;
    this.pasidCap = shape.pasidCap; this.pageStride = shape.pageStride;
    this.asidSpace = 1 << config.smmu.asidBits;
    this.steTranslate = alloc.u8(nDev);
    this.steDomain = alloc.i32(nDev);
    this.steS1stalld = alloc.u8(nDev);
    this.steEats = alloc.u8(nDev);
    this.domFreed = alloc.u8(nDom);
    this.domPrivateAsid = alloc.i32(nDom);
    this.domStallBit = alloc.u8(nDom, true);
    for (let d = 0; d < nDom; d++) this.domStallBit[d] = cdStallBit(config, d) ? 1 : 0;
    this.cdFlags = alloc.u8(nDom * this.pasidCap);
    this.cdAsid = alloc.i32(nDom * this.pasidCap);
    this.cdTtb0 = alloc.i32(nDom * this.pasidCap);
    this.tlb = new Array<Int32Array | undefined>(this.asidSpace).fill(undefined);
    this.tlbCount = new Int32Array(this.asidSpace);
    this.atc = new Array<Int32Array | undefined>(nDev * this.pasidCap).fill(undefined);
    if (alloc.eager) for (let slot = 0; slot < this.atc.length; slot++) this.atc[slot] = alloc.i32(this.pageStride).fill(-1);
    this.atcCount = alloc.i32(nDev * this.pasidCap);
    this.atcExtra = new Map();
    this.faults = Array.from({ length: nDev }, () => []);
    this.svaEnabled = alloc.u8(nDev);
    this.bondOn = alloc.u8(nDev * nMm);
    this.bondRefs = alloc.i32(nDev * nMm);
    this.bondAfterExit = alloc.u8(nDev * nMm);
    this.bondsOfDev = alloc.i32(nDev, true);
    this.mnOn = alloc.u8(nDom * nMm * 2);
    this.mnRefs = alloc.i32(nDom * nMm * 2);
    this.mnCleared = alloc.u8(nDom * nMm * 2);
    this.mnListPos = alloc.u8(nDom * nMm * 2, true);
    this.deferred = [];
    this.mmAlive = alloc.u8(nMm);
    this.mmPasid = alloc.i32(nMm);
    this.mmPasidRefs = alloc.i32(nMm);
    this.mmCtxDescRefs = alloc.i32(nMm);
    this.pages = config.processes.map((p) => alloc.i32(p.pages).fill(PTE_NOT_IN_VMA));
    this.pasidToMm = alloc.i32(this.pasidCap, true).fill(-1);
    this.pasidHolders = alloc.i32(this.pasidCap, true);
    this.frameMaps = alloc.i32(config.frames, true);
    this.freeFrameCount = config.frames;
  }

  // ------------------------------------------------------------ PASID ownership

  /** mm->pasid = pasid (0 clears it), keeping pasidToMm (lowest holder) up to date. */
  setPasid(mm: number, pasid: number): void {
    const old = this.mmPasid[mm]!;
    if (old === pasid) return;
    this.mmPasid[mm] = pasid;
    if (old !== 0) {
      this.pasidHolders[old]!--;
      if (this.pasidToMm[old] === mm) {
        let owner = -1;
        if (this.pasidHolders[old]! > 0) for (let m = 0; m < this.nMm; m++) if (this.mmPasid[m] === old) { owner = m; break; }
        this.pasidToMm[old] = owner;
      }
    }
    if (pasid !== 0) {
      this.pasidHolders[pasid]!++;
      const cur = this.pasidToMm[pasid]!;
      if (cur < 0 || mm < cur) this.pasidToMm[pasid] = mm;
    }
  }

  /** mmOfPasid: the mm whose mm->pasid is `pasid`, or -1 (any value accepted). */
  mmOfPasid(pasid: number): number {
    if ((pasid | 0) !== pasid || pasid <= 0 || pasid >= this.pasidCap) return -1;
    return this.pasidToMm[pasid]!;
  }

  // ------------------------------------------------------------ frames

  mapFrame(frame: number): void {
    if (this.frameMaps[frame]!++ === 0) this.freeFrameCount--;
  }

  unmapFrame(frame: number): void {
    if (--this.frameMaps[frame]! === 0) {
      this.freeFrameCount++;
      if (frame < this.freeHint) this.freeHint = frame;
    }
  }

  frameFree(frame: number): boolean {
    return this.frameMaps[frame] === 0;
  }

  /** The lowest free frame, or -1 (what a workload driver hands the page allocator). */
  lowestFreeFrame(): number {
    if (this.freeFrameCount === 0) return -1;
    let f = this.freeHint;
    while (f < this.nFrames && this.frameMaps[f] !== 0) f++;
    this.freeHint = f;
    return f < this.nFrames ? f : -1;
  }

  /** Reset the search hint after a bulk load. */
  resetFreeHint(): void {
    this.freeHint = 0;
  }

  // ------------------------------------------------------------ pending faults, deferred frees
  // Every change to these lists goes through the methods below (the packed explorer's PackedStore
  // notes which lists a step changed, so that it puts back only those).

  /** Insert `f` at position `at` of the device's pending faults (sorted by group). */
  faultInsert(dev: number, at: number, f: FaultRec): void {
    insertAt(this.faults[dev]!, at, f);
  }

  /** Set the status of `f`, one of the device's pending faults. */
  faultSetStatus(f: FaultRec, status: number): void {
    f.status = status;
  }

  /** Remove the device's pending fault at position `at`. */
  faultRemove(dev: number, at: number): void {
    removeAt(this.faults[dev]!, at);
  }

  /** Insert `r` at position `at` of the deferred frees. */
  deferredInsert(at: number, r: DeferredRec): void {
    insertAt(this.deferred, at, r);
  }

  /** Remove the deferred free at position `at`. */
  deferredRemove(at: number): void {
    removeAt(this.deferred, at);
  }

  // ------------------------------------------------------------ TLB

  tlbInsert(asid: number, page: number, frame: number): void {
    let arr = this.tlb[asid];
    if (arr === undefined) { arr = new Int32Array(this.pageStride).fill(-1); this.tlb[asid] = arr; }
    if (arr[page]! < 0) this.tlbCount[asid]!++;
    arr[page] = frame;
  }

  tlbDropAsid(asid: number): void {
    if (asid < 0 || asid >= this.asidSpace || this.tlbCount[asid] === 0) return;
    this.tlb[asid]!.fill(-1);
    this.tlbCount[asid] = 0;
  }

  tlbDropRange(asid: number, start: number, end: number): void {
    if (asid < 0 || asid >= this.asidSpace || this.tlbCount[asid] === 0) return;
    const arr = this.tlb[asid]!;
    const hi = Math.min(end, this.pageStride);
    for (let p = Math.max(start, 0); p < hi; p++) {
      if (arr[p]! >= 0) { arr[p] = -1; this.tlbCount[asid]!--; }
    }
  }

  // ------------------------------------------------------------ ATC

  atcInsert(dev: number, pasid: number, page: number, frame: number): void {
    const slot = dev * this.pasidCap + pasid;
    let arr = this.atc[slot];
    if (arr === undefined) { arr = new Int32Array(this.pageStride).fill(-1); this.atc[slot] = arr; }
    this.atcCount[slot]!++;
    if (arr[page]! < 0) { arr[page] = frame; return; }
    let bySlot = this.atcExtra.get(slot);
    if (!bySlot) { bySlot = new Map(); this.atcExtra.set(slot, bySlot); }
    const list = bySlot.get(page);
    if (list) list.push(frame); else bySlot.set(page, [frame]);
  }

  /** Drop the ATC entries of (dev, pasid) for pages [start, end); end < 0 drops the whole PASID. */
  atcDrop(dev: number, pasid: number, start: number, end: number): void {
    if (pasid < 0 || pasid >= this.pasidCap) return;
    const slot = dev * this.pasidCap + pasid;
    if (this.atcCount[slot] === 0) return;
    const arr = this.atc[slot]!;
    const extra = this.atcExtra.get(slot);
    if (end < 0) {
      arr.fill(-1);
      this.atcCount[slot] = 0;
      if (extra) this.atcExtra.delete(slot);
      return;
    }
    const hi = Math.min(end, this.pageStride);
    for (let p = Math.max(start, 0); p < hi; p++) {
      if (arr[p]! >= 0) {
        arr[p] = -1;
        this.atcCount[slot]!--;
        const list = extra?.get(p);
        if (list) { this.atcCount[slot]! -= list.length; extra!.delete(p); }
      }
    }
    if (extra && extra.size === 0) this.atcExtra.delete(slot);
  }

  /** Drop every ATC entry of `dev`, whatever its PASID (CMD_ATC_INV without SSV). */
  atcDropDevice(dev: number): void {
    for (let pasid = 0; pasid < this.pasidCap; pasid++) this.atcDrop(dev, pasid, 0, -1);
  }
}
