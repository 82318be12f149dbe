// The I/O page fault handler (iommu_sva_handle_iopf) and its response (iommu_page_response):
// split in two so that a response can come after release, as in the seed's second trace.
import type { Ctx } from '../model/context.ts';
import { mmOfPasid, iopfPlan } from '../model/queries.ts';
import { removeAt } from '../model/sorted.ts';
import { stateWith, type State } from '../model/state.ts';
import { withFault, withPte } from '../model/update.ts';
import { untranslatedAccess } from '../hardware/translate.ts';

export function iopfHandle(_ctx: Ctx, s: State, i: number, frame: number): State {
  const f = s.faults[i]!;
  const plan = iopfPlan(s, i);
  let next = s;
  let status: 'success' | 'invalid' = plan === 'invalid' ? 'invalid' : 'success';
  if (plan === 'faultIn') {
    if (frame < 0) {
      status = 'invalid'; // VM_FAULT_OOM
    } else {
      next = withPte(s, mmOfPasid(s, f.pasid), f.page, frame);
    }
  }
  return withFault(next, i, { status });
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
