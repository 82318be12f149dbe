// Helpers for the invariant tests: which invariants a state or a step violates.
import type { Event } from '../../src/model/event.ts';
import type { Model } from '../../src/model/model.ts';
import type { Observation } from '../../src/model/observation.ts';
import type { State } from '../../src/model/state.ts';
import { checkInvariants, checkTransition, type InvariantName } from '../../src/invariants/invariants.ts';
import type { Run } from '../rules/helpers.ts';

/** Names of the state invariants `s` violates (sorted, without duplicates). */
export function stateViolations(m: Model, s: State): InvariantName[] {
  return [...new Set(checkInvariants(m, s).map((v) => v.invariant))].sort();
}

/** Names of the transition invariants a step violates. */
export function stepViolations(m: Model, before: State, e: Event, after: State, obs: readonly Observation[]): InvariantName[] {
  return [...new Set(checkTransition(m, before, e, after, obs).map((v) => v.invariant))].sort();
}

/** Every invariant violated by any step of a run, state and transition checks both. */
export function runViolations(r: Run, events: readonly Event[]): InvariantName[] {
  const out = new Set<InvariantName>();
  events.forEach((e, i) => {
    for (const v of checkInvariants(r.m, r.states[i + 1]!)) out.add(v.invariant);
    for (const v of checkTransition(r.m, r.states[i]!, e, r.states[i + 1]!, r.perStep[i]!)) out.add(v.invariant);
  });
  return [...out].sort();
}

/** Index of the first step after which `name` is violated, or -1. */
export function firstViolation(r: Run, events: readonly Event[], name: InvariantName): number {
  for (let i = 0; i < events.length; i++) {
    const vs = [...checkInvariants(r.m, r.states[i + 1]!), ...checkTransition(r.m, r.states[i]!, events[i]!, r.states[i + 1]!, r.perStep[i]!)];
    if (vs.some((v) => v.invariant === name)) return i;
  }
  return -1;
}
