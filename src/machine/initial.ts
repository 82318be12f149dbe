// The initial state: every device attached to its configured domain, SVA disabled, no bonds,
// every process alive with all its pages in a VMA and none populated.
import type { Config } from '../model/config.ts';
import { lowestFree, pageTable } from '../model/sorted.ts';
import { PTE_UNMAPPED, TTB0_PRIVATE, type DomainState, type State } from '../model/state.ts';
import { cdStallBit } from '../hardware/cd.ts';

/** INIT-STE / INIT-PRIVATE-ASID: STEs translate through their domain; each stage-1 domain gets the lowest free ASID, its CD A and ASET set. */
export function initialState(config: Config): State {
  const used: number[] = [];
  const domains: readonly DomainState[] = config.domains.map((d, i): DomainState => {
    if (d.stage !== 1) return { freed: false, privateAsid: 0, cds: [] };
    const asid = lowestFree(used, 1, (1 << config.smmu.asidBits) - 1);
    used.push(asid);
    const s = cdStallBit(config, i);
    return { freed: false, privateAsid: asid, cds: [{ ssid: 0, cd: { v: true, epd0: false, r: true, s, a: true, aset: true, asid, ttb0: TTB0_PRIVATE } }] };
  });
  return {
    ste: config.devices.map((d) => ({
      config: 'translate' as const,
      domain: d.domain,
      // INIT-STE: S1STALLD only with FEAT_STALLS (STALL_MODEL 0b00) for a master that cannot stall
      s1stalld: config.smmu.stallModel === 'configurable' && !d.stall,
      eats: d.ats,
    })),
    domains,
    tlb: [],
    atc: [],
    faults: [],
    svaEnabled: config.devices.map(() => false),
    bonds: [],
    notifiers: [],
    deferredFrees: [],
    mms: config.processes.map((p) => ({ alive: true, pasid: 0, pasidRefs: 0, ctxDescRefs: 0, pages: pageTable(p.pages, PTE_UNMAPPED) })),
  };
}
