// Counterexamples are rebuilt by replaying, not stored: the node's parent chain gives the path
// length and, per node, its 64-bit fingerprint (the hash of its key, or of its Store's image:
// EXP-FP-IMAGE). From the initial state we step, at each node, the event whose successor has
// the next node's fingerprint (the parent's enabled-event index is
// tried first; with symmetry reduction the stored representative may be a relabelled copy of the
// concrete state, so the index can name another event and we search the enabled list). The result
// is a concrete event sequence from initialState() whose steps the reducer reproduces exactly.
import type { Event } from '../model/event.ts';
import { enabledEvents } from '../machine/enabled.ts';
import { initialState } from '../machine/initial.ts';
import { createModel, type Model } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import { stepEnabled } from '../machine/step.ts';
import { checkInvariants, checkTransition, type InvariantName } from '../invariants/invariants.ts';
import { IntBuf } from './encode.ts';
import type { ExploreResult, Found } from './explore.ts';
import { Canonicalizer, symmetryOf } from './symmetry.ts';
import { hash64 } from './visited.ts';
import { storeImageFingerprint } from './packed/fingerprint.ts';

export interface TraceStep {
  readonly event: Event;
  readonly observations: readonly Observation[];
}

export interface Counterexample {
  readonly invariant: InvariantName;
  readonly steps: readonly TraceStep[];
  /** The violation message naming the offending part of the state (Violation.detail). */
  readonly detail: string;
  /** The state the trace ends in. */
  readonly state: State;
}

/** Node indices from the initial node (0) to `node`. */
export function pathTo(r: ExploreResult, node: number): number[] {
  const path: number[] = [];
  for (let n = node; ; n = r.graph.parent[n]!) {
    path.push(n);
    if (n === 0) break;
  }
  return path.reverse();
}

/** Writes the fingerprint of a state, as the search that found the nodes computed it (ExploreResult.fingerprint). */
export type StateFingerprint = (s: State, h: Uint32Array) => void;

/** The fingerprint a search computed for its nodes (ExploreResult.fingerprint): its key's hash, or its Store image's (EXP-FP-IMAGE). */
export function fingerprintOf(r: Pick<ExploreResult, 'config' | 'symmetry' | 'fingerprint'>): StateFingerprint {
  if (r.fingerprint === 'storeImage') return storeImageFingerprint(r.config);
  const canon = new Canonicalizer(r.config, symmetryOf(r.config, r.symmetry));
  const buf = new IntBuf(256);
  return (s, h) => {
    buf.reset();
    canon.key(s, buf);
    hash64(buf.a, 0, buf.n, h);
  };
}

/** Replay the concrete path to `node`: its events with their observations, and the final state. */
export function replayTo(r: ExploreResult, node: number, m: Model = createModel(r.config, r.variant), fingerprint: StateFingerprint = fingerprintOf(r)): { steps: TraceStep[]; state: State } {
  const h = new Uint32Array(2);
  let s = initialState(r.config);
  const steps: TraceStep[] = [];
  for (const n of pathTo(r, node).slice(1)) {
    const events = enabledEvents(m, s);
    const hint = r.graph.eventIndex[n]!;
    const order = [hint, ...events.keys()].filter((k, i) => k < events.length && (i === 0 || k !== hint));
    let ok = false;
    for (const k of order) {
      const e = events[k]!;
      const next = stepEnabled(m, s, e);
      fingerprint(next.state, h);
      if (h[0] === r.graph.hi[n] && h[1] === r.graph.lo[n]) {
        steps.push({ event: e, observations: next.observations });
        s = next.state;
        ok = true;
        break;
      }
    }
    if (!ok) throw new Error(`counterexample replay: no enabled event reaches node ${n}`);
  }
  return { steps, state: s };
}

function pendingFaults(s: State): string {
  return s.faults.map((f) => `${f.via === 'pri' ? 'page request PRGI' : 'stalled transaction STAG'} ${f.group} of device ${f.dev} (PASID ${f.pasid} page ${f.page}, ${f.status})`).join('; ');
}

/** A shortest counterexample for one found violation, replayed and re-checked. */
export function counterexample(r: ExploreResult, f: Found): Counterexample {
  const m = createModel(r.config, r.variant);
  const { steps, state } = replayTo(r, f.node, m);
  switch (f.kind) {
    case 'state': {
      const v = checkInvariants(m, state).find((x) => x.invariant === f.invariant);
      if (!v) throw new Error(`counterexample replay: ${f.invariant} does not hold at the replayed state`);
      return { invariant: f.invariant, steps, detail: v.detail, state };
    }
    case 'transition': {
      // the violating event of the concrete state (the stored index names the representative's)
      const events = enabledEvents(m, state);
      const order = [f.eventIndex, ...events.keys()].filter((k, i) => k < events.length && (i === 0 || k !== f.eventIndex));
      for (const k of order) {
        const e = events[k]!;
        const next = stepEnabled(m, state, e);
        const v = checkTransition(m, state, e, next.state, next.observations).find((x) => x.invariant === f.invariant);
        if (v) return { invariant: f.invariant, steps: [...steps, { event: e, observations: next.observations }], detail: v.detail, state: next.state };
      }
      throw new Error(`counterexample replay: no transition violates ${f.invariant}`);
    }
    case 'liveness':
      return {
        invariant: f.invariant,
        steps,
        detail: `no state without a pending fault is reachable from here; pending: ${pendingFaults(state)}; ${f.unresolvable} of the ${r.states} states explored cannot reach one`,
        state,
      };
  }
}
