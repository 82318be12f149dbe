// Expanding a chunk of frontier states: decode each, check the state invariants, step every
// enabled event, check the transition invariants and compute each successor's key and hash.
// Pure with respect to the model (states are never mutated); runs in the main thread or in a
// worker (src/explorer/worker.ts) with the same result, so BFS numbering does not depend on
// the number of workers.
import type { Config } from '../model/config.ts';
import { enabledEvents } from '../machine/enabled.ts';
import { createModel, type Model } from '../model/model.ts';
import { stepEnabled } from '../machine/step.ts';
import type { VariantName } from '../model/variant.ts';
import { checkInvariants, checkTransition, invariantNames } from '../invariants/invariants.ts';
import { decodeState, IntBuf } from './encode.ts';
import { Canonicalizer, symmetryOf } from './symmetry.ts';
import { hash64 } from './visited.ts';
import { ampleOf, cleanupMeasure, provisoKeeps } from './por.ts';
import type { Fingerprint } from './explore.ts';

/** Bit of each invariant in the violation masks. */
export const invariantBit: ReadonlyMap<string, number> = new Map(invariantNames.map((n, i) => [n, 1 << i]));

export interface Chunk {
  /** Concatenated key encodings of the states to expand. */
  readonly enc: Int32Array;
  /** offsets[i]..offsets[i+1] is state i; length = states + 1. */
  readonly offsets: Uint32Array;
}

/** How a node was expanded (ChunkResult.src, word 4). */
export const EXPANDED_FULLY = 0;
/** Only its ample edge was computed (ExpanderSpec.por, EXP-POR-1). */
export const EXPANDED_AMPLE = 1;
/** Every edge: the cycle proviso refused its ample candidate (EXP-POR-5). */
export const EXPANDED_REFUSED = 2;

/** Per-edge record width in ChunkResult.edges. */
export const EDGE_WORDS = 5;
/** Per-source record width in ChunkResult.src. */
export const SRC_WORDS = 5;

/**
 * What the pool sends a worker thread (pool.ts, worker.ts): a chunk, and the buffers of results of
 * the worker's merged since its last chunk, given back to its expander (Expander.recycle) as
 * pairs: keys, then edge records.
 */
export interface ChunkJob {
  readonly chunk: Chunk;
  readonly giveBack: readonly ArrayBuffer[];
}

export interface ChunkResult {
  /**
   * Per source state: [number of edges, state-invariant violation mask, has pending faults,
   * position of the partial-order reduction's ample event among its edges, or -1 when it has no
   * candidate (por.ts), the cycle proviso refused it (EXP-POR-5) or the search is without the
   * reduction, how it was expanded
   * (EXPANDED_FULLY, EXPANDED_AMPLE, EXPANDED_REFUSED)]. With EXPANDED_AMPLE its one edge is the
   * ample edge (position 0 of its edges).
   */
  readonly src: Int32Array;
  /** Per edge: [hash hi, hash lo, enabled-event index, transition violation mask, key length]. */
  readonly edges: Uint32Array;
  /** Concatenated successor keys, in edge order. */
  readonly enc: Int32Array;
  /** Seconds a worker thread spent expanding the chunk (set by src/explorer/worker.ts only). */
  readonly seconds?: number;
}

export interface ExpanderSpec {
  readonly config: Config;
  readonly variant: VariantName;
  readonly symmetry: boolean;
  /**
   * Partial-order reduction: a state whose ample event the cycle proviso keeps gets only that edge
   * computed. Off: every edge, the ample position (proviso applied) still reported.
   */
  readonly por?: boolean;
  /**
   * For tests: the cycle proviso (EXP-POR-5) refuses every ample candidate, as it would one that
   * does not lower the clean-up measure. Sound (it only expands more nodes fully); the reduced
   * graph is then the unreduced one, and the refusal path, which the candidates of EXP-POR-2
   * never take, is exercised.
   */
  readonly provisoRefuseAll?: boolean;
  /**
   * The packed engine without symmetry reduction fingerprints its Store's image (EXP-FP-IMAGE);
   * false: the key, as the reducer engine does (the cross-checks compare the two engines' node
   * fingerprints then; benchmarks time both). Ignored with symmetry reduction and by the reducer
   * engine, which always fingerprint the key.
   */
  readonly storeImage?: boolean;
  /**
   * The packed engine hashes its successors in WebAssembly (packed/hashKernel.ts, the same bits
   * as hash64); false: in JavaScript (cross-checks and benchmarks). Ignored by the reducer engine.
   */
  readonly hashKernel?: boolean;
}

export class Expander {
  readonly model: Model;
  readonly canon: Canonicalizer;
  /** The successor keys of the chunk being expanded (handed off with them by expandHandingOff). */
  protected readonly out = new IntBuf(1 << 16);
  /** Scratch for one successor's 64-bit hash (hash64). */
  protected readonly h = new Uint32Array(2);
  /** The edge records of the chunk being expanded (as `out`). */
  protected edgeBuf: Uint32Array = new Uint32Array(1 << 14);
  /** Buffers of results handed off and given back (recycle), for the next hand-off. */
  private readonly spareEnc: Int32Array[] = [];
  private readonly spareEdges: Uint32Array[] = [];

  constructor(readonly spec: ExpanderSpec) {
    this.model = createModel(spec.config, spec.variant);
    this.canon = new Canonicalizer(spec.config, symmetryOf(spec.config, spec.symmetry));
  }

