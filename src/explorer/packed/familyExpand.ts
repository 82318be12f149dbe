// The packed engine's expansion step for several variants at once (src/explorer/familySearch.ts,
// spec/explorer.md EXP-FAM-*): one Store, one Engine per variant over it, each reading its traits
// through getters that record which decision traits were read (traitReads.ts). A frontier node is
// a state with the set of variants (a bit mask) that expand it. Every computation that may depend
// on the variant is run once under the lowest variant of the set still to serve, and its result
// is shared by every variant of the set that agrees with it on the traits it read (EXP-FAM-2):
// the enabled list with the ample choice, then each step with its transition invariants. The
// state invariants, the pending-fault flag, the clean-up measure and the successor's key read no
// trait (they see the Store only) and are computed once per node.
import { IntBuf } from '../encode.ts';
import { Engine } from '../../adapter/engine.ts';
import type { Config } from '../../model/config.ts';
import { featBtm } from '../../model/context.ts';
import { createModel } from '../../model/model.ts';
import type { Event } from '../../model/event.ts';
import type { VariantName } from '../../model/variant.ts';
import { EXPANDED_AMPLE, EXPANDED_FULLY, EXPANDED_REFUSED } from '../expand.ts';
import { hash64 } from '../visited.ts';
import { makeHashKernel, type HashKernel } from './hashKernel.ts';
import { ampleOnStore, provisoKeeps, storeCleanupMeasure } from '../por.ts';
import { bitRecordingTraits, differingDecisions, type TraitRecorder } from '../traitReads.ts';
import { EnabledOnStore } from './enabled.ts';
import { StoreInvariants } from './invariants.ts';
import { MaskMonitor } from './monitor.ts';
import { loadKey, type PackedStore } from './store-io.ts';
import { initialPackedStore } from './semantics.ts';
import { StoreCanonicalizer } from './canon.ts';

/** Engine.apply: the step without the guard (the events come from the enabled list). */
type Applies = { apply(e: Event): void };

/** Words per group record in FamilyExpansion.groups: [variant mask, how, transitions, edge records]. */
export const GROUP_WORDS = 4;
/** Words per edge record in FamilyExpansion.edges: [hash hi, hash lo, event index, transition violations, key length, variant mask]. */
export const FAMILY_EDGE_WORDS = 6;

/** Most variants in one family: a node's variant set is a byte. */
export const FAMILY_MAX = 8;

/** The expansion of one node, valid until the next expand(). */
export interface FamilyExpansion {
  /** State-invariant violation mask (no trait read: the same for every variant). */
  readonly sv: number;
  /** The state has pending faults. */
  readonly fault: number;
  /**
   * Per class of the node's variants expanded the same way (the same enabled list and ample
   * choice): its variant mask, how it was expanded (EXPANDED_*), the transitions each of its
   * variants counts (1 with the ample edge kept, else the enabled events), and how many edge
   * records follow for it in `edges`.
   */
  readonly groups: Int32Array;
  readonly nGroups: number;
  /** Per edge and class of the group's variants stepping it the same way (FAMILY_EDGE_WORDS). */
  readonly edges: Uint32Array;
  /** Edge records in `edges` (over all groups). */
  readonly nEdges: number;
  /** Successor keys, in edge record order. */
  readonly enc: Int32Array;
}

export class FamilyExpander {
  readonly store: PackedStore;
  private readonly rec: TraitRecorder = { reads: 0 };
  private readonly engines: Engine[];
  private readonly monitors: MaskMonitor[];
  private readonly enabled: EnabledOnStore[];
  /**
   * differ[v * n + w]: the decision bits on which variants v and w differ, plus bit 31 when the
   * Engine's featBtm (fixed from btmEnabled when the Engine is made, so read by no getter) differs:
   * such variants are never put in one class.
   */
  private readonly differ: Int32Array;
  private readonly storeCanon: StoreCanonicalizer;
  private readonly invariants: StoreInvariants;
  /** hash64 in WebAssembly (hashKernel.ts), or undefined where it cannot run. */
  private readonly kernel: HashKernel | undefined = makeHashKernel();
  /** The successor keys of the node being expanded: in the kernel's memory (hashed where they lie, a node's expansion being read before the next), or else in JavaScript's. */
  private readonly out: IntBuf = this.kernel?.buf ?? new IntBuf(1 << 16);
  private readonly h = new Uint32Array(2);
  private edgeBuf = new Uint32Array(1 << 12);
  private groupBuf = new Int32Array(64);
  private ne = 0;
  private ng = 0;
  /** Computations run (enabled lists with the ample choice; steps), for the report. */
  expansions = 0;
  steps = 0;

  constructor(readonly config: Config, readonly variants: readonly VariantName[], readonly symmetry: boolean, private readonly por: boolean, private readonly provisoRefuseAll = false) {
    if (variants.length < 1 || variants.length > FAMILY_MAX) throw new RangeError(`a family has 1 to ${FAMILY_MAX} variants, got ${variants.length}`);
    this.store = initialPackedStore(config);
    const models = variants.map((v) => createModel(config, v));
    this.engines = models.map((m) => new Engine({ config, traits: bitRecordingTraits(m.traits, this.rec) }, this.store, 'off'));
    this.monitors = this.engines.map((eng) => { const mon = new MaskMonitor(eng); eng.watch(mon); return mon; });
    this.enabled = this.engines.map((eng) => new EnabledOnStore(eng));
    const n = variants.length;
    this.differ = new Int32Array(n * n);
    for (let v = 0; v < n; v++) for (let w = 0; w < n; w++) {
      const a = models[v]!.traits, b = models[w]!.traits;
      this.differ[v * n + w] = differingDecisions(a, b) | (featBtm(config, a) !== featBtm(config, b) ? 1 << 31 : 0);
    }
    this.storeCanon = new StoreCanonicalizer(config, symmetry);
    this.invariants = new StoreInvariants(config);
  }

