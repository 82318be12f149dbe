// Partial-order reduction (spec/explorer.md, "Partial-order reduction", EXP-POR-1 to EXP-POR-7):
// the ample set of a state is one enabled event, chosen below, or every enabled event. The
// expander computes the choice (its position in enabledEvents(), or -1) and applies the cycle
// proviso (EXP-POR-5): it keeps the ample edge only if the edge lowers the clean-up measure
// (cleanupMeasure, storeCleanupMeasure), and expands the node fully otherwise. The same choice is
// computed on the reducer's State (ampleOf) and on the packed engine's Store (ampleOnStore);
// test/por.test.ts checks both agree on random reachable states.
//
// EXP-POR-2: the candidates are three "clean-up" steps whose footprint is a single record that
// no other event writes, so each is independent of every other event that can happen before it
// (EXP-POR-3), changes no state-invariant verdict from violated to satisfied (EXP-POR-4), has no
// transition-invariant violation of its own, and never adds a pending fault (EXP-POR-6):
//
// - iopfRespond(dev, group) of a handled, pinned fault (below) that does not retry a transaction:
//   a PRI page response (any status), or a stall fault answered Invalid (CMD_RESUME abort); only
//   with symmetry reduction on, whose keys number fault groups by content. Excluded: a stall fault
//   answered Success (the retried transaction reads the CD, TLB and page table) and a fault
//   reported after release and answered Success (removing it repairs release-answers-invalid, and
//   its response violates the transition invariant).
// - iopfHandle(dev, group, -1) of a pending, pinned fault whose answer is Invalid for good: its
//   process m has exited or (without options.remap) the page is outside every VMA, which no event
//   undoes. Pinned: the PASID belongs to m with a bond (dev, m) that cannot go away while the
//   fault is pending (unbind waits for it) and a PASID reference count that cannot reach 0 before.
// - notifierFree(domain, mm) when the pending free holds no ctx desc reference (ctxDescPut
//   'notifierPut') and makes no callback through the domain (inDomainOps false): the upstream
//   lifecycle; and no disable_sva synchronises pending frees.
import type { Event } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import { PTE_NOT_IN_VMA, type State } from '../model/state.ts';
import type { Engine } from '../adapter/engine.ts';
import { F_PENDING, F_SUCCESS, F_INVALID, type Store } from '../adapter/store.ts';
import { mmOfPasid } from '../model/queries.ts';

/**
 * The first enabled event that may form an ample set on its own, or -1 (full expansion).
 * `groupsRelabelled`: state keys number fault groups by content (symmetry reduction on); only
 * then does an answered fault commute with a fault raised on the same device, whose lowest-free
 * group number it changes.
 */
export function ampleOf(m: Model, s: State, events: readonly Event[], groupsRelabelled: boolean): number {
  for (let k = 0; k < events.length; k++) {
    const e = events[k]!;
    if (e.kind === 'iopfRespond' || e.kind === 'iopfHandle') {
      if (e.kind === 'iopfHandle' && e.frame !== -1) continue;
      const f = s.faults.find((x) => x.dev === e.dev && x.group === e.group);
      if (!f) continue;
      const mm = mmOfPasid(s, f.pasid);
      if (mm < 0) continue;
      let bonded = false, otherBonds = 0;
      for (const b of s.bonds) {
        if (b.mm !== mm) continue;
        if (b.dev === e.dev) bonded = true; else otherBonds++;
      }
      const mmState = s.mms[mm]!;
      if (!pinned(bonded, mmState.pasidRefs - otherBonds)) continue;
      if (e.kind === 'iopfRespond') {
        if (groupsRelabelled && respondCandidate(f.via === 'pri', f.status === 'success', f.status === 'invalid', f.afterRelease)) return k;
      } else if (f.status === 'pending' && invalidForGood(m, mmState.alive, mmState.pages[f.page] ?? PTE_NOT_IN_VMA)) {
        return k;
      }
    } else if (e.kind === 'notifierFree') {
      const f = s.deferredFrees.find((x) => x.domain === e.domain && x.mm === e.mm);
      if (f && freeCandidate(m, f.inDomainOps)) return k;
    }
  }
  return -1;
}

