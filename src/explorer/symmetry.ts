// Symmetry reduction: states that differ only by a renaming of interchangeable things are merged
// in the visited set. The key of a state is the encoding (src/explorer/encode.ts layout) of ONE
// relabelled copy of it, chosen canonically; two states get the same key only if one is a
// relabelling of the other (the key is an encoding of a relabelled state, and encodings are
// injective), so a non-canonical choice can only cost reduction, never soundness.
//
// Why each relabelling is sound (spec/explorer.md, "Symmetry"): a relabelling pi is sound when
// the transition relation and every invariant commute with it: s -e-> t iff pi(s) -pi(e)-> pi(t),
// and inv(s) iff inv(pi(s)). Then the explored quotient graph has the same verdicts.
//
// - Frames: every frame is alike; touch and the IOPF handler may take ANY free frame (not the
//   lowest), and frame numbers are only compared for equality. Always sound. Canonical choice:
//   number frames by first occurrence in (page tables, TLB, ATC), an order that does not depend on
//   frame numbers.
// - STAG / PRGI (fault groups): a group number lives only in a pending fault and is freed when the
//   fault is answered; allocation is lowest-free per device, so pi(s) may allocate a different
//   number g' where s allocates g -- but extending pi with g -> g' relates the successors again
//   (g is free in s, g' free in pi(s)), and no invariant reads group values except to match a
//   response to its fault. So "equal up to a per-device renaming of groups" is a bisimulation.
//   Canonical choice: per device, faults sorted by content, groups numbered 0, 1, ...
// - Processes with the same number of pages, together with their CPU ASIDs: PASID allocation looks
//   at the SET of PASIDs in use, not at which process holds them; ASIDs are only tags. Sound only
//   while no ASID is ever allocated by value: arm_smmu_share_asid() picks the lowest free ASID
//   when a CPU ASID collides with a private domain's ASID, so we enable process symmetry only if
//   no process's CPU ASID equals a private ASID of the initial state (then no collision can ever
//   happen and private ASIDs never move).
// - Devices with identical configuration (bus, ATS, PRI, stall, SSID width, domain): the device
//   index only orders observations (CMD_CFGI_CD per master) and events. Sound.
// - Pages, reversed in every process at once (p -> n - 1 - p) when every process has n >= 2 pages:
//   every rule treats pages alike but munmap, whose contiguous ranges reversal maps onto each
//   other ([start, end) -> [n - end, n - start)); invariants compare a page only with itself.
//   Global, because a stale ATC entry or fault of a freed PASID may alias the page of whichever
//   process gets that PASID next (test/page-symmetry.test.ts checks the bisimulation).
// - NOT relabelled: PASID values. Allocation is lowest-free over the PASIDs processes hold, but a
//   freed PASID value lives on in stale ATC entries (v6) and faults; renaming 1 <-> 2 in such a
//   state changes whether the next bind aliases the stale entries, so the renaming is not a
//   bisimulation. Range limits (ssidBits) also make values differ. Domains are not relabelled
//   (no shipped configuration has two identical domains; their order also fixes private ASIDs).
import type { Config } from '../model/config.ts';
import { initialState } from '../machine/initial.ts';
import type { State } from '../model/state.ts';
import { cdFlags, encodeState, faultFlags, IntBuf } from './encode.ts';
import { lexLessAt, P12, sortInts, sortKeys } from './sortKey.ts';

export interface Relabelling {
  /** newIndex = proc[oldIndex] */
  readonly proc: readonly number[];
  readonly procInv: readonly number[];
  readonly dev: readonly number[];
  readonly devInv: readonly number[];
  /** CPU ASID renaming that goes with the process permutation. */
  readonly asid: ReadonlyMap<number, number>;
  /** Every process's pages reversed (page p -> pages - 1 - p, all processes alike). */
  readonly pageRev: boolean;
}

