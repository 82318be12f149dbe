// The symmetry-reduced key of one relabelling, and the process signatures that choose among the
// relabellings (canon.ts), compiled for one configuration: the words of symmetry.ts's key, written
// out with every size, index and relabelled constant of the configuration folded in. Fixed-size sections (STEs, CD slots, ATC slots, bonds, notifiers,
// processes and their pages) become straight-line code; collections whose size the state decides
// (TLB ASIDs, ATC duplicates, faults, deferred frees) keep their loops. Nothing here decides what
// a key is: test/packed.test.ts checks the compiled key word for word against the reducer's
// Canonicalizer (src/explorer/symmetry.ts) on every shipped configuration, and
// docs/performance.md has what it buys.
import type { Config } from '../../model/config.ts';
import type { Relabelling } from '../symmetry.ts';
import { P12, sortInts, sortKeys } from '../sortKey.ts';
import type { IntBuf } from '../encode.ts';
import type { PackedStore } from './store-io.ts';
import { FunctionSource } from './codegen.ts';
import type { StoreShape } from '../../adapter/store.ts';

/** Scratch space a compiled relabelling writes through (owned by the StoreCanonicalizer). */
export interface RelabelScratch {
  readonly frameMap: Int32Array;
  readonly tlbAsids: Int32Array;
  intKeyBuf(n: number): Int32Array;
  keyBuf(n: number): Float64Array;
}

export type CompiledRelabelling = (st: PackedStore, out: IntBuf, s: RelabelScratch) => void;

/**
 * Compile relabelling `r` (with its ASID renaming table `asidMap`) for `config`. `lastPage` is the
 * page a reversal maps page 0 to (canon.ts).
 */
