// The symmetry-reduced key (src/explorer/symmetry.ts) computed straight from the adapter's Store:
// word for word what Canonicalizer.key(storeToState(st)) writes (test/packed.test.ts), without
// building a State. Same relabellings (symmetryOf), same process signatures and preselection,
// same packing of sort keys and the same frame and group renumbering; see symmetry.ts for why
// each relabelling is sound and for the field limits of the packed sort keys (KEY_LIMITS, checked
// here too when built: beyond them symmetryOf() turns symmetry off). The signatures and each
// relabelling's key are compiled for the configuration when the canonicaliser is built
// (canonCode.ts); this file chooses among the relabellings.
import type { Config } from '../../model/config.ts';
import type { IntBuf } from '../encode.ts';
import { assertKeyLimits, symmetryOf, type Relabelling, type SymmetryInfo } from '../symmetry.ts';
import { lexLessAt } from '../sortKey.ts';
import { encodeStore, packedShape, type PackedStore } from './store-io.ts';
import { compileRelabelling, compileSignatures, type CompiledRelabelling, type CompiledSignatures, type RelabelScratch } from './canonCode.ts';

export class StoreCanonicalizer implements RelabelScratch {
  readonly symmetry: SymmetryInfo;
  readonly frameMap: Int32Array;
  private readonly compiled: CompiledRelabelling[];
  private readonly compiledSigs: CompiledSignatures;
  private readonly procInvs: Int32Array[];
  private readonly sigs: Int32Array;
  private readonly sigsRev: Int32Array;
  private readonly pageRevs: Uint8Array;
  private readonly candidates: Int32Array;
  private keys = new Float64Array(64);
  private ikeys = new Int32Array(64);
  readonly tlbAsids: Int32Array;

  constructor(readonly config: Config, enabled: boolean) {
    this.symmetry = symmetryOf(config, enabled);
    assertKeyLimits(config, this.symmetry);
    const rs = this.symmetry.relabellings;
    this.frameMap = new Int32Array(Math.max(1, config.frames));
    this.sigs = new Int32Array(config.processes.length);
    this.sigsRev = new Int32Array(config.processes.length);
    this.pageRevs = Uint8Array.from(rs, (r) => (r.pageRev ? 1 : 0));
    this.candidates = new Int32Array(rs.length);
    this.procInvs = rs.map((r) => Int32Array.from(r.procInv));
    this.tlbAsids = new Int32Array(1 << config.smmu.asidBits);
    // the code of each relabelling and of the signatures its preselection compares (canonCode.ts);
    // the reversed signatures only when some relabelling reverses pages
    const shape = packedShape(config), lastPage = (config.processes[0]?.pages ?? 1) - 1;
    this.compiled = this.symmetry.enabled ? rs.map((r) => compileRelabelling(config, shape, r, asidMapOf(r), lastPage)) : [];
    this.compiledSigs = compileSignatures(config, rs.some((r) => r.pageRev));
  }

  /** Append the key of the store's state to `out`. */
  key(st: PackedStore, out: IntBuf): void {
    if (!this.symmetry.enabled) { encodeStore(st, out); return; }
    const rs = this.symmetry.relabellings;
    if (rs.length === 1) { this.relabelled(st, 0, out); return; }
    const n = this.preselect(st), c = this.candidates;
    if (n === 1) { this.relabelled(st, c[0]!, out); return; }
    const start = out.n;
    this.relabelled(st, c[0]!, out);
    for (let j = 1; j < n; j++) {
      const first = out.n;
      this.relabelled(st, c[j]!, out);
      if (lexLessAt(out.a, first, out.n - first, out.a, start, first - start)) {
        out.a.copyWithin(start, first, out.n);
        out.n = start + (out.n - first);
      } else {
        out.n = first;
      }
    }
  }

  private preselect(st: PackedStore): number {
    const rs = this.procInvs;
    const sigs = this.sigs, sigsRev = this.sigsRev, revs = this.pageRevs, c = this.candidates;
    this.compiledSigs(st, sigs, sigsRev);
    let n = 0;
    for (let k = 0; k < rs.length; k++) {
      if (n === 0) { c[n++] = k; continue; }
      const inv = rs[k]!, best = rs[c[0]!]!;
      const sk = revs[k] ? sigsRev : sigs, sb = revs[c[0]!] ? sigsRev : sigs;
      let cmp = 0;
      for (let p = 0; p < inv.length && cmp === 0; p++) cmp = sk[inv[p]!]! - sb[best[p]!]!;
      if (cmp < 0) { n = 0; c[n++] = k; } else if (cmp === 0) c[n++] = k;
    }
    return n;
  }

  keyBuf(n: number): Float64Array {
    if (n > this.keys.length) this.keys = new Float64Array(n * 2);
    return this.keys;
  }

  intKeyBuf(n: number): Int32Array {
    if (n > this.ikeys.length) this.ikeys = new Int32Array(n * 2);
    return this.ikeys;
  }

  private relabelled(st: PackedStore, k: number, out: IntBuf): void {
    this.compiled[k]!(st, out, this);
  }
}

/** The CPU ASID renaming of `r` as a table over every 16-bit ASID. */
function asidMapOf(r: Relabelling): Int32Array {
  const m = new Int32Array(1 << 16);
  for (let i = 0; i < m.length; i++) m[i] = i;
  for (const [from, to] of r.asid) m[from] = to;
  return m;
}