/** ampleOf on the packed engine's Store (the engine's traits and options): the same choice. */
export function ampleOnStore(eng: Engine, events: readonly Event[], groupsRelabelled: boolean): number {
  const st = eng.st, m: Model = eng;
  for (let k = 0; k < events.length; k++) {
    const e = events[k]!;
    if (e.kind === 'iopfRespond' || e.kind === 'iopfHandle') {
      if (e.kind === 'iopfHandle' && e.frame !== -1) continue;
      const f = eng.faultAt(e.dev, e.group);
      if (!f) continue;
      const mm = st.mmOfPasid(f.pasid);
      if (mm < 0) continue;
      let otherBonds = 0;
      for (let d = 0; d < st.nDev; d++) if (d !== e.dev && st.bondOn[d * st.nMm + mm]) otherBonds++;
      if (!pinned(st.bondOn[e.dev * st.nMm + mm] === 1, st.mmPasidRefs[mm]! - otherBonds)) continue;
      if (e.kind === 'iopfRespond') {
        if (groupsRelabelled && respondCandidate(f.via === 'pri', f.status === F_SUCCESS, f.status === F_INVALID, f.afterRelease)) return k;
      } else {
        const pages = st.pages[mm]!;
        if (f.status === F_PENDING && invalidForGood(m, st.mmAlive[mm] === 1, f.page < pages.length ? pages[f.page]! : PTE_NOT_IN_VMA)) return k;
      }
    } else if (e.kind === 'notifierFree') {
      const f = st.deferred.find((x) => x.domain === e.domain && x.mm === e.mm);
      if (f && freeCandidate(m, f.inDomainOps)) return k;
    }
  }
  return -1;
}

/**
 * A fault of `dev` on the PASID of process mm stays tied to mm until it is answered: the bond
 * (dev, mm) cannot be unbound while the fault is pending (unbind waits for the device's faults on
 * mm->pasid), and the PASID references not held by mm's other bonds (`ownRefs`: every event
 * changes the PASID refcount and the number of other bonds together) keep mm->pasid from being
 * freed, so no other process can come to own that PASID.
 */
function pinned(bonded: boolean, ownRefs: number): boolean {
  return bonded && ownRefs >= 1;
}

/** iopfRespond: no retried transaction, no Success to a fault reported after release. */
function respondCandidate(pri: boolean, success: boolean, invalid: boolean, afterRelease: boolean): boolean {
  return (pri || invalid) && !(afterRelease && success);
}

/** iopfHandle with frame -1 answers Invalid for good: mm exited, or the page is outside every VMA and cannot come back. */
function invalidForGood(m: Model, alive: boolean, pte: number): boolean {
  return !alive || (pte === PTE_NOT_IN_VMA && !m.config.options.remap);
}

/** notifierFree: the deferred free drops no ctx desc reference, calls nothing through the domain, and no disable_sva runs it early. */
function freeCandidate(m: Model, inDomainOps: boolean): boolean {
  return !inDomainOps && m.traits.ctxDescPut === 'notifierPut' && !m.traits.synchronizeOnDisable;
}

/**
 * EXP-POR-5: the ample edge is kept only if it lowers the clean-up measure (`before` the parent's,
 * `after` the successor's); `refuseAll` (ExpanderSpec.provisoRefuseAll, for tests) refuses every one.
 * Both expanders decide with this one function.
 */
export function provisoKeeps(before: number, after: number, refuseAll: boolean): boolean {
  return !refuseAll && after < before;
}

/**
 * EXP-POR-5's measure: 2 x pending faults + answered faults + pending notifier frees. It is at
 * least 0 and no relabelling of the symmetry reduction changes it, so an edge of the (quotient)
 * graph that lowers it cannot lie on a cycle of such edges.
 */
export function cleanupMeasure(s: State): number {
  let n = s.deferredFrees.length;
  for (let i = 0; i < s.faults.length; i++) n += s.faults[i]!.status === 'pending' ? 2 : 1;
  return n;
}

/** cleanupMeasure on the packed engine's Store. */
export function storeCleanupMeasure(st: Store): number {
  let n = st.deferred.length;
  for (let d = 0; d < st.nDev; d++) {
    const list = st.faults[d]!;
    for (let i = 0; i < list.length; i++) n += list[i]!.status === F_PENDING ? 2 : 1;
  }
  return n;
}
