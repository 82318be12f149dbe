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
import { EDGE_WORDS, EXPANDED_REFUSED, SRC_WORDS, type Expander, type ChunkResult, type ExpanderSpec } from './expand.ts';
import { SuccessorLists } from './successors.ts';
import { WorkerPool, type CoreGrants } from './pool.ts';
import { hash64, VisitedSet } from './visited.ts';
import { encodingLimitErrors, symmetryOf } from './symmetry.ts';
import { makeExpander, resolveEngine, type EngineName } from './packed/expand.ts';
import { CompactVisitedSet, TOUCH_BATCH } from './packed/visited.ts';
import { U16Buf, U32Buf, U8Buf } from './buffers.ts';

export interface ExploreOptions {
  readonly symmetry: boolean;
  /** Stop adding states beyond this many (the result is then marked truncated). */
  readonly maxStates: number;
  /**
   * Room made for this many states when the search starts (at most RESERVE_MAX, and no more than
   * maxStates): the visited set is built for them, so that below them it is never grown or
   * rebuilt. Default none: it starts small and grows. The CLI passes an explicit --max-states.
   * Results do not depend on it; bytesPerState counts what was made.
   */
  readonly reserveStates?: number;
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
  /** Which expansion step: the packed engine's (src/explorer/packed/; the default, defaultEngine) or
   *  the reducer's. Left out, where this Node does not compile code from strings: the reducer's
   *  (resolveEngine); asked for then, the packed engine is an error. */
  readonly engine?: EngineName;
  /**
   * Partial-order reduction (spec/explorer.md, EXP-POR-1..7; default off here, on in the CLI):
   * a node whose expander names an ample event keeps only that edge; the expander applies the
   * cycle proviso (EXP-POR-5) itself.
   */
  readonly por?: boolean;
  /** For tests: the cycle proviso refuses every ample candidate (ExpanderSpec.provisoRefuseAll). */
  readonly provisoRefuseAll?: boolean;
  /** For cross-checks and benchmarks: false fingerprints the key without symmetry reduction too (ExpanderSpec.storeImage). */
  readonly storeImage?: boolean;
  /** For cross-checks and benchmarks: false hashes the packed engine's successors in JavaScript (ExpanderSpec.hashKernel). */
  readonly hashKernel?: boolean;
  /**
   * Cores handed over while the search runs, each one more worker thread (exploreVariants: a lane
   * with no variant left gives its core to a running one). Results do not depend on them.
   */
  readonly moreCores?: CoreGrants;
  readonly onProgress?: (p: Progress) => void;
}

/**
 * The most states a search makes room for at its start (ExploreOptions.reserveStates): 2^24, about
 * 250 MB of visited set on the packed engine (16 bytes per state at most).
 */
export const RESERVE_MAX = 1 << 24;

/** The states a visited set starts with room for when none is asked for (or fewer are). */
export const VISITED_START = 1 << 12;

