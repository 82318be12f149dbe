// The symmetry-reduced key (src/explorer/symmetry.ts) computed straight from the adapter's Store:
// word for word what Canonicalizer.key(storeToState(st)) writes (test/packed.test.ts), without
// building a State. Same relabellings (symmetryOf), same process signatures and preselection,
// same packing of sort keys and the same frame and group renumbering; see symmetry.ts for why
// each relabelling is sound and for the field limits of the packed sort keys (KEY_LIMITS, checked
// here too when built: beyond them symmetryOf() turns symmetry off).
import type { Config } from '../../model/config.ts';
import { CD_PRESENT } from '../../adapter/store.ts';
import type { IntBuf } from '../encode.ts';
import { assertKeyLimits, symmetryOf, type SymmetryInfo } from '../symmetry.ts';
import { lexLessAt, P12, sortInts, sortKeys } from '../sortKey.ts';
import { encodeStore, type PackedStore } from './store-io.ts';

export class StoreCanonicalizer {
  readonly symmetry: SymmetryInfo;
  private readonly frameMap: Int32Array;
  private readonly asidMaps: Int32Array[];
  private readonly procs: Int32Array[];
  private readonly procInvs: Int32Array[];
  private readonly devs: Int32Array[];
  private readonly devInvs: Int32Array[];
  private readonly sigs: Int32Array;
  private readonly sigsRev: Int32Array;
  private readonly lastPage: number;
  private readonly pageRevs: Uint8Array;
  /** Some relabelling reverses pages: the reversed signatures are needed. */
  private readonly anyRev: boolean;
  private readonly candidates: Int32Array;
  private keys = new Float64Array(64);
  private ikeys = new Int32Array(64);
  private readonly tlbAsids: Int32Array;
  private fc = 0;

  constructor(readonly config: Config, enabled: boolean) {
    this.symmetry = symmetryOf(config, enabled);
    assertKeyLimits(config, this.symmetry);
    const rs = this.symmetry.relabellings;
    this.frameMap = new Int32Array(Math.max(1, config.frames));
    this.sigs = new Int32Array(config.processes.length);
    this.sigsRev = new Int32Array(config.processes.length);
    this.lastPage = (config.processes[0]?.pages ?? 1) - 1;
    this.pageRevs = Uint8Array.from(rs, (r) => (r.pageRev ? 1 : 0));
    this.anyRev = rs.some((r) => r.pageRev);
    this.candidates = new Int32Array(rs.length);
    this.asidMaps = rs.map((r) => {
      const m = new Int32Array(1 << 16);
      for (let i = 0; i < m.length; i++) m[i] = i;
      for (const [from, to] of r.asid) m[from] = to;
      return m;
    });
    this.procs = rs.map((r) => Int32Array.from(r.proc));
    this.procInvs = rs.map((r) => Int32Array.from(r.procInv));
    this.devs = rs.map((r) => Int32Array.from(r.dev));
    this.devInvs = rs.map((r) => Int32Array.from(r.devInv));
    this.tlbAsids = new Int32Array(1 << config.smmu.asidBits);
  }

  /** Append the key of the store's state to `out`. */
  key(st: PackedStore, out: IntBuf): void {
    if (!this.symmetry.enabled) { encodeStore(st, out); return; }
    const rs = this.symmetry.relabellings;
    if (rs.length === 1) { this.relabelled(st, 0, out); return; }
    const n = this.preselect(st), c = this.candidates;
    if (n === 1) { this.relabelled(st, c[0]!, out); return; }
    const start = out.n;
    this.relabelled(st, c[0]!, out);
    for (let j = 1; j < n; j++) {
      const first = out.n;
      this.relabelled(st, c[j]!, out);
      if (lexLessAt(out.a, first, out.n - first, out.a, start, first - start)) {
        out.a.copyWithin(start, first, out.n);
        out.n = start + (out.n - first);
      } else {
        out.n = first;
      }
    }
  }

