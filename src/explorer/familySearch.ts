// One breadth-first search for several variants at once (spec/explorer.md EXP-FAM-1..5), on the
// packed engine (packed/familyExpand.ts). A key carries no variant, so each state is stored once,
// with the set of variants that reach it. A node is a state with the variants that first reach it
// at the node's depth (EXP-FAM-1): a state reached by variant A at depth 3 and by B first at depth
// 5 is two nodes, expanded for A at depth 3 and for B at depth 5, so every variant's depths, and
// with them its partial-order reduction and its figures, are those of its own search (EXP-FAM-3).
// Nodes are expanded one at a time in BFS order, each merged before the next, so every node of
// depth d is merged before any of depth d + 1 is expanded: a node's variant set is complete when
// it is expanded (its mask is read then, not when its chunk is taken). Each variant's result is
// what explore() gives for it alone: states, transitions, depth, levels, violations with their
// shortest lengths, faults-resolvable (per variant, over that variant's edges), and
// counterexamples rebuilt by the same replay from parent links that hold the variant
// (EXP-FAM-4). In this thread only (no worker pool).
import type { Config } from '../model/config.ts';
import { initialState } from '../machine/initial.ts';
import type { VariantName } from '../model/variant.ts';
import { invariantNames, type InvariantName } from '../invariants/invariants.ts';
import { IntBuf } from './encode.ts';
import { EXPANDED_AMPLE, EXPANDED_REFUSED, type Chunk } from './expand.ts';
import { KeyQueue } from './queue.ts';
import { countNotGood, SuccessorLists } from './successors.ts';
import { hash64 } from './visited.ts';
import { Canonicalizer, encodingLimitErrors, symmetryOf } from './symmetry.ts';
import { resolveEngine } from './packed/expand.ts';
import { CompactVisitedSet, TOUCH_BATCH } from './packed/visited.ts';
import { FAMILY_EDGE_WORDS, FamilyExpander, GROUP_WORDS } from './packed/familyExpand.ts';
import { U16Buf, U32Buf, U8Buf } from './buffers.ts';
import { explore, visitedCapacity, FRONTIER_MEM_DEFAULT, SUCCESSOR_MEM_DEFAULT, type ExploreOptions, type ExploreResult, type FamilyFigures, type Found, type Graph, type MemorySplit, type TimeSplit } from './explore.ts';

export type FamilyOptions = Pick<ExploreOptions,
  'symmetry' | 'maxStates' | 'reserveStates' | 'chunkSize' | 'frontierMemBytes' | 'spillDir' | 'frontierSegmentWords' | 'successorMemBytes' | 'successorBlockWords' | 'por' | 'provisoRefuseAll' | 'onProgress'> & {
  /**
   * For tests: keep every node's key and, after the search, check every parent link of every node
   * for every variant it serves (EXP-FAM-4): the parent holds the variant, and expanding the
   * parent for that variant alone gives an edge with the link's event index into the node's
   * state. Throws on the first link that fails.
   */
  readonly checkLinks?: boolean;
};

const NONE = 0xffffffff;

