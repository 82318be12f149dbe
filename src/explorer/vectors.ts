// Test vectors from the explored graph (src/codecs/vector.ts codec), and their replay.
//
// Exhaustive mode (small configurations): explore WITHOUT symmetry reduction, so every node is one
// concrete reachable state, and emit one vector per (node, enabled event): the path is the node's
// shortest path from the initial state, the expectation is the reducer's observations and the
// digest of the next state.
//
// Cover mode (larger configurations): explore breadth-first up to a state bound and keep, for each
// cover key, the first transition found (so one of least depth): the key is the event kind plus
// the shape of what the step made observable (observation kinds, trace points, hardware event
// types, command opcodes, DMA result tags, return values and errnos, warnings) plus the invariants
// the step violates. The flags that decide an event's outcome (ATC hit or miss, CD valid /
// quiesced / illegal, TLB hit, stall or PRI, page present, SVA enabled, bond present...) all show
// in that shape, so this covers every event kind in every reachable combination of them.
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../model/config.ts';
import { stateDigest } from '../model/digest.ts';
import { enabledEvents } from '../machine/enabled.ts';
import { describeError } from '../model/error.ts';
import type { Event } from '../model/event.ts';
import { initialState } from '../machine/initial.ts';
import { createModel } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import { step, stepEnabled } from '../machine/step.ts';
import type { VariantName } from '../model/variant.ts';
import { vectorLine, type Vector } from '../codecs/vector.ts';
import { configByName } from '../codecs/config.ts';
import { configsDir as shippedConfigsDir } from '../codecs/files.ts';
import { checkTransition } from '../invariants/invariants.ts';
import { encodeState, IntBuf } from './encode.ts';
import { hash64, VisitedSet } from './visited.ts';
import type { State } from '../model/state.ts';
import { RefusalFinder } from './refusals.ts';
import { coverKey } from './shape.ts';

export { coverKey, obsShape } from './shape.ts';
import { coverWalks, transitionGraph } from './walk.ts';

export interface GenerateSpec {
  readonly config: Config;
  readonly variant: VariantName;
  /**
   * exhaustive: one vector per reachable (state, enabled event) pair, each by a shortest path.
   * transitions: walks that together take every reachable (state, enabled event) pair (walk.ts).
   * cover: one vector per cover key (coverKey), by a shortest path, within `maxStates` states.
   */
  readonly mode: 'exhaustive' | 'cover' | 'transitions';
  /** Cover mode: explore at most this many states. Transitions mode: fail beyond this many. */
  readonly maxStates?: number;
  /** Transitions mode: events per walk, at most (default 200). */
  readonly maxWalk?: number;
  /** Refusal vectors: probe at most this many states, breadth-first (default 3000; 0: none). */
  readonly refusalStates?: number;
}

/** What a vector set covers, recorded in generated/coverage.json. */
export interface VectorCoverage {
  readonly mode: GenerateSpec['mode'];
  /** States explored (all reachable ones unless truncated). */
  readonly states: number;
  readonly truncated: boolean;
  /** (state, enabled event) pairs taken by some vector (path steps included), of those out of the explored states. */
  readonly transitions: { readonly covered: number; readonly total: number };
  /** Refusal keys (refusalKey) with a vector, sorted. */
  readonly refusals: readonly string[];
  /** Bounded keys (refusals.ts boundedKey: events the guard accepts and an ENV-* bound keeps out of the exploration) with a vector, sorted. */
  readonly bounded: readonly string[];
}

export interface Generated {
  readonly vectors: Vector[];
  readonly states: number;
  readonly truncated: boolean;
  readonly coverage: VectorCoverage;
}

/** The vectors of one (config, variant) in a deterministic order; then one vector per refusal key and per bounded key. */
export function generateVectors(g: GenerateSpec): Generated {
  const r = g.mode === 'transitions' ? transitionVectors(g) : bfsVectors(g);
  const refused = refusalVectors(g.config, g.variant, g.refusalStates ?? 3000);
  return {
    vectors: [...r.vectors, ...refused.vectors],
    states: r.states,
    truncated: r.truncated,
    coverage: { mode: g.mode, states: r.states, truncated: r.truncated, transitions: r.transitions, refusals: refused.keys, bounded: refused.boundedKeys },
  };
}

type Part = Omit<Generated, 'coverage'> & { transitions: VectorCoverage['transitions'] };

