// notifierFree: the SRCU callback of mmu_notifier_put() for the notifier of (domain, mm).
import { notifierFree } from '../../driver/notifier.ts';
import type { State } from '../../model/state.ts';
import type { Action } from '../action.ts';

const freeIndex = (s: State, domain: number, mm: number) => s.deferredFrees.findIndex((f) => f.domain === domain && f.mm === mm);

export const notifierFreeAction: Action<'notifierFree'> = {
  kind: 'notifierFree',
  intFields: ['domain', 'mm'],
  guard: (_m, s, { domain, mm }) => (freeIndex(s, domain, mm) >= 0 ? undefined : 'no deferred free pending for this notifier'),
  scope: 'deferredFree',
  candidates: (_m, s, { i }, out) => {
    const f = s.deferredFrees[i]!;
    const prev = s.deferredFrees[i - 1];
    // two pending frees of one (domain, mm) are one event: the oldest runs first
    if (prev && prev.domain === f.domain && prev.mm === f.mm) return;
    out.push({ kind: 'notifierFree', domain: f.domain, mm: f.mm });
  },
  bounds: [],
  // DRV-MN-FREE
  apply: (ctx, s, { domain, mm }) => notifierFree(ctx, s, freeIndex(s, domain, mm)),
};
