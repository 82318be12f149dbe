// The I/O page fault handler (iommu_sva_handle_iopf) and its response (iommu_page_response):
// split in two so that a response can come after release, as in the seed's second trace.
import type { Ctx } from '../model/context.ts';
import { removeAt, replaceAt, withPage } from '../model/sorted.ts';
import { faultWith, mmWith, PTE_NOT_IN_VMA, PTE_UNMAPPED, stateWith, type State } from '../model/state.ts';
import { mmOfPasid, untranslatedAccess } from '../hardware/translate.ts';

export function faultIndex(s: State, dev: number, group: number): number {
  return s.faults.findIndex((f) => f.dev === dev && f.group === group);
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

export function iopfHandle(_ctx: Ctx, s: State, i: number, frame: number): State {
  const f = s.faults[i]!;
  const plan = iopfPlan(s, i);
  let next = s;
  let status: 'success' | 'invalid' = plan === 'invalid' ? 'invalid' : 'success';
  if (plan === 'faultIn') {
    if (frame < 0) {
      status = 'invalid'; // VM_FAULT_OOM
    } else {
      const m = mmOfPasid(s, f.pasid);
      const mm = s.mms[m]!;
      next = stateWith(s, { mms: replaceAt(s.mms, m, mmWith(mm, { pages: withPage(mm.pages, f.page, frame) })) });
    }
  }
  return stateWith(next, { faults: replaceAt(next.faults, i, faultWith(f, { status })) });
}

/**
 * DRV-IOPF-RESPOND: trace dev_page_response and send CMD_PRI_RESP (PRI) or CMD_RESUME (stall:
 * Success -> retry, anything else -> abort); no CMD_SYNC follows either. A retried stalled
 * transaction is translated again at once.
 */
export function iopfRespond(ctx: Ctx, s0: State, i: number): State {
  const f = s0.faults[i]!;
  const code = f.status === 'success' ? 0 : 1;
  ctx.out.push({ kind: 'trace', record: { tp: 'dev_page_response', dev: f.dev, code, pasid: f.pasid, group: f.group } });
  const s: State = stateWith(s0, { faults: removeAt(s0.faults, i) });
  if (f.via === 'pri') {
    ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_PRI_RESP', dev: f.dev, ssid: f.pasid, prgi: f.group, code } });
    return s;
  }
  const action = code === 0 ? 'retry' : 'abort';
  ctx.out.push({ kind: 'cmd', cmd: { op: 'CMD_RESUME', dev: f.dev, stag: f.group, action } });
  if (action === 'abort') {
    ctx.out.push({ kind: 'dma', dev: f.dev, pasid: f.pasid, page: f.page, write: f.write, result: { tag: 'aborted' } });
    return s;
  }
  const r = untranslatedAccess(ctx, s, f.dev, f.pasid, f.page, f.write);
  ctx.out.push({ kind: 'dma', dev: f.dev, pasid: f.pasid, page: f.page, write: f.write, result: r.result });
  return r.s;
}
