// Safety invariants (spec/invariants.md). State invariants hold in every reachable state;
// transition invariants constrain what one step may make observable. Each returns the
// violations it finds, with the offending part of the state.
import type { Event } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import { PTE_NOT_IN_VMA, type State } from '../model/state.ts';
import { cdLegal } from '../hardware/cd.ts';
import { cdAt, mmOfPasid } from '../model/queries.ts';

export const stateInvariantNames = [
  'handle-identity', 'pasid-unique', 'pasid-in-range', 'notifier-unique', 'asid-exclusive',
  'cd-valid-while-bound', 'no-stale-tlb', 'no-stale-atc', 'refcount-sane', 'no-leak', 'release-answers-invalid',
] as const;
export const transitionInvariantNames = [
  'handle-identity', 'no-bad-cd-while-bound', 'no-walk-after-exit', 'dma-isolation', 'refcount-sane',
  'release-answers-invalid', 'no-freed-domain-access', 'no-kernel-bug',
] as const;
/** INV-FAULTS-RESOLVABLE: the liveness property, checked by the explorer on the state graph. */
export const livenessPropertyNames = ['faults-resolvable'] as const;

export type InvariantName =
  | (typeof stateInvariantNames)[number]
  | (typeof transitionInvariantNames)[number]
  | (typeof livenessPropertyNames)[number];

export const invariantNames: readonly InvariantName[] = [
  ...new Set<InvariantName>([...stateInvariantNames, ...transitionInvariantNames, ...livenessPropertyNames]),
];

export interface Violation {
  readonly invariant: InvariantName;
  /** What is wrong, naming the offending part of the state. */
  readonly detail: string;
}

type Check = (m: Model, s: State, out: Violation[]) => void;

/** INV-ASID-EXCLUSIVE: `who` uses `asid`; a violation if another context already does. */
function claimAsid(owner: Map<number, string>, out: Violation[], asid: number, who: string): void {
  const prev = owner.get(asid);
  if (prev !== undefined && prev !== who) out.push({ invariant: 'asid-exclusive', detail: `ASID ${asid} used by ${prev} and ${who}` });
  owner.set(asid, who);
}

const refcountBad = (out: Violation[], detail: string) => out.push({ invariant: 'refcount-sane', detail });
const leak = (out: Violation[], what: string) => out.push({ invariant: 'no-leak', detail: `no bond and no pending free, yet ${what}` });

