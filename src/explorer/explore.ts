// The exhaustive explorer: breadth-first search over enabledEvents() from initialState(), with a
// visited set of 64-bit hashes of (symmetry-reduced) state keys. Nodes are numbered in BFS order,
// level by level, so the first node found violating an invariant has the least depth and its
// parent chain is a shortest counterexample. Per node we keep only typed arrays: hash (8 bytes),
// table slots (8), parent (4), index of the event in the parent's enabledEvents() (2), a
// pending-fault flag (1), and, for the nodes with pending faults only, their successor lists
// (successors.ts: 8 + 4 per transition, spilled to disk beyond a budget) for the faults-resolvable
// check. States waiting for expansion are kept as key encodings (queue.ts) and
// decoded when expanded.
import type { Config } from '../model/config.ts';
import { initialState } from '../machine/initial.ts';
import type { VariantName } from '../model/variant.ts';
import { invariantNames, type InvariantName } from '../invariants/invariants.ts';
import { IntBuf } from './encode.ts';
import { KeyQueue, type Taken } from './queue.ts';
import { EDGE_WORDS, SRC_WORDS, type Expander, type ChunkResult, type ExpanderSpec } from './expand.ts';
import { SuccessorLists } from './successors.ts';
import { WorkerPool, type CoreGrants } from './pool.ts';
import { hash64, VisitedSet } from './visited.ts';
import { encodingLimitErrors, symmetryOf } from './symmetry.ts';
import { defaultEngine, makeExpander, type EngineName } from './packed/expand.ts';
import { CompactVisitedSet } from './packed/visited.ts';

export interface ExploreOptions {
  readonly symmetry: boolean;
  /** Stop adding states beyond this many (the result is then marked truncated). */
  readonly maxStates: number;
  /** Threads expanding: 1 = this thread; N > 1 = this thread (which also merges) and N - 1 workers. */
  readonly workers: number;
  readonly chunkSize?: number;
  /** Bytes of frontier keys kept in memory before they are spilled to a temporary file (queue.ts);
   *  default FRONTIER_MEM_DEFAULT. Results do not depend on it. */
  readonly frontierMemBytes?: number;
  /** Directory under which the frontier and successor spill directories are made (default:
   *  os.tmpdir()). The CLI passes one directory per run, which its exit handler removes. */
  readonly spillDir?: string;
  /** Words per frontier segment (the unit written to disk); default from frontierMemBytes. For tests. */
  readonly frontierSegmentWords?: number;
  /** Bytes of successor lists (for faults-resolvable) kept in memory before they are spilled to a
   *  temporary file (successors.ts); default SUCCESSOR_MEM_DEFAULT. Results do not depend on it. */
  readonly successorMemBytes?: number;
  /** Words per successor block (the unit written to disk); default from successorMemBytes. For tests. */
  readonly successorBlockWords?: number;
  /** Which expansion step: the packed engine's (src/explorer/packed/; the default, defaultEngine) or the reducer's. */
  readonly engine?: EngineName;
  /**
   * Partial-order reduction (spec/explorer.md, EXP-POR-1..6; default off here, on in the CLI):
   * a node whose expander names an ample event keeps only that edge, unless the cycle proviso
   * (EXP-POR-5) asks for full expansion.
   */
  readonly por?: boolean;
  /**
   * The cycle proviso (EXP-POR-5) follows at most this many ample edges from a target and refuses
   * the edge beyond them, as if it closed a cycle: sound (it only expands more nodes fully), and
   * a way for tests to exercise the full re-expansion of refused nodes, which the candidates of
   * EXP-POR-2 never need. Default: no limit.
   */
  readonly provisoChainLimit?: number;
  /**
   * Cores handed over while the search runs, each one more worker thread (exploreVariants: a lane
   * with no variant left gives its core to a running one). Results do not depend on them.
   */
  readonly moreCores?: CoreGrants;
  readonly onProgress?: (p: Progress) => void;
}