export function compileRelabelling(config: Config, shape: StoreShape, r: Relabelling, asidMap: Int32Array, lastPage: number): CompiledRelabelling {
  const nDev = config.devices.length, nMm = config.processes.length, nDom = config.domains.length;
  const cap = shape.pasidCap, stride = shape.pageStride, nFrames = Math.max(1, config.frames);
  const rp = r.pageRev ? lastPage : 0, dp = r.pageRev ? 1 : -1;
  const rpage = (page: number) => rp - page * dp;
  const pagesOf = config.processes.map((p) => p.pages);
  const src = new FunctionSource();
  const w = (s: string) => src.line(s);
  w('const a0 = st.steTranslate, a1 = st.steDomain, a2 = st.steS1stalld, a3 = st.steEats;');
  w('const domFreed = st.domFreed, domPrivateAsid = st.domPrivateAsid, cdFlags = st.cdFlags, cdAsid = st.cdAsid, cdTtb0 = st.cdTtb0;');
  w('const atcCount = st.atcCount, atc = st.atc, faults = st.faults, sva = st.svaEnabled;');
  w('const bondOn = st.bondOn, bondRefs = st.bondRefs, bondAfterExit = st.bondAfterExit;');
  w('const mnOn = st.mnOn, mnRefs = st.mnRefs, mnCleared = st.mnCleared, def = st.deferred;');
  w('const mmAlive = st.mmAlive, mmPasid = st.mmPasid, mmPasidRefs = st.mmPasidRefs, mmCtxDescRefs = st.mmCtxDescRefs;');
  for (let m = 0; m < nMm; m++) w(`const pg${m} = st.pages[${m}];`);
  w('const fm = s.frameMap;');
  for (let f = 0; f < nFrames; f++) w(`fm[${f}] = -1;`);
  w('let fc = 0, p = 0, f = 0, n = 0, k = 0;');
  // frames are renumbered in the order the key first meets them: the pages, then TLB and ATC
  for (const m of r.procInv) {
    for (let i = 0; i < pagesOf[m]!; i++) w(`p = pg${m}[${rpage(i)}]; if (p >= 0 && fm[p] < 0) fm[p] = fc++;`);
  }
  w('const tlbAsids = s.tlbAsids, nAsid = st.tlbAsidsWithEntries(tlbAsids), tlbCount = st.tlbCount, tlb = st.tlb;');
  w('let nTlb = 0;');
  w('for (let j = 0; j < nAsid; j++) nTlb += tlbCount[tlbAsids[j]];');
  w(`const nAtc = ${Array.from({ length: nDev * cap }, (_, slot) => `atcCount[${slot}]`).join(' + ') || '0'};`);
  w(`const nFaults = ${Array.from({ length: nDev }, (_, d) => `faults[${d}].length`).join(' + ') || '0'};`);
  const fixed = 3 * nDev + 8 + nDom * (3 + 4 * cap) + 3 * nDev * nMm + 3 * nDom * nMm * 2 + nMm * (4 + stride);
  w(`out.ensure(${fixed} + 3 * nTlb + 4 * nAtc + 5 * nFaults + 2 * def.length);`);
  w('const a = out.a;');
  w('let o = out.n;');
  // STEs, in the relabelled device order
  for (const d of r.devInv) w(`a[o++] = a0[${d}]; a[o++] = a1[${d}]; a[o++] = a2[${d}] | (a3[${d}] << 1);`);
  // domains and their CD slots
  for (let di = 0; di < nDom; di++) {
    w(`a[o++] = domFreed[${di}]; a[o++] = domPrivateAsid[${di}];`);
    w('k = o++; n = 0;');
    for (let ssid = 0; ssid < cap; ssid++) {
      const slot = di * cap + ssid;
      w(`f = cdFlags[${slot}]; if ((f & 1) !== 0) { const t = cdTtb0[${slot}]; a[o++] = ${ssid}; a[o++] = f >> 1; a[o++] = am[cdAsid[${slot}]]; a[o++] = t >= 0 ? proc[t] : t; n++; }`);
    }
    w('a[k] = n;');
  }
  // TLB: (relabelled ASID, page, frame) sort keys
  w('let ik = s.intKeyBuf(nTlb);');
  w('n = 0;');
  w('for (let j = 0; j < nAsid; j++) {');
  w('  const asid = tlbAsids[j], arr = tlb[asid], ra = am[asid] << 12;');
  for (let page = 0; page < stride; page++) w(`  f = arr[${page}]; if (f >= 0) ik[n++] = ra | ${rpage(page) << 6} | f;`);
  w('}');
  w('sortInts(ik, n);');
  w('a[o++] = n;');
  w('for (let i = 0; i < n; i++) { const key = ik[i]; a[o++] = key >> 12; a[o++] = (key >> 6) & 63; f = key & 63; if (fm[f] < 0) fm[f] = fc++; a[o++] = fm[f]; }');
  // ATC: (relabelled device, PASID, page, frame) sort keys, sorted twice (frames renumbered between)
  w('let keys = s.keyBuf(nAtc);');
  w('n = 0;');
  w('const extras = st.atcExtra, anyExtra = extras.size > 0;');
  for (let d = 0; d < nDev; d++) {
    for (let pasid = 0; pasid < cap; pasid++) {
      const slot = d * cap + pasid, hi = ((r.dev[d]! << 20) | pasid) * P12;
      w(`if (atcCount[${slot}] !== 0) {`);
      w(`  const arr = atc[${slot}], extra = anyExtra ? extras.get(${slot}) : undefined;`);
      for (let page = 0; page < stride; page++) {
        w(`  f = arr[${page}]; if (f >= 0) { keys[n++] = ${hi} + (${rpage(page) << 6} | f); if (extra !== undefined) { const more = extra.get(${page}); if (more) for (const g of more) keys[n++] = ${hi} + (${rpage(page) << 6} | g); } }`);
      }
      w('}');
    }
  }
  w('sortKeys(keys, n);');
  w(`for (let i = 0; i < n; i++) { const key = keys[i], hi = Math.floor(key / ${P12}), lo = key - hi * ${P12}; f = lo & 63; if (fm[f] < 0) fm[f] = fc++; keys[i] = hi * ${P12} + ((lo & ~63) | fm[f]); }`);
  w('sortKeys(keys, n);');
  w('a[o++] = n;');
  w(`for (let i = 0; i < n; i++) { const key = keys[i], hi = Math.floor(key / ${P12}), lo = key - hi * ${P12}; a[o++] = hi >> 20; a[o++] = hi & 0xfffff; a[o++] = lo >> 6; a[o++] = lo & 63; }`);
  // faults: (relabelled device, PASID, page, flags) sort keys; groups renumbered per device
  w('keys = s.keyBuf(nFaults);');
  w('n = 0;');
  for (let d = 0; d < nDev; d++) {
    w(`{ const list = faults[${d}]; for (let i = 0; i < list.length; i++) { const x = list[i]; const flags = (x.via === 'pri' ? 1 : 0) | (x.write ? 2 : 0) | (x.afterRelease ? 4 : 0) | (x.status << 3); keys[n++] = ((${r.dev[d]! << 20}) | x.pasid) * ${P12} + (((${rp} - x.page * ${dp}) << 6) | flags); } }`);
  }
  w('sortKeys(keys, n);');
  w('a[o++] = n;');
  w(`for (let i = 0, g = 0, prevDev = -1; i < n; i++) { const key = keys[i], hi = Math.floor(key / ${P12}), lo = key - hi * ${P12}, d = hi >> 20; if (d !== prevDev) { g = 0; prevDev = d; } a[o++] = lo & 63; a[o++] = d; a[o++] = g++; a[o++] = hi & 0xfffff; a[o++] = lo >> 6; }`);
  // SVA-enabled flags, relabelled
  w(`a[o++] = ${Array.from({ length: nDev }, (_, d) => `(sva[${d}] << ${r.dev[d]!})`).join(' | ') || '0'};`);
  // bonds
  w(`ik = s.intKeyBuf(${nDev * nMm});`);
  w('n = 0;');
  for (let b = 0; b < nDev * nMm; b++) {
    const c = (r.dev[(b / nMm) | 0]! << 16) | (r.proc[b % nMm]! << 10);
    w(`if (bondOn[${b}] !== 0) ik[n++] = ${c} | (bondRefs[${b}] * 2 + bondAfterExit[${b}]);`);
  }
  w('sortInts(ik, n);');
  w('a[o++] = n;');
  w('for (let i = 0; i < n; i++) { const key = ik[i]; a[o++] = key >> 16; a[o++] = (key >> 10) & 63; a[o++] = key & 1023; }');
  // notifiers
  w(`ik = s.intKeyBuf(${nDom * nMm * 2});`);
  w('n = 0;');
  for (let kk = 0; kk < nDom * nMm * 2; kk++) {
    const ae = kk & 1, domain = (kk / 2 / nMm) | 0, mm = ((kk / 2) | 0) % nMm;
    const c = (domain << 19) | (r.proc[mm]! << 13) | (ae << 12);
    w(`if (mnOn[${kk}] !== 0) ik[n++] = ${c} | (mnRefs[${kk}] * 4 + mnCleared[${kk}] + ${2 * ae});`);
  }
  w('sortInts(ik, n);');
  w('a[o++] = n;');
  w('for (let i = 0; i < n; i++) { const key = ik[i]; a[o++] = key >> 19; a[o++] = (key >> 13) & 63; a[o++] = key & 4095; }');
  // deferred frees
  w('ik = s.intKeyBuf(def.length);');
  w('n = def.length;');
  w('for (let i = 0; i < n; i++) { const x = def[i]; ik[i] = (x.domain << 8) | (proc[x.mm] * 2 + (x.inDomainOps ? 1 : 0)); }');
  w('sortInts(ik, n);');
  w('a[o++] = n;');
  w('for (let i = 0; i < n; i++) { const key = ik[i]; a[o++] = key >> 8; a[o++] = key & 255; }');
  // processes, in the relabelled order, their pages' frames renumbered
  for (const m of r.procInv) {
    w(`a[o++] = mmAlive[${m}]; a[o++] = mmPasid[${m}]; a[o++] = mmPasidRefs[${m}]; a[o++] = mmCtxDescRefs[${m}];`);
    for (let i = 0; i < pagesOf[m]!; i++) w(`p = pg${m}[${rpage(i)}]; a[o++] = p < 0 ? p : fm[p];`);
  }
  w('out.n = o;');
  return src.compile<CompiledRelabelling>('relabelled', ['st', 'out', 's'], { am: asidMap, proc: Int32Array.from(r.proc), sortInts, sortKeys });
}

