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

/** MEM-BTM: ARM_SMMU_FEAT_BTM, the SMMU has BTM and the driver enables it (SMMU_CR2.PTM = 0). */
export function featBtm(config: Config, traits: VariantTraits): boolean {
  return traits.btmEnabled && config.smmu.btm;
}
