// exit: the process exits; exit_mmap() runs release() on each notifier, then frees its memory.
import { exit } from '../../process/memory.ts';
import type { Action } from '../action.ts';

export const exitAction: Action<'exit'> = {
  kind: 'exit',
  intFields: ['mm'],
  guard: (_m, s, { mm }) => (s.mms[mm]!.alive ? undefined : 'the process already exited'),
  scope: 'process',
  candidates: (_m, s, { mm }, out) => {
    if (s.mms[mm]!.alive) out.push({ kind: 'exit', mm });
  },
  bounds: [],
  // MEM-EXIT
  apply: (ctx, s, { mm }) => exit(ctx, s, mm),
};