export type CompiledSignatures = (st: PackedStore, sigs: Int32Array, sigsRev: Int32Array) => void;

/**
 * symmetry.ts processSignature for every process, compiled for `config`: sigs[i] with the pages
 * read forwards and, when `withRev`, sigsRev[i] with them read backwards, in one pass. Each step
 * there is h -> h * m + x (mod 2^32), so the steps after the pages (bonds, notifiers, frees)
 * compose to one map h -> A * h + B, computed once and applied to both page hashes.
 */
export function compileSignatures(config: Config, withRev: boolean): CompiledSignatures {
  const nDev = config.devices.length, nMm = config.processes.length, nDom = config.domains.length;
  const src = new FunctionSource();
  const w = (s: string) => src.line(s);
  w('const bondOn = st.bondOn, bondRefs = st.bondRefs, bondAfterExit = st.bondAfterExit, mnOn = st.mnOn, mnRefs = st.mnRefs, mnCleared = st.mnCleared, frees = st.deferred;');
  w('const mmAlive = st.mmAlive, mmPasid = st.mmPasid, mmPasidRefs = st.mmPasidRefs, mmCtxDescRefs = st.mmCtxDescRefs;');
  w('let A = 1, B = 0, h = 0, p = 0;');
  for (let i = 0; i < nMm; i++) {
    w(`A = 1; B = 0;`);
    for (let dev = 0; dev < nDev; dev++) {
      const k = dev * nMm + i;
      w(`if (bondOn[${k}] !== 0) { A = Math.imul(A, 37); B = (Math.imul(B, 37) + ${dev * 64} + bondRefs[${k}] * 2 + bondAfterExit[${k}]) | 0; }`);
    }
    for (let domain = 0; domain < nDom; domain++) {
      for (let ae = 0; ae < 2; ae++) {
        const k = (domain * nMm + i) * 2 + ae;
        w(`if (mnOn[${k}] !== 0) { A = Math.imul(A, 41); B = (Math.imul(B, 41) + ${domain * 64} + mnRefs[${k}] * 4 + mnCleared[${k}] + ${ae * 2}) | 0; }`);
      }
    }
    w(`for (let k = 0; k < frees.length; k++) { const f = frees[k]; if (f.mm === ${i}) { A = Math.imul(A, 43); B = (Math.imul(B, 43) + f.domain * 2 + (f.inDomainOps ? 1 : 0)) | 0; } }`);
    w(`const head${i} = (mmAlive[${i}] * 1000003 + mmPasid[${i}] * 8191 + mmPasidRefs[${i}] * 131 + mmCtxDescRefs[${i}]) | 0;`);
    w(`const pg${i} = st.pages[${i}];`);
    const n = config.processes[i]!.pages;
    const walk = (order: number[]) => {
      w(`h = head${i};`);
      for (const k of order) w(`p = pg${i}[${k}]; h = (Math.imul(h, 31) + (p < -1 ? 1 : p < 0 ? 2 : 3)) | 0;`);
    };
    walk(Array.from({ length: n }, (_, k) => k));
    w(`sigs[${i}] = (Math.imul(A, h) + B) | 0;`);
    if (withRev) {
      walk(Array.from({ length: n }, (_, k) => n - 1 - k));
      w(`sigsRev[${i}] = (Math.imul(A, h) + B) | 0;`);
    }
  }
  return src.compile<CompiledSignatures>('signatures', ['st', 'sigs', 'sigsRev']);
}