const stateChecks: Record<(typeof stateInvariantNames)[number], Check> = {
  // INV-HANDLE-IDENTITY: at most one bond per (device, mm), each with refs >= 1
  'handle-identity': (_m, s, out) => {
    for (let i = 1; i < s.bonds.length; i++) {
      const a = s.bonds[i - 1]!, b = s.bonds[i]!;
      if (a.dev === b.dev && a.mm === b.mm) out.push({ invariant: 'handle-identity', detail: `two bonds for device ${a.dev} and process ${a.mm}` });
    }
  },
  // INV-PASID-UNIQUE: one PASID per mm, no PASID shared by two mms; every bonded mm has one
  'pasid-unique': (_m, s, out) => {
    const seen = new Map<number, number>();
    s.mms.forEach((mm, i) => {
      if (mm.pasid === 0) return;
      const other = seen.get(mm.pasid);
      if (other !== undefined) out.push({ invariant: 'pasid-unique', detail: `PASID ${mm.pasid} held by processes ${other} and ${i}` });
      seen.set(mm.pasid, i);
    });
    for (const b of s.bonds) if (s.mms[b.mm]!.pasid === 0) out.push({ invariant: 'pasid-unique', detail: `bond (${b.dev}, ${b.mm}) but process ${b.mm} has no PASID` });
  },
  // INV-PASID-RANGE: a bonded mm's PASID lies in [1, 2^ssid_bits - 1] of every bonded device
  'pasid-in-range': (m, s, out) => {
    for (const b of s.bonds) {
      const pasid = s.mms[b.mm]!.pasid;
      const max = (1 << m.config.devices[b.dev]!.ssidBits) - 1;
      if (pasid < 1 || pasid > max) out.push({ invariant: 'pasid-in-range', detail: `PASID ${pasid} of process ${b.mm} outside [1, ${max}] of device ${b.dev}` });
    }
  },
  // INV-NOTIFIER-UNIQUE: one live notifier per (domain, mm)
  'notifier-unique': (_m, s, out) => {
    for (let i = 1; i < s.notifiers.length; i++) {
      const a = s.notifiers[i - 1]!, b = s.notifiers[i]!;
      if (a.domain === b.domain && a.mm === b.mm) out.push({ invariant: 'notifier-unique', detail: `two notifiers for domain ${a.domain} and process ${a.mm}` });
    }
  },
  // INV-ASID-EXCLUSIVE: live contexts have distinct ASIDs; every valid CD's ASID is its context's
  'asid-exclusive': (m, s, out) => {
    const owner = new Map<number, string>();
    s.domains.forEach((d, i) => { if (!d.freed && d.privateAsid > 0) claimAsid(owner, out, d.privateAsid, `private context of domain ${i}`); });
    s.mms.forEach((mm, i) => { if (mm.ctxDescRefs > 0) claimAsid(owner, out, m.config.processes[i]!.cpuAsid, `process ${i}`); });
    s.domains.forEach((d, di) => {
      for (const { ssid, cd } of d.cds) {
        if (!cd.v) continue;
        const expected = cd.ttb0 < 0 ? d.privateAsid : m.config.processes[cd.ttb0]!.cpuAsid;
        if (cd.asid !== expected) out.push({ invariant: 'asid-exclusive', detail: `CD at domain ${di} SSID ${ssid} tags ASID ${cd.asid} but its page table's context has ASID ${expected}` });
      }
    });
  },
  // INV-CD-VALID: a bound PASID's CD is valid (V=1 and legal) from bind until unbind
  'cd-valid-while-bound': (m, s, out) => {
    for (const b of s.bonds) {
      const ste = s.ste[b.dev]!;
      if (ste.config !== 'translate') continue;
      const pasid = s.mms[b.mm]!.pasid;
      const cd = cdAt(s, ste.domain, pasid);
      if (!cd || !cd.v) out.push({ invariant: 'cd-valid-while-bound', detail: `device ${b.dev} bound to process ${b.mm} but the CD at SSID ${pasid} has V=0` });
      else if (!cdLegal(m.config, cd, ste.s1stalld)) out.push({ invariant: 'cd-valid-while-bound', detail: `device ${b.dev} bound to process ${b.mm} but the CD at SSID ${pasid} is ILLEGAL (S=${Number(cd.s)} with STALL_MODEL ${m.config.smmu.stallModel}, STE.S1STALLD=${Number(ste.s1stalld)})` });
    }
  },
  // INV-NO-STALE-TLB: every SMMU TLB entry agrees with the live page table of its ASID's mm
  'no-stale-tlb': (m, s, out) => {
    for (const e of s.tlb) {
      const mm = m.config.processes.findIndex((p) => p.cpuAsid === e.asid);
      const mmState = s.mms[mm];
      if (!mmState || !mmState.alive || mmState.pages[e.page] !== e.frame) {
        out.push({ invariant: 'no-stale-tlb', detail: `TLB entry ASID ${e.asid} page ${e.page} -> frame ${e.frame} but ${describeMapping(s, mm, e.page)}` });
      }
    }
  },
  // INV-NO-STALE-ATC: every ATC entry agrees with the live page table of its PASID's mm
  'no-stale-atc': (_m, s, out) => {
    for (const e of s.atc) {
      const mm = mmOfPasid(s, e.pasid);
      const mmState = s.mms[mm];
      if (!mmState || !mmState.alive || mmState.pages[e.page] !== e.frame) {
        out.push({ invariant: 'no-stale-atc', detail: `ATC of device ${e.dev}: PASID ${e.pasid} page ${e.page} -> frame ${e.frame} but ${describeMapping(s, mm, e.page)}` });
      }
    }
  },
  // INV-REFCOUNT: refcounts equal what holds them (bonds, notifiers, pending frees)
  'refcount-sane': (_m, s, out) => {
    for (const b of s.bonds) if (b.refs < 1) refcountBad(out, `bond (${b.dev}, ${b.mm}) has refs ${b.refs}`);
    for (const n of s.notifiers) {
      const holders = s.bonds.filter((b) => b.mm === n.mm && b.afterExit === n.afterExit && s.ste[b.dev]!.domain === n.domain).length;
      if (n.refs !== holders) refcountBad(out, `notifier (domain ${n.domain}, process ${n.mm}) has refs ${n.refs} but ${holders} bonds`);
    }
    s.mms.forEach((mm, i) => {
      const bonds = s.bonds.filter((b) => b.mm === i).length;
      if (mm.pasidRefs !== bonds) refcountBad(out, `PASID of process ${i} has refs ${mm.pasidRefs} but ${bonds} bonds`);
      const cdHolders = s.notifiers.filter((n) => n.mm === i).length + s.deferredFrees.filter((f) => f.mm === i && f.inDomainOps).length;
      if (mm.ctxDescRefs !== cdHolders) refcountBad(out, `ctx desc of process ${i} has refs ${mm.ctxDescRefs} but ${cdHolders} holders`);
    });
  },
  // INV-NO-LEAK: frames are mapped at most once; with no bond and no pending free, nothing is left
  'no-leak': (m, s, out) => {
    const seen = new Map<number, string>();
    s.mms.forEach((mm, i) => mm.pages.forEach((f, p) => {
      if (f < 0) return;
      const prev = seen.get(f);
      if (prev) out.push({ invariant: 'no-leak', detail: `frame ${f} mapped by ${prev} and by process ${i} page ${p}` });
      seen.set(f, `process ${i} page ${p}`);
    }));
    if (s.bonds.length > 0 || s.deferredFrees.length > 0) return;
    if (s.notifiers.length > 0) leak(out, `${s.notifiers.length} notifier(s) remain`);
    s.mms.forEach((mm, i) => {
      if (mm.pasid !== 0 || mm.pasidRefs !== 0) leak(out, `process ${i} still holds PASID ${mm.pasid}`);
      if (mm.ctxDescRefs !== 0) leak(out, `process ${i} still holds a ctx desc (ASID ${m.config.processes[i]!.cpuAsid})`);
    });
    s.domains.forEach((d, i) => {
      for (const { ssid } of d.cds) if (ssid !== 0) leak(out, `domain ${i} still has a CD at SSID ${ssid}`);
    });
    if (s.faults.length > 0) leak(out, `${s.faults.length} fault(s) pending`);
  },
  // INV-RELEASE-INVALID: a fault reported after release is never answered Success
  'release-answers-invalid': (_m, s, out) => {
    for (const f of s.faults) {
      if (f.afterRelease && f.status === 'success') out.push({ invariant: 'release-answers-invalid', detail: `fault group ${f.group} of device ${f.dev} reported after exit was handled as Success` });
    }
  },
};

