// What the reference model answers to each request: the expectation an implementation's reply
// is compared with.
import * as E from 'fp-ts/lib/Either.js';
import { stateDigest } from '../model/digest.ts';
import type { Event } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import { step } from '../machine/step.ts';

export type Expected =
  | { readonly tag: 'accepted'; readonly observations: readonly Observation[]; readonly digest?: string }
  | { readonly tag: 'refused'; readonly error: string; readonly detail?: string };

export interface Oracle {
  readonly expected: Expected;
  /** The reference state after the event (unchanged when refused). */
  readonly next: State;
}

export function expectStep(m: Model, s: State, e: Event): Oracle {
  const r = step(m, s, e);
  if (E.isLeft(r)) {
    const detail = r.left.tag === 'NotEnabled' ? r.left.reason : undefined;
    return { expected: { tag: 'refused', error: r.left.tag, ...(detail ? { detail } : {}) }, next: s };
  }
  return { expected: { tag: 'accepted', observations: r.right.observations, digest: stateDigest(r.right.state) }, next: r.right.state };
}