// Default budgets: 512 MiB each, 1 GiB together, so that 500M states of `seed-wide` fit in 16 GiB
// even in the worst case of growth transients (docs/performance.md, 2026-12-03); the shipped
// configurations explored to the end never reach them.
/** Default in-memory frontier budget (`smmu-sva explore --frontier-mem`, in MiB). */
export const FRONTIER_MEM_DEFAULT = 512 * 1024 * 1024;
/** Default in-memory budget of the successor lists (`smmu-sva explore --successors-mem`, in MiB). */
export const SUCCESSOR_MEM_DEFAULT = 512 * 1024 * 1024;

/**
 * Where the memory of a run went, in bytes per state (allocated capacity at the end, divided by
 * the number of states). bytesPerState = visited + parents + faultFlags + successors.
 */
export interface MemorySplit {
  /** Visited set: fingerprints and the hash table of node indices. */
  readonly visited: number;
  /** Parent node (4 bytes) and the event's index in the parent's enabled list (2 bytes). */
  readonly parents: number;
  /** Pending-fault flag per node (1 byte), for faults-resolvable, and with partial-order reduction
   *  the target of each reduced node's ample edge (4 bytes, `ampleTo`, EXP-POR-5). */
  readonly faultFlags: number;
  /** Successor lists in memory at their peak (records [node, count, targets...] of the nodes
   *  with pending faults, the only ones faults-resolvable reads: 8 bytes per such node + 4 per
   *  transition out of it). */
  readonly successors: number;
  /** Successor-list bytes written to a temporary file (not in bytesPerState), per state and in bytes. */
  readonly successorsSpilled: number;
  readonly successorsSpilledBytes: number;
  /** Nodes expanded (all of them unless truncated), those of them with pending faults, the
   *  transitions stored for these (counts), and the backward sweeps faults-resolvable took (0 when
   *  it did not run: truncated). */
  readonly expandedStates: number;
  readonly faultStates: number;
  readonly storedTransitions: number;
  readonly livenessSweeps: number;
  /** The frontier's largest in-memory size over the run, plus that of the keys of the nodes waiting
   *  to be expanded again for the cycle proviso (EXP-POR-5) (not in bytesPerState). */
  readonly frontierPeak: number;
  /** Frontier and proviso-key bytes written to temporary files over the run (not in bytesPerState). */
  readonly frontierSpilled: number;
  /** The same two in bytes. */
  readonly frontierPeakBytes: number;
  readonly frontierSpilledBytes: number;
}

/**
 * Where the threads' time went, in seconds (wall time of each part, measured per chunk, not per
 * state). The merging thread expands chunks too (expandHere), merges every chunk's successors
 * into the visited set and the frontier (merge), and waits for a worker's result when the next
 * one in order is not ready (wait). workers: the worker threads' expansion time, summed over
 * workers. reexpand: the part of expandHere and workers spent expanding again, with every edge,
 * the nodes whose ample edge the cycle proviso rejected (EXP-POR-5). A measurement of the
 * schedule, for docs/performance.md: results never depend on it.
 */
export interface TimeSplit {
  readonly expandHere: number;
  readonly merge: number;
  readonly reexpand: number;
  readonly wait: number;
  readonly workers: number;
  readonly chunksHere: number;
  readonly chunksWorkers: number;
  /** Nodes expanded again with every edge (the cycle proviso rejected their ample edge). */
  readonly reexpandedNodes: number;
}

/** What a ChunkRunner measured of its own schedule: TimeSplit without the merge's parts. */
export type RunnerTiming = Omit<TimeSplit, 'merge' | 'reexpandedNodes'>;

export interface Progress {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly frontier: number;
  readonly seconds: number;
}

/** Where an invariant was first violated: a node (state invariants, liveness) or a transition out of it. */
export type Found =
  | { readonly kind: 'state'; readonly invariant: InvariantName; readonly node: number; readonly length: number }
  | { readonly kind: 'transition'; readonly invariant: InvariantName; readonly node: number; readonly eventIndex: number; readonly length: number }
  | { readonly kind: 'liveness'; readonly invariant: InvariantName; readonly node: number; readonly length: number };

