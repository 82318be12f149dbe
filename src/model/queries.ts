// Pure queries on a State: which bond, notifier, fault, mm or frame an event refers to. No
// transition here; the guard, enabledEvents, the transitions and the invariants share them.
import type { Config } from './config.ts';
import type { Ctx } from './context.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED, type Cd, type State } from './state.ts';

/** Index of the bond of (dev, mm), or -1. */
export function bondIndex(s: State, dev: number, mm: number): number {
  return s.bonds.findIndex((b) => b.dev === dev && b.mm === mm);
}

/** Index of the notifier of (domain, mm, afterExit), or -1. */
export function notifierIndex(s: State, domain: number, mm: number, afterExit: boolean): number {
  return s.notifiers.findIndex((n) => n.domain === domain && n.mm === mm && n.afterExit === afterExit);
}

/**
 * DRV-MN-LOOKUP: the notifier bind() would reuse. mmu_notifier_get() searches the mm's notifier
 * list, which exit_mmap() emptied (notifierLookup 'mmList'); upstream searches the domain's own
 * list (notifierLookup 'domainList').
 */
export function lookupNotifier(ctx: Pick<Ctx, 'traits'>, s: State, domain: number, mm: number): number {
  const alive = s.mms[mm]!.alive;
  return s.notifiers.findIndex((n) =>
    n.domain === domain && n.mm === mm && (ctx.traits.notifierLookup === 'domainList' || n.afterExit || alive));
}

/**
 * DRV-MN-ORDER: indices of the mm's notifiers in the order the kernel's callbacks walk them
 * (hlist_for_each_entry_rcu from the head of mm->notifier_subscriptions->list: newest first).
 */
export function mmNotifierList(s: State, mm: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.notifiers.length; i++) if (s.notifiers[i]!.mm === mm) out.push(i);
  return out.sort((a, b) => s.notifiers[a]!.mmListPos - s.notifiers[b]!.mmListPos || a - b);
}

/** Index of the pending fault (dev, group), or -1. */
export function faultIndex(s: State, dev: number, group: number): number {
  return s.faults.findIndex((f) => f.dev === dev && f.group === group);
}

/** A fault of `dev` on `pasid` (on `page`, when given) is pending. */
export function pendingOn(s: State, dev: number, pasid: number, page?: number): boolean {
  return s.faults.some((f) => f.dev === dev && f.pasid === pasid && (page === undefined || f.page === page));
}

/** The mm whose mm->pasid is `pasid`, or -1. */
export function mmOfPasid(s: State, pasid: number): number {
  if (pasid === 0) return -1;
  for (let m = 0; m < s.mms.length; m++) if (s.mms[m]!.pasid === pasid) return m;
  return -1;
}

/** The CD at `ssid` of the domain's CD table, if any. */
export function cdAt(s: State, domain: number, ssid: number): Cd | undefined {
  const cds = s.domains[domain]?.cds;
  if (!cds) return undefined;
  for (const slot of cds) if (slot.ssid === ssid) return slot.cd;
  return undefined;
}

/** A frame is free when no page table maps it (stale TLB/ATC entries do not keep it). */
export function frameFree(s: State, frame: number): boolean {
  for (const m of s.mms) if (m.pages.includes(frame)) return false;
  return true;
}

/** The free frames below `frames`, in increasing order. */
export function freeFrames(s: State, frames: number): number[] {
  const used = new Uint8Array(frames);
  for (const m of s.mms) for (const p of m.pages) if (p >= 0) used[p] = 1;
  const out: number[] = [];
  for (let f = 0; f < frames; f++) if (!used[f]) out.push(f);
  return out;
}

/** What the handler would do for a fault: fail, succeed on a present page, or fault a page in. */
export type IopfPlan = 'invalid' | 'present' | 'faultIn';

/**
 * DRV-IOPF-HANDLE: mmget_not_zero() fails after exit -> Invalid; an address outside any VMA ->
 * Invalid; otherwise handle_mm_fault() maps the page (Success), or Invalid when no frame is free.
 */
export function iopfPlan(s: State, i: number): IopfPlan {
  const f = s.faults[i]!;
  const m = mmOfPasid(s, f.pasid);
  if (m < 0 || !s.mms[m]!.alive) return 'invalid';
  const pte = s.mms[m]!.pages[f.page] ?? PTE_NOT_IN_VMA;
  if (pte === PTE_NOT_IN_VMA) return 'invalid';
  return pte === PTE_UNMAPPED ? 'faultIn' : 'present';
}

/** The device's STE no longer translates: its domain was freed (arm_smmu_detach_dev). */
export function detached(s: State, dev: number): boolean {
  return s.ste[dev]!.config !== 'translate';
}

/** The devices the configuration attaches to `domain`, in index order. */
export function configuredDevices(config: Config, domain: number): number[] {
  const out: number[] = [];
  config.devices.forEach((d, i) => { if (d.domain === domain) out.push(i); });
  return out;
}
