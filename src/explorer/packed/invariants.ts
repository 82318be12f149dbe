// The state invariants of src/invariants/invariants.ts (checkInvariants) as a bit mask computed
// on the adapter's Store, for the packed engine: the same rules, without details (a reported
// violation's detail comes from the reducer's replay, verify.ts). The Store holds at most one
// bond per (device, process) and one notifier per (domain, process, afterExit), so
// handle-identity's state check (two bonds for one pair) cannot fire on it; notifier-unique fires
// when both notifiers of a (domain, process) pair exist. test/packed.test.ts compares the mask
// with checkInvariants on random reachable states.
import type { Config } from '../../model/config.ts';
import { CD_PRESENT, CD_V, F_SUCCESS, cdFlagsLegal } from '../../adapter/store.ts';
import { invariantBit } from '../expand.ts';
import type { PackedStore } from './store-io.ts';

const B = (n: string) => invariantBit.get(n)!;
const PASID_UNIQUE = B('pasid-unique'), PASID_RANGE = B('pasid-in-range'), MN_UNIQUE = B('notifier-unique');
const ASID = B('asid-exclusive'), CD_BOUND = B('cd-valid-while-bound'), TLB = B('no-stale-tlb'), ATC = B('no-stale-atc');
const REFCOUNT = B('refcount-sane'), LEAK = B('no-leak'), RELEASE = B('release-answers-invalid');

export class StoreInvariants {
  private readonly cpuAsid: Int32Array;
  private readonly ssidMax: Int32Array;
  /** The process of each CPU ASID (the first with it), -1 for none. */
  private readonly mmOfAsid: Int32Array;
  private readonly asids: Int32Array;
  private readonly claim: Int32Array;
  private readonly stall: Config['smmu']['stallModel'];

  constructor(config: Config) {
    this.cpuAsid = Int32Array.from(config.processes.map((p) => p.cpuAsid));
    this.ssidMax = Int32Array.from(config.devices.map((d) => (1 << d.ssidBits) - 1));
    this.mmOfAsid = new Int32Array(1 << 16).fill(-1);
    for (let m = config.processes.length - 1; m >= 0; m--) this.mmOfAsid[config.processes[m]!.cpuAsid] = m;
    this.asids = new Int32Array(1 << config.smmu.asidBits);
    this.claim = new Int32Array(1 << 16).fill(-1);
    this.stall = config.smmu.stallModel;
    this.taken = new Int32Array(config.domains.length + config.processes.length);
  }

  private readonly taken: Int32Array;
  private nTaken = 0;

  /** claimAsid of invariants.ts: true when another context already holds `asid`. */
  private take(asid: number, who: number): boolean {
    const prev = this.claim[asid]!;
    if (prev < 0) this.taken[this.nTaken++] = asid;
    this.claim[asid] = who;
    return prev >= 0 && prev !== who;
  }