  /**
   * With `copy` false the result's arrays are views of this expander's buffers, valid until its
   * next expand(): for a caller that merges the result at once (the one-thread explorer).
   */
  expand(chunk: Chunk, copy = true): ChunkResult {
    const lazy = this.spec.por === true;
    const m = this.model;
    const n = chunk.offsets.length - 1;
    const src = new Int32Array(n * SRC_WORDS);
    let edges = this.edgeBuf, ne = 0;
    const out = this.out;
    out.reset();
    for (let i = 0; i < n; i++) {
      const s = decodeState(m.config, chunk.enc, chunk.offsets[i]!);
      let sv = 0;
      for (const v of checkInvariants(m, s)) sv |= invariantBit.get(v.invariant)!;
      const events = enabledEvents(m, s);
      // without the reduction no ample event is looked for (explore reads src words 3 and 4 only with it)
      let ample = lazy ? ampleOf(m, s, events, this.spec.symmetry) : -1;
      let how = EXPANDED_FULLY;
      // EXP-POR-5: the ample edge must lower the clean-up measure (its step is reused below)
      const ampleStep = ample >= 0 ? stepEnabled(m, s, events[ample]!) : undefined;
      if (ampleStep !== undefined) {
        if (!provisoKeeps(cleanupMeasure(s), cleanupMeasure(ampleStep.state), this.spec.provisoRefuseAll === true)) { ample = -1; how = EXPANDED_REFUSED; } else if (lazy) how = EXPANDED_AMPLE;
      }
      const partial = how === EXPANDED_AMPLE;
      for (let k = partial ? ample : 0; k < (partial ? ample + 1 : events.length); k++) {
        const e = events[k]!;
        const r = k === ample && ampleStep !== undefined ? ampleStep : stepEnabled(m, s, e);
        const next = r.state;
        let tv = 0;
        for (const v of checkTransition(m, s, e, next, r.observations)) tv |= invariantBit.get(v.invariant)!;
        const start = out.n;
        this.canon.key(next, out);
        hash64(out.a, start, out.n, this.h);
        if (ne + EDGE_WORDS > edges.length) { const g = new Uint32Array(edges.length * 2); g.set(edges); edges = this.edgeBuf = g; }
        edges[ne] = this.h[0]!; edges[ne + 1] = this.h[1]!; edges[ne + 2] = k; edges[ne + 3] = tv >>> 0; edges[ne + 4] = out.n - start;
        ne += EDGE_WORDS;
      }
      src[i * SRC_WORDS] = partial ? 1 : events.length;
      src[i * SRC_WORDS + 1] = sv;
      src[i * SRC_WORDS + 2] = s.faults.length > 0 ? 1 : 0;
      src[i * SRC_WORDS + 3] = partial ? 0 : ample;
      src[i * SRC_WORDS + 4] = how;
    }
    return this.result(src, ne, copy);
  }

  /**
   * The fingerprint of the state whose key is a[start, end): the 64-bit hash of what this
   * expander writes for a successor (its key here).
   */
  fingerprintOfKey(a: Int32Array, start: number, end: number, h: Uint32Array): void {
    hash64(a, start, end, h);
  }

  /** What this expander's fingerprints hash; its successor records are keys exactly when this is 'key'. */
  readonly fingerprint: Fingerprint = 'key';

  /** Append the key of the successor recorded at a[start...] to `out` (the merge asks only when the records are not keys; a key record is copied). */
  keyOfRecord(a: Int32Array, start: number, len: number, out: IntBuf): void {
    out.ensure(len);
    out.a.set(a.subarray(start, start + len), out.n);
    out.n += len;
  }

  /** The result of a chunk: views of the buffers (`copy` false) or copies of them. */
  protected result(src: Int32Array, ne: number, copy: boolean): ChunkResult {
    const edges = this.edgeBuf, enc = this.out.a, n = this.out.n;
    return copy ? { src, edges: edges.slice(0, ne), enc: enc.slice(0, n) } : { src, edges: edges.subarray(0, ne), enc: enc.subarray(0, n) };
  }

  /**
   * expand(chunk, true) without the copy: the result's arrays are this expander's own buffers,
   * handed over to the caller, and the expander goes on with buffers given back earlier
   * (recycle) or new ones. For the pool (pool.ts, worker.ts): every worker's chunk, and the
   * merging thread's own chunks that wait for their turn to be merged. Copying the merging
   * thread's took about 6% of its time (docs/performance.md, "What slows the merging thread: its
   * neighbour, measured"); the copies also slowed the other thread ("The pool's results stay in
   * the buffers they were expanded in").
   */
  expandHandingOff(chunk: Chunk): ChunkResult {
    const r = this.expand(chunk, false);
    this.out.a = this.spareEnc.pop() ?? new Int32Array(this.out.a.length);
    this.edgeBuf = this.spareEdges.pop() ?? new Uint32Array(this.edgeBuf.length);
    return r;
  }

  /** Gives back the buffers of a result of expandHandingOff once it is merged; nothing may read `r` after. */
  recycle(r: Pick<ChunkResult, 'enc' | 'edges'>): void {
    this.spareEnc.push(new Int32Array(r.enc.buffer as ArrayBuffer));
    this.spareEdges.push(new Uint32Array(r.edges.buffer as ArrayBuffer));
  }
}