  /**
   * sigs[i] and sigsRev[i] (when anyRev): symmetry.ts processSignature with the pages read forwards
   * and backwards, the same values, in one pass. Each step there is h -> h * m + x (mod 2^32), so
   * the steps after the pages (bonds, notifiers, frees) compose to one map h -> A * h + B, computed
   * once and applied to both page hashes.
   */
  private processSignatures(st: PackedStore, i: number): void {
    const nMm = st.nMm;
    const head = (st.mmAlive[i]! * 1_000_003 + st.mmPasid[i]! * 8191 + st.mmPasidRefs[i]! * 131 + st.mmCtxDescRefs[i]!) | 0;
    let A = 1, B = 0;
    for (let dev = 0; dev < st.nDev; dev++) {
      const k = dev * nMm + i;
      if (st.bondOn[k]) { A = Math.imul(A, 37); B = (Math.imul(B, 37) + dev * 64 + st.bondRefs[k]! * 2 + st.bondAfterExit[k]!) | 0; }
    }
    for (let domain = 0; domain < st.nDom; domain++) {
      for (let ae = 0; ae < 2; ae++) {
        const k = (domain * nMm + i) * 2 + ae;
        if (st.mnOn[k]) { A = Math.imul(A, 41); B = (Math.imul(B, 41) + domain * 64 + st.mnRefs[k]! * 4 + st.mnCleared[k]! + ae * 2) | 0; }
      }
    }
    const frees = st.deferred;
    for (let k = 0; k < frees.length; k++) {
      const f = frees[k]!;
      if (f.mm === i) { A = Math.imul(A, 43); B = (Math.imul(B, 43) + f.domain * 2 + (f.inDomainOps ? 1 : 0)) | 0; }
    }
    const pages = st.pages[i]!, n = pages.length;
    let h = head;
    for (let k = 0; k < n; k++) { const p = pages[k]!; h = (Math.imul(h, 31) + (p < -1 ? 1 : p < 0 ? 2 : 3)) | 0; }
    this.sigs[i] = (Math.imul(A, h) + B) | 0;
    if (!this.anyRev) return;
    h = head;
    for (let k = n - 1; k >= 0; k--) { const p = pages[k]!; h = (Math.imul(h, 31) + (p < -1 ? 1 : p < 0 ? 2 : 3)) | 0; }
    this.sigsRev[i] = (Math.imul(A, h) + B) | 0;
  }

  private preselect(st: PackedStore): number {
    const rs = this.procInvs;
    const sigs = this.sigs, sigsRev = this.sigsRev, revs = this.pageRevs, c = this.candidates;
    for (let i = 0; i < st.nMm; i++) this.processSignatures(st, i);
    let n = 0;
    for (let k = 0; k < rs.length; k++) {
      if (n === 0) { c[n++] = k; continue; }
      const inv = rs[k]!, best = rs[c[0]!]!;
      const sk = revs[k] ? sigsRev : sigs, sb = revs[c[0]!] ? sigsRev : sigs;
      let cmp = 0;
      for (let p = 0; p < inv.length && cmp === 0; p++) cmp = sk[inv[p]!]! - sb[best[p]!]!;
      if (cmp < 0) { n = 0; c[n++] = k; } else if (cmp === 0) c[n++] = k;
    }
    return n;
  }

  private frame(f: number): number {
    if (f < 0) return f;
    const fm = this.frameMap;
    if (fm[f]! < 0) fm[f] = this.fc++;
    return fm[f]!;
  }

  private keyBuf(n: number): Float64Array {
    if (n > this.keys.length) this.keys = new Float64Array(n * 2);
    return this.keys;
  }

  private intKeyBuf(n: number): Int32Array {
    if (n > this.ikeys.length) this.ikeys = new Int32Array(n * 2);
    return this.ikeys;
  }