function transitionVectors(g: GenerateSpec): Part {
  const { config, variant } = g;
  const maxStates = g.maxStates ?? 1_000_000;
  const graph = transitionGraph(config, variant, maxStates);
  if (!graph) throw new Error(`${config.name}/${variant}: more than ${maxStates} states, too large for a transition cover`);
  const vectors: Vector[] = [];
  const m = createModel(config, variant);
  const walked = coverWalks(config, variant, graph, g.maxWalk ?? 200, (w) => {
    const n = w.events.length;
    vectors.push({
      id: `${config.name}.${variant}.walk.${vectors.length}`, config: config.name, variant,
      path: w.events.slice(0, n - 1), event: w.events[n - 1]!,
      observations: [...stepEnabled(m, n > 1 ? w.after[n - 2]! : initialState(config), w.events[n - 1]!).observations],
      digest: stateDigest(w.after[n - 1]!),
    });
  });
  return { vectors, states: graph.states, truncated: false, transitions: { covered: walked.covered, total: graph.target.length } };
}

function bfsVectors(g: GenerateSpec): Part {
  const { config, variant } = g;
  const m = createModel(config, variant);
  const maxStates = g.mode === 'cover' ? g.maxStates ?? 20_000 : 1_000_000;
  const visited = new VisitedSet();
  const buf = new IntBuf(256);
  const h = new Uint32Array(2);
  const parent: number[] = [-1];
  const via: (Event | undefined)[] = [undefined];
  const viaIndex: number[] = [-1];
  const keyOf = (st: State) => { buf.reset(); encodeState(st, buf); hash64(buf.a, 0, buf.n, h); return h; };
  const k0 = keyOf(initialState(config));
  visited.insert(k0[0]!, k0[1]!);
  let frontier: { node: number; state: State }[] = [{ node: 0, state: initialState(config) }];
  const out: Vector[] = [];
  const seen = new Set<string>();
  // (node, enabled-event index) pairs taken by a vector, as node * 4096 + index
  const taken = new Set<number>();
  let total = 0;
  let truncated = false;
  const pathOf = (node: number) => {
    const p: Event[] = [];
    for (let n = node; n > 0; n = parent[n]!) { p.push(via[n]!); taken.add(parent[n]! * 4096 + viaIndex[n]!); }
    return p.reverse();
  };
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { node, state } of frontier) {
      let path: Event[] | undefined;
      enabledEvents(m, state).forEach((event, k) => {
        total++;
        const r = stepEnabled(m, state, event);
        const key = keyOf(r.state);
        if (visited.get(key[0]!, key[1]!) < 0) {
          if (visited.size >= maxStates) truncated = true;
          else {
            const t = -visited.insert(key[0]!, key[1]!) - 1;
            parent[t] = node;
            via[t] = event;
            viaIndex[t] = k;
            next.push({ node: t, state: r.state });
          }
        }
        if (g.mode === 'cover') {
          const violated = [...new Set(checkTransition(m, state, event, r.state, r.observations).map((v) => v.invariant))].sort();
          const ck = coverKey(event, r.observations, violated);
          if (seen.has(ck)) return;
          seen.add(ck);
        }
        path ??= pathOf(node);
        taken.add(node * 4096 + k);
        out.push({ id: `${config.name}.${variant}.${node}.${k}`, config: config.name, variant, path, event, observations: [...r.observations], digest: stateDigest(r.state) });
      });
    }
    frontier = next;
  }
  if (g.mode === 'exhaustive' && truncated) throw new Error(`${config.name}: more than ${maxStates} states, too large for exhaustive vectors`);
  return { vectors: out, states: visited.size, truncated, transitions: { covered: taken.size, total } };
}

/**
 * One vector per refusal key (refusals.ts), each from the first state breadth-first where the key
 * shows, by a shortest path; the vector expects the error tag. Then one vector per bounded key
 * (refusals.ts boundedKey: an event the guard accepts that an ENV-* bound keeps out of the
 * exploration, such as enabling SVA twice), found the same way; it expects the observations and
 * the next-state digest. Probing stops after `maxStates` states, or 500 states after the last new key.
 */
