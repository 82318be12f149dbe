// disableSva: iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_SVA).
import { disableSva } from '../../driver/feature.ts';
import type { Model } from '../../model/model.ts';
import type { State } from '../../model/state.ts';
import type { Action } from '../action.ts';

/** options.strictDisable: the caller unbinds every bond before disabling SVA. */
const bondsLeft = (m: Model, s: State, dev: number) => m.config.options.strictDisable && s.bonds.some((b) => b.dev === dev);

export const disableSvaAction: Action<'disableSva'> = {
  kind: 'disableSva',
  intFields: ['dev'],
  guard: (m, s, { dev }) =>
    s.svaEnabled[dev] && bondsLeft(m, s, dev) ? 'caller contract: unbind every bond before disabling SVA (options.strictDisable)' : undefined,
  scope: 'device',
  candidates: (m, s, { dev }, out) => {
    if (s.svaEnabled[dev] && !bondsLeft(m, s, dev)) out.push({ kind: 'disableSva', dev });
  },
  // disabling SVA while it is off returns EINVAL and changes nothing (DRV-SVA-DISABLE)
  bounds: [{ id: 'ENV-SVA-REPEAT', excludes: (_m, s, e) => !s.svaEnabled[e.dev] }],
  // DRV-SVA-DISABLE
  apply: (ctx, s, { dev }) => disableSva(ctx, s, dev),
};
