// arm_smmu_sva_bind() / arm_smmu_sva_unbind(): bonds, notifiers, PASIDs and the CD at SSID=PASID.
import type { Ctx } from '../model/context.ts';
import type { AllocFailurePoint } from '../model/event.ts';
import type { ApiResult, Errno } from '../model/observation.ts';
import { bondIndex, lookupNotifier, notifierIndex } from '../model/queries.ts';
import { insertSorted, removeAt } from '../model/sorted.ts';
import { stateWith, type Bond, type State } from '../model/state.ts';
import { withBond, withNotifier } from '../model/update.ts';
import { writeCtxDesc } from '../hardware/cd.ts';
import { allocSharedCd, freeSharedCd } from './asid.ts';
import { byNotifierKey, cpuAsid, mmListAddHead, notifierPut, teardownContext } from './notifier.ts';
import { allocPasid, freePasid } from './pasid.ts';

export const byBondKey = (a: Bond, b: Bond) => a.dev - b.dev || a.mm - b.mm;

function ret(ctx: Ctx, result: ApiResult): void {
  ctx.out.push({ kind: 'return', result });
}
function fail(ctx: Ctx, s: State, errno: Errno): State {
  ret(ctx, { tag: 'error', errno });
  return s;
}

/**
 * DRV-MN-GET: find or create the notifier of (domain, mm), taking a reference. A fresh one takes
 * a ctx desc reference (DRV-CD-ALLOC) and is registered on the mm. Returns its index or an errno.
 */
function notifierGet(ctx: Ctx, s0: State, domain: number, mm: number, failAt: AllocFailurePoint): { s: State; i: number } | { errno: Errno; s?: State } | { bug: true } {
  const found = lookupNotifier(ctx, s0, domain, mm);
  if (found >= 0) {
    const n = s0.notifiers[found]!;
    return { s: withNotifier(s0, found, { refs: n.refs + 1 }), i: found };
  }
  const ctxDescFirst = ctx.traits.notifierAlloc === 'ctxDescFirst';
  // v6: the kzalloc of the notifier comes first, and its failure leaves nothing behind
  if (failAt === 'notifier' && !ctxDescFirst) return { errno: 'ENOMEM' };
  // DRV-MN-REGISTER: __mmu_notifier_register() on an mm without users hits its BUG_ON (the
  // kernel gets the ctx desc first; the model stops before it, see the rule)
  if (!s0.mms[mm]!.alive && failAt !== 'notifier') {
    ctx.out.push({ kind: 'bug', message: mmuNotifierRegisterBug });
    return { bug: true };
  }
  const cd = allocSharedCd(ctx, s0, mm);
  if ('errno' in cd) return cd;
  // upstream: the kzalloc fails after the ctx desc: err_free_cd drops it again, and a private
  // ASID that arm_smmu_share_asid() moved stays moved
  if (failAt === 'notifier') return { errno: 'ENOMEM', s: freeSharedCd(cd.s, mm) };
  // DRV-MN-ORDER: registered at the head of the mm's list
  const n = { domain, mm, refs: 1, cleared: false, afterExit: false, mmListPos: 0 };
  let s: State = stateWith(cd.s, { notifiers: insertSorted(mmListAddHead(cd.s.notifiers, mm), n, byNotifierKey) });
  if (ctx.traits.cdWrite === 'freshNotifier') {
    // DRV-BIND-CD: upstream writes the CD as part of getting a fresh notifier
    s = writeCtxDesc(ctx, s, domain, s.mms[mm]!.pasid, { tag: 'install', asid: cpuAsid(ctx, mm), ttb0: mm });
  }
  return { s, i: notifierIndex(s, domain, mm, false) };
}

/** The BUG_ON of __mmu_notifier_register() (mm/mmu_notifier.c) as the kernel reports it. */
export const mmuNotifierRegisterBug = 'kernel BUG at mm/mmu_notifier.c: __mmu_notifier_register: BUG_ON(atomic_read(&mm->mm_users) <= 0)';

/**
 * DRV-BIND-ERR-PUT (v6 err_put_mn): refcount_dec(&smmu_mn->refs) then mmu_notifier_put(). On a
 * fresh notifier refcount_dec() on refs = 1 WARNs (REFCOUNT_DEC_LEAK) and saturates the count;
 * nothing reads it again before the free, so only the WARN is modelled.
 */
function errPutNotifier(ctx: Ctx, s: State, i: number): State {
  const n = s.notifiers[i]!;
  const refs = n.refs - 1;
  if (refs === 0) {
    ctx.out.push({ kind: 'warn', message: 'refcount_t: decrement hit 0; leaking memory.' });
    return notifierPut(ctx, s, i);
  }
  return withNotifier(s, i, { refs });
}