  /** The variants of `among` that agree with `v` on the traits read since rec.reads was cleared (v included). */
  private classOf(v: number, among: number): number {
    const n = this.variants.length, read = this.rec.reads | (1 << 31);
    let c = 0;
    for (let w = 0; w < n; w++) if ((among >> w) & 1 && (this.differ[v * n + w]! & read) === 0) c |= 1 << w;
    return c;
  }

  /** Expand the state whose key starts at enc[at] for the variants in `mask`. */
  expand(enc: Int32Array, at: number, mask: number): FamilyExpansion {
    const st = this.store, rec = this.rec, refuseAll = this.provisoRefuseAll;
    loadKey(st, enc, at);
    st.snapshot();
    this.out.reset();
    this.ne = 0;
    this.ng = 0;
    const sv = this.invariants.mask(st);
    let fault = 0;
    for (let d = 0; d < st.nDev; d++) if (st.faults[d]!.length > 0) fault = 1;
    const before = storeCleanupMeasure(st);
    for (let rest = mask; rest !== 0;) {
      // EXP-FAM-2: the enabled list and the ample choice, shared by the variants agreeing on what they read
      const v0 = 31 - Math.clz32(rest & -rest);
      if (rest !== mask) st.restore();
      rec.reads = 0;
      const events = this.enabled[v0]!.events();
      const ample = this.por ? ampleOnStore(this.engines[v0]!, events, this.symmetry) : -1;
      const cls = this.classOf(v0, rest);
      rest &= ~cls;
      this.expansions++;
      if (ample < 0) { this.allEdges(cls, events, EXPANDED_FULLY); continue; }
      // EXP-POR-5 per class of the ample step: kept where it lowers the clean-up measure
      for (let sub = cls; sub !== 0;) {
        const g = this.beginGroup();
        const start = this.out.n, ne0 = this.ne;
        const c1 = this.edge(sub, events[ample]!, ample);
        sub &= ~c1;
        if (provisoKeeps(before, storeCleanupMeasure(st), refuseAll)) { this.endGroup(g, c1, EXPANDED_AMPLE, 1); continue; }
        this.out.n = start; this.ne = ne0; this.ng--;
        this.allEdges(c1, events, EXPANDED_REFUSED);
      }
    }
    return { sv, fault, groups: this.groupBuf, nGroups: this.ng, edges: this.edgeBuf, nEdges: this.ne / FAMILY_EDGE_WORDS, enc: this.out.a };
  }

  /** Every edge of `events` for the class `cls`, each stepped once per class agreeing on its reads. */
  private allEdges(cls: number, events: readonly Event[], how: number): void {
    const g = this.beginGroup();
    for (let k = 0; k < events.length; k++) for (let sub = cls; sub !== 0;) sub &= ~this.edge(sub, events[k]!, k);
    this.endGroup(g, cls, how, events.length);
  }

  private beginGroup(): number {
    if ((this.ng + 1) * GROUP_WORDS > this.groupBuf.length) { const b = new Int32Array(this.groupBuf.length * 2); b.set(this.groupBuf); this.groupBuf = b; }
    const g = this.ng++;
    this.groupBuf[g * GROUP_WORDS + 3] = this.ne;
    return g;
  }

  private endGroup(g: number, cls: number, how: number, transitions: number): void {
    const w = g * GROUP_WORDS, b = this.groupBuf;
    b[w] = cls; b[w + 1] = how; b[w + 2] = transitions; b[w + 3] = (this.ne - b[w + 3]!) / FAMILY_EDGE_WORDS;
  }

  /**
   * Step `e` (position k of the enabled list) from the snapshot under the lowest variant of `among`,
   * append its edge record for the class of `among` agreeing on the traits the step read, and
   * return that class. The Store is left in the successor state.
   */
  private edge(among: number, e: Event, k: number): number {
    const st = this.store, v = 31 - Math.clz32(among & -among);
    const mon = this.monitors[v]!, out = this.out, h = this.h;
    st.restore();
    this.rec.reads = 0;
    mon.beforeStep(e);
    (this.engines[v] as unknown as Applies).apply(e);
    mon.afterStep(e);
    const cls = this.classOf(v, among);
    this.steps++;
    const start = out.n;
    this.storeCanon.key(st, out);
    if (this.kernel === undefined) hash64(out.a, start, out.n, h); else this.kernel.hash(start, out.n - start, h);
    let edges = this.edgeBuf;
    const ne = this.ne;
    if (ne + FAMILY_EDGE_WORDS > edges.length) { const b = new Uint32Array(edges.length * 2); b.set(edges); edges = this.edgeBuf = b; }
    edges[ne] = h[0]!; edges[ne + 1] = h[1]!; edges[ne + 2] = k; edges[ne + 3] = mon.mask >>> 0; edges[ne + 4] = out.n - start; edges[ne + 5] = cls;
    this.ne = ne + FAMILY_EDGE_WORDS;
    return cls;
  }
}