export interface SymmetryInfo {
  readonly enabled: boolean;
  readonly relabellings: readonly Relabelling[];
  /** Classes of interchangeable processes / devices (indices), for the report. */
  readonly processClasses: readonly (readonly number[])[];
  readonly deviceClasses: readonly (readonly number[])[];
  /** Human-readable list of what is relabelled and what is not, and why. */
  readonly notes: readonly string[];
  /** Set when symmetry reduction was asked for and turned off because the configuration is beyond
   *  a limit of the packed sort keys (symmetryKeyLimitErrors); names the config fields. */
  readonly offReason?: string;
}

// Limits of the packed sort keys (the layout comment above Canonicalizer, and the same packing in
// src/explorer/packed/canon.ts), each with the configuration bound that keeps it. Beyond one of
// them two different states could get one key and be merged silently, so symmetryOf() turns
// symmetry reduction off (offReason) and both canonicalisers refuse to be built with it on.
//   field (where packed)                           packed as            limit        config bound
//   page (TLB, ATC, fault keys)                    6 bits               < 64         processes[i].pages <= 64
//   frame, before renumbering (TLB, ATC keys)      6 bits               < 64         frames <= 64
//   process index (bond, notifier keys)            6 bits               < 64         processes <= 64
//     (deferred-free key: 7 bits)
//   domain index (notifier key << 19)              12 bits              < 4096       domains <= 4096
//   PASID (ATC, fault keys)                        20 bits              < 2^20       devices[i].ssidBits <= 20
//   device index (ATC, fault keys << 20; bonds)    11 bits              < 2048       devices <= 32 (encoding, below)
//   ASID (renaming table of 2^16; TLB key << 12)   16 bits              < 2^16       smmu.asidBits <= 16, cpuAsid <= 65535
//   bond refcount (refs * 2 + afterExit)           9 bits               < 2^9        options.maxBondRefs <= 511
//   notifier refcount (refs * 4 + flags)           10 bits              < 2^10       one per bond: <= devices <= 32
//   fault flags (via, write, afterRelease, status) 6 bits               < 64         fixed (status < 3)
//   fault groups (STAG/PRGI)                       not packed: renumbered and written as whole words
// The plain encoding (encode.ts, store-io.ts) packs the SVA-enabled flags of all devices into one
// int32 word, so every encoding, with or without symmetry, needs devices <= 32
// (encodingLimitErrors; the explorer refuses such a configuration).
export const KEY_LIMITS = {
  pages: 64, frames: 64, processes: 64, domains: 4096, ssidBits: 20, asidBits: 16, cpuAsid: 65535, maxBondRefs: 511, devices: 32,
} as const;

/** Configuration fields beyond what the explorer's state encoding can hold (any symmetry setting). */
export function encodingLimitErrors(config: Config): string[] {
  const n = config.devices.length;
  return n > KEY_LIMITS.devices
    ? [`$.devices: ${n} devices; the explorer's state encoding holds the SVA-enabled flags of at most ${KEY_LIMITS.devices} devices in one word`]
    : [];
}

/** Configuration fields beyond the limits of the symmetry-reduced key's packed sort keys. */
export function symmetryKeyLimitErrors(config: Config): string[] {
  const L = KEY_LIMITS, errs: string[] = [];
  config.processes.forEach((p, i) => {
    if (p.pages > L.pages) errs.push(`$.processes[${i}].pages = ${p.pages} (page numbers are packed in 6 bits: at most ${L.pages} pages)`);
    if (p.cpuAsid > L.cpuAsid) errs.push(`$.processes[${i}].cpuAsid = ${p.cpuAsid} (ASIDs are packed in 16 bits: at most ${L.cpuAsid})`);
  });
  if (config.frames > L.frames) errs.push(`$.frames = ${config.frames} (frame numbers are packed in 6 bits: at most ${L.frames} frames)`);
  if (config.processes.length > L.processes) errs.push(`$.processes: ${config.processes.length} processes (process indices are packed in 6 bits: at most ${L.processes})`);
  if (config.domains.length > L.domains) errs.push(`$.domains: ${config.domains.length} domains (domain indices are packed in 12 bits: at most ${L.domains})`);
  config.devices.forEach((d, i) => {
    if (d.ssidBits > L.ssidBits) errs.push(`$.devices[${i}].ssidBits = ${d.ssidBits} (PASIDs are packed in 20 bits: at most ${L.ssidBits})`);
  });
  if (config.smmu.asidBits > L.asidBits) errs.push(`$.smmu.asidBits = ${config.smmu.asidBits} (ASIDs are packed in 16 bits: at most ${L.asidBits})`);
  if (config.options.maxBondRefs > L.maxBondRefs) errs.push(`$.options.maxBondRefs = ${config.options.maxBondRefs} (bond refcounts are packed in 9 bits: at most ${L.maxBondRefs})`);
  return errs;
}

