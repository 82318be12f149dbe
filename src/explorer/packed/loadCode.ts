// The packed engine's reload of a state into the Store (store-io.ts loadKey), compiled for one
// configuration when the PackedStore is built: the Store reset and filled from an encoding
// (encode.ts layout) with every size and slot index of the configuration folded in. The
// fixed-size parts (the arrays a reset empties, STEs, SVA flags, processes and their pages) are
// straight-line code; the parts whose size the state decides (CDs, TLB, ATC, faults, bonds,
// notifiers, deferred frees) keep their loops. test/packed.test.ts checks that a loaded Store
// encodes back to the same words and that every array of a reused Store equals a fresh one's;
// docs/performance.md has what compiling buys.
import type { Config } from '../../model/config.ts';
import { CD_PRESENT, F_INVALID, F_PENDING, F_SUCCESS, type FaultRec } from '../../adapter/store.ts';
import type { PackedStore } from './store-io.ts';
import { FunctionSource } from './codegen.ts';
import { insertAt } from '../../adapter/lists.ts';

export type CompiledLoad = (st: PackedStore, a: Int32Array, start: number) => number;

/** The loader of `st`'s layout (its sizes are read from the store, the pages per process from `config`). */
export function compileLoadKey(config: Config, st: PackedStore): CompiledLoad {
  const nDev = st.nDev, nMm = st.nMm, nDom = st.nDom, cap = st.pasidCap, stride = st.pageStride;
  const src = new FunctionSource();
  const w = (s: string) => src.line(s);
  // the reset: the lists (PackedStore.clearLists), then the fixed arrays
  w('st.clearLists();');
  w('const atcCount = st.atcCount, atc = st.atc, cdFlags = st.cdFlags, cdAsid = st.cdAsid, cdTtb0 = st.cdTtb0;');
  w('const sva = st.svaEnabled, bondsOfDev = st.bondsOfDev, bondOn = st.bondOn, bondRefs = st.bondRefs, bondAfterExit = st.bondAfterExit;');
  w('const mnOn = st.mnOn, mnRefs = st.mnRefs, mnCleared = st.mnCleared, mnListPos = st.mnListPos, mmPasid = st.mmPasid, pasidToMm = st.pasidToMm, pasidHolders = st.pasidHolders, frameMaps = st.frameMaps;');
  for (let slot = 0; slot < nDev * cap; slot++) {
    w(`if (atcCount[${slot}] !== 0) { const arr = atc[${slot}]; ${Array.from({ length: stride }, (_, p) => `arr[${p}] = -1;`).join(' ')} atcCount[${slot}] = 0; }`);
  }
  // every field of an absent CD, bond or notifier is 0, as the Engine leaves it when it removes one:
  // the store's image (PackedStore.writeImage) is then a function of the state
  for (let k = 0; k < nDom * cap; k++) w(`cdFlags[${k}] = 0; cdAsid[${k}] = 0; cdTtb0[${k}] = 0;`);
  for (let d = 0; d < nDev; d++) w(`sva[${d}] = 0; bondsOfDev[${d}] = 0;`);
  for (let k = 0; k < nDev * nMm; k++) w(`bondOn[${k}] = 0; bondRefs[${k}] = 0; bondAfterExit[${k}] = 0;`);
  for (let k = 0; k < nDom * nMm * 2; k++) w(`mnOn[${k}] = 0; mnRefs[${k}] = 0; mnCleared[${k}] = 0; mnListPos[${k}] = 0;`);
  for (let m = 0; m < nMm; m++) w(`mmPasid[${m}] = 0;`);
  for (let p = 0; p < cap; p++) w(`pasidToMm[${p}] = -1; pasidHolders[${p}] = 0;`);
  for (let f = 0; f < st.nFrames; f++) w(`frameMaps[${f}] = 0;`);
  w(`st.freeFrameCount = ${st.nFrames};`);
  // the encoding, in encode.ts order
  w('let i = start, n = 0, f = 0;');
  for (let d = 0; d < nDev; d++) {
    w(`st.steTranslate[${d}] = a[i]; st.steDomain[${d}] = a[i + 1]; f = a[i + 2]; st.steS1stalld[${d}] = f & 1; st.steEats[${d}] = (f >> 1) & 1; i += 3;`);
  }
  for (let d = 0; d < nDom; d++) {
    w(`st.domFreed[${d}] = a[i]; st.domPrivateAsid[${d}] = a[i + 1]; n = a[i + 2]; i += 3;`);
    w(`for (let k = 0; k < n; k++, i += 4) { const ssid = a[i]; if (ssid >= ${cap}) throw new Error('packed engine: SSID ' + ssid + ' beyond the layout (${cap})'); const slot = ${d * cap} + ssid; cdFlags[slot] = ${CD_PRESENT} | (a[i + 1] << 1); cdAsid[slot] = a[i + 2]; cdTtb0[slot] = a[i + 3]; }`);
  }
  w('for (let n2 = a[i++], k = 0; k < n2; k++, i += 3) st.tlbInsert(a[i], a[i + 1], a[i + 2]);');
  w(`for (let n2 = a[i++], k = 0; k < n2; k++, i += 4) { if (a[i + 1] >= ${cap}) throw new Error('packed engine: PASID ' + a[i + 1] + ' beyond the layout (${cap})'); st.atcInsert(a[i], a[i + 1], a[i + 2], a[i + 3]); }`);
  w('i = loadFaults(st, a, i);');
  w('f = a[i++];');
  for (let d = 0; d < nDev; d++) w(`sva[${d}] = (f >> ${d}) & 1;`);
  w(`for (let n2 = a[i++], k = 0; k < n2; k++, i += 3) { const dev = a[i], bk = dev * ${nMm} + a[i + 1], r = a[i + 2]; bondOn[bk] = 1; bondRefs[bk] = r >> 1; bondAfterExit[bk] = r & 1; bondsOfDev[dev]++; }`);
  w(`for (let n2 = a[i++], k = 0; k < n2; k++, i += 3) { const r = a[i + 2], key = (a[i] * ${nMm} + a[i + 1]) * 2 + ((r >> 1) & 1); mnOn[key] = 1; mnRefs[key] = (r >> 2) & 1023; mnCleared[key] = r & 1; mnListPos[key] = r >> 12; }`);
  w('for (let n2 = a[i++], k = 0; k < n2; k++, i += 2) { const r = a[i + 1]; st.deferred.push({ domain: a[i], mm: r >> 1, inDomainOps: (r & 1) !== 0 }); }');
  for (let m = 0; m < nMm; m++) {
    // after the reset every mm->pasid is 0, so setPasid has work only for a non-zero PASID
    w(`st.mmAlive[${m}] = a[i]; f = a[i + 1]; if (f !== 0) st.setPasid(${m}, f); st.mmPasidRefs[${m}] = a[i + 2]; st.mmCtxDescRefs[${m}] = a[i + 3]; i += 4;`);
    w(`{ const pages = st.pages[${m}];`);
    for (let p = 0; p < config.processes[m]!.pages; p++) w(`f = a[i++]; pages[${p}] = f; if (f >= 0 && frameMaps[f]++ === 0) st.freeFrameCount--;`);
    w('}');
  }
  w('st.resetFreeHint();');
  w('return i;');
  return src.compile<CompiledLoad>('loadKeyCompiled', ['st', 'a', 'start'], { loadFaults });
}

