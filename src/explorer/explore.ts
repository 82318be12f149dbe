// The exhaustive explorer: breadth-first search over enabledEvents() from initialState(), with a
// visited set of 64-bit hashes of (symmetry-reduced) state keys. Nodes are numbered in BFS order,
// level by level, so the first node found violating an invariant has the least depth and its
// parent chain is a shortest counterexample. Per node we keep only typed arrays: hash (8 bytes),
// table slots (8), parent (4), index of the event in the parent's enabledEvents() (2), a
// pending-fault flag (1), and its successor list (CSR offsets 4 + 4 per transition) for the
// faults-resolvable check. Frontier states are kept as key encodings and decoded when expanded.
import type { Config } from '../model/config.ts';
import { initialState } from '../model/initial.ts';
import type { VariantName } from '../model/variant.ts';
import { invariantNames, type InvariantName } from '../invariants/invariants.ts';
import { IntBuf } from './encode.ts';
import { EDGE_WORDS, Expander, type Chunk, type ChunkResult, type ExpanderSpec } from './expand.ts';
import { faultsResolvable } from './liveness.ts';
import { WorkerPool } from './pool.ts';
import { hash64, VisitedSet } from './visited.ts';

export interface ExploreOptions {
  readonly symmetry: boolean;
  /** Stop adding states beyond this many (the result is then marked truncated). */
  readonly maxStates: number;
  /** Threads expanding: 1 = this thread; N > 1 = this thread (which also merges) and N - 1 workers. */
  readonly workers: number;
  readonly chunkSize?: number;
  readonly onProgress?: (p: Progress) => void;
}

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
  readonly symmetry: boolean;
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly seconds: number;
  readonly truncated: boolean;
  /** Bytes of the per-state typed arrays at the end, divided by the number of states. */
  readonly bytesPerState: number;
  /** The first (shortest) violation of each violated invariant, in invariantNames order. */
  readonly violations: readonly Found[];
  readonly graph: Graph;
}

/** Smallest chunk at a level's end with several threads. */
const TAIL_CHUNK = 32;

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

/** Something that expands chunks: this thread, or a pool of workers. Results come back in order. */
export interface ChunkRunner {
  /** Expand chunks in order; once `stop()` is true, no further chunk is started or delivered. */
  run(chunks: readonly Chunk[], onResult: (i: number, r: ChunkResult) => void, stop: () => boolean): Promise<void>;
  close(): Promise<void>;
}

class InThread implements ChunkRunner {
  constructor(private readonly expander: Expander) {}
  async run(chunks: readonly Chunk[], onResult: (i: number, r: ChunkResult) => void, stop: () => boolean): Promise<void> {
    for (let i = 0; i < chunks.length && !stop(); i++) onResult(i, this.expander.expand(chunks[i]!));
  }
  async close(): Promise<void> {}
}

