// Goal-directed search: the shortest event sequence, among those the `allow` filter permits, whose
// last step satisfies `goal`. Used to tell the seed's stale-ATC story exactly as the review thread
// tells it (the explorer's own v6 counterexample is shorter: the CPU, not the device, faults the
// page in, and the stale frame is still free rather than reused).
import type { Config } from '../model/config.ts';
import { enabledEvents } from '../machine/enabled.ts';
import type { Event } from '../model/event.ts';
import { initialState } from '../machine/initial.ts';
import { createModel } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import { stepEnabled } from '../machine/step.ts';
import type { VariantName } from '../model/variant.ts';
import { checkTransition, type Violation } from '../invariants/invariants.ts';
import type { Counterexample, TraceStep } from './counterexample.ts';
import { encodeState, IntBuf } from './encode.ts';
import { hash64, VisitedSet } from './visited.ts';

export interface StoryGoal {
  readonly allow: (e: Event, s: State) => boolean;
  /** The violation that ends the story, if this step makes one. */
  readonly goal: (before: State, e: Event, after: State, obs: readonly Observation[], violations: readonly Violation[]) => Violation | undefined;
}

export function shortestStory(config: Config, variant: VariantName, g: StoryGoal, maxStates = 2_000_000): Counterexample | undefined {
  const m = createModel(config, variant);
  const visited = new VisitedSet();
  const buf = new IntBuf(256);
  const h = new Uint32Array(2);
  const parent: number[] = [-1];
  const steps: (TraceStep | undefined)[] = [undefined];
  const add = (s: State) => { buf.reset(); encodeState(s, buf); hash64(buf.a, 0, buf.n, h); return visited.insert(h[0]!, h[1]!); };
  const s0 = initialState(config);
  add(s0);
  let frontier: { node: number; state: State }[] = [{ node: 0, state: s0 }];
  const path = (node: number, last: TraceStep) => {
    const out: TraceStep[] = [last];
    for (let n = node; n > 0; n = parent[n]!) out.push(steps[n]!);
    return out.reverse();
  };
  while (frontier.length > 0 && visited.size < maxStates) {
    const next: typeof frontier = [];
    for (const { node, state } of frontier) {
      for (const e of enabledEvents(m, state)) {
        if (!g.allow(e, state)) continue;
        const r = stepEnabled(m, state, e);
        const v = g.goal(state, e, r.state, r.observations, checkTransition(m, state, e, r.state, r.observations));
        if (v) return { invariant: v.invariant, steps: path(node, { event: e, observations: r.observations }), detail: v.detail, state: r.state };
        const t = add(r.state);
        if (t < 0) {
          const n = -t - 1;
          parent[n] = node;
          steps[n] = { event: e, observations: r.observations };
          next.push({ node: n, state: r.state });
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/**
 * The seed's stale-ATC story under v6: the device faults the page in itself (ATS miss, PRI page
 * request, the IOPF handler maps it, Success, the retry fills the ATC), the process unmaps it
 * (invalidate_range sends no CMD_ATC_INV), another process gets the frame, and the device's next
 * DMA goes through the stale ATC entry into that process's memory. Process 0 never touches memory
 * from the CPU here, so its page can only come from the device's fault; process 1 only uses
 * memory from the CPU (it is never bound), so the frame it gets is the one the ATC still names.
 */
export const staleAtcStory: StoryGoal = {
  allow: (e) => !(e.kind === 'touch' && e.mm === 0) && !(e.kind === 'bind' && e.mm === 1) && e.kind !== 'unbind',
  goal: (_b, _e, _a, obs, vs) => {
    const viaAtc = obs.some((o) => o.kind === 'dma' && o.result.tag === 'access' && o.result.via === 'atc');
    return viaAtc ? vs.find((v) => v.invariant === 'dma-isolation' && /now belongs to process/.test(v.detail)) : undefined;
  },
};
