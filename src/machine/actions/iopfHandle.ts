// iopfHandle: the IOPF handler works on the fault (dev, group), choosing `frame` if it faults a page in.
import { faultIndex, frameFree, freeFrames, iopfPlan } from '../../model/queries.ts';
import { iopfHandle } from '../../driver/iopf.ts';
import type { Action } from '../action.ts';

export const iopfHandleAction: Action<'iopfHandle'> = {
  kind: 'iopfHandle',
  intFields: ['dev', 'group', 'frame'],
  guard: (m, s, { dev, group, frame }) => {
    const i = faultIndex(s, dev, group);
    if (i < 0) return 'no such fault group';
    if (s.faults[i]!.status !== 'pending') return 'fault already handled';
    if (iopfPlan(s, i) !== 'faultIn') return frame === -1 ? undefined : 'frame must be -1: the handler allocates no frame';
    if (frame === -1) return freeFrames(s, m.config.frames).length === 0 ? undefined : 'frame must be a free frame';
    return frameFree(s, frame) ? undefined : 'frame is not free';
  },
  scope: 'fault',
  candidates: (m, s, { i }, out) => {
    const f = s.faults[i]!;
    if (f.status !== 'pending') return;
    const free = iopfPlan(s, i) === 'faultIn' ? freeFrames(s, m.config.frames) : [];
    if (free.length > 0) for (const frame of free) out.push({ kind: 'iopfHandle', dev: f.dev, group: f.group, frame });
    else out.push({ kind: 'iopfHandle', dev: f.dev, group: f.group, frame: -1 });
  },
  bounds: [],
  // DRV-IOPF-HANDLE
  apply: (ctx, s, { dev, group, frame }) => iopfHandle(ctx, s, faultIndex(s, dev, group), frame),
};
