// The context a transition runs in: configuration, variant traits, and the step's observation log.
// The log is local to one call of step(): transitions append to it, nothing outlives the call.
import type { Config } from './config.ts';
import type { Observation } from './observation.ts';
import type { VariantTraits } from './variant.ts';

export interface Ctx {
  readonly config: Config;
  readonly traits: VariantTraits;
  readonly out: Observation[];
}

/** DRV-DOMAIN-FREE: the domain has a stage-1 TLB context to flush when freed: stage 1, and
 *  finalised, which the kernel does at the first attach (a device of the configuration is in it). */
export function hasS1TlbContext(config: Config, domain: number): boolean {
  return config.domains[domain]!.stage === 1 && config.devices.some((d) => d.domain === domain);
}

/**
 * DRV-DOMAIN-FREE: the VMID of a finalised stage-2 domain, 0 for any other. The kernel gives the
 * lowest free VMID at finalisation (the first attach), VMID 0 being reserved; the model attaches
 * the devices in configuration order at start and creates no domain later, so the k-th stage-2
 * domain to get a device has VMID k for the whole run.
 */
export function s2Vmid(config: Config, domain: number): number {
  const first = (dom: number) => config.devices.findIndex((d) => d.domain === dom);
  const mine = first(domain);
  if (config.domains[domain]!.stage !== 2 || mine < 0) return 0;
  let vmid = 1;
  config.domains.forEach((d, dom) => { const f = first(dom); if (d.stage === 2 && f >= 0 && f < mine) vmid++; });
  return vmid;
}

/** MEM-BTM: ARM_SMMU_FEAT_BTM, the SMMU has BTM and the driver enables it (SMMU_CR2.PTM = 0). */
export function featBtm(config: Config, traits: VariantTraits): boolean {
  return traits.btmEnabled && config.smmu.btm;
}
