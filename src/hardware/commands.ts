// Command queue helpers: each issues its commands (as observations) and applies their effect
// on the SMMU TLB and device ATCs. A batch ends with CMD_SYNC as in arm_smmu_cmdq_issue_sync().
import type { Ctx } from '../model/context.ts';
import { stateWith, type State } from '../model/state.ts';

/** Devices whose STE points at the CD table of `domain`, in the order of the domain's device list:
 *  newest attached first (HW-CMD-CFGI: list_add at the head; masters attach in configuration order, INIT-STE). */
export function devicesOfDomain(s: State, domain: number): number[] {
  const out: number[] = [];
  for (let d = s.ste.length - 1; d >= 0; d--) {
    const ste = s.ste[d]!;
    if (ste.config === 'translate' && ste.domain === domain) out.push(d);
  }
  return out;
}

/** HW-CMD-CFGI: arm_smmu_sync_cd: CMD_CFGI_CD for each master of the domain, then CMD_SYNC. */
export function cfgiCd(ctx: Ctx, s: State, domain: number, ssid: number): void {
  for (const dev of devicesOfDomain(s, domain)) ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_CFGI_CD', dev, ssid } });
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_SYNC' } });
}

/** HW-CMD-TLBI-ASID: arm_smmu_tlb_inv_asid: CMD_TLBI_NH_ASID, CMD_SYNC; drops every TLB entry of the ASID. */
export function tlbInvAsid(ctx: Ctx, s: State, asid: number): State {
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_TLBI_NH_ASID', asid } });
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_SYNC' } });
  return stateWith(s, { tlb: s.tlb.filter((e) => e.asid !== asid) });
}

/** HW-CMD-TLBI-S12-VMALL: CMD_TLBI_S12_VMALL of a VMID, CMD_SYNC (the model keeps no stage-2 TLB entries to drop). */
export function tlbInvVmall(ctx: Ctx, s: State, vmid: number): State {
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_TLBI_S12_VMALL', vmid } });
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_SYNC' } });
  return s;
}

/** HW-CMD-TLBI-VA: arm_smmu_tlb_inv_range_asid: CMD_TLBI_NH_VA per page of [start, end), CMD_SYNC. */
export function tlbInvRange(ctx: Ctx, s: State, asid: number, start: number, end: number): State {
  for (let page = start; page < end; page++) ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_TLBI_NH_VA', asid, page } });
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_SYNC' } });
  return stateWith(s, { tlb: s.tlb.filter((e) => e.asid !== asid || e.page < start || e.page >= end) });
}

/**
 * HW-CMD-ATC-INV: arm_smmu_atc_inv_domain: CMD_ATC_INV to every ATS-enabled master of the domain,
 * then CMD_SYNC; nothing at all when the domain has no ATS master. end < 0 means the whole PASID.
 */
export function atcInvDomain(ctx: Ctx, s: State, domain: number, pasid: number, start: number, end: number): State {
  const devs = devicesOfDomain(s, domain).filter((d) => s.ste[d]!.eats);
  if (devs.length === 0) return s;
  for (const dev of devs) ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_ATC_INV', dev, ssid: pasid, start, end } });
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_SYNC' } });
  return stateWith(s, { atc: s.atc.filter((e) => !atcInvHits(e, devs, pasid, start, end)) });
}

/** CMD_ATC_INV of `pasid`, pages [start, end) (end < 0: all), on `devs` invalidates entry `e`. */
function atcInvHits(e: { dev: number; pasid: number; page: number }, devs: readonly number[], pasid: number, start: number, end: number): boolean {
  return devs.includes(e.dev) && e.pasid === pasid && (end < 0 || (e.page >= start && e.page < end));
}

/**
 * HW-CMD-ATC-INV-MASTER: arm_smmu_atc_inv_master: CMD_ATC_INV without a PASID (SSV=0, written ssid
 * 0) over the whole address space, then CMD_SYNC; without a PASID prefix the device drops every
 * ATC entry, whatever its PASID.
 */
export function atcInvMaster(ctx: Ctx, s: State, dev: number): State {
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_ATC_INV', dev, ssid: 0, start: 0, end: -1 } });
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_SYNC' } });
  return stateWith(s, { atc: s.atc.filter((e) => e.dev !== dev) });
}
