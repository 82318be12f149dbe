// Run a scripted event sequence through the reducer, checking every invariant after each step.
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../model/config.ts';
import { describeError, type ModelError } from '../model/error.ts';
import type { Event } from '../model/event.ts';
import { initialState } from '../machine/initial.ts';
import { createModel } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import { step } from '../machine/step.ts';
import type { VariantName } from '../model/variant.ts';
import { checkInvariants, checkTransition, type Violation } from '../invariants/invariants.ts';

export interface ScriptStep {
  readonly index: number;
  readonly event: Event;
  readonly observations: readonly Observation[];
  readonly violations: readonly Violation[];
  readonly state: State;
}

export interface ScriptRun {
  readonly steps: readonly ScriptStep[];
  /** Set when an event was refused: the run stops there. */
  readonly refused?: { readonly index: number; readonly event: Event; readonly error: ModelError; readonly message: string };
}

export function runScript(config: Config, variant: VariantName, events: readonly Event[]): ScriptRun {
  const m = createModel(config, variant);
  let s = initialState(config);
  const steps: ScriptStep[] = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    const r = step(m, s, event);
    if (E.isLeft(r)) return { steps, refused: { index, event, error: r.left, message: describeError(r.left) } };
    const { state, observations } = r.right;
    const violations = [...checkInvariants(m, state), ...checkTransition(m, s, event, state, observations)];
    steps.push({ index, event, observations, violations, state });
    s = state;
  }
  return { steps };
}
