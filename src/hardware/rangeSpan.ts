// The pages a range invalidation from invalidate_range() covers (DRV-MN-RANGE-SPAN): exact, or as
// the kernel encodes it (arm_smmu_mm_invalidate_range's size, arm_smmu_atc_inv_to_cmd's span).
import type { Config, RangeInvalidation } from '../model/config.ts';

/** What invalidate_range(start, end) of process `mm` invalidates, in the process's page indices. */
export interface RangeCover {
  /** CMD_TLBI_NH_VA for the pages [start, tlbEnd). */
  readonly tlbEnd: number;
  /** CMD_ATC_INV over [atcStart, atcEnd): may reach below page 0 and past the process's pages. */
  readonly atcStart: number;
  readonly atcEnd: number;
}

/**
 * DRV-MN-RANGE-SPAN: `exact` covers [start, end). `span` is the fixed kernel (size = end - start):
 * the TLB range is exact, the ATC request covers the smallest naturally aligned power-of-two span
 * of pages holding [start, end - 1] (fls_long(page_start ^ page_end)). `span-plus-one` is v6 18/25
 * to 5.17 (size = end - start + 1): one more page, `end`, for the TLB, and a span holding
 * [start, end]. Spans are computed on the absolute page numbers (vaBase >> 12).
 */
export function rangeCover(mode: RangeInvalidation, vaBase: bigint, start: number, end: number): RangeCover {
  if (mode === 'exact') return { tlbEnd: end, atcStart: start, atcEnd: end };
  const last = mode === 'span-plus-one' ? end : end - 1;
  const base = vaBase >> 12n;
  const first = base + BigInt(start), lastAbs = base + BigInt(last);
  const x = first ^ lastAbs;
  const log2Span = x === 0n ? 0 : x.toString(2).length;
  const spanStart = first & ~((1n << BigInt(log2Span)) - 1n);
  return {
    tlbEnd: mode === 'span-plus-one' ? end + 1 : end,
    atcStart: Number(spanStart - base),
    atcEnd: Number(spanStart + (1n << BigInt(log2Span)) - base),
  };
}

/** rangeCover for process `mm` of `config`, in the configured mode. */
export function rangeCoverOf(config: Config, mm: number, start: number, end: number): RangeCover {
  return rangeCover(config.options.rangeInvalidation, config.processes[mm]!.vaBase, start, end);
}