  mask(st: PackedStore): number {
    const nDev = st.nDev, nMm = st.nMm, nDom = st.nDom, cap = st.pasidCap;
    let v = 0;
    // pasid-unique
    for (let i = 0; i < nMm; i++) {
      const p = st.mmPasid[i]!;
      if (p === 0) continue;
      for (let j = 0; j < i; j++) if (st.mmPasid[j] === p) v |= PASID_UNIQUE;
    }
    let nBonds = 0;
    for (let dev = 0; dev < nDev; dev++) {
      for (let mm = 0; mm < nMm; mm++) {
        const bk = dev * nMm + mm;
        if (!st.bondOn[bk]) continue;
        nBonds++;
        const pasid = st.mmPasid[mm]!;
        if (pasid === 0) v |= PASID_UNIQUE;
        if (pasid < 1 || pasid > this.ssidMax[dev]!) v |= PASID_RANGE;
        if (st.bondRefs[bk]! < 1) v |= REFCOUNT;
        // cd-valid-while-bound
        if (st.steTranslate[dev] === 1) {
          const slot = pasid >= 0 && pasid < cap ? st.steDomain[dev]! * cap + pasid : -1;
          const f = slot >= 0 ? st.cdFlags[slot]! : 0;
          if ((f & CD_PRESENT) === 0 || (f & CD_V) === 0) v |= CD_BOUND;
          else if (!cdFlagsLegal(this.stall, f, st.steS1stalld[dev] === 1)) v |= CD_BOUND;
        }
      }
    }
    // notifier-unique; refcount-sane of notifiers
    let nNotifiers = 0;
    for (let k = 0; k < st.mnOn.length; k++) {
      if (!st.mnOn[k]) continue;
      nNotifiers++;
      if ((k & 1) === 1 && st.mnOn[k - 1]) v |= MN_UNIQUE;
      const ae = k & 1, domain = (k / 2 / nMm) | 0, mm = ((k / 2) | 0) % nMm;
      let holders = 0;
      for (let dev = 0; dev < nDev; dev++) {
        const bk = dev * nMm + mm;
        if (st.bondOn[bk] && st.bondAfterExit[bk] === ae && st.steDomain[dev] === domain) holders++;
      }
      if (st.mnRefs[k] !== holders) v |= REFCOUNT;
    }
    for (let mm = 0; mm < nMm; mm++) {
      let bonds = 0;
      for (let dev = 0; dev < nDev; dev++) bonds += st.bondOn[dev * nMm + mm]!;
      if (st.mmPasidRefs[mm] !== bonds) v |= REFCOUNT;
      let holders = 0;
      for (let domain = 0; domain < nDom; domain++) holders += st.mnOn[(domain * nMm + mm) * 2]! + st.mnOn[(domain * nMm + mm) * 2 + 1]!;
      for (const f of st.deferred) if (f.mm === mm && f.inDomainOps) holders++;
      if (st.mmCtxDescRefs[mm] !== holders) v |= REFCOUNT;
    }
    // asid-exclusive: claims by private contexts (owner id = domain) and processes (nDom + i)
    const claim = this.claim;
    let bad = false;
    for (let d = 0; d < nDom; d++) if (!st.domFreed[d] && st.domPrivateAsid[d]! > 0) bad = this.take(st.domPrivateAsid[d]!, d) || bad;
    for (let mm = 0; mm < nMm; mm++) if (st.mmCtxDescRefs[mm]! > 0) bad = this.take(this.cpuAsid[mm]!, nDom + mm) || bad;
    for (let k = 0; k < this.nTaken; k++) claim[this.taken[k]!] = -1;
    this.nTaken = 0;
    if (bad) v |= ASID;
    for (let d = 0; d < nDom; d++) {
      for (let ssid = 0; ssid < cap; ssid++) {
        const slot = d * cap + ssid, f = st.cdFlags[slot]!;
        if ((f & CD_PRESENT) === 0 || (f & CD_V) === 0) continue;
        const ttb0 = st.cdTtb0[slot]!;
        const expected = ttb0 < 0 ? st.domPrivateAsid[d]! : this.cpuAsid[ttb0]!;
        if (st.cdAsid[slot] !== expected) v |= ASID;
      }
    }
    // no-stale-tlb
    const nAsid = st.tlbAsidsWithEntries(this.asids);
    for (let j = 0; j < nAsid; j++) {
      const asid = this.asids[j]!, arr = st.tlb[asid]!, mm = this.mmOfAsid[asid]!;
      for (let page = 0; page < arr.length; page++) {
        const f = arr[page]!;
        if (f < 0) continue;
        if (mm < 0 || !st.mmAlive[mm] || page >= st.pages[mm]!.length || st.pages[mm]![page] !== f) v |= TLB;
      }
    }
    // no-stale-atc
    for (let dev = 0; dev < nDev; dev++) {
      for (let pasid = 0; pasid < cap; pasid++) {
        const slot = dev * cap + pasid;
        if (st.atcCount[slot] === 0) continue;
        const arr = st.atc[slot]!, mm = st.mmOfPasid(pasid);
        const extra = st.atcExtra.size > 0 ? st.atcExtra.get(slot) : undefined;
        for (let page = 0; page < arr.length; page++) {
          const f = arr[page]!;
          if (f < 0) continue;
          const ok = mm >= 0 && st.mmAlive[mm] === 1 && page < st.pages[mm]!.length;
          if (!ok || st.pages[mm]![page] !== f) v |= ATC;
          const more = extra?.get(page);
          if (more) for (const g of more) if (!ok || st.pages[mm]![page] !== g) v |= ATC;
        }
      }
    }
    // no-leak
    let nFaults = 0;
    for (let dev = 0; dev < nDev; dev++) {
      const list = st.faults[dev]!;
      nFaults += list.length;
      for (let i = 0; i < list.length; i++) if (list[i]!.afterRelease && list[i]!.status === F_SUCCESS) v |= RELEASE;
    }
    for (let f = 0; f < st.nFrames; f++) if (st.frameMaps[f]! > 1) v |= LEAK;
    if (nBonds === 0 && st.deferred.length === 0) {
      if (nNotifiers > 0 || nFaults > 0) v |= LEAK;
      for (let mm = 0; mm < nMm; mm++) if (st.mmPasid[mm] !== 0 || st.mmPasidRefs[mm] !== 0 || st.mmCtxDescRefs[mm] !== 0) v |= LEAK;
      for (let d = 0; d < nDom; d++) for (let ssid = 1; ssid < cap; ssid++) if (st.cdFlags[d * cap + ssid]! & CD_PRESENT) v |= LEAK;
    }
    return v;
  }
}
