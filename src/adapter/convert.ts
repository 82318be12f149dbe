// Conversion between the reducer's immutable State and the adapter's Store, both ways, so a run
// can be checked against the invariants at any point (toState) and a test vector's start state
// (or any reducer state) can be loaded (fromState). toState produces the canonical orders of
// src/model/state.ts, so canonicalState(toState(x)) is comparable byte for byte.
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../model/config.ts';
import { initialState } from '../machine/initial.ts';
import type { Model } from '../model/model.ts';
import type {
  AtcEntry, Bond, CdSlot, DeferredFree, DomainState, Mm, Notifier, PendingFault, State, TlbEntry,
} from '../model/state.ts';
import { Engine, type ObservationMode } from './engine.ts';
import type { Observation } from '../model/observation.ts';
import {
  CD_A, CD_ASET, CD_EPD0, CD_PRESENT, CD_R, CD_S, CD_V, F_INVALID, F_PENDING, F_SUCCESS, Store, type FaultRec,
} from './store.ts';

const statusCode = { pending: F_PENDING, success: F_SUCCESS, invalid: F_INVALID } as const;
const statusName = ['pending', 'success', 'invalid'] as const;

/** The layout a state needs: PASIDs below pasidCap, pages below pageStride. */
function shapeOf(config: Config, s: State): { pasidCap: number; pageStride: number } {
  let maxPasid = config.processes.length;
  for (const m of s.mms) maxPasid = Math.max(maxPasid, m.pasid);
  for (const d of s.domains) for (const c of d.cds) maxPasid = Math.max(maxPasid, c.ssid);
  for (const e of s.atc) maxPasid = Math.max(maxPasid, e.pasid);
  for (const f of s.faults) maxPasid = Math.max(maxPasid, f.pasid);
  let pageStride = 1;
  for (const p of config.processes) pageStride = Math.max(pageStride, p.pages);
  for (const m of s.mms) pageStride = Math.max(pageStride, m.pages.length);
  return { pasidCap: maxPasid + 1, pageStride };
}

const natural = (v: number) => Number.isInteger(v) && v >= 0;

