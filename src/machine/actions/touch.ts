// touch: the CPU faults in a VA page of mm, the page allocator handing out `frame`.
import { frameFree, freeFrames } from '../../model/queries.ts';
import { PTE_UNMAPPED } from '../../model/state.ts';
import { touch } from '../../process/memory.ts';
import type { Action } from '../action.ts';

export const touchAction: Action<'touch'> = {
  kind: 'touch',
  intFields: ['mm', 'page', 'frame'],
  guard: (_m, s, { mm, page, frame }) => {
    const pages = s.mms[mm]!.pages;
    if (!s.mms[mm]!.alive) return 'the process exited';
    if (!Number.isInteger(page) || page < 0 || page >= pages.length) return `page must be below ${pages.length}`;
    if (pages[page] !== PTE_UNMAPPED) return 'page not in a VMA or already mapped';
    if (frame < 0 || !frameFree(s, frame)) return 'frame is not free';
    return undefined;
  },
  scope: 'process',
  candidates: (m, s, { mm }, out) => {
    if (!s.mms[mm]!.alive) return;
    const pages = s.mms[mm]!.pages;
    const free = freeFrames(s, m.config.frames);
    for (let page = 0; page < pages.length; page++) {
      if (pages[page] === PTE_UNMAPPED) for (const frame of free) out.push({ kind: 'touch', mm, page, frame });
    }
  },
  bounds: [],
  // MEM-TOUCH
  apply: (ctx, s, { mm, page, frame }) => touch(ctx, s, mm, page, frame),
};