const VIA = ['stall', 'pri'] as const;

/** The flags word of a pending fault in an encoding, as loadFaults reads it (encode.ts faultFlags on a FaultRec). */
export function faultRecFlags(f: FaultRec): number {
  return (f.via === 'pri' ? 1 : 0) | (f.write ? 2 : 0) | (f.afterRelease ? 4 : 0) | (f.status << 3);
}

/** The pending faults of the encoding at a[i...] into the store's (cleared) fault lists. Returns the end. */
export function loadFaults(st: PackedStore, a: Int32Array, i: number): number {
  for (let n = a[i++]!, k = 0; k < n; k++, i += 5) {
    const f = a[i]!, status = f >> 3, dev = a[i + 1]!, group = a[i + 2]!;
    const list = st.faults[dev]!, pool = st.faultPool[dev]!, at = list.length;
    let rec = pool[at];
    if (rec === undefined) { rec = { via: 'stall', group: 0, pasid: 0, page: 0, write: false, afterRelease: false, status: F_PENDING }; pool.push(rec); }
    rec.via = VIA[f & 1]!; rec.group = group; rec.pasid = a[i + 3]!; rec.page = a[i + 4]!;
    rec.write = (f & 2) !== 0; rec.afterRelease = (f & 4) !== 0; rec.status = status === 0 ? F_PENDING : status === 1 ? F_SUCCESS : F_INVALID;
    // keys list a device's faults by group (encodeStore and the canonical key both do), so this
    // appends; the insertion keeps the list sorted by group for any other encoding
    if (at === 0 || list[at - 1]!.group < group) { list.push(rec); continue; }
    let j = at;
    while (j > 0 && list[j - 1]!.group > group) j--;
    insertAt(list, j, rec);
  }
  return i;
}
