// iopfRespond: the IOPF handler's page response (PRI) or CMD_RESUME (stall) for the fault (dev, group).
import { faultIndex } from '../../model/queries.ts';
import { iopfRespond } from '../../driver/iopf.ts';
import type { Action } from '../action.ts';

export const iopfRespondAction: Action<'iopfRespond'> = {
  kind: 'iopfRespond',
  intFields: ['dev', 'group'],
  guard: (_m, s, { dev, group }) => {
    const i = faultIndex(s, dev, group);
    if (i < 0) return 'no such fault group';
    return s.faults[i]!.status === 'pending' ? 'fault not handled yet' : undefined;
  },
  scope: 'fault',
  candidates: (_m, s, { i }, out) => {
    const f = s.faults[i]!;
    if (f.status !== 'pending') out.push({ kind: 'iopfRespond', dev: f.dev, group: f.group });
  },
  bounds: [],
  // DRV-IOPF-RESPOND
  apply: (ctx, s, { dev, group }) => iopfRespond(ctx, s, faultIndex(s, dev, group)),
};
