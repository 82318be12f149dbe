// The MMU notifier of a (domain, mm) pair: lookup, put, invalidate_range(), release() and the
// deferred free (arm_smmu_mmu_notifier_* in the seed and upstream).
import type { Ctx } from '../model/context.ts';
import { insertSorted, removeAt, replaceAt } from '../model/sorted.ts';
import { notifierWith, stateWith, type DeferredFree, type Notifier, type State } from '../model/state.ts';
import { atcInvDomain, tlbInvAsid, tlbInvRange } from '../hardware/commands.ts';
import { writeCtxDesc } from '../hardware/cd.ts';
import { freeSharedCd } from './asid.ts';

export const byNotifierKey = (a: Notifier, b: Notifier) =>
  a.domain - b.domain || a.mm - b.mm || Number(a.afterExit) - Number(b.afterExit);
const byFreeKey = (a: DeferredFree, b: DeferredFree) => a.domain - b.domain || a.mm - b.mm;

export function notifierIndex(s: State, domain: number, mm: number, afterExit: boolean): number {
  return s.notifiers.findIndex((n) => n.domain === domain && n.mm === mm && n.afterExit === afterExit);
}

/**
 * DRV-MN-LOOKUP: the notifier bind() would reuse. v6: mmu_notifier_get() searches the mm's
 * notifier list, which exit_mmap() emptied; upstream: the domain's own list.
 */
export function lookupNotifier(ctx: Pick<Ctx, 'traits'>, s: State, domain: number, mm: number): number {
  const alive = s.mms[mm]!.alive;
  return s.notifiers.findIndex((n) =>
    n.domain === domain && n.mm === mm && (ctx.traits.notifier === 'upstream' || n.afterExit || alive));
}

export function cpuAsid(ctx: Ctx, mm: number): number {
  return ctx.config.processes[mm]!.cpuAsid;
}

function touchDomain(ctx: Ctx, op: 'invalidate_range' | 'release' | 'free_notifier', domain: number, mm: number): void {
  ctx.out.push({ kind: 'callback', op, domain, mm });
}

/**
 * DRV-MN-PUT: the notifier's last reference is gone: unlink it and queue its free for after the
 * SRCU grace period (mmu_notifier_put). Upstream drops the ctx desc here; v6 in the callback.
 */
export function releaseNotifierStruct(ctx: Ctx, s: State, i: number): State {
  const n = s.notifiers[i]!;
  const inDomainOps = ctx.traits.notifier === 'v6';
  let next: State = {
    ...s,
    notifiers: removeAt(s.notifiers, i),
    deferredFrees: insertSorted(s.deferredFrees, { domain: n.domain, mm: n.mm, inDomainOps }, byFreeKey),
  };
  if (!inDomainOps) next = freeSharedCd(next, n.mm);
  return next;
}

/** DRV-MN-TEARDOWN: the notifier lost its last bond: clear the CD, invalidate unless release() did. */
export function teardownContext(ctx: Ctx, s0: State, n: Notifier): State {
  const pasid = s0.mms[n.mm]!.pasid;
  let s = writeCtxDesc(ctx, s0, n.domain, pasid, { tag: 'remove' });
  if (!n.cleared) {
    s = tlbInvAsid(ctx, s, cpuAsid(ctx, n.mm));
    if (ctx.traits.atcInvalidation) s = atcInvDomain(ctx, s, n.domain, pasid, 0, -1);
  }
  return s;
}

/** DRV-MN-INVALIDATE: invalidate_range(start, end) of one notifier. */
export function invalidateRange(ctx: Ctx, s0: State, n: Notifier, start: number, end: number): State {
  touchDomain(ctx, 'invalidate_range', n.domain, n.mm);
  const pasid = s0.mms[n.mm]!.pasid;
  ctx.out.push({ kind: 'trace', record: { tp: 'smmu_mm_invalidate', mm: n.mm, pasid, start, end } });
  let s = s0;
  // DRV-MN-TLB-RANGE: without BTM the CPU's TLBIs miss the SMMU; upstream invalidates the range itself
  if (ctx.traits.tlbRangeWithoutBtm && !ctx.config.smmu.btm) s = tlbInvRange(ctx, s, cpuAsid(ctx, n.mm), start, end);
  // DRV-MN-ATC-RANGE: the series' next patch (v6: TODO)
  if (ctx.traits.atcInvalidation) s = atcInvDomain(ctx, s, n.domain, pasid, start, end);
  return s;
}

/**
 * DRV-MN-RELEASE: release() when the mm exits: once per notifier (cleared), quiesce the CD so DMA
 * faults instead of raising C_BAD_CD, invalidate the TLB for the ASID and the ATC.
 */
export function release(ctx: Ctx, s0: State, i: number): State {
  const n = s0.notifiers[i]!;
  touchDomain(ctx, 'release', n.domain, n.mm);
  if (n.cleared) return s0;
  const pasid = s0.mms[n.mm]!.pasid;
  ctx.out.push({ kind: 'trace', record: { tp: 'smmu_mm_release', mm: n.mm, pasid } });
  const write = ctx.traits.releaseCd === 'quiesce' ? { tag: 'quiesce' as const }
    : ctx.traits.releaseCd === 'clearValid' ? { tag: 'clearValid' as const } : { tag: 'quiesceClearSR' as const };
  let s = writeCtxDesc(ctx, s0, n.domain, pasid, write);
  if (ctx.traits.releaseTlbi) s = tlbInvAsid(ctx, s, cpuAsid(ctx, n.mm));
  if (ctx.traits.atcInvalidation) s = atcInvDomain(ctx, s, n.domain, pasid, 0, -1);
  return stateWith(s, { notifiers: replaceAt(s.notifiers, i, notifierWith(n, { cleared: true })) });
}

/** DRV-MN-FREE: the SRCU callback. v6 reaches free_notifier through the domain's mn_ops. */
export function notifierFree(ctx: Ctx, s: State, i: number): State {
  const f = s.deferredFrees[i]!;
  let next: State = stateWith(s, { deferredFrees: removeAt(s.deferredFrees, i) });
  if (f.inDomainOps) {
    touchDomain(ctx, 'free_notifier', f.domain, f.mm);
    next = freeSharedCd(next, f.mm);
  }
  return next;
}

/** DRV-MN-SYNC: mmu_notifier_synchronize(): every pending free runs now. */
export function synchronize(ctx: Ctx, s0: State): State {
  let s = s0;
  while (s.deferredFrees.length > 0) s = notifierFree(ctx, s, 0);
  return s;
}