function describeMapping(s: State, mm: number, page: number): string {
  const mmState = s.mms[mm];
  if (!mmState) return 'no live context owns it';
  if (!mmState.alive) return `process ${mm} has exited`;
  const pte = mmState.pages[page] ?? PTE_NOT_IN_VMA;
  return pte >= 0 ? `process ${mm} maps page ${page} to frame ${pte}` : `process ${mm} has page ${page} unmapped`;
}

/** Every state invariant, in a fixed order. */
export function checkInvariants(m: Model, s: State): Violation[] {
  const out: Violation[] = [];
  for (const name of stateInvariantNames) stateChecks[name](m, s, out);
  return out;
}

/** Who owns a frame after the step, for the dma-isolation message. */
function frameOwner(s: State, frame: number): string {
  for (let i = 0; i < s.mms.length; i++) {
    const p = s.mms[i]!.pages.indexOf(frame);
    if (p >= 0) return `frame ${frame} now belongs to process ${i} page ${p}`;
  }
  return `frame ${frame} is free`;
}

/** Whether (dev, ssid) has a bond in `before` (module level: no closure per checkTransition call). */
function boundBefore(before: State, dev: number, ssid: number): boolean {
  const mm = mmOfPasid(before, ssid);
  if (mm < 0) return false;
  for (const b of before.bonds) if (b.dev === dev && b.mm === mm) return true;
  return false;
}

