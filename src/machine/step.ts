// step(model, state, event): the reducer. Either a typed error (state unchanged) or the next
// state with everything the step made observable, in the order it happened.
import * as E from 'fp-ts/lib/Either.js';
import type { Ctx } from '../model/context.ts';
import type { ModelError } from '../model/error.ts';
import type { Event, EventKind } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import type { EventOf } from './action.ts';
import { actions } from './actions/index.ts';
import { guard } from './guard.ts';

export interface StepResult {
  readonly state: State;
  readonly observations: readonly Observation[];
}

function apply<K extends EventKind>(ctx: Ctx, s: State, e: EventOf<K>): State {
  return (actions[e.kind] as unknown as { apply: (ctx: Ctx, s: State, e: EventOf<K>) => State }).apply(ctx, s, e);
}

/**
 * step() without the guard, for callers that only pass events enabledEvents() listed for `s`
 * (the exhaustive explorer): same next state and observations.
 */
export function stepEnabled(m: Model, s: State, e: Event): StepResult {
  const ctx: Ctx = { config: m.config, traits: m.traits, out: [] };
  const state = apply(ctx, s, e);
  return { state, observations: ctx.out };
}

export function step(m: Model, s: State, e: Event): E.Either<ModelError, StepResult> {
  const bad = guard(m, s, e);
  return bad ? E.left(bad) : E.right(stepEnabled(m, s, e));
}