/**
 * Throws unless `symmetry` may be used for `config`: the plain encoding's limits always, the
 * packed sort keys' limits when symmetry is on. Both canonicalisers call it when built.
 */
export function assertKeyLimits(config: Config, symmetry: SymmetryInfo): void {
  const errs = [...encodingLimitErrors(config), ...(symmetry.enabled ? symmetryKeyLimitErrors(config) : [])];
  if (errs.length) throw new RangeError(`configuration "${config.name}" beyond the explorer's key limits: ${errs.join('; ')}`);
}

// Both generators below stop at `cap`: the first `cap` permutations of each list are those of the
// whole list in the same order, so only the relabellings used (MAX_RELABELLINGS) are built (a
// class of 32 identical devices has 32! permutations).
function permutations(n: number, cap: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1, cap)) for (let i = 0; i <= p.length && out.length < cap; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

/** The first `cap` permutations of 0..n-1 that map each class onto itself. */
function classPermutations(n: number, classes: readonly (readonly number[])[], cap: number): number[][] {
  let acc: number[][] = [Array.from({ length: n }, (_, i) => i)];
  for (const cls of classes) {
    if (cls.length < 2) continue;
    const next: number[][] = [];
    const perms = permutations(cls.length, cap);
    for (const base of acc) {
      for (const p of perms) {
        if (next.length >= cap) break;
        const m = base.slice();
        cls.forEach((orig, k) => { m[orig] = cls[p[k]!]!; });
        next.push(m);
      }
    }
    acc = next;
  }
  return acc;
}

function classesBy<T>(items: readonly T[], key: (t: T) => string): number[][] {
  const by = new Map<string, number[]>();
  items.forEach((t, i) => { const k = key(t); by.set(k, [...(by.get(k) ?? []), i]); });
  return [...by.values()];
}

const inverse = (p: readonly number[]) => { const q = p.slice(); p.forEach((v, i) => { q[v] = i; }); return q; };

/** Limit on the number of process x device permutations tried per state. */
const MAX_RELABELLINGS = 24;

export function symmetryOf(config: Config, enabled: boolean): SymmetryInfo {
  const ident = (n: number) => Array.from({ length: n }, (_, i) => i);
  const identity: Relabelling = {
    proc: ident(config.processes.length), procInv: ident(config.processes.length),
    dev: ident(config.devices.length), devInv: ident(config.devices.length), asid: new Map(), pageRev: false,
  };
  if (!enabled) return { enabled, relabellings: [identity], processClasses: [], deviceClasses: [], notes: ['symmetry reduction off (--no-symmetry)'] };
  const beyond = symmetryKeyLimitErrors(config);
  if (beyond.length) {
    const offReason = `symmetry reduction off: configuration beyond the limits of the symmetry-reduced key: ${beyond.join('; ')}`;
    return { enabled: false, relabellings: [identity], processClasses: [], deviceClasses: [], notes: [offReason], offReason };
  }
  const notes: string[] = ['frames: relabelled (any free frame may be allocated)', 'STAG/PRGI groups: relabelled per device'];
  const privateAsids = new Set(initialState(config).domains.map((d) => d.privateAsid).filter((a) => a > 0));
  const collide = config.processes.some((p) => privateAsids.has(p.cpuAsid));
  let processClasses = classesBy(config.processes, (p) => String(p.pages));
  // DRV-MN-RANGE-SPAN: a kernel-encoded range depends on the process's absolute VA, and a span is
  // not symmetric under page reversal
  const spans = config.options.rangeInvalidation !== 'exact';
  if (collide) {
    processClasses = config.processes.map((_, i) => [i]);
    notes.push('processes: NOT relabelled (a CPU ASID equals a private ASID: arm_smmu_share_asid allocates ASIDs by value)');
  } else if (spans) {
    processClasses = config.processes.map((_, i) => [i]);
    notes.push(`processes: NOT relabelled (options.rangeInvalidation "${config.options.rangeInvalidation}": the ATC span of an unmap depends on the process's vaBase)`);
  } else {
    notes.push(`processes (with their CPU ASIDs): classes ${JSON.stringify(processClasses)}`);
  }
  const deviceClasses = classesBy(config.devices, (d) => JSON.stringify([d.bus, d.ats, d.pri, d.stall, d.ssidBits, d.domain]));
  notes.push(`devices: classes ${JSON.stringify(deviceClasses)}`);
  notes.push('PASIDs: NOT relabelled (freed PASIDs live on in stale ATC entries and faults; allocation is lowest-free)');
  const procPerms = classPermutations(config.processes.length, processClasses, MAX_RELABELLINGS);
  const devPerms = classPermutations(config.devices.length, deviceClasses, MAX_RELABELLINGS);
  const pages = config.processes.map((p) => p.pages);
  const reversible = !spans && pages.length > 0 && pages.every((n) => n === pages[0]) && pages[0]! >= 2;
  notes.push(reversible
    ? `pages: reversed in every process at once (page p <-> ${pages[0]! - 1} - p; munmap ranges stay contiguous)`
    : spans
      ? `pages: NOT reversed (options.rangeInvalidation "${config.options.rangeInvalidation}": a span, and the extra page of span-plus-one, are not symmetric under reversal)`
      : 'pages: NOT reversed (processes with different numbers of pages, or one page each)');
  const relabellings: Relabelling[] = [];
  // up to MAX_RELABELLINGS process x device relabellings, then (reversible) the same ones reversed
  for (const pageRev of reversible ? [false, true] : [false]) {
    const limit = relabellings.length + MAX_RELABELLINGS;
    for (const proc of procPerms) {
      const asid = new Map<number, number>();
      proc.forEach((to, from) => { if (to !== from) asid.set(config.processes[from]!.cpuAsid, config.processes[to]!.cpuAsid); });
      for (const dev of devPerms) {
        if (relabellings.length >= limit) break;
        relabellings.push({ proc, procInv: inverse(proc), dev, devInv: inverse(dev), asid, pageRev });
      }
    }
  }
  return { enabled, relabellings, processClasses, deviceClasses, notes };
}

// Packing of small fields into one sort key: pages, frames, processes < 64, devices <= 32,
// domains < 4096, PASIDs < 2^20, ASIDs < 2^16, bond refcounts < 2^9, notifier refcounts < 2^10
// (KEY_LIMITS above; checked when a canonicaliser is built). TLB entries, bonds, notifiers and
// deferred frees fit in 31 bits (int32 keys, unpacked with shifts and masks); ATC entries and
// faults take 38 bits: (device << 20 | PASID) * 4096 + (page << 6 | frame or flags) in a float64
// (exact below 2^53), split again by a division by 4096 (exact: a power of two).

/**
 * Computes state keys: the plain encoding without symmetry, else the lexicographically least
 * encoding over the process/device relabellings, each with frames and groups renumbered.
 */
export class Canonicalizer {
  private readonly tmp = new IntBuf(256);
  private readonly frameMap: Int32Array;
  private readonly asidMaps: Int32Array[];
  private keys = new Float64Array(64);
  private ikeys = new Int32Array(64);

  constructor(readonly config: Config, readonly symmetry: SymmetryInfo) {
    assertKeyLimits(config, symmetry);
    this.frameMap = new Int32Array(Math.max(1, config.frames));
    this.sigs = new Int32Array(config.processes.length);
    this.sigsRev = new Int32Array(config.processes.length);
    this.lastPage = (config.processes[0]?.pages ?? 1) - 1;
    this.anyRev = symmetry.relabellings.some((r) => r.pageRev);
    this.candidates = new Int32Array(symmetry.relabellings.length);
    this.asidMaps = symmetry.relabellings.map((r) => {
      const m = new Int32Array(1 << 16);
      for (let i = 0; i < m.length; i++) m[i] = i;
      for (const [from, to] of r.asid) m[from] = to;
      return m;
    });
  }

  /**
   * A number describing process i that does not depend on frame, group or ASID numbers, and moves
   * with the process under relabelling (its memory state and its bonds and notifiers).
   */
  private processSignature(s: State, i: number, rev: boolean): number {
    const m = s.mms[i]!;
    let h = ((m.alive ? 1 : 0) * 1_000_003 + m.pasid * 8191 + m.pasidRefs * 131 + m.ctxDescRefs) | 0;
    // indexed loops, not for-of: this runs for every process of every successor
    const pages = m.pages, bonds = s.bonds, notifiers = s.notifiers, frees = s.deferredFrees;
    for (let k = 0; k < pages.length; k++) { const p = pages[rev ? pages.length - 1 - k : k]!; h = (Math.imul(h, 31) + (p < -1 ? 1 : p < 0 ? 2 : 3)) | 0; }
    for (let k = 0; k < bonds.length; k++) { const b = bonds[k]!; if (b.mm === i) h = (Math.imul(h, 37) + b.dev * 64 + b.refs * 2 + (b.afterExit ? 1 : 0)) | 0; }
    for (let k = 0; k < notifiers.length; k++) { const n = notifiers[k]!; if (n.mm === i) h = (Math.imul(h, 41) + n.domain * 64 + n.refs * 4 + (n.cleared ? 1 : 0) + (n.afterExit ? 2 : 0)) | 0; }
    for (let k = 0; k < frees.length; k++) { const f = frees[k]!; if (f.mm === i) h = (Math.imul(h, 43) + f.domain * 2 + (f.inDomainOps ? 1 : 0)) | 0; }
    return h;
  }

  private readonly sigs: Int32Array;
  /** The signatures with the pages read backwards, for the relabellings that reverse pages. */
  private readonly sigsRev: Int32Array;
  /** pages - 1: page p is written as lastPage - p by a relabelling that reverses pages. */
  private readonly lastPage: number;
  /** Some relabelling reverses pages: the reversed signatures are needed. */
  private readonly anyRev: boolean;
  private readonly candidates: Int32Array;

  /**
   * Relabellings worth comparing: those that put the process signatures in the least order (the
   * signature moves with the process, so this preselection is itself canonical); the full
   * encodings are compared only among them (ties: processes alike in everything but numbers).
   * Writes their indices to this.candidates and returns how many there are.
   */
  private preselect(s: State): number {
    const rs = this.symmetry.relabellings;
    const sigs = this.sigs, sigsRev = this.sigsRev, c = this.candidates, anyRev = this.anyRev;
    for (let i = 0; i < s.mms.length; i++) {
      sigs[i] = this.processSignature(s, i, false);
      if (anyRev) sigsRev[i] = this.processSignature(s, i, true);
    }
    let n = 0;
    for (let k = 0; k < rs.length; k++) {
      if (n === 0) { c[n++] = k; continue; }
      const inv = rs[k]!.procInv, best = rs[c[0]!]!.procInv;
      const sk = rs[k]!.pageRev ? sigsRev : sigs, sb = rs[c[0]!]!.pageRev ? sigsRev : sigs;
      let cmp = 0;
      for (let p = 0; p < inv.length && cmp === 0; p++) cmp = sk[inv[p]!]! - sb[best[p]!]!;
      if (cmp < 0) { n = 0; c[n++] = k; } else if (cmp === 0) c[n++] = k;
    }
    return n;
  }

  /** Write the key encoding of `s` into `out` (appended). */
  key(s: State, out: IntBuf): void {
    if (!this.symmetry.enabled) { encodeState(s, out, false); return; } // EXP-KEY-MN-ORDER: no list positions
    if (this.symmetry.relabellings.length === 1) { this.relabelled(s, 0, out); return; }
    const n = this.preselect(s), c = this.candidates;
    if (n === 1) { this.relabelled(s, c[0]!, out); return; }
    // the first candidate goes straight into `out`; a later one replaces it only when less
    const start = out.n;
    this.relabelled(s, c[0]!, out);
    for (let j = 1; j < n; j++) {
      const tmp = this.tmp;
      tmp.reset();
      this.relabelled(s, c[j]!, tmp);
      if (lexLessAt(tmp.a, 0, tmp.n, out.a, start, out.n - start)) {
        out.n = start;
        out.ensure(tmp.n);
        const a = out.a, t = tmp.a;
        for (let i = 0; i < tmp.n; i++) a[start + i] = t[i]!;
        out.n = start + tmp.n;
      }
    }
  }

  private keyBuf(n: number): Float64Array {
    if (n > this.keys.length) this.keys = new Float64Array(n * 2);
    return this.keys;
  }

  private intKeyBuf(n: number): Int32Array {
    if (n > this.ikeys.length) this.ikeys = new Int32Array(n * 2);
    return this.ikeys;
  }

  private fc = 0;

  private frame(f: number): number {
    if (f < 0) return f;
    const fm = this.frameMap;
    if (fm[f]! < 0) fm[f] = this.fc++;
    return fm[f]!;
  }

  /** Upper bound on the words relabelled() appends for `s`. */
  private static bound(s: State): number {
    let w = 3 * s.ste.length + 16 + 3 * s.tlb.length + 4 * s.atc.length + 5 * s.faults.length + 3 * s.bonds.length + 3 * s.notifiers.length + 2 * s.deferredFrees.length;
    const domains = s.domains, mms = s.mms;
    for (let i = 0; i < domains.length; i++) w += 3 + 4 * domains[i]!.cds.length;
    for (let i = 0; i < mms.length; i++) w += 4 + mms[i]!.pages.length;
    return w;
  }

  private relabelled(s: State, k: number, out: IntBuf): void {
    const r = this.symmetry.relabellings[k]!;
    const am = this.asidMaps[k]!;
    const fm = this.frameMap;
    const proc = r.proc, dev = r.dev, procInv = r.procInv, devInv = r.devInv;
    // page p is written as rp - p * dp: itself, or lastPage - p when the relabelling reverses pages
    const rp = r.pageRev ? this.lastPage : 0, dp = r.pageRev ? 1 : -1;
    for (let f = 0; f < fm.length; f++) fm[f] = -1; // not fill(): a builtin call costs more than these few frames
    this.fc = 0;
    // frames by first occurrence: page tables (new process order, relabelled page order), then TLB, then ATC
    for (let np = 0; np < procInv.length; np++) { const pages = s.mms[procInv[np]!]!.pages; for (let i = 0; i < pages.length; i++) this.frame(pages[rp - i * dp]!); }
    out.ensure(Canonicalizer.bound(s));
    const a = out.a;
    let o = out.n;
    for (let nd = 0; nd < devInv.length; nd++) {
      const e = s.ste[devInv[nd]!]!;
      a[o++] = e.config === 'translate' ? 1 : 0; a[o++] = e.domain; a[o++] = (e.s1stalld ? 1 : 0) | ((e.eats ? 1 : 0) << 1);
    }
    for (let di = 0; di < s.domains.length; di++) {
      const d = s.domains[di]!;
      a[o++] = d.freed ? 1 : 0; a[o++] = d.privateAsid; a[o++] = d.cds.length;
      for (let ci = 0; ci < d.cds.length; ci++) {
        const slot = d.cds[ci]!, cd = slot.cd;
        a[o++] = slot.ssid; a[o++] = cdFlags(cd); a[o++] = am[cd.asid]!; a[o++] = cd.ttb0 >= 0 ? proc[cd.ttb0]! : cd.ttb0;
      }
    }
    // TLB: one entry per (asid, page); sorted by the renamed ASID, frames renumbered after sorting
    let n = s.tlb.length;
    let ik = this.intKeyBuf(n);
    for (let i = 0; i < n; i++) { const e = s.tlb[i]!; ik[i] = (am[e.asid]! << 12) | ((rp - e.page * dp) << 6) | e.frame; }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 12; a[o++] = (key >> 6) & 63; a[o++] = this.frame(key & 63); }
    // ATC: sorted by (device, PASID, page, frame); frames renumbered, then sorted again
    n = s.atc.length;
    let keys = this.keyBuf(n);
    for (let i = 0; i < n; i++) { const e = s.atc[i]!; keys[i] = ((dev[e.dev]! << 20) | e.pasid) * P12 + (((rp - e.page * dp) << 6) | e.frame); }
    sortKeys(keys, n);
    for (let i = 0; i < n; i++) { const key = keys[i]!, hi = Math.floor(key / P12), lo = key - hi * P12; keys[i] = hi * P12 + ((lo & ~63) | this.frame(lo & 63)); }
    sortKeys(keys, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) {
      const key = keys[i]!, hi = Math.floor(key / P12), lo = key - hi * P12;
      a[o++] = hi >> 20; a[o++] = hi & 0xfffff; a[o++] = lo >> 6; a[o++] = lo & 63;
    }
    // faults: per device, sorted by content (PASID, page, flags), groups numbered 0, 1, ...
    n = s.faults.length;
    keys = this.keyBuf(n);
    for (let i = 0; i < n; i++) { const f = s.faults[i]!; keys[i] = ((dev[f.dev]! << 20) | f.pasid) * P12 + (((rp - f.page * dp) << 6) | faultFlags(f)); }
    sortKeys(keys, n);
    a[o++] = n;
    for (let i = 0, g = 0, prevDev = -1; i < n; i++) {
      const key = keys[i]!, hi = Math.floor(key / P12), lo = key - hi * P12, d = hi >> 20;
      if (d !== prevDev) { g = 0; prevDev = d; }
      a[o++] = lo & 63; a[o++] = d; a[o++] = g++; a[o++] = hi & 0xfffff; a[o++] = lo >> 6;
    }
    let sva = 0;
    for (let i = 0; i < s.svaEnabled.length; i++) if (s.svaEnabled[i]) sva |= 1 << dev[i]!;
    a[o++] = sva;
    // bonds (dev, mm, refs*2 + afterExit), sorted by (dev, mm)
    n = s.bonds.length;
    ik = this.intKeyBuf(n);
    for (let i = 0; i < n; i++) { const x = s.bonds[i]!; ik[i] = (dev[x.dev]! << 16) | (proc[x.mm]! << 10) | (x.refs * 2 + (x.afterExit ? 1 : 0)); }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 16; a[o++] = (key >> 10) & 63; a[o++] = key & 1023; }
    // notifiers (domain, mm, refs*4 + cleared + 2*afterExit), sorted by (domain, mm, afterExit)
    n = s.notifiers.length;
    ik = this.intKeyBuf(n);
    for (let i = 0; i < n; i++) {
      const x = s.notifiers[i]!, ae = x.afterExit ? 1 : 0;
      ik[i] = (x.domain << 19) | (proc[x.mm]! << 13) | (ae << 12) | (x.refs * 4 + (x.cleared ? 1 : 0) + 2 * ae);
    }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 19; a[o++] = (key >> 13) & 63; a[o++] = key & 4095; }
    // deferred frees (domain, mm*2 + inDomainOps)
    n = s.deferredFrees.length;
    ik = this.intKeyBuf(n);
    for (let i = 0; i < n; i++) { const f = s.deferredFrees[i]!; ik[i] = (f.domain << 8) | (proc[f.mm]! * 2 + (f.inDomainOps ? 1 : 0)); }
    sortInts(ik, n);
    a[o++] = n;
    for (let i = 0; i < n; i++) { const key = ik[i]!; a[o++] = key >> 8; a[o++] = key & 255; }
    for (let np = 0; np < procInv.length; np++) {
      const m = s.mms[procInv[np]!]!;
      a[o++] = m.alive ? 1 : 0; a[o++] = m.pasid; a[o++] = m.pasidRefs; a[o++] = m.ctxDescRefs;
      const pages = m.pages;
      for (let i = 0; i < pages.length; i++) { const p = pages[rp - i * dp]!; a[o++] = p < 0 ? p : fm[p]!; }
    }
    out.n = o;
  }
}
