// Transition cover: walks over the concrete reachable transition graph (no symmetry reduction)
// that, together, take every (reachable state, enabled event) pair at least once.
//
// The graph is built breadth-first (nodes in BFS order, out-edges in enabledEvents() order, so the
// k-th out-edge of a node is the k-th enabled event of its state). Then walks from the initial
// state, greedily: take the first untaken out-edge of the current node; when every out-edge of it
// is taken, go by a shortest path to the nearest node that still has one (searching a bounded
// neighbourhood); when none is found (exit, domainFree and the like cannot be undone) or the walk
// reached its length bound, start a new walk from the initial state, by the breadth-first tree
// to the first node (in BFS order) that still has an untaken out-edge. Each walk becomes one vector: its events but the last are the
// path, the last is the event, and every step of the path is checked on replay, so a walk of
// n events covers n transitions. Deterministic: BFS order, first untaken edge, first nearest node.
import type { Config } from '../model/config.ts';
import { enabledEvents } from '../machine/enabled.ts';
import type { Event } from '../model/event.ts';
import { initialState } from '../machine/initial.ts';
import { createModel } from '../model/model.ts';
import type { State } from '../model/state.ts';
import { stepEnabled } from '../machine/step.ts';
import type { VariantName } from '../model/variant.ts';
import { encodeState, IntBuf } from './encode.ts';
import { hash64, VisitedSet } from './visited.ts';

/** The reachable transition graph of one (configuration, variant), in compressed rows. */
export interface TransitionGraph {
  readonly states: number;
  /** Out-edges of node n: target[first[n]] .. target[first[n + 1] - 1], in enabledEvents() order. */
  readonly first: Int32Array;
  readonly target: Int32Array;
  /** The edge by which breadth-first search first reached each node (-1 for the initial state). */
  readonly treeEdge: Int32Array;
}

/** The graph, or undefined when it has more than `maxStates` states. */
export function transitionGraph(config: Config, variant: VariantName, maxStates: number): TransitionGraph | undefined {
  const m = createModel(config, variant);
  const visited = new VisitedSet();
  const buf = new IntBuf(256);
  const h = new Uint32Array(2);
  const keyOf = (st: State) => { buf.reset(); encodeState(st, buf); hash64(buf.a, 0, buf.n, h); return h; };
  const s0 = initialState(config);
  const k0 = keyOf(s0);
  visited.insert(k0[0]!, k0[1]!);
  let first = new Int32Array(1024);
  let target = new Int32Array(8192);
  let treeEdge = new Int32Array(1024).fill(-1);
  let edges = 0;
  let queue: State[] = [s0];
  let node = 0;
  while (queue.length > 0) {
    const next: State[] = [];
    for (const state of queue) {
      if (node + 2 > first.length) { const f = new Int32Array(first.length * 2); f.set(first); first = f; }
      first[node] = edges;
      for (const event of enabledEvents(m, state)) {
        const r = stepEnabled(m, state, event);
        const key = keyOf(r.state);
        let t = visited.get(key[0]!, key[1]!);
        if (t < 0) {
          if (visited.size >= maxStates) return undefined;
          t = -visited.insert(key[0]!, key[1]!) - 1;
          if (t >= treeEdge.length) { const x = new Int32Array(treeEdge.length * 2).fill(-1); x.set(treeEdge); treeEdge = x; }
          treeEdge[t] = edges;
          next.push(r.state);
        }
        if (edges === target.length) { const x = new Int32Array(target.length * 2); x.set(target); target = x; }
        target[edges++] = t;
      }
      node++;
    }
    queue = next;
  }
  first[node] = edges;
  return { states: node, first: first.slice(0, node + 1), target: target.slice(0, edges), treeEdge: treeEdge.slice(0, node) };
}

export interface Walk {
  /** Every event of the walk, from the initial state. */
  readonly events: Event[];
  /** The states after each event (states[i] after events[i]). */
  readonly after: State[];
}

/**
 * Walks covering every edge of `g` (see the file comment), each at most `maxLength` events. The
 * callback gets each walk as soon as it ends (the walks of a large graph are not all kept).
 */
export function coverWalks(config: Config, variant: VariantName, g: TransitionGraph, maxLength: number, onWalk: (w: Walk) => void, localSearch = 2000): { walks: number; steps: number; covered: number } {
  const m = createModel(config, variant);
  const { first, target } = g;
  const taken = new Uint8Array(target.length);
  /** Per node, the first out-edge that may be untaken (all before it are taken). */
  const cursor = Int32Array.from(first.subarray(0, g.states));
  const open = (n: number) => {
    let c = cursor[n]!;
    while (c < first[n + 1]! && taken[c]) c++;
    cursor[n] = c;
    return c < first[n + 1]!;
  };
  // scratch for the breadth-first searches
  const seenAt = new Int32Array(g.states).fill(-1);
  const viaEdge = new Int32Array(g.states);
  let search = 0;
  /**
   * Edge indices of a shortest path from `from` to the nearest node with an untaken out-edge,
   * searching at most `localSearch` nodes (undefined when none is found within them).
   */
  const toNearestOpen = (from: number): number[] | undefined => {
    search++;
    seenAt[from] = search;
    const q = [from];
    for (let qi = 0; qi < q.length && qi < localSearch; qi++) {
      const u = q[qi]!;
      if (open(u)) {
        const path: number[] = [];
        for (let n = u; n !== from;) { const e = viaEdge[n]!; path.push(e); n = sourceOf(e); }
        return path.reverse();
      }
      for (let e = first[u]!; e < first[u + 1]!; e++) {
        const v = target[e]!;
        if (seenAt[v] === search) continue;
        seenAt[v] = search;
        viaEdge[v] = e;
        q.push(v);
      }
    }
    return undefined;
  };
  // the source node of an edge: binary search in `first`
  const sourceOf = (e: number) => {
    let lo = 0, hi = g.states - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (first[mid]! <= e) lo = mid; else hi = mid - 1; }
    return lo;
  };
  // Node numbers are breadth-first, so the lowest open node is a nearest one to the initial state;
  // the breadth-first tree leads there.
  let lowestOpen = 0;
  const fromInitial = (): number[] | undefined => {
    while (lowestOpen < g.states && !open(lowestOpen)) lowestOpen++;
    if (lowestOpen === g.states) return undefined;
    const path: number[] = [];
    for (let n = lowestOpen; n !== 0;) { const e = g.treeEdge[n]!; path.push(e); n = sourceOf(e); }
    return path.reverse();
  };
  let walks = 0;
  let steps = 0;
  const s0 = initialState(config);
  for (;;) {
    const lead = fromInitial();
    if (!lead) break;
    let node = 0;
    let state = s0;
    const events: Event[] = [];
    const after: State[] = [];
    const take = (e: number) => {
      const k = e - first[node]!;
      const event = enabledEvents(m, state)[k]!;
      state = stepEnabled(m, state, event).state;
      taken[e] = 1;
      node = target[e]!;
      events.push(event);
      after.push(state);
    };
    for (const e of lead) take(e);
    while (events.length < maxLength) {
      if (open(node)) { take(cursor[node]!); continue; }
      const path = toNearestOpen(node);
      if (!path || (events.length > 0 && events.length + path.length >= maxLength)) break;
      for (const e of path) take(e);
    }
    onWalk({ events, after });
    walks++;
    steps += events.length;
  }
  let covered = 0;
  for (const t of taken) covered += t;
  return { walks, steps, covered };
}