export interface Graph {
  readonly parent: Uint32Array;
  readonly eventIndex: Uint16Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
}

export interface ExploreResult {
  readonly config: Config;
  readonly variant: VariantName;
  /** Whether symmetry reduction was used (false when asked for but turned off: symmetryOff). */
  readonly symmetry: boolean;
  /** Partial-order reduction was on: shortest-counterexample lengths are then upper bounds (EXP-POR-7). */
  readonly por: boolean;
  /** Nodes expanded with a one-event ample set (0 without partial-order reduction). */
  readonly ampleNodes: number;
  /** The most ample edges of reduced nodes the cycle proviso followed from one target (EXP-POR-5). */
  readonly ampleChain: number;
  /** Why symmetry reduction asked for was turned off (the configuration is beyond the limits of the
   *  symmetry-reduced key, src/explorer/symmetry.ts KEY_LIMITS); undefined otherwise. */
  readonly symmetryOff?: string;
  /** What the symmetry reduction relabelled and what it did not, and why (SymmetryInfo.notes). */
  readonly symmetryNotes: readonly string[];
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  /** States first found at each breadth-first depth (levels[d], d = 0..maxDepth; they sum to
   *  `states`). With partial-order reduction, depths in the reduced graph. A truncated run's last
   *  level is partial. */
  readonly levels: readonly number[];
  readonly seconds: number;
  readonly truncated: boolean;
  /** Bytes of the per-state typed arrays at the end, divided by the number of states. */
  readonly bytesPerState: number;
  readonly memory: MemorySplit;
  readonly time: TimeSplit;
  /** The first (shortest) violation of each violated invariant, in invariantNames order. */
  readonly violations: readonly Found[];
  readonly graph: Graph;
}

