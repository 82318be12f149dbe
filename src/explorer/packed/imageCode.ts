// The key (encode.ts layout, the plain key encodeStore writes) of a state recorded as a Store
// image (PackedStore.writeImage), compiled for one configuration: the image's words are the
// Store's arrays at fixed offsets, so each key word is read from a known word (and, for the byte
// arrays, a known byte of it) with every size and offset folded in, without loading a Store.
// The merge turns the image of each new state into its key for the frontier (explore.ts). The
// lists the image carries after the arrays (TLB entries, faults, deferred frees) are already in
// the key's order and are copied; the ATC duplicates are merged into the ATC rows' entries.
// test/packed.test.ts checks keyOfImage(writeImage(st)) = encodeStore(st) on reachable states.
import type { Config } from '../../model/config.ts';
import { CD_PRESENT } from '../../adapter/store.ts';
import type { IntBuf } from '../encode.ts';
import type { PackedStore } from './store-io.ts';
import { FunctionSource } from './codegen.ts';

export type CompiledKeyOfImage = (a: Int32Array, start: number, out: IntBuf) => void;

const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The converter for `st`'s layout (its arrays' places in its arena; the pages per process from `config`). */
export function compileKeyOfImage(config: Config, st: PackedStore): CompiledKeyOfImage {
  const nDev = st.nDev, nMm = st.nMm, nDom = st.nDom, cap = st.pasidCap, stride = st.pageStride;
  const K = st.imageWords;
  /** The image word of element i of an Int32 array of the image. */
  const w32 = (arr: Int32Array, i: number) => `a[s + ${(arr.byteOffset >> 2) + i}]`;
  /** Element i of a byte array of the image, read from its word. */
  const w8 = (arr: Uint8Array, i: number) => {
    const b = arr.byteOffset + i, shift = littleEndian ? (b & 3) * 8 : (3 - (b & 3)) * 8;
    return `((a[s + ${b >> 2}] >>> ${shift}) & 255)`;
  };
  const src = new FunctionSource();
  const w = (s: string) => src.line(s);
  w('const s = start;');
  // the lists after the arrays: TLB entries, faults, deferred frees, ATC duplicates
  w(`const tlbAt = s + ${K}, nTlb = a[tlbAt];`);
  w('const faultsAt = tlbAt + 1 + 3 * nTlb, nFaults = a[faultsAt];');
  w('const defAt = faultsAt + 1 + 5 * nFaults, nDef = a[defAt];');
  w('const extraAt = defAt + 1 + 2 * nDef, nExtra = a[extraAt], listsEnd = extraAt + 1 + 3 * nExtra;');
  w(`out.ensure(${3 * nDev + 8 + nDom * (3 + 4 * cap) + 4 * nDev * cap * stride + 3 * nDev * nMm + 3 * nDom * nMm * 2 + nMm * (4 + stride)} + (listsEnd - tlbAt) * 2);`);
  w('const o0 = out.n, b = out.a;');
  w('let o = o0, k = 0, n = 0, f = 0, x = extraAt + 1, xEnd = listsEnd;');
  for (let d = 0; d < nDev; d++) {
    w(`b[o++] = ${w8(st.steTranslate, d)}; b[o++] = ${w32(st.steDomain, d)}; b[o++] = ${w8(st.steS1stalld, d)} | (${w8(st.steEats, d)} << 1);`);
  }
  for (let di = 0; di < nDom; di++) {
    w(`b[o++] = ${w8(st.domFreed, di)}; b[o++] = ${w32(st.domPrivateAsid, di)};`);
    w('k = o++; n = 0;');
    for (let ssid = 0; ssid < cap; ssid++) {
      const slot = di * cap + ssid;
      w(`f = ${w8(st.cdFlags, slot)}; if ((f & ${CD_PRESENT}) !== 0) { b[o++] = ${ssid}; b[o++] = f >> 1; b[o++] = ${w32(st.cdAsid, slot)}; b[o++] = ${w32(st.cdTtb0, slot)}; n++; }`);
    }
    w('b[k] = n;');
  }
  // TLB: the image's entries are the key's (count, then asid, page, frame)
  w('for (let i = tlbAt; i < faultsAt; i++) b[o++] = a[i];');
  // ATC: per slot and page, the row's frame, then that page's duplicates (sorted by slot, page)
  w('k = o++; n = 0;');
  for (let d = 0; d < nDev; d++) {
    for (let pasid = 0; pasid < cap; pasid++) {
      const slot = d * cap + pasid;
      const row = st.atc[slot]!;
      w(`if (${w32(st.atcCount, slot)} !== 0) {`);
      for (let page = 0; page < stride; page++) {
        w(`  f = ${w32(row, page)}; if (f >= 0) { b[o++] = ${d}; b[o++] = ${pasid}; b[o++] = ${page}; b[o++] = f; n++;`);
        w(`    while (x < xEnd && a[x] === ${slot} && a[x + 1] === ${page}) { b[o++] = ${d}; b[o++] = ${pasid}; b[o++] = ${page}; b[o++] = a[x + 2]; n++; x += 3; } }`);
      }
      w('}');
    }
  }
  w('b[k] = n;');
  // faults: the image's are the key's (count, then five words each)
  w('for (let i = faultsAt; i < defAt; i++) b[o++] = a[i];');
  w(`b[o++] = ${Array.from({ length: nDev }, (_, d) => `(${w8(st.svaEnabled, d)} << ${d})`).join(' | ') || '0'};`);
  w('k = o++; n = 0;');
  for (let bk = 0; bk < nDev * nMm; bk++) {
    w(`if (${w8(st.bondOn, bk)} !== 0) { b[o++] = ${(bk / nMm) | 0}; b[o++] = ${bk % nMm}; b[o++] = ${w32(st.bondRefs, bk)} * 2 + ${w8(st.bondAfterExit, bk)}; n++; }`);
  }
  w('b[k] = n;');
  w('k = o++; n = 0;');
  for (let kk = 0; kk < nDom * nMm * 2; kk++) {
    w(`if (${w8(st.mnOn, kk)} !== 0) { b[o++] = ${(kk / 2 / nMm) | 0}; b[o++] = ${((kk / 2) | 0) % nMm}; b[o++] = ${w32(st.mnRefs, kk)} * 4 + ${w8(st.mnCleared, kk)} + ${2 * (kk & 1)}; n++; }`);
  }
  w('b[k] = n;');
  // deferred frees: the image's are the key's (count, then domain, mm * 2 + inDomainOps)
  w('for (let i = defAt; i < extraAt; i++) b[o++] = a[i];');
  for (let m = 0; m < nMm; m++) {
    w(`b[o++] = ${w8(st.mmAlive, m)}; b[o++] = ${w32(st.mmPasid, m)}; b[o++] = ${w32(st.mmPasidRefs, m)}; b[o++] = ${w32(st.mmCtxDescRefs, m)};`);
    for (let p = 0; p < config.processes[m]!.pages; p++) w(`b[o++] = ${w32(st.pages[m]!, p)};`);
  }
  w('out.n = o;');
  return src.compile<CompiledKeyOfImage>('keyOfImageCompiled', ['a', 'start', 'out']);
}