/** Transition invariants over one step (before, event, after, observations). */
export function checkTransition(m: Model, before: State, event: Event, after: State, obs: readonly Observation[]): Violation[] {
  const out: Violation[] = [];
  // INV-HANDLE-IDENTITY (transition): rebinding a bound pair returns the same handle, one more ref
  if (event.kind === 'bind') {
    const prev = before.bonds.find((b) => b.dev === event.dev && b.mm === event.mm);
    const next = after.bonds.find((b) => b.dev === event.dev && b.mm === event.mm);
    if (prev && (!next || next.refs !== prev.refs + 1 || obs.some((o) => o.kind === 'trace' && o.record.tp === 'smmu_bind_alloc'))) {
      out.push({ invariant: 'handle-identity', detail: `bind of the bound pair (${event.dev}, ${event.mm}) did not return the same handle with one more reference` });
    }
  }
  for (const o of obs) {
    switch (o.kind) {
      case 'event':
        // INV-NO-BAD-CD: C_BAD_CD is never raised for a PASID that still has a bond
        if (o.event.type === 'C_BAD_CD' && boundBefore(before, o.event.dev, o.event.ssid)) {
          out.push({ invariant: 'no-bad-cd-while-bound', detail: `C_BAD_CD (0x0a) for device ${o.event.dev} SSID ${o.event.ssid}, which is still bound` });
        }
        break;
      case 'walk':
        // INV-NO-WALK-AFTER-EXIT: the SMMU never walks the page tables of an exited mm
        if (o.mm >= 0 && !before.mms[o.mm]!.alive) out.push({ invariant: 'no-walk-after-exit', detail: `device ${o.dev} made the SMMU walk the page table of exited process ${o.mm}` });
        break;
      case 'dma': {
        // INV-NO-BAD-CD: nor does a Translation Request complete with Completer Abort (HW-BAD-CD)
        if (o.result.tag === 'completerAbort' && boundBefore(before, o.dev, o.pasid)) {
          out.push({ invariant: 'no-bad-cd-while-bound', detail: `ATS Translation Request of device ${o.dev} SSID ${o.pasid} completed with Completer Abort (bad CD), which is still bound` });
        }
        // INV-DMA-ISOLATION: DMA reaches only the frame its PASID's mm maps at that page now
        if (o.result.tag !== 'access' && o.result.tag !== 'translated') break;
        const mm = mmOfPasid(after, o.pasid);
        const mmState = after.mms[mm];
        if (!mmState || !mmState.alive || mmState.pages[o.page] !== o.result.frame) {
          out.push({ invariant: 'dma-isolation', detail: `device ${o.dev} PASID ${o.pasid} page ${o.page} reached frame ${o.result.frame} through the ${o.result.via.toUpperCase()}, but ${describeMapping(after, mm, o.page)}; ${frameOwner(after, o.result.frame)}` });
        }
        break;
      }
      case 'warn':
        // INV-REFCOUNT (transition): no refcount_t warning
        out.push({ invariant: 'refcount-sane', detail: `kernel warning: ${o.message}` });
        break;
      case 'trace':
        // INV-RELEASE-INVALID (transition): no Success response to a fault reported after release
        if (o.record.tp === 'dev_page_response' && o.record.code === 0) {
          const r = o.record;
          const f = before.faults.find((x) => x.dev === r.dev && x.group === r.group);
          if (f?.afterRelease) out.push({ invariant: 'release-answers-invalid', detail: `Success response to group ${f.group} of device ${f.dev}, reported after its process exited` });
        }
        break;
      case 'bug':
        // INV-NO-KERNEL-BUG: no step reaches a BUG_ON
        out.push({ invariant: 'no-kernel-bug', detail: o.message });
        break;
      case 'callback':
        // INV-NO-FREED-DOMAIN: no notifier callback runs on a freed domain
        if (before.domains[o.domain]?.freed) out.push({ invariant: 'no-freed-domain-access', detail: `${o.op} of the notifier (domain ${o.domain}, process ${o.mm}) ran on freed domain ${o.domain}` });
        break;
      default:
        break;
    }
  }
  return out;
}
