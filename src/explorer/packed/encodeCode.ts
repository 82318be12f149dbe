// The plain (not symmetry-reduced) encoding of a Store, compiled for one configuration when the
// PackedStore is built: encodeStore's words (store-io.ts; encode.ts layout) with every size and
// slot index folded in. The fixed-size sections (STEs, CD slots, ATC slots, SVA flags, bonds,
// notifiers, processes and their pages) are straight-line code; the TLB's ASIDs, faults and
// deferred frees keep their loops. It writes the explorer's plain key, without the notifiers'
// mm-list positions (EXP-KEY-MN-ORDER). test/packed.test.ts checks that a loaded Store encodes back
// to the words it was loaded from and that encodeStore equals encodeState(storeToState(st), out,
// false). The buffer is sized from the TLB and ATC counts the Store keeps; the section counts are
// counted.
import type { Config } from '../../model/config.ts';
import { CD_PRESENT } from '../../adapter/store.ts';
import type { IntBuf } from '../encode.ts';
import type { PackedStore } from './store-io.ts';
import { FunctionSource } from './codegen.ts';

export type CompiledEncode = (st: PackedStore, out: IntBuf) => void;

/** Scratch for the TLB's ASIDs, grown on demand (one per compiled function). */
interface Scratch { asids: Int32Array }

