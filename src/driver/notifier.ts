// The MMU notifier of a (domain, mm) pair: lookup, put, invalidate_range(), release() and the
// deferred free (arm_smmu_mmu_notifier_* in the seed and upstream).
import { featBtm, type Ctx } from '../model/context.ts';
import { insertSorted, removeAt } from '../model/sorted.ts';
import { notifierWith, stateWith, type DeferredFree, type Notifier, type State } from '../model/state.ts';
import { withNotifier } from '../model/update.ts';
import { atcInvDomain, tlbInvAsid, tlbInvRange } from '../hardware/commands.ts';
import { rangeCoverOf } from '../hardware/rangeSpan.ts';
import { writeCtxDesc } from '../hardware/cd.ts';
import { freeSharedCd } from './asid.ts';

export const byNotifierKey = (a: Notifier, b: Notifier) =>
  a.domain - b.domain || a.mm - b.mm || Number(a.afterExit) - Number(b.afterExit);
const byFreeKey = (a: DeferredFree, b: DeferredFree) => a.domain - b.domain || a.mm - b.mm;

export function cpuAsid(ctx: Ctx, mm: number): number {
  return ctx.config.processes[mm]!.cpuAsid;
}

/** A notifier callback ran for (domain, mm): the `callback` observation. */
function notifierCallback(ctx: Ctx, op: 'invalidate_range' | 'release' | 'free_notifier', domain: number, mm: number): void {
  ctx.out.push({ kind: 'callback', op, domain, mm });
}

/** DRV-MN-ORDER: every notifier of the mm behind position `after` moves by `delta`. */
function mmListShift(notifiers: readonly Notifier[], mm: number, after: number, delta: 1 | -1): Notifier[] {
  return notifiers.map((x) => (x.mm === mm && x.mmListPos > after ? notifierWith(x, { mmListPos: x.mmListPos + delta }) : x));
}

/** DRV-MN-ORDER: __mmu_notifier_register links the notifier at the head of the mm's list. */
export function mmListAddHead(notifiers: readonly Notifier[], mm: number): Notifier[] {
  return mmListShift(notifiers, mm, -1, 1);
}

/** DRV-MN-ORDER: mn_hlist_release unlinks every notifier of the exiting mm. */
export function mmListEmpty(notifiers: readonly Notifier[], mm: number): Notifier[] {
  return notifiers.map((x) => (x.mm === mm && x.mmListPos !== 0 ? notifierWith(x, { mmListPos: 0 }) : x));
}

/**
 * DRV-MN-PUT: the notifier's last reference is gone: unlink it and queue its free for after the
 * SRCU grace period (mmu_notifier_put). With ctxDescPut 'notifierPut' the ctx desc reference is
 * dropped here, else in the callback (DRV-MN-FREE).
 */
export function notifierPut(ctx: Ctx, s: State, i: number): State {
  const n = s.notifiers[i]!;
  const inDomainOps = ctx.traits.notifierOps === 'inDomain';
  let next = stateWith(s, {
    notifiers: mmListShift(removeAt(s.notifiers, i), n.mm, n.mmListPos, -1), // hlist_del_init_rcu: the ones behind move up
    deferredFrees: insertSorted(s.deferredFrees, { domain: n.domain, mm: n.mm, inDomainOps }, byFreeKey),
  });
  if (ctx.traits.ctxDescPut === 'notifierPut') next = freeSharedCd(next, n.mm);
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
  notifierCallback(ctx, 'invalidate_range', n.domain, n.mm);
  const pasid = s0.mms[n.mm]!.pasid;
  ctx.out.push({ kind: 'trace', record: { tp: 'smmu_mm_invalidate', mm: n.mm, pasid, start, end } });
  let s = s0;
  // DRV-MN-RANGE-SPAN: the pages the commands cover (options.rangeInvalidation)
  const cover = rangeCoverOf(ctx.config, n.mm, start, end);
  // DRV-MN-TLB-RANGE: without FEAT_BTM the CPU's TLBIs miss the SMMU; upstream invalidates the range itself
  if (ctx.traits.tlbRangeWithoutBtm && !featBtm(ctx.config, ctx.traits)) s = tlbInvRange(ctx, s, cpuAsid(ctx, n.mm), start, cover.tlbEnd);
  // DRV-MN-ATC-RANGE: the series' next patch (v6: TODO)
  if (ctx.traits.atcInvalidation) s = atcInvDomain(ctx, s, n.domain, pasid, cover.atcStart, cover.atcEnd);
  return s;
}

/**
 * DRV-MN-RELEASE: release() when the mm exits: once per notifier (cleared), quiesce the CD so DMA
 * faults instead of raising C_BAD_CD, invalidate the TLB for the ASID and the ATC.
 */
export function release(ctx: Ctx, s0: State, i: number): State {
  const n = s0.notifiers[i]!;
  notifierCallback(ctx, 'release', n.domain, n.mm);
  if (n.cleared) return s0;
  const pasid = s0.mms[n.mm]!.pasid;
  ctx.out.push({ kind: 'trace', record: { tp: 'smmu_mm_release', mm: n.mm, pasid } });
  let s = writeCtxDesc(ctx, s0, n.domain, pasid, { tag: ctx.traits.releaseCd });
  if (ctx.traits.releaseTlbi) s = tlbInvAsid(ctx, s, cpuAsid(ctx, n.mm));
  if (ctx.traits.atcInvalidation) s = atcInvDomain(ctx, s, n.domain, pasid, 0, -1);
  return withNotifier(s, i, { cleared: true });
}

/**
 * DRV-MN-FREE: the SRCU callback. With the ops in the domain it reaches free_notifier through the
 * domain's mn_ops (a `callback` observation); with ctxDescPut 'srcuCallback' it drops the ctx desc.
 */
export function notifierFree(ctx: Ctx, s: State, i: number): State {
  const f = s.deferredFrees[i]!;
  let next = stateWith(s, { deferredFrees: removeAt(s.deferredFrees, i) });
  if (f.inDomainOps) notifierCallback(ctx, 'free_notifier', f.domain, f.mm);
  if (ctx.traits.ctxDescPut === 'srcuCallback') next = freeSharedCd(next, f.mm);
  return next;
}

/** DRV-MN-SYNC: mmu_notifier_synchronize(): every pending free runs now. */
export function synchronize(ctx: Ctx, s0: State): State {
  let s = s0;
  while (s.deferredFrees.length > 0) s = notifierFree(ctx, s, 0);
  return s;
}
