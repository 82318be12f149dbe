// The packed engine's expansion step: the same contract as the reducer engine's Expander
// (src/explorer/expand.ts: same chunks in, same ChunkResult out, word for word), computed on the
// adapter's mutable Store instead of the reducer's immutable States. Per frontier state: load its
// encoding into the Store (store-io.ts loadKey) and save it (PackedStore.snapshot), check the state
// invariants (invariants.ts), list the enabled events on the Store (enabled.ts); per event: put the
// state back (PackedStore.restore), step the adapter's Engine (the reducer's
// semantics, src/adapter/engine.ts, checked by test/adapter.differential.test.ts) with the
// transition invariants judged on what it tells its watch (monitor.ts), then the successor's
// key straight from the Store (canon.ts: the plain encoding, or the symmetry-reduced key) and its
// 64-bit hash. The BFS, visited set, workers and counterexample
// replay of src/explorer are shared; test/packed.test.ts checks both engines give the same
// results, and every counterexample is replayed on the reducer before it is reported (verify.ts).
import type { Engine } from '../../adapter/engine.ts';
import type { StoreInvariants } from './invariants.ts';
import { EDGE_WORDS, EXPANDED_AMPLE, EXPANDED_FULLY, EXPANDED_REFUSED, SRC_WORDS, Expander, type Chunk, type ChunkResult, type ExpanderSpec } from '../expand.ts';
import { hash64 } from '../visited.ts';
import { makeHashKernel, type HashKernel } from './hashKernel.ts';
import type { EnabledOnStore } from './enabled.ts';
import type { MaskMonitor } from './monitor.ts';
import { loadKey, PackedStore } from './store-io.ts';
import { IntBuf } from '../encode.ts';
import { imageFingerprintOfKey } from './fingerprint.ts';
import { packedSemantics } from './semantics.ts';
import { StoreCanonicalizer } from './canon.ts';
import type { Event } from '../../model/event.ts';
import type { Fingerprint } from '../explore.ts';
import { ampleOnStore, provisoKeeps, storeCleanupMeasure } from '../por.ts';
import { codeGenerationAllowed } from './codegen.ts';

/** Engine.apply: the step without the guard (the events come from the enabled list). */
type Applies = { apply(e: Event): void };

export type EngineName = 'packed' | 'reducer';
export const engineNames: readonly EngineName[] = ['packed', 'reducer'];
/** The engine `explore` uses when none is named (spec/explorer.md, "The packed engine"). */
export const defaultEngine: EngineName = 'packed';

/** Why the packed engine cannot run here (resolveEngine). */
export const packedNeedsCodeGeneration = 'the packed engine compiles its reload and symmetry key for the configuration when it starts (new Function), and this Node does not allow code generation from strings (--disallow-code-generation-from-strings)';

/**
 * The engine to run: the one asked for, or else the default. Where this Node does not compile code
 * from strings (codeGenerationAllowed), the default falls back to the reducer engine (same
 * results, slower) with `fellBack` set, and asking for the packed engine is an error.
 */
export function resolveEngine(asked: EngineName | undefined): { engine: EngineName; fellBack: boolean } | { error: string } {
  const engine = asked ?? defaultEngine;
  if (engine !== 'packed' || codeGenerationAllowed()) return { engine, fellBack: false };
  if (asked === 'packed') return { error: packedNeedsCodeGeneration };
  return { engine: 'reducer', fellBack: true };
}

export class PackedExpander extends Expander {
  readonly store: PackedStore;
  readonly engine: Engine;
  private readonly enabled: EnabledOnStore;
  private readonly monitor: MaskMonitor;
  private readonly storeCanon: StoreCanonicalizer;
  readonly invariants: StoreInvariants;

  constructor(spec: ExpanderSpec) {
    super(spec);
    const sem = packedSemantics(this.model);
    this.store = sem.store;
    this.engine = sem.engine;
    this.monitor = sem.monitor;
    this.enabled = sem.enabled;
    this.invariants = sem.invariants;
    this.storeCanon = new StoreCanonicalizer(spec.config, spec.symmetry);
    this.images = !this.storeCanon.symmetry.enabled && spec.storeImage !== false;
    this.fingerprint = this.images ? 'storeImage' : 'key';
  }

  /**
   * Without symmetry reduction (and unless spec.storeImage is false), each successor is recorded
   * as its Store's image (PackedStore.writeImage) and fingerprinted by it (EXP-FP-IMAGE): copying
   * the Store's words costs less than building the key, which the merge builds only for the
   * successors it has not seen (keyOfRecord).
   */
  private readonly images: boolean;
  override readonly fingerprint: Fingerprint;
  /** A Store apart from the one expanded, for the image of a state given by its key. */
  private scratchStore: PackedStore | undefined;
  private readonly scratchBuf = new IntBuf(256);

