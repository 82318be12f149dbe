// enableSva: iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_SVA).
import { detached } from '../../model/queries.ts';
import { enableSva } from '../../driver/feature.ts';
import type { Action } from '../action.ts';

export const enableSvaAction: Action<'enableSva'> = {
  kind: 'enableSva',
  intFields: ['dev'],
  guard: (_m, s, { dev }) => (detached(s, dev) ? 'device detached (its domain was freed)' : undefined),
  scope: 'device',
  candidates: (_m, s, { dev }, out) => {
    if (!detached(s, dev) && !s.svaEnabled[dev]) out.push({ kind: 'enableSva', dev });
  },
  // enabling SVA again returns EBUSY and changes nothing (DRV-SVA-ENABLE)
  bounds: [{ id: 'ENV-SVA-REPEAT', excludes: (_m, s, e) => s.svaEnabled[e.dev]! }],
  // DRV-SVA-ENABLE
  apply: (ctx, s, { dev }) => enableSva(ctx, s, dev),
};
