// Random walks over enabledEvents for property tests: a list of choice numbers picks, at each
// step, one of the events enabled in the current state.
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../../src/model/config.ts';
import type { Event } from '../../src/model/event.ts';
import { enabledEvents } from '../../src/machine/enabled.ts';
import { initialState } from '../../src/machine/initial.ts';
import { createModel } from '../../src/model/model.ts';
import type { State } from '../../src/model/state.ts';
import { step } from '../../src/machine/step.ts';
import type { VariantName } from '../../src/model/variant.ts';
import { checkInvariants, checkTransition, type InvariantName, type Violation } from '../../src/invariants/invariants.ts';

export interface WalkResult {
  readonly events: readonly Event[];
  /** Violations of the first step that violated a watched invariant (the walk stops there). */
  readonly violations: readonly Violation[];
}

/**
 * Choose kind first, then an instance of it: every event kind enabled now is equally likely,
 * however many instances (frames, ranges) it has. Shrinking a choice towards 0 picks the first
 * enabled kind's first instance.
 */
export function pick(enabled: readonly Event[], c: number): Event {
  const kinds: Event['kind'][] = [];
  for (const e of enabled) if (!kinds.includes(e.kind)) kinds.push(e.kind);
  const kind = kinds[c % kinds.length]!;
  const group = enabled.filter((e) => e.kind === kind);
  return group[Math.floor(c / kinds.length) % group.length]!;
}

/** Walk until a step violates an invariant (only `watch` if given; other violations are passed over). */
export function walk(config: Config, variant: VariantName, choices: readonly number[], watch?: InvariantName): WalkResult {
  const m = createModel(config, variant);
  let s = initialState(config);
  const events: Event[] = [];
  for (const c of choices) {
    const enabled = enabledEvents(m, s);
    if (enabled.length === 0) break;
    const e = pick(enabled, c);
    const r = step(m, s, e);
    if (E.isLeft(r)) throw new Error(`enabled event refused: ${JSON.stringify(e)}: ${JSON.stringify(r.left)}`);
    events.push(e);
    const violations = [...checkInvariants(m, r.right.state), ...checkTransition(m, s, e, r.right.state, r.right.observations)]
      .filter((v) => watch === undefined || v.invariant === watch);
    if (violations.length > 0) return { events, violations };
    s = r.right.state;
  }
  return { events, violations: [] };
}

/** States reached by a deterministic pseudo-random walk of `n` steps (a dead end starts a new walk). */
export function walkStates(c: Config, variant: VariantName, n: number, seed = 7): State[] {
  const m = createModel(c, variant);
  let s = initialState(c);
  const out: State[] = [s];
  let x = seed;
  for (let i = 0; i < n; i++) {
    const ev = enabledEvents(m, s);
    if (ev.length === 0) { s = initialState(c); continue; }
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const r = step(m, s, ev[x % ev.length]!);
    if (E.isLeft(r)) throw new Error('enabled event refused');
    s = r.right.state;
    out.push(s);
  }
  return out;
}