  private relabelled(st: PackedStore, k: number, out: IntBuf): void {
    const am = this.asidMaps[k]!;
    const fm = this.frameMap;
    const proc = this.procs[k]!, dev = this.devs[k]!, procInv = this.procInvs[k]!, devInv = this.devInvs[k]!;
    const nMm = st.nMm, nDev = st.nDev, cap = st.pasidCap;
    // page p is written as rp - p * dp: itself, or lastPage - p when the relabelling reverses pages
    const rp = this.pageRevs[k] ? this.lastPage : 0, dp = this.pageRevs[k] ? 1 : -1;
    for (let f = 0; f < fm.length; f++) fm[f] = -1;
    this.fc = 0;
    for (let np = 0; np < procInv.length; np++) { const pages = st.pages[procInv[np]!]!; for (let i = 0; i < pages.length; i++) this.frame(pages[rp - i * dp]!); }
    // the TLB's ASIDs, the ATC's entries and the faults counted first for the capacity bound
    const nAsid = st.tlbAsidsWithEntries(this.tlbAsids);
    let nTlb = 0;
    for (let j = 0; j < nAsid; j++) nTlb += st.tlbCount[this.tlbAsids[j]!]!;
    let nAtc = 0;
    for (let slot = 0; slot < st.atcCount.length; slot++) nAtc += st.atcCount[slot]!;
    let nFaults = 0;
    for (let d = 0; d < nDev; d++) nFaults += st.faults[d]!.length;
    out.ensure(3 * nDev + 8 + st.nDom * (3 + 4 * cap) + 3 * nTlb + 4 * nAtc + 5 * nFaults + 3 * nDev * nMm + 3 * st.mnOn.length + 2 * st.deferred.length + nMm * (4 + st.pageStride));
    const a = out.a;
    let o = out.n;
    for (let nd = 0; nd < devInv.length; nd++) {
      const d = devInv[nd]!;
      a[o++] = st.steTranslate[d]!; a[o++] = st.steDomain[d]!; a[o++] = st.steS1stalld[d]! | (st.steEats[d]! << 1);
    }
    for (let di = 0; di < st.nDom; di++) {
      a[o++] = st.domFreed[di]!; a[o++] = st.domPrivateAsid[di]!;
      const at = o++;
      let n = 0;
      for (let ssid = 0; ssid < cap; ssid++) {
        const slot = di * cap + ssid, f = st.cdFlags[slot]!;
        if ((f & CD_PRESENT) === 0) continue;
        const ttb0 = st.cdTtb0[slot]!;
        a[o++] = ssid; a[o++] = f >> 1; a[o++] = am[st.cdAsid[slot]!]!; a[o++] = ttb0 >= 0 ? proc[ttb0]! : ttb0;
        n++;
      }
      a[at] = n;
    }
    // TLB
    let ik = this.intKeyBuf(nTlb);
    let n = 0;
    for (let j = 0; j < nAsid; j++) {
      const asid = this.tlbAsids[j]!, arr = st.tlb[asid]!, ra = am[asid]! << 12;
      for (let page = 0; page < arr.length; page++) { const f = arr[page]!; if (f >= 0) ik[n++] = ra | ((rp - page * dp) << 6) | f; }
    }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 12; a[o++] = (key >> 6) & 63; a[o++] = this.frame(key & 63); }
    // ATC
    let keys = this.keyBuf(nAtc);
    n = 0;
    for (let d = 0; d < nDev; d++) {
      for (let pasid = 0; pasid < cap; pasid++) {
        const slot = d * cap + pasid;
        if (st.atcCount[slot] === 0) continue;
        const arr = st.atc[slot]!, hi = ((dev[d]! << 20) | pasid) * P12;
        const extra = st.atcExtra.size > 0 ? st.atcExtra.get(slot) : undefined;
        for (let page = 0; page < arr.length; page++) {
          const f = arr[page]!;
          if (f < 0) continue;
          const rpage = (rp - page * dp) << 6;
          keys[n++] = hi + (rpage | f);
          const more = extra?.get(page);
          if (more) for (const g of more) keys[n++] = hi + (rpage | g);
        }
      }
    }
    sortKeys(keys, n);
    for (let i = 0; i < n; i++) { const key = keys[i]!, hi = Math.floor(key / P12), lo = key - hi * P12; keys[i] = hi * P12 + ((lo & ~63) | this.frame(lo & 63)); }
    sortKeys(keys, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!, hi = Math.floor(key / P12), lo = key - hi * P12;
      a[o++] = hi >> 20; a[o++] = hi & 0xfffff; a[o++] = lo >> 6; a[o++] = lo & 63;
    }
    // faults
    keys = this.keyBuf(nFaults);
    n = 0;
    for (let d = 0; d < nDev; d++) {
      const list = st.faults[d]!;
      for (let i = 0; i < list.length; i++) {
        const f = list[i]!;
        const flags = (f.via === 'pri' ? 1 : 0) | (f.write ? 2 : 0) | (f.afterRelease ? 4 : 0) | (f.status << 3);
        keys[n++] = ((dev[d]! << 20) | f.pasid) * P12 + (((rp - f.page * dp) << 6) | flags);
      }
    }
    sortKeys(keys, n);
    a[o++] = n;
    for (let i = 0, g = 0, prevDev = -1; i < n; i++) {
      const key = keys[i]!, hi = Math.floor(key / P12), lo = key - hi * P12, d = hi >> 20;
      if (d !== prevDev) { g = 0; prevDev = d; }
      a[o++] = lo & 63; a[o++] = d; a[o++] = g++; a[o++] = hi & 0xfffff; a[o++] = lo >> 6;
    }
    let sva = 0;
    for (let i = 0; i < nDev; i++) if (st.svaEnabled[i]) sva |= 1 << dev[i]!;
    a[o++] = sva;
    // bonds
    ik = this.intKeyBuf(nDev * nMm);
    n = 0;
    for (let b = 0; b < nDev * nMm; b++) {
      if (!st.bondOn[b]) continue;
      ik[n++] = (dev[(b / nMm) | 0]! << 16) | (proc[b % nMm]! << 10) | (st.bondRefs[b]! * 2 + st.bondAfterExit[b]!);
    }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 16; a[o++] = (key >> 10) & 63; a[o++] = key & 1023; }
    // notifiers
    ik = this.intKeyBuf(st.mnOn.length);
    n = 0;
    for (let kk = 0; kk < st.mnOn.length; kk++) {
      if (!st.mnOn[kk]) continue;
      const ae = kk & 1, domain = (kk / 2 / nMm) | 0, mm = ((kk / 2) | 0) % nMm;
      ik[n++] = (domain << 19) | (proc[mm]! << 13) | (ae << 12) | (st.mnRefs[kk]! * 4 + st.mnCleared[kk]! + 2 * ae);
    }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 19; a[o++] = (key >> 13) & 63; a[o++] = key & 4095; }
    // deferred frees
    const def = st.deferred;
    ik = this.intKeyBuf(def.length);
    n = def.length;
    for (let i = 0; i < n; i++) { const f = def[i]!; ik[i] = (f.domain << 8) | (proc[f.mm]! * 2 + (f.inDomainOps ? 1 : 0)); }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 8; a[o++] = key & 255; }
    for (let np = 0; np < procInv.length; np++) {
      const m = procInv[np]!;
      a[o++] = st.mmAlive[m]!; a[o++] = st.mmPasid[m]!; a[o++] = st.mmPasidRefs[m]!; a[o++] = st.mmCtxDescRefs[m]!;
      const pages = st.pages[m]!;
      for (let i = 0; i < pages.length; i++) { const p = pages[rp - i * dp]!; a[o++] = p < 0 ? p : fm[p]!; }
    }
    out.n = o;
  }
}
