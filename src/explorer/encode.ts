// A compact, lossless integer encoding of a State for the explorer: the visited set keys on a
// hash of it, frontiers are stored as it (not as objects), and workers exchange it. Fields come in
// the fixed order of src/model/state.ts; variable-length arrays are prefixed by their length.
// Encoding and decoding are inverse: decode(encode(s)) is structurally equal to s (test/explorer).
import type { Config } from '../model/config.ts';
import type { AtcEntry, Bond, Cd, CdSlot, DeferredFree, DomainState, Mm, Notifier, PendingFault, State, Ste, TlbEntry } from '../model/state.ts';

/** Growable Int32 buffer for encodings. */
export class IntBuf {
  a: Int32Array;
  n = 0;
  constructor(cap = 1024) { this.a = new Int32Array(cap); }
  ensure(extra: number): void {
    if (this.n + extra <= this.a.length) return;
    let cap = this.a.length * 2;
    while (cap < this.n + extra) cap *= 2;
    const b = new Int32Array(cap);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
  push(v: number): void {
    if (this.n === this.a.length) this.ensure(1);
    this.a[this.n++] = v;
  }
  reset(): void { this.n = 0; }
}

const b = (x: boolean) => (x ? 1 : 0);

// The flag packers are written out, without a helper per bit: the canonicaliser calls them for
// every CD and fault of every successor, and V8 had stopped inlining the nested calls there.
export const cdFlags = (cd: Cd) => (cd.v ? 1 : 0) | (cd.epd0 ? 2 : 0) | (cd.r ? 4 : 0) | (cd.s ? 8 : 0) | (cd.a ? 16 : 0) | (cd.aset ? 32 : 0);
const VIA = ['stall', 'pri'] as const;
const STATUS = ['pending', 'success', 'invalid'] as const;
export const faultFlags = (f: PendingFault) =>
  (f.via === 'pri' ? 1 : 0) | (f.write ? 2 : 0) | (f.afterRelease ? 4 : 0) | (statusCode(f.status) << 3);
/** Index in STATUS (no indexOf: this runs for every fault of every key the explorer computes). */
const statusCode = (s: PendingFault['status']) => (s === 'pending' ? 0 : s === 'success' ? 1 : 2);

/**
 * Append the plain encoding of `s` to `out`. With `listPos` false the notifiers' mm-list positions
 * are left out (read back as 0): the explorer's key (EXP-KEY-MN-ORDER in spec/explorer.md).
 */
export function encodeState(s: State, out: IntBuf, listPos = true): void {
  out.ensure(64);
  for (const e of s.ste) { out.push(e.config === 'translate' ? 1 : 0); out.push(e.domain); out.push(b(e.s1stalld) | (b(e.eats) << 1)); }
  for (const d of s.domains) {
    out.push(b(d.freed)); out.push(d.privateAsid); out.push(d.cds.length);
    for (const { ssid, cd } of d.cds) { out.ensure(4); out.push(ssid); out.push(cdFlags(cd)); out.push(cd.asid); out.push(cd.ttb0); }
  }
  out.push(s.tlb.length);
  for (const e of s.tlb) { out.ensure(3); out.push(e.asid); out.push(e.page); out.push(e.frame); }
  out.push(s.atc.length);
  for (const e of s.atc) { out.ensure(4); out.push(e.dev); out.push(e.pasid); out.push(e.page); out.push(e.frame); }
  out.push(s.faults.length);
  for (const f of s.faults) { out.ensure(5); out.push(faultFlags(f)); out.push(f.dev); out.push(f.group); out.push(f.pasid); out.push(f.page); }
  let sva = 0;
  for (let i = 0; i < s.svaEnabled.length; i++) if (s.svaEnabled[i]) sva |= 1 << i;
  out.push(sva);
  out.push(s.bonds.length);
  for (const x of s.bonds) { out.ensure(3); out.push(x.dev); out.push(x.mm); out.push(x.refs * 2 + b(x.afterExit)); }
  out.push(s.notifiers.length);
  for (const n of s.notifiers) { out.ensure(3); out.push(n.domain); out.push(n.mm); out.push((listPos ? n.mmListPos * 4096 : 0) + n.refs * 4 + b(n.cleared) + 2 * b(n.afterExit)); }
  out.push(s.deferredFrees.length);
  for (const f of s.deferredFrees) { out.ensure(2); out.push(f.domain); out.push(f.mm * 2 + b(f.inDomainOps)); }
  for (const m of s.mms) {
    out.ensure(4 + m.pages.length);
    out.push(b(m.alive)); out.push(m.pasid); out.push(m.pasidRefs); out.push(m.ctxDescRefs);
    for (const p of m.pages) out.push(p);
  }
}

/** Rebuild the State an encoding was made from (the config gives the fixed array sizes). */
export function decodeState(config: Config, a: Int32Array, start: number): State {
  let i = start;
  const ste: Ste[] = [];
  for (let d = 0; d < config.devices.length; d++) {
    const cfg = a[i++]!, domain = a[i++]!, f = a[i++]!;
    ste.push({ config: cfg === 1 ? 'translate' : 'abort', domain, s1stalld: (f & 1) !== 0, eats: (f & 2) !== 0 });
  }
  const domains: DomainState[] = [];
  for (let d = 0; d < config.domains.length; d++) {
    const freed = a[i++] === 1, privateAsid = a[i++]!, n = a[i++]!;
    const cds: CdSlot[] = [];
    for (let k = 0; k < n; k++) {
      const ssid = a[i++]!, f = a[i++]!, asid = a[i++]!, ttb0 = a[i++]!;
      cds.push({ ssid, cd: { v: (f & 1) !== 0, epd0: (f & 2) !== 0, r: (f & 4) !== 0, s: (f & 8) !== 0, a: (f & 16) !== 0, aset: (f & 32) !== 0, asid, ttb0 } });
    }
    domains.push({ freed, privateAsid, cds });
  }
  const tlb: TlbEntry[] = [];
  for (let n = a[i++]!, k = 0; k < n; k++) { tlb.push({ asid: a[i]!, page: a[i + 1]!, frame: a[i + 2]! }); i += 3; }
  const atc: AtcEntry[] = [];
  for (let n = a[i++]!, k = 0; k < n; k++) { atc.push({ dev: a[i]!, pasid: a[i + 1]!, page: a[i + 2]!, frame: a[i + 3]! }); i += 4; }
  const faults: PendingFault[] = [];
  for (let n = a[i++]!, k = 0; k < n; k++) {
    const f = a[i]!;
    faults.push({ via: VIA[f & 1]!, dev: a[i + 1]!, group: a[i + 2]!, pasid: a[i + 3]!, page: a[i + 4]!, write: (f & 2) !== 0, afterRelease: (f & 4) !== 0, status: STATUS[f >> 3]! });
    i += 5;
  }
  const sva = a[i++]!;
  const svaEnabled: boolean[] = [];
  for (let d = 0; d < config.devices.length; d++) svaEnabled.push((sva & (1 << d)) !== 0);
  const bonds: Bond[] = [];
  for (let n = a[i++]!, k = 0; k < n; k++) { const r = a[i + 2]!; bonds.push({ dev: a[i]!, mm: a[i + 1]!, refs: r >> 1, afterExit: (r & 1) !== 0 }); i += 3; }
  const notifiers: Notifier[] = [];
  for (let n = a[i++]!, k = 0; k < n; k++) {
    const r = a[i + 2]!;
    notifiers.push({ domain: a[i]!, mm: a[i + 1]!, refs: (r >> 2) & 1023, cleared: (r & 1) !== 0, afterExit: (r & 2) !== 0, mmListPos: r >> 12 });
    i += 3;
  }
  const deferredFrees: DeferredFree[] = [];
  for (let n = a[i++]!, k = 0; k < n; k++) { const r = a[i + 1]!; deferredFrees.push({ domain: a[i]!, mm: r >> 1, inDomainOps: (r & 1) !== 0 }); i += 2; }
  const mms: Mm[] = [];
  for (const p of config.processes) {
    const alive = a[i++] === 1, pasid = a[i++]!, pasidRefs = a[i++]!, ctxDescRefs = a[i++]!;
    const pages: number[] = [];
    for (let k = 0; k < p.pages; k++) pages.push(a[i++]!);
    mms.push({ alive, pasid, pasidRefs, ctxDescRefs, pages });
  }
  return { ste, domains, tlb, atc, faults, svaEnabled, bonds, notifiers, deferredFrees, mms };
}
