// mmap: mmap() bringing a VA page back into a VMA (unmapped until touched).
import { PTE_NOT_IN_VMA } from '../../model/state.ts';
import { mmap } from '../../process/memory.ts';
import type { Action } from '../action.ts';

export const mmapAction: Action<'mmap'> = {
  kind: 'mmap',
  intFields: ['mm', 'page'],
  guard: (_m, s, { mm, page }) => {
    const pages = s.mms[mm]!.pages;
    if (!s.mms[mm]!.alive) return 'the process exited';
    if (!Number.isInteger(page) || page < 0 || page >= pages.length) return `page must be below ${pages.length}`;
    return pages[page] === PTE_NOT_IN_VMA ? undefined : 'page already in a VMA';
  },
  scope: 'process',
  candidates: (m, s, { mm }, out) => {
    if (!m.config.options.remap || !s.mms[mm]!.alive) return; // ENV-REMAP
    const pages = s.mms[mm]!.pages;
    for (let page = 0; page < pages.length; page++) if (pages[page] === PTE_NOT_IN_VMA) out.push({ kind: 'mmap', mm, page });
  },
  bounds: [{ id: 'ENV-REMAP', excludes: (m) => !m.config.options.remap }],
  // MEM-MMAP
  apply: (ctx, s, { mm, page }) => mmap(ctx, s, mm, page),
};