/** Variants per family search, at most FAMILY_MAX (a node's variant set is a byte). */
export async function exploreFamily(config: Config, variants: readonly VariantName[], opts: FamilyOptions): Promise<ExploreResult[]> {
  const t0 = performance.now();
  const beyond = encodingLimitErrors(config);
  if (beyond.length) throw new RangeError(`configuration "${config.name}" beyond the explorer's state encoding: ${beyond.join('; ')}`);
  const engine = resolveEngine('packed');
  if ('error' in engine) throw new Error(`a search of several variants at once runs on the packed engine: ${engine.error}`);
  const sym = symmetryOf(config, opts.symmetry);
  const por = opts.por === true;
  const x = new FamilyExpander(config, variants, opts.symmetry, por, opts.provisoRefuseAll === true);
  const nv = variants.length, all = (1 << nv) - 1;
  const queue = new KeyQueue({ memBytes: opts.frontierMemBytes ?? FRONTIER_MEM_DEFAULT, segmentWords: opts.frontierSegmentWords, spillDir: opts.spillDir });
  const succMem = Math.max(1 << 16, Math.floor((opts.successorMemBytes ?? SUCCESSOR_MEM_DEFAULT) / nv));
  const succ = variants.map(() => new SuccessorLists({ memBytes: succMem, blockWords: opts.successorBlockWords, spillDir: opts.spillDir }));
  try {
    // per state (visited index): the variants that reach it, pending faults, its latest node
    const room = visitedCapacity(opts);
    const visited = new CompactVisitedSet(room);
    /** XOR of what touch() read: kept so that its reads are not optimised away. */
    let touched = 0;
    const reached = new U8Buf(1 << 12), hasFault = new U8Buf(1 << 12), lastNode = new U32Buf(1 << 12);
    // per node (BFS order): its state, its variants, the variants its parent link serves, parent, event index
    const nodeState = new U32Buf(1 << 12), nodeMask = new U8Buf(1 << 12), linkMask = new U8Buf(1 << 12);
    const parent = new U32Buf(1 << 12), eventIndex = new U16Buf(1 << 12);
    // more parent links of a node, for variants that reached it at the same depth from another parent
    const extraHead = new U32Buf(1 << 12);
    const exNext = new U32Buf(1 << 8), exParent = new U32Buf(1 << 8), exEvent = new U32Buf(1 << 8), exMask = new U8Buf(1 << 8);

    const states = variants.map(() => 1), transitions = variants.map(() => 0);
    const levels: number[][] = variants.map(() => [1]);
    const ampleNodes = variants.map(() => 0), provisoRefused = variants.map(() => 0);
    const found = variants.map(() => new Map<InvariantName, Found>());
    const note = (v: number, f: Found) => {
      const old = found[v]!.get(f.invariant);
      if (!old || f.length < old.length) found[v]!.set(f.invariant, f);
    };

    const init = new IntBuf(1 << 8);
    new Canonicalizer(config, sym).key(initialState(config), init);
    queue.push(init.a, 0, init.n);
    const h = new Uint32Array(2);
    hash64(init.a, 0, init.n, h);
    visited.insert(h[0]!, h[1]!);
    reached.set(0, all); lastNode.push(0);
    nodeState.push(0); nodeMask.set(0, all); linkMask.set(0, all); parent.push(NONE); eventIndex.set(0, 0); extraHead.push(0);

    const keys: Int32Array[] | undefined = opts.checkLinks === true ? [init.a.slice(0, init.n)] : undefined;
    const levelStart: number[] = [0];
    let depth = 0, taken = 0, truncated = false, lastProgress = 0, lastYield = performance.now();
    let takeSeconds = 0, liveSeconds = 0;
    const targets = variants.map(() => new U32Buf(1 << 8));
    const chunkSize = opts.chunkSize ?? 2048;

    const mergeNode = (node: number) => {
      while (depth + 1 < levelStart.length && node >= levelStart[depth + 1]!) depth++;
      const s = nodeState.a[node]!, mask = nodeMask.a[node]!;
      const fx = x.expand(queueChunk.enc, queueChunk.offsets[node - queueFirst]!, mask);
      hasFault.set(s, fx.fault);
      if (fx.sv !== 0) for (let v = 0; v < nv; v++) if ((mask >> v) & 1) for (let b = 0; b < invariantNames.length; b++) if (fx.sv & (1 << b)) note(v, { kind: 'state', invariant: invariantNames[b]!, node, length: depth });
      if (fx.fault) for (let v = 0; v < nv; v++) targets[v]!.n = 0;
      const edges = fx.edges, enc = fx.enc;
      // the visited-set reads of this node's edges, done ahead all at once (CompactVisitedSet.touch)
      for (let a = 0; a < fx.nEdges; a += TOUCH_BATCH) touched ^= visited.touch(edges, FAMILY_EDGE_WORDS, a, Math.min(fx.nEdges, a + TOUCH_BATCH));
      let e = 0, encPos = 0;
      for (let g = 0; g < fx.nGroups; g++) {
        const gw = g * GROUP_WORDS, cls = fx.groups[gw]!, how = fx.groups[gw + 1]!, nRec = fx.groups[gw + 3]!;
        for (let v = 0; v < nv; v++) if ((cls >> v) & 1) {
          transitions[v]! += fx.groups[gw + 2]!;
          if (how === EXPANDED_AMPLE) ampleNodes[v]!++;
          else if (how === EXPANDED_REFUSED) provisoRefused[v]!++;
        }
        for (let r = 0; r < nRec; r++, e++) {
          const w = e * FAMILY_EDGE_WORDS;
          const hi = edges[w]!, lo = edges[w + 1]!, k = edges[w + 2]!, tv = edges[w + 3]!, len = edges[w + 4]!, em = edges[w + 5]!;
          let t: number;
          if (visited.size < opts.maxStates) t = visited.insert(hi, lo);
          else {
            t = visited.get(hi, lo);
            if (t < 0) { truncated = true; encPos += len; continue; }
          }
          if (t < 0) { t = -t - 1; reached.set(t, 0); lastNode.push(NONE); }
          const fresh = em & ~reached.a[t]!;
          if (fresh !== 0) {
            reached.a[t] = reached.a[t]! | fresh;
            for (let v = 0; v < nv; v++) if ((fresh >> v) & 1) { states[v]!++; const l = levels[v]!; l[depth + 1] = (l[depth + 1] ?? 0) + 1; }
            const ln = lastNode.a[t]!;
            if (ln !== NONE && depth + 1 < levelStart.length && ln >= levelStart[depth + 1]!) {
              // EXP-FAM-1: already a node of the next level; these variants join it, by their own parent link
              nodeMask.a[ln] = nodeMask.a[ln]! | fresh;
              const xi = exParent.n;
              exParent.push(node); exEvent.push(k); exMask.set(xi, fresh); exNext.push(extraHead.a[ln]!);
              extraHead.a[ln] = xi + 1;
            } else {
              const nn = nodeState.n;
              if (levelStart.length === depth + 1) levelStart.push(nn);
              nodeState.push(t); nodeMask.set(nn, fresh); linkMask.set(nn, fresh); parent.push(node); eventIndex.set(nn, k); extraHead.push(0);
              lastNode.a[t] = nn;
              queue.push(enc, encPos, len);
              if (keys) keys.push(enc.slice(encPos, encPos + len));
            }
          }
          encPos += len;
          if (fx.fault) for (let v = 0; v < nv; v++) if ((em >> v) & 1) targets[v]!.push(t);
          if (tv !== 0) for (let v = 0; v < nv; v++) if ((em >> v) & 1) for (let b = 0; b < invariantNames.length; b++) if (tv & (1 << b)) note(v, { kind: 'transition', invariant: invariantNames[b]!, node, eventIndex: k, length: depth + 1 });
        }
      }
      // faults-resolvable reads the successors of states with pending faults only, per variant
      if (fx.fault) for (let v = 0; v < nv; v++) if ((mask >> v) & 1) {
        const tg = targets[v]!, sl = succ[v]!;
        sl.begin(s, tg.n);
        for (let i = 0; i < tg.n; i++) sl.add(tg.a[i]!);
        sl.end();
      }
    };

    let queueChunk: Chunk = { enc: new Int32Array(0), offsets: new Uint32Array(1) }, queueFirst = 0;
    const tLoop = performance.now();
    for (;;) {
      const tTake = performance.now();
      const t = queue.take(chunkSize);
      takeSeconds += (performance.now() - tTake) / 1000;
      if (t === undefined) break;
      queueChunk = t.chunk; queueFirst = t.first;
      const n = t.chunk.offsets.length - 1;
      for (let i = 0; i < n && !truncated; i++) mergeNode(t.first + i);
      taken = t.first + n;
      if (truncated) break;
      const now = performance.now();
      if (opts.onProgress && now - lastProgress > 250) {
        lastProgress = now;
        opts.onProgress({ states: visited.size, transitions: transitions.reduce((a, b) => a + b, 0), depth, frontier: queue.created - taken, seconds: (now - t0) / 1000 });
      }
      // let the event loop in now and then (the CLI's clean exit on SIGINT and SIGTERM)
      if (now - lastYield > 50) { await new Promise<void>((resolve) => setImmediate(resolve)); lastYield = performance.now(); }
    }
    const loopSeconds = (performance.now() - tLoop) / 1000 - takeSeconds;
    const nStates = visited.size, nNodes = nodeState.n;

    /** The parent link of `node` that serves variant v: [parent, event index]. */
    const linkFor = (node: number, v: number): [number, number] => {
      if ((linkMask.a[node]! >> v) & 1) return [parent.a[node]!, eventIndex.a[node]!];
      for (let xi = extraHead.a[node]!; xi !== 0; xi = exNext.a[xi - 1]!) if ((exMask.a[xi - 1]! >> v) & 1) return [exParent.a[xi - 1]!, exEvent.a[xi - 1]!];
      throw new Error(`family search: node ${node} has no parent link for variant ${variants[v]}`);
    };
    /** depth of a node */
    const depthOf = (node: number) => { let d = 0; while (d + 1 < levelStart.length && node >= levelStart[d + 1]!) d++; return d; };

    if (!truncated) {
      const tLive = performance.now();
      for (let v = 0; v < nv; v++) {
        const hf = new Uint8Array(nStates);
        for (let t = 0; t < nStates; t++) hf[t] = hasFault.a[t]! & (reached.a[t]! >> v) & 1;
        const good = succ[v]!.goodNodes(nStates, hf);
        // a state this variant does not reach has no fault for it (hf), so is good: the states not
        // good are this variant's states that cannot resolve their faults (EXP-LIVE-COUNT)
        const unresolvable = countNotGood(good);
        // the first node of this variant (least depth) whose state cannot resolve its faults
        for (let node = 0; node < nNodes; node++) {
          if (((nodeMask.a[node]! >> v) & 1) && !good[nodeState.a[node]!]) {
            note(v, { kind: 'liveness', invariant: 'faults-resolvable', node, length: depthOf(node), unresolvable });
            break;
          }
        }
      }
      liveSeconds = (performance.now() - tLive) / 1000;
    }

    const seconds = (performance.now() - t0) / 1000;
    const nodeBytes = nodeState.a.byteLength + nodeMask.a.byteLength + linkMask.a.byteLength + parent.a.byteLength + eventIndex.a.byteLength + extraHead.a.byteLength
      + exNext.a.byteLength + exParent.a.byteLength + exEvent.a.byteLength + exMask.a.byteLength;
    const stateBytes = reached.a.byteLength + hasFault.a.byteLength + lastNode.a.byteLength;
    const succPeak = succ.reduce((a, l) => a + l.peakBytes(), 0), succSpilled = succ.reduce((a, l) => a + l.spilledBytes(), 0);
    const split = [visited.bytes() + stateBytes, nodeBytes, 0, succPeak];
    const bytes = split.reduce((a, b) => a + b, 0);
    const per = (b: number) => Math.round((b / nStates) * 100) / 100;
    const q = queue.stats();
    let faultStates = 0;
    for (let t = 0; t < nStates; t++) faultStates += hasFault.a[t] ?? 0;
    const memory: MemorySplit = {
      visited: per(split[0]!), visitedRoom: room, parents: per(split[1]!), faultFlags: 0, successors: per(split[3]!),
      successorsSpilled: per(succSpilled), frontierPeak: per(q.peakBytes), frontierSpilled: per(q.spilledBytes),
      successorsSpilledBytes: succSpilled, frontierPeakBytes: q.peakBytes, frontierSpilledBytes: q.spilledBytes,
      expandedStates: nNodes, faultStates, storedTransitions: succ.reduce((a, l) => a + l.stored, 0), livenessSweeps: succ.reduce((a, l) => a + l.sweeps, 0),
    };
    const time: TimeSplit = { expandHere: loopSeconds, merge: 0, take: takeSeconds, liveness: liveSeconds, wait: 0, workers: 0, chunksHere: 0, chunksWorkers: 0 };
    const family: FamilyFigures = { variants, distinct: nStates, nodes: nNodes, joins: exParent.n, expansions: x.expansions, steps: x.steps };
    const cols = visited.takeColumns();
    if (keys) checkLinks(keys, nodeState.a, nodeMask.a, cols, linkFor, x, nv);

    return variants.map((variant, v): ExploreResult => {
      // EXP-FAM-4: the graph of a family result holds the parent chains of its violations only,
      // renumbered from the initial node 0, which is what the counterexample replay reads
      const renum = new Map<number, number>();
      const gParent: number[] = [], gEvent: number[] = [], gHi: number[] = [], gLo: number[] = [];
      const add = (node: number): number => {
        const chain: number[] = [];
        for (let n = node; !renum.has(n); ) {
          chain.push(n);
          if (n === 0) break;
          n = linkFor(n, v)[0];
        }
        for (let i = chain.length - 1; i >= 0; i--) {
          const n = chain[i]!, idx = gParent.length;
          const [p, ev] = n === 0 ? [NONE, 0] : linkFor(n, v);
          renum.set(n, idx);
          gParent.push(p === NONE ? NONE : renum.get(p)!); gEvent.push(ev);
          gHi.push(cols.hi[nodeState.a[n]!]!); gLo.push(cols.lo[nodeState.a[n]!]!);
        }
        return renum.get(node)!;
      };
      add(0);
      const violations = invariantNames.flatMap((name) => {
        const f = found[v]!.get(name);
        return f ? [{ ...f, node: add(f.node) }] : [];
      });
      const graph: Graph = { parent: Uint32Array.from(gParent), eventIndex: Uint16Array.from(gEvent), hi: Uint32Array.from(gHi), lo: Uint32Array.from(gLo) };
      const lv = levels[v]!;
      return {
        config, variant, engine: 'packed', symmetry: sym.enabled, ...(sym.offReason === undefined ? {} : { symmetryOff: sym.offReason }), symmetryNotes: sym.notes,
        por, ampleNodes: ampleNodes[v]!, provisoRefused: provisoRefused[v]!, states: states[v]!, transitions: transitions[v]!,
        maxDepth: lv.length - 1, levels: lv, seconds, truncated, bytesPerState: Math.round(bytes / nStates), memory, time, violations, graph, fingerprint: 'key', family,
      };
    });
  } finally {
    queue.close();
    for (const s of succ) s.close();
  }
}