/** Load a reducer State into a fresh Store; Left names what the adapter cannot represent. */
export function storeFromState(config: Config, s: State): E.Either<string, Store> {
  const nDev = config.devices.length, nMm = config.processes.length, nDom = config.domains.length;
  if (s.ste.length !== nDev || s.svaEnabled.length !== nDev) return E.left(`state has ${s.ste.length} STEs for ${nDev} devices`);
  if (s.mms.length !== nMm) return E.left(`state has ${s.mms.length} mms for ${nMm} processes`);
  if (s.domains.length !== nDom) return E.left(`state has ${s.domains.length} domains for ${nDom} configured`);
  const st = new Store(config, shapeOf(config, s));
  s.ste.forEach((e, d) => {
    st.steTranslate[d] = e.config === 'translate' ? 1 : 0;
    st.steDomain[d] = e.domain;
    st.steS1stalld[d] = e.s1stalld ? 1 : 0;
    st.steEats[d] = e.eats ? 1 : 0;
    st.svaEnabled[d] = s.svaEnabled[d] ? 1 : 0;
  });
  for (let d = 0; d < nDom; d++) {
    const dom = s.domains[d]!;
    st.domFreed[d] = dom.freed ? 1 : 0;
    st.domPrivateAsid[d] = dom.privateAsid;
    for (const { ssid, cd } of dom.cds) {
      if (!natural(ssid)) return E.left(`domain ${d}: bad SSID ${ssid}`);
      const slot = d * st.pasidCap + ssid;
      if (st.cdFlags[slot]) return E.left(`domain ${d}: two CDs at SSID ${ssid}`);
      st.cdFlags[slot] = CD_PRESENT | (cd.v ? CD_V : 0) | (cd.epd0 ? CD_EPD0 : 0) | (cd.r ? CD_R : 0) | (cd.s ? CD_S : 0) | (cd.a ? CD_A : 0) | (cd.aset ? CD_ASET : 0);
      st.cdAsid[slot] = cd.asid;
      st.cdTtb0[slot] = cd.ttb0;
    }
  }
  for (const e of s.tlb) {
    if (!natural(e.asid) || e.asid >= st.asidSpace || !natural(e.page) || e.page >= st.pageStride || !natural(e.frame)) return E.left(`TLB entry out of range: ${JSON.stringify(e)}`);
    if ((st.tlb[e.asid]?.[e.page] ?? -1) >= 0) return E.left(`two TLB entries for ASID ${e.asid} page ${e.page}`);
    st.tlbInsert(e.asid, e.page, e.frame);
  }
  for (const e of s.atc) {
    if (!isDev(e.dev, nDev) || !natural(e.pasid) || !natural(e.page) || e.page >= st.pageStride || !natural(e.frame)) return E.left(`ATC entry out of range: ${JSON.stringify(e)}`);
    st.atcInsert(e.dev, e.pasid, e.page, e.frame);
  }
  for (const f of s.faults) {
    if (!isDev(f.dev, nDev)) return E.left(`fault of unknown device ${f.dev}`);
    const rec: FaultRec = { via: f.via, group: f.group, pasid: f.pasid, page: f.page, write: f.write, afterRelease: f.afterRelease, status: statusCode[f.status] };
    const list = st.faults[f.dev]!;
    let i = 0;
    while (i < list.length && list[i]!.group <= f.group) i++;
    list.splice(i, 0, rec);
  }
  for (const b of s.bonds) {
    if (!isDev(b.dev, nDev) || !isDev(b.mm, nMm)) return E.left(`bond out of range: ${JSON.stringify(b)}`);
    const k = b.dev * nMm + b.mm;
    if (st.bondOn[k]) return E.left(`two bonds for device ${b.dev} and process ${b.mm}`);
    st.bondOn[k] = 1; st.bondRefs[k] = b.refs; st.bondAfterExit[k] = b.afterExit ? 1 : 0;
    st.bondsOfDev[b.dev]!++;
  }
  for (const n of s.notifiers) {
    if (!isDev(n.domain, nDom) || !isDev(n.mm, nMm)) return E.left(`notifier out of range: ${JSON.stringify(n)}`);
    const k = ((n.domain * nMm) + n.mm) * 2 + (n.afterExit ? 1 : 0);
    if (st.mnOn[k]) return E.left(`two notifiers for domain ${n.domain}, process ${n.mm}, afterExit ${n.afterExit}`);
    if (!Number.isInteger(n.mmListPos) || n.mmListPos < 0 || n.mmListPos >= nDom * 2) return E.left(`notifier list position out of range: ${JSON.stringify(n)}`);
    st.mnOn[k] = 1; st.mnRefs[k] = n.refs; st.mnCleared[k] = n.cleared ? 1 : 0; st.mnListPos[k] = n.mmListPos;
  }
  for (const f of s.deferredFrees) st.deferred.push({ domain: f.domain, mm: f.mm, inDomainOps: f.inDomainOps });
  for (let m = 0; m < nMm; m++) {
    const mm = s.mms[m]!;
    st.mmAlive[m] = mm.alive ? 1 : 0;
    st.setPasid(m, mm.pasid);
    st.mmPasidRefs[m] = mm.pasidRefs;
    st.mmCtxDescRefs[m] = mm.ctxDescRefs;
    if (mm.pages.length !== st.pages[m]!.length) return E.left(`process ${m} has ${mm.pages.length} pages, configured ${st.pages[m]!.length}`);
    for (let p = 0; p < mm.pages.length; p++) {
      const f = mm.pages[p]!;
      if (f >= config.frames || !Number.isInteger(f) || f < -2) return E.left(`process ${m} page ${p} maps bad frame ${f}`);
      st.pages[m]![p] = f;
      if (f >= 0) st.mapFrame(f);
    }
  }
  st.resetFreeHint();
  return E.right(st);
}

function isDev(v: number, n: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < n;
}