  override fingerprintOfKey(a: Int32Array, start: number, end: number, h: Uint32Array): void {
    if (!this.images) { hash64(a, start, end, h); return; }
    imageFingerprintOfKey(this.scratchStore ??= new PackedStore(this.spec.config), a, start, this.scratchBuf, h);
  }

  override keyOfRecord(a: Int32Array, start: number, len: number, out: IntBuf): void {
    if (this.images) this.store.keyOfImage(a, start, out); else super.keyOfRecord(a, start, len, out);
  }

  override expand(chunk: Chunk, copy = true): ChunkResult {
    const lazy = this.spec.por === true, refuseAll = this.spec.provisoRefuseAll === true;
    const st = this.store;
    const n = chunk.offsets.length - 1;
    const src = new Int32Array(n * SRC_WORDS);
    const out = this.out;
    out.reset();
    this.ne = 0;
    for (let i = 0; i < n; i++) {
      const at = chunk.offsets[i]!;
      loadKey(st, chunk.enc, at);
      st.snapshot();
      const sv = this.invariants.mask(st);
      let faults = 0;
      for (let d = 0; d < st.nDev; d++) if (st.faults[d]!.length > 0) faults = 1;
      const events = this.enabled.events();
      // without the reduction no ample event is looked for (as expand.ts)
      let ample = lazy ? ampleOnStore(this.engine, events, this.spec.symmetry) : -1;
      let how = EXPANDED_FULLY;
      // EXP-POR-5: the ample edge is kept only if it lowers the clean-up measure
      const before = ample >= 0 ? storeCleanupMeasure(st) : 0;
      if (lazy && ample >= 0) {
        // the ample edge alone, or (refused) dropped again and every edge computed in order
        const start = out.n, ne0 = this.ne;
        this.edge(events[ample]!, ample);
        if (provisoKeeps(before, storeCleanupMeasure(st), refuseAll)) how = EXPANDED_AMPLE;
        else { ample = -1; how = EXPANDED_REFUSED; out.n = start; this.ne = ne0; st.restore(); }
      }
      if (how !== EXPANDED_AMPLE) {
        for (let k = 0; k < events.length; k++) {
          if (k > 0) st.restore();
          this.edge(events[k]!, k);
          if (k === ample && !provisoKeeps(before, storeCleanupMeasure(st), refuseAll)) how = EXPANDED_REFUSED;
        }
        if (how === EXPANDED_REFUSED) ample = -1;
      }
      src[i * SRC_WORDS] = how === EXPANDED_AMPLE ? 1 : events.length;
      src[i * SRC_WORDS + 1] = sv;
      src[i * SRC_WORDS + 2] = faults;
      src[i * SRC_WORDS + 3] = how === EXPANDED_AMPLE ? 0 : ample;
      src[i * SRC_WORDS + 4] = how;
    }
    return this.result(src, this.ne, copy);
  }

  /** hash64 in WebAssembly (hashKernel.ts), or undefined where it cannot run. */
  private readonly kernel: HashKernel | undefined = this.spec.hashKernel === false ? undefined : makeHashKernel();

  /** The successor's record (its Store's image, or its key) appended to `rec`. */
  private writeSuccessor(rec: IntBuf): void {
    if (this.images) this.store.writeImage(rec); else this.storeCanon.key(this.store, rec);
  }

  /** Words of edgeBuf in use. */
  private ne = 0;

  /** Step `e` (position k of the enabled list) on the loaded store and append its edge record and successor key. */
  private edge(e: Event, k: number): void {
    const mon = this.monitor, out = this.out, h = this.h, kernel = this.kernel;
    mon.beforeStep(e);
    (this.engine as unknown as Applies).apply(e);
    mon.afterStep(e);
    const start = out.n;
    if (kernel === undefined) {
      this.writeSuccessor(out);
      hash64(out.a, start, out.n, h);
    } else {
      // written into the kernel's memory, hashed there and copied into the records (records kept
      // in that memory measured no faster: docs/performance.md, "hash64 in WebAssembly")
      this.writeSuccessor(kernel.begin());
      kernel.finish(out, h);
    }
    let edges = this.edgeBuf, ne = this.ne;
    if (ne + EDGE_WORDS > edges.length) { const g = new Uint32Array(edges.length * 2); g.set(edges); edges = this.edgeBuf = g; }
    edges[ne] = h[0]!; edges[ne + 1] = h[1]!; edges[ne + 2] = k; edges[ne + 3] = mon.mask >>> 0; edges[ne + 4] = out.n - start;
    this.ne = ne + EDGE_WORDS;
  }
}

/** The expander of an engine. */
export function makeExpander(spec: ExpanderSpec & { readonly engine: EngineName }): Expander {
  return spec.engine === 'packed' ? new PackedExpander(spec) : new Expander(spec);
}