/** The visited set's starting capacity: the reservation, within its bounds, or VISITED_START. */
export function visitedCapacity(opts: Pick<ExploreOptions, 'maxStates' | 'reserveStates'>): number {
  return Math.max(VISITED_START, Math.min(opts.reserveStates ?? 0, opts.maxStates, RESERVE_MAX));
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
  /** The states the visited set was made for at the start (visitedCapacity: the room of
   *  ExploreOptions.reserveStates, or VISITED_START without), counted in `visited` even if never filled. */
  readonly visitedRoom: number;
  /** Parent node (4 bytes) and the event's index in the parent's enabled list (2 bytes). */
  readonly parents: number;
  /** Pending-fault flag per node (1 byte), for faults-resolvable. */
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
  /** The frontier's largest in-memory size over the run (not in bytesPerState). */
  readonly frontierPeak: number;
  /** Frontier bytes written to temporary files over the run (not in bytesPerState). */
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
 * workers. A measurement of the schedule, for docs/performance.md: results never depend on it.
 */
export interface TimeSplit {
  readonly expandHere: number;
  readonly merge: number;
  /** The merging thread taking chunks off the frontier (spilled segments are read back here). */
  readonly take: number;
  /** The faults-resolvable check after the search (liveness: sweeps over the successor lists). */
  readonly liveness: number;
  readonly wait: number;
  readonly workers: number;
  readonly chunksHere: number;
  readonly chunksWorkers: number;
}

/** What a ChunkRunner measured of its own schedule: TimeSplit without what explore() measures. */
export type RunnerTiming = Omit<TimeSplit, 'merge' | 'take' | 'liveness'>;

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
  | {
    readonly kind: 'liveness'; readonly invariant: InvariantName; readonly node: number; readonly length: number;
    /** How many of the explored states cannot reach a state without pending faults (EXP-LIVE-COUNT). */
    readonly unresolvable: number;
  };

/**
 * What a node's 64-bit fingerprint (Graph.hi, lo) hashes: the state's key (the reducer engine,
 * symmetry-reduced runs of the packed engine, family searches), or the image of the packed
 * engine's Store (PackedStore.writeImage: the packed engine without symmetry reduction).
 */
export type Fingerprint = 'key' | 'storeImage';

export interface Graph {
  readonly parent: Uint32Array;
  readonly eventIndex: Uint16Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
}

/** What a family search shares between its variants' results (ExploreResult.family). */
export interface FamilyFigures {
  /** The variants searched together, in the order asked. */
  readonly variants: readonly VariantName[];
  /** Distinct states, each stored once whichever variants reach it. */
  readonly distinct: number;
  /** Nodes expanded: a state once per depth at which some variant first reaches it. */
  readonly nodes: number;
  /** Times variants joined a node of the next level from another parent than the node's first
   *  (each keeps its own parent link for the counterexamples, EXP-FAM-4). */
  readonly joins: number;
  /** Enabled lists computed (one per class of a node's variants) and steps run (one per class per edge). */
  readonly expansions: number;
  readonly steps: number;
}

export interface ExploreResult {
  readonly config: Config;
  readonly variant: VariantName;
  /** The expansion step that ran (ExploreOptions.engine). */
  readonly engine: EngineName;
  /** Whether symmetry reduction was used (false when asked for but turned off: symmetryOff). */
  readonly symmetry: boolean;
  /** Partial-order reduction was on: shortest-counterexample lengths are then upper bounds (EXP-POR-7). */
  readonly por: boolean;
  /** Nodes expanded with a one-event ample set (0 without partial-order reduction). */
  readonly ampleNodes: number;
  /** Nodes whose ample candidate the cycle proviso refused, expanded fully instead (EXP-POR-5). */
  readonly provisoRefused: number;
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
  /** The parent links of every node; for a result of a family search (`family` set), only the
   *  parent chains of its violations, renumbered from the initial node 0 (familySearch.ts). */
  readonly graph: Graph;
  /** What graph.hi and lo hash (counterexample replay recomputes them). */
  readonly fingerprint: Fingerprint;
  /** Set when the variant was searched together with others (src/explorer/familySearch.ts):
   *  `seconds`, `bytesPerState`, `memory` and `time` are then the whole family's. */
  readonly family?: FamilyFigures;
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
  private chunks = 0;
  constructor(private readonly expander: Expander, private readonly chunkSize: number) {}
  timing(): RunnerTiming {
    return { expandHere: this.expandSeconds, wait: 0, workers: 0, chunksHere: this.chunks, chunksWorkers: 0 };
  }
  async run(take: (size: number) => Taken | undefined, onResult: (t: Taken, r: ChunkResult) => void, stop: () => boolean): Promise<void> {
    // each result is merged before the next expand(), so it may be a view of the expander's buffers
    let lastYield = performance.now();
    for (let t = take(this.chunkSize); t !== undefined && !stop(); t = take(this.chunkSize)) {
      const t0 = performance.now();
      const r = this.expander.expand(t.chunk, false);
      this.expandSeconds += (performance.now() - t0) / 1000;
      this.chunks++;
      onResult(t, r);
      // let the event loop in now and then, so that a signal handler (the CLI's clean exit on
      // SIGINT and SIGTERM) can run during a long one-thread search
      if (performance.now() - lastYield > 50) { await new Promise<void>((resolve) => setImmediate(resolve)); lastYield = performance.now(); }
    }
  }
  async close(): Promise<void> {}
}

/** Nodes per chunk in one thread (docs/performance.md, "The Store's image as the fingerprint": the successor records a chunk writes are still in the caches when the merge reads them). */
const IN_THREAD_CHUNK = 512;

/** Nodes per chunk with workers (docs/performance.md, "Two workers on seed-wide": 1024 measured faster than 256 for the packed engine, the same for the reducer's). */
const POOL_CHUNK = 1024;

export async function explore(config: Config, variant: VariantName, opts: ExploreOptions): Promise<ExploreResult> {
  const t0 = performance.now();
  const beyond = encodingLimitErrors(config);
  if (beyond.length) throw new RangeError(`configuration "${config.name}" beyond the explorer's state encoding: ${beyond.join('; ')}`);
  const sym = symmetryOf(config, opts.symmetry);
  const engine = resolveEngine(opts.engine);
  if ('error' in engine) throw new Error(`--engine packed: ${engine.error}`);
  const spec: ExpanderSpec & { engine: EngineName } = {
    config, variant, symmetry: opts.symmetry, engine: engine.engine, por: opts.por === true,
    ...(opts.provisoRefuseAll === true ? { provisoRefuseAll: true } : {}),
    ...(opts.storeImage === false ? { storeImage: false } : {}),
    ...(opts.hashKernel === false ? { hashKernel: false } : {}),
  };
  const local = makeExpander(spec);
  // Chunks are a unit of work only: nodes are merged in number order whoever expands them, and a
  // run cut short by maxStates stops after the node whose successors hit the bound, so results
  // do not depend on chunk sizes or on the number of threads.
  const pool = opts.workers > 1 || opts.moreCores !== undefined
    ? new WorkerPool(spec, opts.workers, local, opts.chunkSize ?? POOL_CHUNK)
    : undefined;
  const runner: ChunkRunner = pool ?? new InThread(local, opts.chunkSize ?? IN_THREAD_CHUNK);
  if (pool) opts.moreCores?.use(() => pool.addWorker());
  const queue = new KeyQueue({ memBytes: opts.frontierMemBytes ?? FRONTIER_MEM_DEFAULT, segmentWords: opts.frontierSegmentWords, spillDir: opts.spillDir });
  const succ = new SuccessorLists({ memBytes: opts.successorMemBytes ?? SUCCESSOR_MEM_DEFAULT, blockWords: opts.successorBlockWords, spillDir: opts.spillDir });
  try {
    const room = visitedCapacity(opts);
    const compact = spec.engine === 'packed' ? new CompactVisitedSet(room) : undefined;
    const visited: Pick<VisitedSet, 'size' | 'get' | 'insert' | 'bytes' | 'takeColumns'> = compact ?? new VisitedSet(room);
    /** XOR of what touch() read: kept so that its reads are not optimised away. */
    let touched = 0;
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
    local.fingerprintOfKey(init.a, 0, init.n, h);
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
    let mergeSeconds = 0, provisoRefused = 0, takeSeconds = 0, livenessSeconds = 0;
    /**
     * Merges the edges e0 .. e0 + nEdges - 1 of `node` (successor keys from encPos0 on in `enc`),
     * keeping only the one at position `only` when it is >= 0; returns the position in `enc` after them.
     */
    const recordsAreKeys = local.fingerprint === 'key', newKey = new IntBuf(256);
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
          if (recordsAreKeys) queue.push(enc, encPos, len);
          else { newKey.reset(); local.keyOfRecord(enc, encPos, len, newKey); queue.push(newKey.a, 0, newKey.n); }
        }
        encPos += len;
        if (fault !== 0) succ.add(t);
        if (tv !== 0) for (let b = 0; b < invariantNames.length; b++) if (tv & (1 << b)) note({ kind: 'transition', invariant: invariantNames[b]!, node, eventIndex: evIdx, length: depth + 1 });
      }
      if (fault !== 0) succ.end();
      return encPos;
    };
    await runner.run((size) => {
      const tTake = performance.now();
      const t = queue.take(size);
      takeSeconds += (performance.now() - tTake) / 1000;
      return t;
    }, (taken, r) => {
      const tMerge = performance.now();
      const nSrc = r.src.length / SRC_WORDS;
      let e = 0, encPos = 0;
      // the visited-set reads of the next batch of edges are done ahead, all at once (touch())
      const allEdges = r.edges.length / EDGE_WORDS;
      let ahead = 0;
      for (let i = 0; i < nSrc && !truncated; i++) {
        const node = taken.first + i;
        while (depth + 1 < levelStart.length && node >= levelStart[depth + 1]!) depth++;
        const nEdges = r.src[i * SRC_WORDS]!;
        if (compact !== undefined) for (; ahead < e + nEdges; ahead += TOUCH_BATCH) touched ^= compact.touch(r.edges, EDGE_WORDS, ahead, Math.min(allEdges, ahead + TOUCH_BATCH));
        const sv = r.src[i * SRC_WORDS + 1]!;
        const fault = r.src[i * SRC_WORDS + 2]!;
        hasFault.set(node, fault);
        expanded = node + 1;
        if (sv !== 0) for (let b = 0; b < invariantNames.length; b++) if (sv & (1 << b)) note({ kind: 'state', invariant: invariantNames[b]!, node, length: depth });
        // with partial-order reduction the ample edge alone (the expander applied the cycle
        // proviso, EXP-POR-5: a refused candidate comes back as -1, with every edge)
        let only = -1;
        if (por) {
          only = r.src[i * SRC_WORDS + 3]!;
          if (only >= 0) ampleNodes++;
          if (r.src[i * SRC_WORDS + 4] === EXPANDED_REFUSED) provisoRefused++;
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
    const maxDepth = levelStart.length - 1;

    const states = visited.size;
    const levels = levelStart.map((first, d) => (levelStart[d + 1] ?? states) - first);
    if (!truncated) {
      const tLive = performance.now();
      const { first: bad, unresolvable } = succ.faultsResolvable(states, hasFault.a);
      livenessSeconds = (performance.now() - tLive) / 1000;
      if (bad >= 0) {
        let length = 0;
        for (let n = bad; n !== 0; n = parent.a[n]!) length++;
        note({ kind: 'liveness', invariant: 'faults-resolvable', node: bad, length, unresolvable });
      }
    }
    const time: TimeSplit = { ...rt, merge: mergeSeconds, take: takeSeconds, liveness: livenessSeconds };
    const seconds = (performance.now() - t0) / 1000;
    const split = [visited.bytes(), parent.a.byteLength + eventIndex.a.byteLength, hasFault.a.byteLength, succ.peakBytes()];
    const bytes = split.reduce((x, y) => x + y, 0);
    const q = queue.stats();
    const per = (b: number) => Math.round((b / states) * 100) / 100;
    let faultStates = 0;
    for (let i = 0; i < states; i++) faultStates += hasFault.a[i] ?? 0;
    const memory: MemorySplit = {
      visited: per(split[0]!), visitedRoom: room, parents: per(split[1]!), faultFlags: per(split[2]!), successors: per(split[3]!),
      successorsSpilled: per(succ.spilledBytes()), frontierPeak: per(q.peakBytes), frontierSpilled: per(q.spilledBytes),
      successorsSpilledBytes: succ.spilledBytes(), frontierPeakBytes: q.peakBytes, frontierSpilledBytes: q.spilledBytes,
      expandedStates: expanded, faultStates, storedTransitions: succ.stored, livenessSweeps: succ.sweeps,
    };
    const violations = invariantNames.flatMap((n) => { const f = found.get(n); return f ? [f] : []; });
    return {
      config, variant, engine: spec.engine, symmetry: sym.enabled, ...(sym.offReason === undefined ? {} : { symmetryOff: sym.offReason }), symmetryNotes: sym.notes, por, ampleNodes, provisoRefused, states, transitions, maxDepth, levels, seconds, truncated,
      bytesPerState: Math.round(bytes / states),
      memory,
      time,
      violations,
      fingerprint: local.fingerprint,
      graph: { parent: parent.a.subarray(0, states), eventIndex: eventIndex.a.subarray(0, states), ...visited.takeColumns() },
    };
  } finally {
    queue.close();
    succ.close();
    opts.moreCores?.use(undefined);
    await runner.close();
  }
}
