// SMMU translation of one transaction: STE, CD, TLB, table walk, and what a fault turns into
// (IHI 0070, 3.12 and 7.3; the Linux event and PRI queue handlers).
import type { Ctx } from '../model/context.ts';
import type { DmaResult } from '../model/observation.ts';
import { insertSorted } from '../model/sorted.ts';
import { stateWith, type PendingFault, type State, type TlbEntry } from '../model/state.ts';
import { cdAt, mmOfPasid } from '../model/queries.ts';
import { cdLegal } from './cd.ts';

export const byTlbKey = (a: TlbEntry, b: TlbEntry) => a.asid - b.asid || a.page - b.page;
export const byFaultKey = (a: PendingFault, b: PendingFault) => a.dev - b.dev || a.group - b.group;

/** Outcome of the SMMU's translation stage, before the caller decides how a fault is reported. */
export type Translation =
  | { readonly tag: 'ok'; readonly frame: number; readonly via: 'tlb' | 'walk' }
  | { readonly tag: 'badCd' }
  | { readonly tag: 'fault'; readonly record: boolean; readonly stall: boolean }
  | { readonly tag: 'abort' };

/**
 * HW-XLATE: translate (dev, ssid, page). STE abort terminates silently; a missing, invalid or
 * ILLEGAL CD is a configuration error (`badCd`: the caller records C_BAD_CD or not, HW-BAD-CD); a
 * TLB hit (tagged by CD.ASID) translates; otherwise EPD0=1 is a translation fault, else the SMMU
 * walks TTB0 and fills the TLB.
 */
export function translate(ctx: Ctx, s: State, dev: number, ssid: number, page: number): { s: State; t: Translation } {
  const ste = s.ste[dev]!;
  if (ste.config === 'abort') return { s, t: { tag: 'abort' } };
  const cd = cdAt(s, ste.domain, ssid);
  if (!cd || !cd.v || !cdLegal(ctx.config, cd, ste.s1stalld)) return { s, t: { tag: 'badCd' } };
  for (const e of s.tlb) {
    if (e.asid === cd.asid && e.page === page) return { s, t: { tag: 'ok', frame: e.frame, via: 'tlb' } };
  }
  const stall = cd.s && !ste.s1stalld;
  if (cd.epd0) return { s, t: { tag: 'fault', record: cd.r || stall, stall } }; // HW-EPD0
  // HW-WALK: the SMMU reads the page table TTB0 points at
  ctx.out.push({ kind: 'walk', dev, mm: cd.ttb0, page });
  const mm = s.mms[cd.ttb0];
  const frame = mm ? (mm.pages[page] ?? -1) : -1;
  if (frame < 0) return { s, t: { tag: 'fault', record: cd.r || stall, stall } };
  const tlb = insertSorted(s.tlb, { asid: cd.asid, page, frame }, byTlbKey);
  return { s: stateWith(s, { tlb }), t: { tag: 'ok', frame, via: 'walk' } };
}

/** Lowest group number free for this device's faults of one kind (STAG, PRGI). */
export function freeGroup(s: State, dev: number): number {
  let g = 0;
  for (;;) {
    if (!s.faults.some((f) => f.dev === dev && f.group === g)) return g;
    g++;
  }
}

/** DRV-IOPF-REPORT: queue a recoverable fault for the IOPF handler and trace dev_fault (type=2). */
export function reportFault(ctx: Ctx, s: State, via: 'stall' | 'pri', dev: number, pasid: number, page: number, write: boolean): { s: State; group: number } {
  const group = freeGroup(s, dev);
  const m = mmOfPasid(s, pasid);
  const afterRelease = m < 0 || !s.mms[m]!.alive;
  const fault: PendingFault = { via, dev, group, pasid, page, write, afterRelease, status: 'pending' };
  ctx.out.push({
    kind: 'trace',
    record: { tp: 'dev_fault', dev, type: 2, reason: 0, mm: m, page, pasid, group, flags: 3, prot: write ? 2 : 1 },
  });
  return { s: stateWith(s, { faults: insertSorted(s.faults, fault, byFaultKey) }), group };
}

/** IOMMU_FAULT_REASON_PTE_FETCH (include/uapi/linux/iommu.h): what arm_smmu_handle_evt gives F_TRANSLATION. */
export const faultReasonPteFetch = 5;
/** IOMMU_FAULT_UNRECOV_PASID_VALID | IOMMU_FAULT_UNRECOV_ADDR_VALID. */
export const unrecovFlagsPasidAddr = 3;