/** The reducer State equal to the store's contents, in canonical order. */
export function storeToState(st: Store): State {
  const ste = Array.from({ length: st.nDev }, (_, d) => ({
    config: st.steTranslate[d] ? ('translate' as const) : ('abort' as const),
    domain: st.steDomain[d]!,
    s1stalld: st.steS1stalld[d] === 1,
    eats: st.steEats[d] === 1,
  }));
  const domains: DomainState[] = [];
  for (let d = 0; d < st.nDom; d++) {
    const cds: CdSlot[] = [];
    for (let ssid = 0; ssid < st.pasidCap; ssid++) {
      const slot = d * st.pasidCap + ssid;
      const f = st.cdFlags[slot]!;
      if (!(f & CD_PRESENT)) continue;
      cds.push({ ssid, cd: { v: (f & CD_V) !== 0, epd0: (f & CD_EPD0) !== 0, r: (f & CD_R) !== 0, s: (f & CD_S) !== 0, a: (f & CD_A) !== 0, aset: (f & CD_ASET) !== 0, asid: st.cdAsid[slot]!, ttb0: st.cdTtb0[slot]! } });
    }
    domains.push({ freed: st.domFreed[d] === 1, privateAsid: st.domPrivateAsid[d]!, cds });
  }
  const tlb: TlbEntry[] = [];
  for (let asid = 0; asid < st.asidSpace; asid++) {
    if (st.tlbCount[asid] === 0) continue;
    const arr = st.tlb[asid]!;
    for (let page = 0; page < arr.length; page++) if (arr[page]! >= 0) tlb.push({ asid, page, frame: arr[page]! });
  }
  const atc: AtcEntry[] = [];
  for (let dev = 0; dev < st.nDev; dev++) {
    for (let pasid = 0; pasid < st.pasidCap; pasid++) {
      const slot = dev * st.pasidCap + pasid;
      if (st.atcCount[slot] === 0) continue;
      const arr = st.atc[slot]!;
      const extra = st.atcExtra.get(slot);
      for (let page = 0; page < arr.length; page++) {
        if (arr[page]! < 0) continue;
        atc.push({ dev, pasid, page, frame: arr[page]! });
        for (const frame of extra?.get(page) ?? []) atc.push({ dev, pasid, page, frame });
      }
    }
  }
  const faults: PendingFault[] = [];
  st.faults.forEach((list, dev) => {
    for (const f of list) faults.push({ via: f.via, dev, group: f.group, pasid: f.pasid, page: f.page, write: f.write, afterRelease: f.afterRelease, status: statusName[f.status]! });
  });
  const bonds: Bond[] = [];
  for (let dev = 0; dev < st.nDev; dev++) {
    for (let mm = 0; mm < st.nMm; mm++) {
      const k = dev * st.nMm + mm;
      if (st.bondOn[k]) bonds.push({ dev, mm, refs: st.bondRefs[k]!, afterExit: st.bondAfterExit[k] === 1 });
    }
  }
  const notifiers: Notifier[] = [];
  for (let k = 0; k < st.mnOn.length; k++) {
    if (!st.mnOn[k]) continue;
    notifiers.push({ domain: Math.floor(k / 2 / st.nMm), mm: Math.floor(k / 2) % st.nMm, refs: st.mnRefs[k]!, cleared: st.mnCleared[k] === 1, afterExit: k % 2 === 1, mmListPos: st.mnListPos[k]! });
  }
  const deferredFrees: DeferredFree[] = st.deferred.map((f) => ({ domain: f.domain, mm: f.mm, inDomainOps: f.inDomainOps }));
  const mms: Mm[] = [];
  for (let m = 0; m < st.nMm; m++) {
    mms.push({ alive: st.mmAlive[m] === 1, pasid: st.mmPasid[m]!, pasidRefs: st.mmPasidRefs[m]!, ctxDescRefs: st.mmCtxDescRefs[m]!, pages: Array.from(st.pages[m]!) });
  }
  return { ste, domains, tlb, atc, faults, svaEnabled: Array.from(st.svaEnabled, (v) => v === 1), bonds, notifiers, deferredFrees, mms };
}

/** An adapter engine started from any reducer state. */
export function fromState(model: Model, s: State, mode: ObservationMode = 'collect', sink?: (o: Observation) => void): E.Either<string, Engine> {
  const st = storeFromState(model.config, s);
  return E.isLeft(st) ? st : E.right(new Engine(model, st.right, mode, sink));
}

/** An adapter engine at initialState(config). */
export function initialEngine(model: Model, mode: ObservationMode = 'collect', sink?: (o: Observation) => void): Engine {
  const r = fromState(model, initialState(model.config), mode, sink);
  if (E.isLeft(r)) throw new Error(`adapter: cannot load the initial state: ${r.left}`);
  return r.right;
}

/** The engine's state as a reducer State. */
export function toState(engine: Engine): State {
  return storeToState(engine.st);
}
