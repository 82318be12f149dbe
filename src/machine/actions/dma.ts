// dma: a device transaction on a PASID (through its ATC when ATS is enabled).
import { bondIndex, detached, mmOfPasid, pendingOn } from '../../model/queries.ts';
import type { State } from '../../model/state.ts';
import { dma } from '../../hardware/device.ts';
import type { Action } from '../action.ts';

/** Why a transaction (dma or ATS request) of dev on (pasid, page) cannot be issued now. */
export function transactionRefusal(s: State, dev: number, pasid: number, page: number): string | undefined {
  if (detached(s, dev)) return 'device detached (its domain was freed)';
  const mm = mmOfPasid(s, pasid);
  if (mm < 0 || bondIndex(s, dev, mm) < 0) return 'the device has no bond with this PASID';
  const pages = s.mms[mm]!.pages;
  if (!Number.isInteger(page) || page < 0 || page >= pages.length) return `page must be below ${pages.length}`;
  if (pendingOn(s, dev, pasid, page)) return 'the device waits for its fault on this page';
  return undefined;
}

export const dmaAction: Action<'dma'> = {
  kind: 'dma',
  intFields: ['dev', 'pasid', 'page'],
  guard: (_m, s, { dev, pasid, page }) => transactionRefusal(s, dev, pasid, page),
  scope: 'bondPage',
  candidates: (m, s, { dev, mm, page }, out) => {
    const pasid = s.mms[mm]!.pasid;
    if (transactionRefusal(s, dev, pasid, page) !== undefined) return;
    for (const a of m.config.options.dmaAccesses) out.push({ kind: 'dma', dev, pasid, page, write: a === 'write' }); // ENV-DMA-ACCESSES
  },
  bounds: [{ id: 'ENV-DMA-ACCESSES', excludes: (m, _s, e) => !m.config.options.dmaAccesses.includes(e.write ? 'write' : 'read') }],
  // DEV-DMA
  apply: (ctx, s, { dev, pasid, page, write }) => dma(ctx, s, dev, pasid, page, write),
};