/**
 * DRV-EVT-UNRECOV: arm_smmu_handle_evt (the seed's series, v6 22/25; mainline from 5.14) reports a
 * non-stalled translation fault as IOMMU_FAULT_DMA_UNRECOV through iommu_report_device_fault, which
 * needs a fault handler (registered while SVA is enabled); the development tree traces it as
 * dev_fault type=1.
 */
function reportUnrecoverable(ctx: Ctx, s: State, dev: number, pasid: number, page: number, write: boolean): void {
  if (!s.svaEnabled[dev]) return;
  ctx.out.push({
    kind: 'trace',
    record: { tp: 'dev_fault', dev, type: 1, reason: faultReasonPteFetch, mm: mmOfPasid(s, pasid), page, pasid, group: 0, flags: unrecovFlagsPasidAddr, prot: write ? 2 : 1 },
  });
}

/**
 * HW-UNTRANSLATED: an untranslated transaction (no ATS, or ATC bypassed). A stalling fault is
 * recorded with its STAG and handed to the IOPF handler; a terminated fault is recorded if CD.R
 * (and reported as unrecoverable, DRV-EVT-UNRECOV).
 */
export function untranslatedAccess(ctx: Ctx, s0: State, dev: number, pasid: number, page: number, write: boolean): { s: State; result: DmaResult } {
  const { s, t } = translate(ctx, s0, dev, pasid, page);
  switch (t.tag) {
    case 'ok':
      return { s, result: { tag: 'access', frame: t.frame, via: t.via } };
    case 'abort':
      return { s, result: { tag: 'aborted' } };
    case 'badCd':
      // HW-BAD-CD: C_BAD_CD (0x0a) is recorded, the transaction terminated; it never stalls
      ctx.out.push({ kind: 'event', event: { type: 'C_BAD_CD', code: 0x0a, dev, ssid: pasid } });
      return { s, result: { tag: 'aborted' } };
    case 'fault': {
      if (t.stall) {
        const group = freeGroup(s, dev);
        ctx.out.push({ kind: 'event', event: { type: 'F_TRANSLATION', code: 0x10, dev, ssid: pasid, page, write, stall: true, stag: group } });
        const r = reportFault(ctx, s, 'stall', dev, pasid, page, write);
        return { s: r.s, result: { tag: 'stalled', stag: r.group } };
      }
      if (t.record) {
        ctx.out.push({ kind: 'event', event: { type: 'F_TRANSLATION', code: 0x10, dev, ssid: pasid, page, write, stall: false, stag: -1 } });
        reportUnrecoverable(ctx, s, dev, pasid, page, write);
      }
      return { s, result: { tag: 'aborted' } };
    }
  }
}

/**
 * HW-ATS-TR: an ATS Translation Request. Success fills the device's ATC; a translation fault
 * completes with R=W=0 and records no event; an aborting STE completes as Unsupported Request and a
 * bad CD as Completer Abort, neither recording an event (HW-BAD-CD). With PRI, R=W=0 makes the
 * device send a page request (last=1), which the driver resolves through IOPF (DRV-IOPF-REPORT) or
 * denies (DRV-PRI-DENY).
 */
export function atsTranslationRequest(ctx: Ctx, s0: State, dev: number, pasid: number, page: number, write: boolean): { s: State; result: DmaResult } {
  const { s, t } = translate(ctx, s0, dev, pasid, page);
  switch (t.tag) {
    case 'ok': {
      const atc = insertSorted(s.atc, { dev, pasid, page, frame: t.frame }, (a, b) => a.dev - b.dev || a.pasid - b.pasid || a.page - b.page);
      return { s: stateWith(s, { atc }), result: { tag: 'translated', frame: t.frame, via: t.via } };
    }
    case 'abort':
      return { s, result: { tag: 'unsupportedRequest' } };
    case 'badCd':
      return { s, result: { tag: 'completerAbort' } };
    case 'fault': {
      if (!ctx.config.devices[dev]!.pri) return { s, result: { tag: 'noAccess' } };
      if (ctx.traits.priHandling === 'deny') {
        // DRV-PRI-DENY: arm_smmu_handle_ppr() logs "unexpected PRI request received" and answers
        // the last request of the group with PRI_RESP_DENY (Resp 0b00, Response Failure: the
        // iommu code 2); nothing is reported
        const prgi = freeGroup(s, dev);
        ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_PRI_RESP', dev, ssid: pasid, prgi, code: 2 } });
        return { s, result: { tag: 'pageRequest', prgi } };
      }
      const r = reportFault(ctx, s, 'pri', dev, pasid, page, write);
      return { s: r.s, result: { tag: 'pageRequest', prgi: r.group } };
    }
  }
}
