// munmap: munmap() of pages [start, end) of mm.
import { PTE_NOT_IN_VMA, type Mm } from '../../model/state.ts';
import { munmap } from '../../process/memory.ts';
import type { Action } from '../action.ts';

const someInVma = (m: Mm, start: number, end: number) => m.pages.slice(start, end).some((p) => p !== PTE_NOT_IN_VMA);

export const munmapAction: Action<'munmap'> = {
  kind: 'munmap',
  intFields: ['mm', 'start', 'end'],
  guard: (_m, s, { mm, start, end }) => {
    const m = s.mms[mm]!;
    if (!m.alive) return 'the process exited';
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > m.pages.length || start >= end) return `need 0 <= start < end <= ${m.pages.length}`;
    return someInVma(m, start, end) ? undefined : 'no page of the range is in a VMA';
  },
  scope: 'process',
  candidates: (_m, s, { mm }, out) => {
    const m = s.mms[mm]!;
    if (!m.alive) return;
    for (let start = 0; start < m.pages.length; start++) {
      for (let end = start + 1; end <= m.pages.length; end++) if (someInVma(m, start, end)) out.push({ kind: 'munmap', mm, start, end });
    }
  },
  bounds: [],
  // MEM-MUNMAP
  apply: (ctx, s, { mm, start, end }) => munmap(ctx, s, mm, start, end),
};
