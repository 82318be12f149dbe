// atsTranslate: a standalone ATS Translation Request (prefetch into the ATC).
import { atsTranslate } from '../../hardware/device.ts';
import type { Action } from '../action.ts';
import { transactionRefusal } from './dma.ts';

export const atsTranslateAction: Action<'atsTranslate'> = {
  kind: 'atsTranslate',
  intFields: ['dev', 'pasid', 'page'],
  guard: (_m, s, { dev, pasid, page }) =>
    s.ste[dev]!.config === 'translate' && !s.ste[dev]!.eats ? 'ATS not enabled for this device' : transactionRefusal(s, dev, pasid, page),
  scope: 'bondPage',
  candidates: (m, s, { dev, mm, page }, out) => {
    if (!m.config.options.atsPrefetch) return; // ENV-ATS-PREFETCH
    const pasid = s.mms[mm]!.pasid;
    if (atsTranslateAction.guard(m, s, { kind: 'atsTranslate', dev, pasid, page, write: false }) === undefined) {
      out.push({ kind: 'atsTranslate', dev, pasid, page, write: false }); // ENV-ATS-PREFETCH: reads only
    }
  },
  bounds: [{ id: 'ENV-ATS-PREFETCH', excludes: (m, _s, e) => !m.config.options.atsPrefetch || e.write }],
  // DEV-ATS-TR
  apply: (ctx, s, { dev, pasid, page, write }) => atsTranslate(ctx, s, dev, pasid, page, write),
};
