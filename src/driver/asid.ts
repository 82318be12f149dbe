// ctx desc and ASID management: arm_smmu_alloc_shared_cd(), arm_smmu_share_asid(),
// arm_smmu_free_shared_cd(). The ASID of an mm's ctx desc is its pinned CPU ASID.
import type { Ctx } from '../model/context.ts';
import { lowestFree } from '../model/sorted.ts';
import { TTB0_PRIVATE, type State } from '../model/state.ts';
import { withDomain, withMm } from '../model/update.ts';
import { writeCtxDesc } from '../hardware/cd.ts';
import { tlbInvAsid } from '../hardware/commands.ts';

/** ASIDs held in arm_smmu_asid_xa: private contexts of live domains and mms with a ctx desc. */
export function asidsInUse(ctx: Ctx, s: State): number[] {
  const used: number[] = [];
  s.domains.forEach((d) => { if (!d.freed && d.privateAsid > 0) used.push(d.privateAsid); });
  s.mms.forEach((m, i) => { if (m.ctxDescRefs > 0) used.push(ctx.config.processes[i]!.cpuAsid); });
  return used;
}

/**
 * DRV-CD-ALLOC: take a reference on the mm's ctx desc, creating it if needed. If the CPU ASID is
 * held by a private domain, move that domain to a fresh ASID first (CD rewritten at SSID 0, old
 * ASID invalidated); ENOSPC when no ASID is free.
 */
export function allocSharedCd(ctx: Ctx, s0: State, mm: number): { s: State } | { errno: 'ENOSPC' } {
  let s = s0;
  const m = s.mms[mm]!;
  if (m.ctxDescRefs > 0) return { s: withMm(s, mm, { ctxDescRefs: m.ctxDescRefs + 1 }) };
  const asid = ctx.config.processes[mm]!.cpuAsid;
  const owner = s.domains.findIndex((d) => !d.freed && d.privateAsid === asid);
  if (owner >= 0) {
    // DRV-ASID-SHARE: arm_smmu_share_asid() moves the private context to a new ASID
    const fresh = lowestFree(asidsInUse(ctx, s), 1, (1 << ctx.config.smmu.asidBits) - 1);
    if (fresh < 0) return { errno: 'ENOSPC' };
    s = withDomain(s, owner, { privateAsid: fresh });
    s = writeCtxDesc(ctx, s, owner, 0, { tag: 'install', asid: fresh, ttb0: TTB0_PRIVATE });
    s = tlbInvAsid(ctx, s, asid);
  }
  return { s: withMm(s, mm, { ctxDescRefs: 1 }) };
}

/** DRV-CD-FREE: drop a ctx desc reference; the last one releases the ASID (and unpins it). */
export function freeSharedCd(s: State, mm: number): State {
  return withMm(s, mm, { ctxDescRefs: s.mms[mm]!.ctxDescRefs - 1 });
}
