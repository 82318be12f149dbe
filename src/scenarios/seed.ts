// The seed's two traces as scripted event sequences (the review thread, Jean-Philippe Brucker,
// 5 May 2020): a job on an 8 kB buffer, and the same job with the process killing itself.
import { defaultOptions, type Config } from '../model/config.ts';
import type { Event } from '../model/event.ts';

/**
 * The setup of the seed's test: one PCIe device with ATS and PRI behind an SMMU with BTM. Its page
 * requests are resolved through IOPF, as in the SVA development tree the seed's traces come from
 * (mainline denies them, DRV-PRI-DENY).
 */
export const seedConfig: Config = {
  name: 'seed',
  smmu: { stallModel: 'configurable', btm: true, asidBits: 8 },
  domains: [{ name: 'dom0', stage: 1 }],
  devices: [{ name: '0000:00:03.0', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 }],
  processes: [
    { name: 'job', pages: 4, cpuAsid: 11, vaBase: 0x0000ffff860e6000n },
    { name: 'job-killed', pages: 2, cpuAsid: 12, vaBase: 0x0000ffffb9d15000n },
  ],
  frames: 4,
  options: { ...defaultOptions, priHandling: 'iopf' },
};

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly config: Config;
  readonly events: readonly Event[];
  /** The seed's lines (group numbers and addresses as the seed printed them). */
  readonly seedLines: readonly string[];
}

const dev = 0;
const dmaWrite = (pasid: number, page: number): Event => ({ kind: 'dma', dev, pasid, page, write: true });

export const seedTrace1: Scenario = {
  name: 'seed-trace-1',
  summary: 'a DMA job on an 8 kB buffer: two page requests, munmap, unbind',
  config: seedConfig,
  events: [
    { kind: 'enableSva', dev },
    { kind: 'bind', dev, mm: 0, fail: 'none' },
    dmaWrite(1, 0), // ATS translation fails, the device sends a page request
    { kind: 'iopfHandle', dev, group: 0, frame: 0 },
    { kind: 'iopfRespond', dev, group: 0 },
    dmaWrite(1, 0), // retry: translated, ATC filled
    dmaWrite(1, 1),
    { kind: 'iopfHandle', dev, group: 0, frame: 1 },
    { kind: 'iopfRespond', dev, group: 0 },
    dmaWrite(1, 1),
    // the second range holds a page the CPU touched (unlogged): the seed shows two invalidate_range
    // calls for it, and the TLB-flush call happens only when PTEs were cleared (MEM-MUNMAP)
    { kind: 'touch', mm: 0, page: 2, frame: 2 },
    { kind: 'munmap', mm: 0, start: 0, end: 2 },
    { kind: 'munmap', mm: 0, start: 2, end: 4 },
    { kind: 'unbind', dev, mm: 0 },
  ],
  seedLines: [
    'smmu_bind_alloc: dev=0000:00:03.0 pasid=1',
    'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=74 flags=3 prot=2',
    'dev_page_response: IOMMU:0000:00:03.0 code=0 pasid=1 group=74',
    'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e7000 pasid=1 group=143 flags=3 prot=2',
    'dev_page_response: IOMMU:0000:00:03.0 code=0 pasid=1 group=143',
    'smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000',
    'smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000',
    'smmu_mm_invalidate: pasid=1 start=0xffff860e8000 end=0xffff860ea000',
    'smmu_mm_invalidate: pasid=1 start=0xffff860e8000 end=0xffff860ea000',
    'smmu_unbind_free: dev=0000:00:03.0 pasid=1',
  ],
};

export const seedTrace2: Scenario = {
  name: 'seed-trace-2',
  summary: 'the same job, but the process kills itself right after launching it',
  config: seedConfig,
  events: [
    { kind: 'enableSva', dev },
    { kind: 'bind', dev, mm: 1, fail: 'none' },
    dmaWrite(1, 0),
    { kind: 'iopfHandle', dev, group: 0, frame: 0 }, // the handler holds the mm while it works
    { kind: 'exit', mm: 1 }, // release(): CD quiesced (EPD0), TLB and ATC invalidated
    { kind: 'iopfRespond', dev, group: 0 }, // Success, answered after release
    dmaWrite(1, 0), // the retry faults again: R=W=0, page request
    { kind: 'iopfHandle', dev, group: 0, frame: -1 }, // mmget_not_zero() fails: Invalid
    { kind: 'iopfRespond', dev, group: 0 },
    { kind: 'unbind', dev, mm: 1 },
  ],
  seedLines: [
    'smmu_bind_alloc: dev=0000:00:03.0 pasid=1',
    'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffffb9d15000 pasid=1 group=259 flags=3 prot=2',
    'smmu_mm_release: pasid=1',
    'dev_page_response: IOMMU:0000:00:03.0 code=0 pasid=1 group=259',
    'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffffb9d15000 pasid=1 group=383 flags=3 prot=2',
    'dev_page_response: IOMMU:0000:00:03.0 code=1 pasid=1 group=383',
    'smmu_unbind_free: dev=0000:00:03.0 pasid=1',
  ],
};

export const scenarios: readonly Scenario[] = [seedTrace1, seedTrace2];
