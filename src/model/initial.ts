// The initial state: every device attached to its configured domain, SVA disabled, no bonds,
// every process alive with all its pages in a VMA and none populated.
import type { Config } from './config.ts';
import { lowestFree } from './sorted.ts';
import { PTE_UNMAPPED, TTB0_PRIVATE, type DomainState, type State } from './state.ts';
import { cdStallBit } from '../hardware/cd.ts';

/** INIT-STE / INIT-PRIVATE-ASID: STEs translate through their domain; each stage-1 domain gets the lowest free ASID. */
export function initialState(config: Config): State {
  const used: number[] = [];
  const domains: DomainState[] = config.domains.map((d, i) => {
    if (d.stage !== 1) return { freed: false, privateAsid: 0, cds: [] };
    const asid = lowestFree(used, 1, (1 << config.smmu.asidBits) - 1);
    used.push(asid);
    const s = cdStallBit(config, i);
    return { freed: false, privateAsid: asid, cds: [{ ssid: 0, cd: { v: true, epd0: false, r: true, s, a: false, asid, ttb0: TTB0_PRIVATE } }] };
  });
  return {
    ste: config.devices.map((d) => ({
      config: 'translate' as const,
      domain: d.domain,
      s1stalld: config.smmu.stallModel === 'forced' ? false : !d.stall || config.smmu.stallModel === 'none',
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
    mms: config.processes.map((p) => ({ alive: true, pasid: 0, pasidRefs: 0, ctxDescRefs: 0, pages: Array.from({ length: p.pages }, () => PTE_UNMAPPED) })),
  };
}
