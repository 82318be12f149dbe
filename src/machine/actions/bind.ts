// bind: iommu_sva_bind_device(dev, mm), with an optional injected kzalloc failure.
import type { Event } from '../../model/event.ts';
import type { Model } from '../../model/model.ts';
import { bondIndex, detached, lookupNotifier } from '../../model/queries.ts';
import type { State } from '../../model/state.ts';
import { bind } from '../../driver/sva.ts';
import type { Action, EventOf } from '../action.ts';

/** ENV-SRCU-BOUND: a fresh notifier for (domain, mm) would be registered while the SRCU free of the previous one is pending. */
function waitsForSrcuFree(m: Model, s: State, dev: number, mm: number): boolean {
  const domain = s.ste[dev]!.domain;
  return bondIndex(s, dev, mm) < 0 && s.deferredFrees.some((f) => f.domain === domain && f.mm === mm) && lookupNotifier(m, s, domain, mm) < 0;
}

/** ENV-ALLOC-FAIL: a failure is injected only where an allocation happens and is not refused earlier. */
function failureOffered(m: Model, s: State, e: EventOf<'bind'>): boolean {
  if (e.fail === 'none') return true;
  const domain = s.ste[e.dev]!.domain;
  if (bondIndex(s, e.dev, e.mm) >= 0 || !s.svaEnabled[e.dev] || m.config.domains[domain]!.stage !== 1) return false;
  return e.fail === 'bond' || lookupNotifier(m, s, domain, e.mm) < 0;
}

/** ENV-BOND-REFS: a bond's refcount is bounded by options.maxBondRefs. */
function refsBelowBound(m: Model, s: State, dev: number, mm: number): boolean {
  const bi = bondIndex(s, dev, mm);
  return bi < 0 || s.bonds[bi]!.refs < m.config.options.maxBondRefs;
}

export const bindAction: Action<'bind'> = {
  kind: 'bind',
  intFields: ['dev', 'mm'],
  guard: (m, s, { dev, mm, fail }) =>
    detached(s, dev) ? 'device detached (its domain was freed)'
      : !s.mms[mm]!.alive && !m.config.options.bindAfterExit ? 'the process exited; only options.bindAfterExit lets a driver bind its mm'
        : fail !== 'none' && !m.config.options.allocFailure ? 'allocation failures are not enabled (options.allocFailure)' : undefined,
  scope: 'deviceProcess',
  candidates: (m, s, { dev, mm }, out) => {
    if (bindAction.guard(m, s, { kind: 'bind', dev, mm, fail: 'none' }) !== undefined) return;
    if (waitsForSrcuFree(m, s, dev, mm) || !refsBelowBound(m, s, dev, mm)) return;
    const fails = m.config.options.allocFailure ? (['none', 'bond', 'notifier'] as const) : (['none'] as const);
    for (const fail of fails) {
      const e: Event = { kind: 'bind', dev, mm, fail };
      if (failureOffered(m, s, e)) out.push(e);
    }
  },
  bounds: [
    { id: 'ENV-SRCU-BOUND', excludes: (m, s, e) => waitsForSrcuFree(m, s, e.dev, e.mm) },
    { id: 'ENV-BOND-REFS', excludes: (m, s, e) => !refsBelowBound(m, s, e.dev, e.mm) },
    { id: 'ENV-ALLOC-FAIL', excludes: (m, s, e) => !failureOffered(m, s, e) },
  ],
  // DRV-BIND
  apply: (ctx, s, { dev, mm, fail }) => bind(ctx, s, dev, mm, fail),
};
