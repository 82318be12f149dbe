// domainFree: the last device of a domain is detached and the domain freed (arm_smmu_domain_free).
import type { Model } from '../../model/model.ts';
import { configuredDevices } from '../../model/queries.ts';
import type { State } from '../../model/state.ts';
import { domainFree } from '../../driver/feature.ts';
import type { Action } from '../action.ts';

function refusal(m: Model, s: State, domain: number): string | undefined {
  if (s.domains[domain]!.freed) return 'domain already freed';
  const devs = configuredDevices(m.config, domain);
  if (devs.some((d) => s.svaEnabled[d])) return 'caller contract: disable SVA on every device of the domain first';
  if (m.config.options.strictDisable && s.bonds.some((b) => devs.includes(b.dev))) return 'caller contract: unbind every bond first';
  return undefined;
}

export const domainFreeAction: Action<'domainFree'> = {
  kind: 'domainFree',
  intFields: ['domain'],
  guard: (m, s, { domain }) => refusal(m, s, domain),
  scope: 'domain',
  candidates: (m, s, { domain }, out) => {
    if (refusal(m, s, domain) === undefined) out.push({ kind: 'domainFree', domain });
  },
  bounds: [],
  // DRV-DOMAIN-FREE
  apply: (ctx, s, { domain }) => domainFree(ctx, s, domain),
};