class U32Buf {
  a: Uint32Array;
  n = 0;
  constructor(cap = 1 << 16) { this.a = new Uint32Array(cap); }
  push(v: number): void {
    if (this.n === this.a.length) { const b = new Uint32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
  reserve(n: number): void {
    if (n <= this.a.length) return;
    let cap = this.a.length;
    while (cap < n) cap *= 2;
    const b = new Uint32Array(cap); b.set(this.a.subarray(0, this.n)); this.a = b;
  }
}

/** Node numbers, grown on demand; entries never set read `fill`. */
class U32Fill {
  a: Uint32Array;
  constructor(cap: number, private readonly fill: number) { this.a = new Uint32Array(cap).fill(fill); }
  set(i: number, v: number): void {
    if (i >= this.a.length) { let cap = this.a.length * 2; while (cap <= i) cap *= 2; const b = new Uint32Array(cap).fill(this.fill); b.set(this.a); this.a = b; }
    this.a[i] = v;
  }
}
/** ampleTo of a node expanded with every edge (or not merged yet). */
const FULL = 0xffffffff;

class U8Buf {
  a: Uint8Array;
  constructor(cap = 1 << 16) { this.a = new Uint8Array(cap); }
  set(i: number, v: number): void {
    if (i >= this.a.length) { let cap = this.a.length * 2; while (cap <= i) cap *= 2; const b = new Uint8Array(cap); b.set(this.a); this.a = b; }
    this.a[i] = v;
  }
}

class U16Buf {
  a: Uint16Array;
  constructor(cap = 1 << 16) { this.a = new Uint16Array(cap); }
  set(i: number, v: number): void {
    if (i >= this.a.length) { let cap = this.a.length * 2; while (cap <= i) cap *= 2; const b = new Uint16Array(cap); b.set(this.a); this.a = b; }
    this.a[i] = v;
  }
}

/**
 * Something that expands chunks: this thread, or this thread with workers. It takes chunks with
 * `take(size)` (undefined: no node is waiting now) until none is waiting and none is out, and
 * delivers the results in the order taken; once `stop()` is true it takes and delivers no more.
 */
export interface ChunkRunner {
  run(take: (size: number) => Taken | undefined, onResult: (t: Taken, r: ChunkResult) => void, stop: () => boolean): Promise<void>;
  timing(): RunnerTiming;
  close(): Promise<void>;
}

class InThread implements ChunkRunner {
  private expandSeconds = 0;
  private reexpandSeconds = 0;
  private chunks = 0;
  constructor(private readonly expander: Expander, private readonly chunkSize: number) {}
  timing(): RunnerTiming {
    return { expandHere: this.expandSeconds, reexpand: this.reexpandSeconds, wait: 0, workers: 0, chunksHere: this.chunks, chunksWorkers: 0 };
  }
  async run(take: (size: number) => Taken | undefined, onResult: (t: Taken, r: ChunkResult) => void, stop: () => boolean): Promise<void> {
    // each result is merged before the next expand(), so it may be a view of the expander's buffers
    let lastYield = performance.now();
    for (let t = take(this.chunkSize); t !== undefined && !stop(); t = take(this.chunkSize)) {
      const t0 = performance.now();
      const r = this.expander.expand(t.chunk, false);
      const sec = (performance.now() - t0) / 1000;
      this.expandSeconds += sec;
      if (t.chunk.full === true) this.reexpandSeconds += sec;
      this.chunks++;
      onResult(t, r);
      // let the event loop in now and then, so that a signal handler (the CLI's clean exit on
      // SIGINT and SIGTERM) can run during a long one-thread search
      if (performance.now() - lastYield > 50) { await new Promise<void>((resolve) => setImmediate(resolve)); lastYield = performance.now(); }
    }
  }
  async close(): Promise<void> {}
}

/** Nodes per chunk with workers (docs/performance.md, "Two workers on seed-wide": 1024 measured faster than 256 for the packed engine, the same for the reducer's). */
const POOL_CHUNK = 1024;

export async function explore(config: Config, variant: VariantName, opts: ExploreOptions): Promise<ExploreResult> {
  const t0 = performance.now();
  const beyond = encodingLimitErrors(config);
  if (beyond.length) throw new RangeError(`configuration "${config.name}" beyond the explorer's state encoding: ${beyond.join('; ')}`);
  const sym = symmetryOf(config, opts.symmetry);
  const spec: ExpanderSpec & { engine: EngineName } = { config, variant, symmetry: opts.symmetry, engine: opts.engine ?? defaultEngine, por: opts.por === true };
  const local = makeExpander(spec);
  // Chunks are a unit of work only: nodes are merged in number order whoever expands them, and a
  // run cut short by maxStates stops after the node whose successors hit the bound, so results
  // do not depend on chunk sizes or on the number of threads.
  const pool = opts.workers > 1 || opts.moreCores !== undefined
    ? new WorkerPool(spec, opts.workers, local, opts.chunkSize ?? POOL_CHUNK, opts.por === true)
    : undefined;
  const runner: ChunkRunner = pool ?? new InThread(local, opts.chunkSize ?? 2048);
  if (pool) opts.moreCores?.use(() => pool.addWorker());
  const queue = new KeyQueue({ memBytes: opts.frontierMemBytes ?? FRONTIER_MEM_DEFAULT, segmentWords: opts.frontierSegmentWords, spillDir: opts.spillDir });
  // the keys of the nodes the cycle proviso sends back for full expansion (EXP-POR-5), a quarter of the frontier's budget
  const rejected = new KeyQueue({ memBytes: Math.floor((opts.frontierMemBytes ?? FRONTIER_MEM_DEFAULT) / 4), segmentWords: opts.frontierSegmentWords, spillDir: opts.spillDir });
  const succ = new SuccessorLists({ memBytes: opts.successorMemBytes ?? SUCCESSOR_MEM_DEFAULT, blockWords: opts.successorBlockWords, spillDir: opts.spillDir });
  try {
    const visited: Pick<VisitedSet, 'hi' | 'lo' | 'size' | 'get' | 'insert' | 'bytes'> = spec.engine === 'packed' ? new CompactVisitedSet(1 << 12) : new VisitedSet(1 << 12);
    const parent = new U32Buf(1 << 12);
    const eventIndex = new U16Buf(1 << 12);
    const hasFault = new U8Buf(1 << 12);
    const found = new Map<InvariantName, Found>();
    const note = (f: Found) => {
      const old = found.get(f.invariant);
      if (!old || f.length < old.length) found.set(f.invariant, f);
    };

    // the initial node
    const init = new IntBuf(1 << 8);
    local.canon.key(initialState(config), init);
    queue.push(init.a, 0, init.n);
    const h = new Uint32Array(2);
    hash64(init.a, 0, init.n, h);
    visited.insert(h[0]!, h[1]!);
    parent.push(0xffffffff);
    eventIndex.set(0, 0);

    /** levelStart[d] = the first node at depth d (BFS numbers nodes level by level). */
    const levelStart: number[] = [0];
    let depth = 0; // depth of the node being merged
    let transitions = 0;
    let truncated = false;
    let expanded = 0;
    let lastProgress = 0;
    const por = opts.por === true;
    let ampleNodes = 0;
    let mergeSeconds = 0, reexpandedNodes = 0;
    /** The target of a reduced node's ample edge; FULL for a node expanded with every edge (EXP-POR-5). */
    const ampleTo = new U32Fill(por ? 1 << 12 : 1, FULL);
    let ampleChain = 0;
    // EXP-POR-5: a node whose ample edge the proviso rejects is expanded again with every edge at
    // the end of its level, in node order, by whichever thread is free. Its key waits in
    // `rejected` (above) and its number in `rejectedNodes` (from rejectedBase, the first of the level).
    const rejectedNodes = new U32Buf(por ? 1 << 12 : 1);
    let rejectedBase = 0, rejectedMerged = 0;
    /** With reduction on: the nodes of the levels taken so far end here (levelStart[takeLevel + 1]). */
    let levelEnd = 1;
    /**
     * The next chunk: without reduction, nodes as soon as they exist. With it, level by level:
     * the level's nodes; once they are all merged, so that the proviso's rejections are known, the
     * rejected nodes (a `full` chunk); once those are merged, the next level. Which node is merged
     * when is then the same with any number of threads and any chunk size.
     */
    const take = (size: number): Taken | undefined => {
      if (!por) return queue.take(size);
      for (;;) {
        if (queue.taken < levelEnd) return queue.take(Math.min(size, levelEnd - queue.taken));
        if (expanded < levelEnd) return undefined;
        if (rejected.taken < rejected.created) {
          const t = rejected.take(size)!;
          return { first: t.first, chunk: { ...t.chunk, full: true } };
        }
        if (rejectedMerged < rejected.created) return undefined;
        if (queue.created === levelEnd) return undefined; // the search is over
        levelEnd = queue.created;
        rejectedBase = rejected.created;
        rejectedNodes.n = 0;
      }
    };
    /**
     * EXP-POR-5: whether the ample edge node -> t (t an existing node) closes no cycle of reduced
     * nodes. Each reduced node has one edge, so from t we follow the ample edges of merged,
     * reduced nodes: back to `node` is a cycle; a fully expanded node, or one not merged yet
     * (its own merge checks the cycles it closes), ends it.
     */
    const chainLimit = opts.provisoChainLimit ?? Infinity;
    const keepsNoReducedCycle = (node: number, t: number): boolean => {
      for (let x = t, steps = 0; ; steps++) {
        if (x === node) return false;
        if (x > node) return true;
        const next = x < ampleTo.a.length ? ampleTo.a[x]! : FULL;
        if (next === FULL) return true;
        if (steps >= chainLimit) return false;
        if (steps + 1 > ampleChain) ampleChain = steps + 1;
        x = next;
      }
    };
    /**
     * Merges the edges e0 .. e0 + nEdges - 1 of `node` (successor keys from encPos0 on in `enc`),
     * keeping only the one at position `only` when it is >= 0; returns the position in `enc` after them.
     */
    const mergeEdges = (node: number, fault: number, edges: Uint32Array, enc: Int32Array, e0: number, nEdges: number, encPos0: number, only: number): number => {
      let encPos = encPos0;
      // faults-resolvable reads the successors of nodes with pending faults only (successors.ts)
      if (fault !== 0) succ.begin(node, only >= 0 ? 1 : nEdges);
      for (let k = 0, e = e0; k < nEdges; k++, e++) {
        const w = e * EDGE_WORDS;
        const hi = edges[w]!, lo = edges[w + 1]!, evIdx = edges[w + 2]!, tv = edges[w + 3]!, len = edges[w + 4]!;
        if (only >= 0 && k !== only) { encPos += len; continue; }
        transitions++;
        // one probe per edge: below the bound insert() finds the node or adds it (-(index + 1));
        // at the bound a state not found ends the run
        let t: number;
        if (visited.size < opts.maxStates) {
          t = visited.insert(hi, lo);
        } else {
          t = visited.get(hi, lo);
          if (t < 0) { truncated = true; encPos += len; continue; }
        }
        if (t < 0) {
          t = -t - 1;
          if (levelStart.length === depth + 1) levelStart.push(t);
          parent.push(node);
          eventIndex.set(t, evIdx);
          queue.push(enc, encPos, len);
        }
        encPos += len;
        if (fault !== 0) succ.add(t);
        if (tv !== 0) for (let b = 0; b < invariantNames.length; b++) if (tv & (1 << b)) note({ kind: 'transition', invariant: invariantNames[b]!, node, eventIndex: evIdx, length: depth + 1 });
      }
      if (fault !== 0) succ.end();
      return encPos;
    };
    /** The edges of rejected nodes, expanded again (a `full` chunk), merged in node order. */
    const mergeRejected = (taken: Taken, r: ChunkResult) => {
      const nSrc = r.src.length / SRC_WORDS;
      let e = 0, encPos = 0;
      for (let i = 0; i < nSrc && !truncated; i++) {
        const node = rejectedNodes.a[taken.first + i - rejectedBase]!;
        const nEdges = r.src[i * SRC_WORDS]!;
        encPos = mergeEdges(node, hasFault.a[node]!, r.edges, r.enc, e, nEdges, encPos, -1);
        e += nEdges;
        reexpandedNodes++;
      }
      rejectedMerged += nSrc;
    };
    await runner.run(take, (taken, r) => {
      const tMerge = performance.now();
      const nSrc = r.src.length / SRC_WORDS;
      if (taken.chunk.full === true) {
        mergeRejected(taken, r);
        mergeSeconds += (performance.now() - tMerge) / 1000;
        return;
      }
      let e = 0, encPos = 0;
      for (let i = 0; i < nSrc && !truncated; i++) {
        const node = taken.first + i;
        while (depth + 1 < levelStart.length && node >= levelStart[depth + 1]!) depth++;
        const nEdges = r.src[i * SRC_WORDS]!;
        const sv = r.src[i * SRC_WORDS + 1]!;
        const fault = r.src[i * SRC_WORDS + 2]!;
        hasFault.set(node, fault);
        expanded = node + 1;
        if (sv !== 0) for (let b = 0; b < invariantNames.length; b++) if (sv & (1 << b)) note({ kind: 'state', invariant: invariantNames[b]!, node, length: depth });
        // EXP-POR-5, the cycle proviso: the ample edge is kept alone unless it closes a cycle of
        // reduced nodes
        let only = -1;
        const partial = r.src[i * SRC_WORDS + 4] === 1;
        if (por) {
          const a = r.src[i * SRC_WORDS + 3]!;
          if (a >= 0) {
            const w = (e + a) * EDGE_WORDS;
            const t = visited.get(r.edges[w]!, r.edges[w + 1]!);
            if (t < 0 || keepsNoReducedCycle(node, t)) {
              only = a;
              ampleNodes++;
              ampleTo.set(node, t < 0 ? visited.size : t);
            }
          }
        }
        if (partial && only < 0) {
          // only the ample edge was computed and the proviso rejects it: every edge at the end
          // of the level (take); its targets are at depth + 1 at most, so no later decision of
          // this level changes by merging them then (spec/explorer.md, EXP-POR-5)
          for (let k = 0; k < nEdges; k++) encPos += r.edges[(e + k) * EDGE_WORDS + 4]!;
          e += nEdges;
          const from = taken.chunk.offsets[i]!, to = taken.chunk.offsets[i + 1]!;
          rejected.push(taken.chunk.enc, from, to - from);
          rejectedNodes.push(node);
          continue;
        }
        encPos = mergeEdges(node, fault, r.edges, r.enc, e, nEdges, encPos, only);
        e += nEdges;
      }
      if (opts.onProgress) {
        const now = performance.now();
        if (now - lastProgress > 250) {
          lastProgress = now;
          opts.onProgress({ states: visited.size, transitions, depth, frontier: queue.created - (taken.first + nSrc), seconds: (now - t0) / 1000 });
        }
      }
      mergeSeconds += (performance.now() - tMerge) / 1000;
    }, () => truncated);
    const rt = runner.timing();
    const time: TimeSplit = { ...rt, merge: mergeSeconds, reexpandedNodes };
    const maxDepth = levelStart.length - 1;

    const states = visited.size;
    const levels = levelStart.map((first, d) => (levelStart[d + 1] ?? states) - first);
    if (!truncated) {
      const bad = succ.faultsResolvable(states, hasFault.a);
      if (bad >= 0) {
        let length = 0;
        for (let n = bad; n !== 0; n = parent.a[n]!) length++;
        note({ kind: 'liveness', invariant: 'faults-resolvable', node: bad, length });
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const split = [visited.bytes(), parent.a.byteLength + eventIndex.a.byteLength, hasFault.a.byteLength + ampleTo.a.byteLength, succ.peakBytes()];
    const bytes = split.reduce((x, y) => x + y, 0);
    const q0 = queue.stats(), q1 = rejected.stats();
    const q = { peakBytes: q0.peakBytes + q1.peakBytes, spilledBytes: q0.spilledBytes + q1.spilledBytes };
    const per = (b: number) => Math.round((b / states) * 100) / 100;
    let faultStates = 0;
    for (let i = 0; i < states; i++) faultStates += hasFault.a[i] ?? 0;
    const memory: MemorySplit = {
      visited: per(split[0]!), parents: per(split[1]!), faultFlags: per(split[2]!), successors: per(split[3]!),
      successorsSpilled: per(succ.spilledBytes()), frontierPeak: per(q.peakBytes), frontierSpilled: per(q.spilledBytes),
      successorsSpilledBytes: succ.spilledBytes(), frontierPeakBytes: q.peakBytes, frontierSpilledBytes: q.spilledBytes,
      expandedStates: expanded, faultStates, storedTransitions: succ.stored, livenessSweeps: succ.sweeps,
    };
    const violations = invariantNames.flatMap((n) => { const f = found.get(n); return f ? [f] : []; });
    return {
      config, variant, symmetry: sym.enabled, ...(sym.offReason === undefined ? {} : { symmetryOff: sym.offReason }), symmetryNotes: sym.notes, por, ampleNodes, ampleChain, states, transitions, maxDepth, levels, seconds, truncated,
      bytesPerState: Math.round(bytes / states),
      memory,
      time,
      violations,
      graph: { parent: parent.a.subarray(0, states), eventIndex: eventIndex.a.subarray(0, states), hi: visited.hi.subarray(0, states), lo: visited.lo.subarray(0, states) },
    };
  } finally {
    queue.close();
    rejected.close();
    succ.close();
    opts.moreCores?.use(undefined);
    await runner.close();
  }
}