/** DRV-BIND: iommu_sva_bind_device(dev, mm). */
export function bind(ctx: Ctx, s0: State, dev: number, mm: number, failAt: AllocFailurePoint): State {
  const { config, traits } = ctx;
  const device = config.devices[dev]!;
  const domain = s0.ste[dev]!.domain;
  // DRV-BIND-STAGE: only stage-1 domains have CD tables
  if (config.domains[domain]!.stage !== 1) return fail(ctx, s0, 'EINVAL');
  // DRV-BIND-ENODEV: SVA must be enabled on the master
  if (!s0.svaEnabled[dev]) return fail(ctx, s0, 'ENODEV');
  // DRV-BIND-REUSE: the same (dev, mm) returns the same handle, refcounted
  const bi = bondIndex(s0, dev, mm);
  if (bi >= 0) {
    const b = s0.bonds[bi]!;
    ret(ctx, { tag: 'handle', dev, mm, pasid: s0.mms[mm]!.pasid });
    return withBond(s0, bi, { refs: b.refs + 1 });
  }
  let s = s0;
  let notifier = -1;
  if (traits.notifierGet === 'beforeBond') {
    const got = notifierGet(ctx, s, domain, mm, failAt);
    if ('bug' in got) return s0; // the task died inside the call: the step ends at the BUG
    if ('errno' in got) return fail(ctx, got.s ?? s0, got.errno);
    ({ s, i: notifier } = got);
  }
  // DRV-BIND-BOND-ALLOC: kzalloc of the bond
  if (failAt === 'bond') {
    if (notifier >= 0) s = errPutNotifier(ctx, s, notifier);
    return fail(ctx, s, 'ENOMEM');
  }
  // DRV-BIND-PASID: one PASID per mm, inside [1, 2^ssid_bits - 1]
  const withPasid = allocPasid(s, mm, 1, (1 << device.ssidBits) - 1);
  if (!withPasid) {
    if (notifier >= 0) s = errPutNotifier(ctx, s, notifier);
    return fail(ctx, s, 'ENOSPC');
  }
  s = withPasid;
  if (traits.notifierGet === 'afterPasid') {
    const got = notifierGet(ctx, s, domain, mm, failAt);
    if ('bug' in got) return s0; // the task died inside the call: the step ends at the BUG
    if ('errno' in got) return fail(ctx, freePasid(got.s ?? s, mm), got.errno);
    ({ s, i: notifier } = got);
  }
  if (traits.cdWrite === 'everyBond') {
    // DRV-BIND-CD: v6 writes the CD on every new bond (a live CD only gets its ASID rewritten)
    s = writeCtxDesc(ctx, s, domain, s.mms[mm]!.pasid, { tag: 'install', asid: cpuAsid(ctx, mm), ttb0: mm });
  }
  const afterExit = s.notifiers[notifier]!.afterExit;
  const pasid = s.mms[mm]!.pasid;
  s = stateWith(s, { bonds: insertSorted(s.bonds, { dev, mm, refs: 1, afterExit }, byBondKey) });
  ctx.out.push({ kind: 'trace', record: { tp: 'smmu_bind_alloc', dev, pasid } });
  ret(ctx, { tag: 'handle', dev, mm, pasid });
  return s;
}

/** DRV-UNBIND: iommu_sva_unbind_device(handle). */
export function unbind(ctx: Ctx, s0: State, dev: number, mm: number): State {
  const bi = bondIndex(s0, dev, mm);
  const b = s0.bonds[bi]!;
  if (b.refs > 1) {
    ret(ctx, { tag: 'ok' });
    return withBond(s0, bi, { refs: b.refs - 1 });
  }
  let s: State = stateWith(s0, { bonds: removeAt(s0.bonds, bi) });
  const domain = s.ste[dev]!.domain;
  const ni = notifierIndex(s, domain, mm, b.afterExit);
  const n = s.notifiers[ni]!;
  const pasid = s.mms[mm]!.pasid;
  const refs = n.refs - 1;
  if (refs === 0) {
    s = teardownContext(ctx, s, n);
    s = notifierPut(ctx, s, notifierIndex(s, domain, mm, b.afterExit));
  } else {
    s = withNotifier(s, ni, { refs });
  }
  s = freePasid(s, mm);
  ctx.out.push({ kind: 'trace', record: { tp: 'smmu_unbind_free', dev, pasid } });
  ret(ctx, { tag: 'ok' });
  return s;
}