/** The plain encoder of `st`'s layout (its sizes from the store, the pages per process from `config`). */
export function compileEncode(config: Config, st: PackedStore): CompiledEncode {
  const nDev = st.nDev, nMm = st.nMm, nDom = st.nDom, cap = st.pasidCap, stride = st.pageStride;
  const src = new FunctionSource();
  const w = (s: string) => src.line(s);
  w('const cdFlags = st.cdFlags, cdAsid = st.cdAsid, cdTtb0 = st.cdTtb0, atcCount = st.atcCount, atc = st.atc, faults = st.faults;');
  w('const sva = st.svaEnabled, bondOn = st.bondOn, bondRefs = st.bondRefs, bondAfterExit = st.bondAfterExit;');
  w('const mnOn = st.mnOn, mnRefs = st.mnRefs, mnCleared = st.mnCleared, def = st.deferred, tlb = st.tlb, tlbCount = st.tlbCount;');
  w('if (scratch.asids.length < st.asidSpace) scratch.asids = new Int32Array(st.asidSpace);');
  w('const asids = scratch.asids, nAsid = st.tlbAsidsWithEntries(asids);');
  w('let nTlb = 0;');
  w('for (let j = 0; j < nAsid; j++) nTlb += tlbCount[asids[j]];');
  w(`const nAtc = ${Array.from({ length: nDev * cap }, (_, slot) => `atcCount[${slot}]`).join(' + ') || '0'};`);
  w(`const nFaults = ${Array.from({ length: nDev }, (_, d) => `faults[${d}].length`).join(' + ') || '0'};`);
  w('const extras = st.atcExtra, anyExtra = extras.size > 0;');
  w('let nExtra = 0;');
  w('if (anyExtra) for (const m of extras.values()) for (const more of m.values()) nExtra += more.length;');
  const fixed = 3 * nDev + 8 + nDom * (3 + 4 * cap) + 3 * nDev * nMm + 3 * nDom * nMm * 2 + nMm * (4 + stride);
  w(`out.ensure(${fixed} + 3 * nTlb + 4 * (nAtc + nExtra) + 5 * nFaults + 2 * def.length);`);
  w('const a = out.a;');
  w('let o = out.n, k = 0, n = 0, f = 0;');
  for (let d = 0; d < nDev; d++) w(`a[o++] = st.steTranslate[${d}]; a[o++] = st.steDomain[${d}]; a[o++] = st.steS1stalld[${d}] | (st.steEats[${d}] << 1);`);
  for (let di = 0; di < nDom; di++) {
    w(`a[o++] = st.domFreed[${di}]; a[o++] = st.domPrivateAsid[${di}];`);
    w('k = o++; n = 0;');
    for (let ssid = 0; ssid < cap; ssid++) {
      const slot = di * cap + ssid;
      w(`f = cdFlags[${slot}]; if ((f & ${CD_PRESENT}) !== 0) { a[o++] = ${ssid}; a[o++] = f >> 1; a[o++] = cdAsid[${slot}]; a[o++] = cdTtb0[${slot}]; n++; }`);
    }
    w('a[k] = n;');
  }
  // TLB: ASIDs ascending, pages in order
  w('k = o++; n = 0;');
  w('for (let j = 0; j < nAsid; j++) {');
  w('  const asid = asids[j], arr = tlb[asid];');
  for (let page = 0; page < stride; page++) w(`  f = arr[${page}]; if (f >= 0) { a[o++] = asid; a[o++] = ${page}; a[o++] = f; n++; }`);
  w('}');
  w('a[k] = n;');
  // ATC: device, PASID, page; a page's duplicates after its first frame
  w('k = o++; n = 0;');
  for (let d = 0; d < nDev; d++) {
    for (let pasid = 0; pasid < cap; pasid++) {
      const slot = d * cap + pasid;
      w(`if (atcCount[${slot}] !== 0) {`);
      w(`  const arr = atc[${slot}], extra = anyExtra ? extras.get(${slot}) : undefined;`);
      for (let page = 0; page < stride; page++) {
        w(`  f = arr[${page}]; if (f >= 0) { a[o++] = ${d}; a[o++] = ${pasid}; a[o++] = ${page}; a[o++] = f; n++; if (extra !== undefined) { const more = extra.get(${page}); if (more) for (const g of more) { a[o++] = ${d}; a[o++] = ${pasid}; a[o++] = ${page}; a[o++] = g; n++; } } }`);
      }
      w('}');
    }
  }
  w('a[k] = n;');
  // faults, per device in list order
  w('a[o++] = nFaults;');
  for (let d = 0; d < nDev; d++) {
    w(`{ const list = faults[${d}]; for (let i = 0; i < list.length; i++) { const x = list[i]; a[o++] = (x.via === 'pri' ? 1 : 0) | (x.write ? 2 : 0) | (x.afterRelease ? 4 : 0) | (x.status << 3); a[o++] = ${d}; a[o++] = x.group; a[o++] = x.pasid; a[o++] = x.page; } }`);
  }
  w(`a[o++] = ${Array.from({ length: nDev }, (_, d) => `(sva[${d}] << ${d})`).join(' | ') || '0'};`);
  w('k = o++; n = 0;');
  for (let b = 0; b < nDev * nMm; b++) {
    w(`if (bondOn[${b}] !== 0) { a[o++] = ${(b / nMm) | 0}; a[o++] = ${b % nMm}; a[o++] = bondRefs[${b}] * 2 + bondAfterExit[${b}]; n++; }`);
  }
  w('a[k] = n;');
  w('k = o++; n = 0;');
  for (let kk = 0; kk < nDom * nMm * 2; kk++) {
    w(`if (mnOn[${kk}] !== 0) { a[o++] = ${(kk / 2 / nMm) | 0}; a[o++] = ${((kk / 2) | 0) % nMm}; a[o++] = mnRefs[${kk}] * 4 + mnCleared[${kk}] + ${2 * (kk & 1)}; n++; }`);
  }
  w('a[k] = n;');
  w('a[o++] = def.length;');
  w('for (let i = 0; i < def.length; i++) { const x = def[i]; a[o++] = x.domain; a[o++] = x.mm * 2 + (x.inDomainOps ? 1 : 0); }');
  for (let m = 0; m < nMm; m++) {
    w(`a[o++] = st.mmAlive[${m}]; a[o++] = st.mmPasid[${m}]; a[o++] = st.mmPasidRefs[${m}]; a[o++] = st.mmCtxDescRefs[${m}];`);
    w(`{ const pages = st.pages[${m}];`);
    for (let p = 0; p < config.processes[m]!.pages; p++) w(`a[o++] = pages[${p}];`);
    w('}');
  }
  w('out.n = o;');
  const scratch: Scratch = { asids: new Int32Array(256) };
  return src.compile<CompiledEncode>('encodeStoreCompiled', ['st', 'out'], { scratch });
}
