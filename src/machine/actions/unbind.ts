// unbind: iommu_sva_unbind_device(handle) for the handle of (dev, mm).
import { bondIndex, detached, pendingOn } from '../../model/queries.ts';
import { unbind } from '../../driver/sva.ts';
import type { Action } from '../action.ts';

export const unbindAction: Action<'unbind'> = {
  kind: 'unbind',
  intFields: ['dev', 'mm'],
  guard: (_m, s, { dev, mm }) =>
    bondIndex(s, dev, mm) < 0 ? 'no bond for this (device, process): no handle to unbind'
      : detached(s, dev) ? 'device detached (its domain was freed)'
        : pendingOn(s, dev, s.mms[mm]!.pasid) ? 'caller contract: the driver stops DMA and waits for its page faults before unbind' : undefined,
  scope: 'deviceProcess',
  candidates: (m, s, { dev, mm }, out) => {
    if (unbindAction.guard(m, s, { kind: 'unbind', dev, mm }) === undefined) out.push({ kind: 'unbind', dev, mm });
  },
  bounds: [],
  // DRV-UNBIND
  apply: (ctx, s, { dev, mm }) => unbind(ctx, s, dev, mm),
};
