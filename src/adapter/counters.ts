// Observation counters of the adapter: one slot per observation shape that a workload summary
// reports (DMA results, hardware events, commands, trace records, API returns). Counting costs
// one typed-array increment, so it can stay on when observation objects are not built.

/** DMA result codes, as the adapter's dma() returns them (negative: refused, see lastError). */
export const R_ACCESS_ATC = 0;
export const R_ACCESS_TLB = 1;
export const R_ACCESS_WALK = 2;
export const R_TRANSLATED_TLB = 3;
export const R_TRANSLATED_WALK = 4;
export const R_NO_ACCESS = 5;
export const R_PAGE_REQUEST = 6;
export const R_STALLED = 7;
export const R_ABORTED = 8;
export const R_UNSUPPORTED = 9;
export const R_COMPLETER_ABORT = 10;
export const R_REFUSED = -1;

export const counterNames = [
  // 0..10: DMA results, indexed by result code
  'dma.access.atc', 'dma.access.tlb', 'dma.access.walk', 'dma.translated.tlb', 'dma.translated.walk',
  'dma.noAccess', 'dma.pageRequest', 'dma.stalled', 'dma.aborted', 'dma.unsupportedRequest', 'dma.completerAbort',
  // 11..13: SMMU event queue
  'event.C_BAD_CD', 'event.F_TRANSLATION.stall', 'event.F_TRANSLATION.terminated',
  // 14..23: commands
  'cmd.CMD_CFGI_CD', 'cmd.CMD_TLBI_NH_ASID', 'cmd.CMD_TLBI_NH_VA', 'cmd.CMD_ATC_INV', 'cmd.CMD_SYNC',
  'cmd.CMD_RESUME.retry', 'cmd.CMD_RESUME.abort', 'cmd.CMD_PRI_RESP.0', 'cmd.CMD_PRI_RESP.1', 'cmd.CMD_PRI_RESP.2',
  // 24..31: trace records
  'trace.smmu_bind_alloc', 'trace.smmu_unbind_free', 'trace.smmu_mm_invalidate', 'trace.smmu_mm_release', 'trace.dev_fault',
  'trace.dev_page_response.0', 'trace.dev_page_response.1', 'trace.dev_page_response.2',
  // 32..: the rest
  'walk', 'callback.invalidate_range', 'callback.release', 'callback.free_notifier',
  'return.ok', 'return.handle', 'return.ENODEV', 'return.EINVAL', 'return.ENOSPC', 'return.ENOMEM', 'return.EBUSY',
  'warn', 'bug', 'trace.dev_fault.unrecoverable',
  // added later, kept last so that the indices above do not move
  'cmd.CMD_TLBI_S12_VMALL',
] as const;
export type CounterName = (typeof counterNames)[number];

const at = (n: CounterName): number => counterNames.indexOf(n);

export const C_DMA = 0;
export const C_BAD_CD = at('event.C_BAD_CD');
export const C_F_STALL = at('event.F_TRANSLATION.stall');
export const C_F_TERM = at('event.F_TRANSLATION.terminated');
export const C_CFGI = at('cmd.CMD_CFGI_CD');
export const C_TLBI_ASID = at('cmd.CMD_TLBI_NH_ASID');
export const C_TLBI_VMALL = at('cmd.CMD_TLBI_S12_VMALL');
export const C_TLBI_VA = at('cmd.CMD_TLBI_NH_VA');
export const C_ATC_INV = at('cmd.CMD_ATC_INV');
export const C_SYNC = at('cmd.CMD_SYNC');
export const C_RESUME_RETRY = at('cmd.CMD_RESUME.retry');
export const C_RESUME_ABORT = at('cmd.CMD_RESUME.abort');
export const C_PRI_RESP = at('cmd.CMD_PRI_RESP.0');
export const C_T_BIND = at('trace.smmu_bind_alloc');
export const C_T_UNBIND = at('trace.smmu_unbind_free');
export const C_T_INVAL = at('trace.smmu_mm_invalidate');
export const C_T_RELEASE = at('trace.smmu_mm_release');
export const C_T_FAULT = at('trace.dev_fault');
export const C_T_RESP = at('trace.dev_page_response.0');
export const C_WALK = at('walk');
export const C_CB_INVAL = at('callback.invalidate_range');
export const C_CB_RELEASE = at('callback.release');
export const C_CB_FREE = at('callback.free_notifier');
export const C_RET_OK = at('return.ok');
export const C_RET_HANDLE = at('return.handle');
export const C_RET_ERR = at('return.ENODEV');
export const C_WARN = at('warn');
export const C_BUG = at('bug');
export const C_T_FAULT_UNRECOV = at('trace.dev_fault.unrecoverable');

export const errnoOrder = ['ENODEV', 'EINVAL', 'ENOSPC', 'ENOMEM', 'EBUSY'] as const;

/** Counters as a plain object (non-zero ones only, in counterNames order). */
export function countersToObject(counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  counterNames.forEach((n, i) => { if (counts[i]! > 0) out[n] = counts[i]!; });
  return out;
}