/** FamilyOptions.checkLinks: every parent link of every node, for every variant it serves. */
function checkLinks(keys: readonly Int32Array[], nodeState: Uint32Array, nodeMask: Uint8Array, cols: { readonly hi: Uint32Array; readonly lo: Uint32Array },
  linkFor: (node: number, v: number) => [number, number], x: FamilyExpander, nv: number): void {
  for (let node = 1; node < keys.length; node++) {
    const t = nodeState[node]!;
    for (let v = 0; v < nv; v++) {
      if (!((nodeMask[node]! >> v) & 1)) continue;
      const [p, k] = linkFor(node, v);
      const where = `family search: node ${node}, variant ${x.variants[v]}: parent link to node ${p} by event ${k}`;
      if (!((nodeMask[p]! >> v) & 1)) throw new Error(`${where}: the parent does not hold the variant`);
      const fx = x.expand(keys[p]!, 0, 1 << v);
      let ok = false;
      for (let e = 0, n = fx.groups[3]!; e < n; e++) {
        const w = e * FAMILY_EDGE_WORDS;
        if (fx.edges[w + 2] === k && fx.edges[w] === cols.hi[t] && fx.edges[w + 1] === cols.lo[t]) ok = true;
      }
      if (!ok) throw new Error(`${where}: that edge does not lead to the node's state`);
    }
  }
}

/**
 * EXP-FAM-5: the variants searched together, or, when that search stops at maxStates, each alone
 * (one thread): `maxStates` bounds each variant's own search, and a family that stopped at the
 * bound on its distinct states does not say where each variant's search would have stopped. So
 * a bounded run gives what the variants' own searches give, whether searched together or not.
 */
export async function exploreFamilyOrEach(config: Config, variants: readonly VariantName[], opts: FamilyOptions): Promise<ExploreResult[]> {
  const together = await exploreFamily(config, variants, opts);
  if (!together.some((r) => r.truncated)) return together;
  const { checkLinks: _checkLinks, ...each } = opts;
  const apart: ExploreResult[] = [];
  for (const v of variants) apart.push(await explore(config, v, { ...each, workers: 1, engine: 'packed' }));
  return apart;
}