export function refusalVectors(config: Config, variant: VariantName, maxStates: number): { vectors: Vector[]; keys: string[]; boundedKeys: string[] } {
  if (maxStates <= 0) return { vectors: [], keys: [], boundedKeys: [] };
  const m = createModel(config, variant);
  const finder = new RefusalFinder(m);
  const visited = new VisitedSet();
  const buf = new IntBuf(256);
  const h = new Uint32Array(2);
  const keyOf = (st: State) => { buf.reset(); encodeState(st, buf); hash64(buf.a, 0, buf.n, h); return h; };
  const parent: number[] = [-1];
  const via: (Event | undefined)[] = [undefined];
  const s0 = initialState(config);
  const k0 = keyOf(s0);
  visited.insert(k0[0]!, k0[1]!);
  const queue: State[] = [s0];
  let lastNew = 0;
  for (let node = 0; node < queue.length && node < maxStates && node - lastNew <= 500; node++) {
    const state = queue[node]!;
    if (finder.probe(node, state) > 0) lastNew = node;
    for (const event of enabledEvents(m, state)) {
      if (queue.length >= maxStates) break;
      const next = stepEnabled(m, state, event).state;
      const key = keyOf(next);
      if (visited.get(key[0]!, key[1]!) >= 0) continue;
      visited.insert(key[0]!, key[1]!);
      parent.push(node);
      via.push(event);
      queue.push(next);
    }
  }
  const pathTo = (node: number): Event[] => {
    const path: Event[] = [];
    for (let n = node; n > 0; n = parent[n]!) path.push(via[n]!);
    return path.reverse();
  };
  const vectors: Vector[] = [];
  const keys: string[] = [];
  for (const [key, f] of finder.found) {
    vectors.push({ id: `${config.name}.${variant}.refused.${keys.length}`, config: config.name, variant, path: pathTo(f.node), event: f.event, error: f.error.tag });
    keys.push(key);
  }
  const boundedKeys: string[] = [];
  for (const [key, f] of finder.bounded) {
    vectors.push({ id: `${config.name}.${variant}.bounded.${boundedKeys.length}`, config: config.name, variant, path: pathTo(f.node), event: f.event, observations: [...f.observations], digest: stateDigest(f.next) });
    boundedKeys.push(key);
  }
  return { vectors, keys: [...keys].sort(), boundedKeys: boundedKeys.sort() };
}

/** JSON with object keys sorted, for comparing observations independently of key order. */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
}

/** Why a vector does not replay as recorded, or undefined when it does. */
export function replayVector(config: Config, v: Vector): string | undefined {
  const m = createModel(config, v.variant);
  let s = initialState(config);
  for (let i = 0; i < v.path.length; i++) {
    const r = step(m, s, v.path[i]!);
    if (E.isLeft(r)) return `${v.id}: path event ${i + 1} refused: ${describeError(r.left)}`;
    s = r.right.state;
  }
  const r = step(m, s, v.event);
  if (E.isLeft(r)) return v.error !== undefined && v.error === r.left.tag ? undefined : `${v.id}: event refused: ${describeError(r.left)}`;
  if (v.error !== undefined) return `${v.id}: expected error ${v.error}, the event was accepted`;
  const got = canonicalJson(r.right.observations);
  if (v.observations !== undefined && got !== canonicalJson(v.observations)) {
    return `${v.id}: observations differ\n  expected ${JSON.stringify(v.observations)}\n  got      ${got}`;
  }
  const digest = stateDigest(r.right.state);
  if (v.digest !== undefined && digest !== v.digest) return `${v.id}: next-state digest ${digest}, expected ${v.digest}`;
  return undefined;
}

/** spec/configs/<name>.json, or the built-in default for "default". */
export function vectorConfig(name: string, configsDir: string = shippedConfigsDir): E.Either<string[], Config> {
  return configByName(configsDir, name);
}

/** Replay every vector of a file; returns the mismatches (empty when all replay as recorded). */
export function replayVectors(vectors: readonly Vector[]): string[] {
  const configs = new Map<string, E.Either<string[], Config>>();
  const out: string[] = [];
  for (const v of vectors) {
    let c = configs.get(v.config);
    if (!c) { c = vectorConfig(v.config); configs.set(v.config, c); }
    if (E.isLeft(c)) { out.push(...c.left.map((l) => `${v.id}: ${l}`)); continue; }
    const bad = replayVector(c.right, v);
    if (bad) out.push(bad);
  }
  return out;
}
