// Synthetic configurations for large workloads: counts instead of lists, so a workload can ask
// for 64 devices and 1,024 processes without spelling them out. The result is an ordinary
// Config, checked by the same semantic rules as a configuration file.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeConfig, encodeConfig } from '../codecs/config.ts';
import { defaultOptions, type Config, type DeviceConfig, type ProcessConfig } from '../model/config.ts';

const pos = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
const nat = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');

export const syntheticCodec = t.exact(t.intersection([
  t.type({ devices: pos, processes: pos, pages: pos }),
  t.partial({
    /** How many of the devices are PCIe functions with ATS and PRI (the rest are platform devices that stall). Default: all. */
    pciDevices: nat,
    /** Stage-1 domains; devices are spread over them round-robin. Default 1. */
    domains: pos,
    /** Physical frames. Default: processes x pages (every page can be resident at once). */
    frames: nat,
    stallModel: t.keyof({ configurable: null, none: null, forced: null }, '"configurable", "none" or "forced"'),
    btm: t.boolean,
    ssidBits: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 20, 'an integer in [1, 20]'),
  }),
]));
export type Synthetic = t.TypeOf<typeof syntheticCodec>;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** Build the configuration; private ASIDs take 1..domains, process i gets CPU ASID domains + 1 + i. */
export function syntheticConfig(s: Synthetic, where: string): E.Either<string[], Config> {
  const nDom = s.domains ?? 1;
  const pci = Math.min(s.pciDevices ?? s.devices, s.devices);
  const ssidBits = s.ssidBits ?? 20;
  const devices: DeviceConfig[] = Array.from({ length: s.devices }, (_, i) => (i < pci
    ? { name: `0000:${hex2(1 + Math.floor(i / 32))}:${hex2(i % 32)}.0`, bus: 'pci', ats: true, pri: true, stall: false, ssidBits, domain: i % nDom }
    : { name: `dma-plat${i - pci}`, bus: 'platform', ats: false, pri: false, stall: true, ssidBits, domain: i % nDom }));
  let asidBits = 8;
  while (asidBits < 16 && (1 << asidBits) - 1 < nDom + s.processes) asidBits++;
  if ((1 << asidBits) - 1 < nDom + s.processes) return E.left([`${where}: ${nDom} domains and ${s.processes} processes need more than the 65,535 ASIDs of 16 ASID bits`]);
  const processes: ProcessConfig[] = Array.from({ length: s.processes }, (_, i) => ({
    name: `proc${i}`, pages: s.pages, cpuAsid: nDom + 1 + i, vaBase: 0x0000ff0000000000n + BigInt(i) * 0x100000000n,
  }));
  const config: Config = {
    name: `synthetic-${s.devices}d-${s.processes}p-${s.pages}pg`,
    smmu: { stallModel: s.stallModel ?? 'configurable', btm: s.btm ?? true, asidBits },
    domains: Array.from({ length: nDom }, (_, i) => ({ name: `dom${i}`, stage: 1 as const })),
    devices,
    processes,
    frames: s.frames ?? s.processes * s.pages,
    options: { ...defaultOptions, enforceBtmRequirement: s.btm ?? true },
  };
  // the same checks as a configuration file (ranges, unique names and ASIDs)
  const r = decodeConfig(encodeConfig(config));
  return E.isLeft(r) ? E.left(r.left.map((m) => `${where}: ${m}`)) : E.right(config);
}
