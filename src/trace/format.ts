// Trace records in the kernel's ftrace text format (the seed's lines; dev_fault and
// dev_page_response as the SVA development tree's include/trace/events/iommu.h prints them: they
// are out-of-tree, not in mainline; dev_fault prints its flags with %x).
import type { Config } from '../model/config.ts';
import { pageSize } from '../model/config.ts';
import type { TraceRecord } from '../model/observation.ts';

const hex16 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
const hex = (v: bigint) => `0x${v.toString(16)}`;

function address(config: Config, mm: number, page: number): bigint {
  const base = config.processes[mm]?.vaBase ?? 0n;
  return base + BigInt(page) * pageSize;
}

/** The mm a PASID-carrying record refers to, when the record itself does not say. */
export type MmOfPasid = (pasid: number) => number;

/** TRACE-FORMAT: one record as the text after "event: " in ftrace output. */
export function formatRecord(config: Config, r: TraceRecord): string {
  const devName = (d: number) => config.devices[d]?.name ?? `dev${d}`;
  switch (r.tp) {
    case 'smmu_bind_alloc':
    case 'smmu_unbind_free':
      return `${r.tp}: dev=${devName(r.dev)} pasid=${r.pasid}`;
    case 'smmu_mm_invalidate':
      return `smmu_mm_invalidate: pasid=${r.pasid} start=${hex(address(config, r.mm, r.start))} end=${hex(address(config, r.mm, r.end))}`;
    case 'smmu_mm_release':
      return `smmu_mm_release: pasid=${r.pasid}`;
    case 'dev_fault':
      return `dev_fault: IOMMU:${devName(r.dev)} type=${r.type} reason=${r.reason} addr=${hex16(address(config, r.mm, r.page))} pasid=${r.pasid} group=${r.group} flags=${r.flags.toString(16)} prot=${r.prot}`;
    case 'dev_page_response':
      return `dev_page_response: IOMMU:${devName(r.dev)} code=${r.code} pasid=${r.pasid} group=${r.group}`;
  }
}