export async function explore(config: Config, variant: VariantName, opts: ExploreOptions): Promise<ExploreResult> {
  const t0 = performance.now();
  const spec: ExpanderSpec = { config, variant, symmetry: opts.symmetry };
  const local = new Expander(spec);
  const runner: ChunkRunner = opts.workers > 1 ? new WorkerPool(spec, opts.workers, local) : new InThread(local);
  // Chunks are a unit of work only: a run cut short by maxStates stops after the source state
  // whose successors hit the bound, whatever the chunk size, so results do not depend on it.
  // Smaller chunks share a level's end better between threads; one thread takes larger ones.
  const chunkSize = opts.chunkSize ?? (opts.workers > 1 ? 256 : 2048);
  try {
    const visited = new VisitedSet(1 << 12);
    const parent = new U32Buf(1 << 12);
    const eventIndex = new U16Buf(1 << 12);
    const hasFault = new U8Buf(1 << 12);
    const edgeStart = new U32Buf(1 << 12);
    const targets = new U32Buf(1 << 14);
    const found = new Map<InvariantName, Found>();
    const note = (f: Found) => {
      const old = found.get(f.invariant);
      if (!old || f.length < old.length) found.set(f.invariant, f);
    };

    // the initial node
    let frontier = new IntBuf(1 << 12);
    let offsets: number[] = [0];
    local.canon.key(initialState(config), frontier);
    offsets.push(frontier.n);
    const h = new Uint32Array(2);
    hash64(frontier.a, 0, frontier.n, h);
    visited.insert(h[0]!, h[1]!);
    parent.push(0xffffffff);
    eventIndex.set(0, 0);

    let depth = 0;
    let maxDepth = 0;
    let transitions = 0;
    let truncated = false;
    let levelBase = 0; // node index of the first frontier state
    let lastProgress = 0;
    while (offsets.length > 1) {
      const nFrontier = offsets.length - 1;
      const next = new IntBuf(Math.max(1 << 12, frontier.n));
      const nextOffsets: number[] = [0];
      const chunks: Chunk[] = [];
      const chunkBase: number[] = [];
      for (let i = 0, j = 0; i < nFrontier; i = j) {
        // with several threads, chunks shrink towards the level's end so that the threads finish
        // together (results do not depend on chunk boundaries)
        const size = opts.workers > 1 ? Math.max(TAIL_CHUNK, Math.min(chunkSize, Math.ceil((nFrontier - i) / (2 * opts.workers)))) : chunkSize;
        j = Math.min(nFrontier, i + size);
        chunkBase.push(i);
        const off = new Uint32Array(j - i + 1);
        for (let k = i; k <= j; k++) off[k - i] = offsets[k]! - offsets[i]!;
        chunks.push({ enc: frontier.a.slice(offsets[i]!, offsets[j]!), offsets: off });
      }
      const d = depth;
      await runner.run(chunks, (ci, r) => {
        const base = levelBase + chunkBase[ci]!;
        const nSrc = r.src.length / 3;
        let e = 0, encPos = 0;
        for (let i = 0; i < nSrc && !truncated; i++) {
          const node = base + i;
          const nEdges = r.src[i * 3]!;
          const sv = r.src[i * 3 + 1]!;
          hasFault.set(node, r.src[i * 3 + 2]!);
          if (sv !== 0) for (let b = 0; b < invariantNames.length; b++) if (sv & (1 << b)) note({ kind: 'state', invariant: invariantNames[b]!, node, length: d });
          edgeStart.push(targets.n);
          for (let k = 0; k < nEdges; k++, e++) {
            const w = e * EDGE_WORDS;
            const hi = r.edges[w]!, lo = r.edges[w + 1]!, evIdx = r.edges[w + 2]!, tv = r.edges[w + 3]!, len = r.edges[w + 4]!;
            transitions++;
            let t = visited.get(hi, lo);
            if (t < 0) {
              if (visited.size >= opts.maxStates) { truncated = true; encPos += len; continue; }
              t = -visited.insert(hi, lo) - 1;
              parent.push(node);
              eventIndex.set(t, evIdx);
              next.ensure(len);
              const na = next.a, ra = r.enc, nn = next.n;
              for (let q = 0; q < len; q++) na[nn + q] = ra[encPos + q]!;
              next.n = nn + len;
              nextOffsets.push(next.n);
            }
            encPos += len;
            targets.push(t);
            if (tv !== 0) for (let b = 0; b < invariantNames.length; b++) if (tv & (1 << b)) note({ kind: 'transition', invariant: invariantNames[b]!, node, eventIndex: evIdx, length: d + 1 });
          }
        }
        if (opts.onProgress) {
          const now = performance.now();
          if (now - lastProgress > 250) {
            lastProgress = now;
            opts.onProgress({ states: visited.size, transitions, depth: d, frontier: nFrontier, seconds: (now - t0) / 1000 });
          }
        }
      }, () => truncated);
      levelBase += nFrontier;
      if (nextOffsets.length > 1) maxDepth = depth + 1;
      depth++;
      frontier = next;
      offsets = nextOffsets;
      // --max-states: stop as soon as the bound is hit (the states found last are counted but
      // neither expanded nor checked)
      if (truncated) break;
    }
    edgeStart.push(targets.n);

    const states = visited.size;
    if (!truncated) {
      const bad = faultsResolvable(states, hasFault.a, edgeStart.a, targets.a);
      if (bad >= 0) {
        let length = 0;
        for (let n = bad; n !== 0; n = parent.a[n]!) length++;
        note({ kind: 'liveness', invariant: 'faults-resolvable', node: bad, length });
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const bytes = visited.bytes() + parent.a.byteLength + eventIndex.a.byteLength + hasFault.a.byteLength + edgeStart.a.byteLength + targets.a.byteLength;
    const violations = invariantNames.flatMap((n) => { const f = found.get(n); return f ? [f] : []; });
    return {
      config, variant, symmetry: opts.symmetry, states, transitions, maxDepth, seconds, truncated,
      bytesPerState: Math.round(bytes / states),
      violations,
      graph: { parent: parent.a.subarray(0, states), eventIndex: eventIndex.a.subarray(0, states), hi: visited.hi.subarray(0, states), lo: visited.lo.subarray(0, states) },
    };
  } finally {
    await runner.close();
  }
}
