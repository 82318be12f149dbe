// Synthetic configurations for large workloads: counts instead of lists, so a workload can ask
// for 64 devices and 1,024 processes without spelling them out. The result is an ordinary
// Config, checked by the same semantic rules as a configuration file.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeConfig, encodeConfig } from './config.ts';
import { defaultOptions, type Config, type DeviceConfig, type ProcessConfig } from '../model/config.ts';

const pos = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
const nat = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');

export const syntheticCodec = t.exact(t.intersection([
  t.type({ devices: pos, processes: pos, pages: pos }),
  t.partial({
    /** How many of the devices are PCIe functions with ATS and PRI (the rest are platform devices
     *  that stall). Default: all, or none under stallModel "forced" (INIT-PCI: no PCIe function
     *  behind a stall-forced SMMU). */
    pciDevices: nat,
    /** Stage-1 domains. Devices are spread over them round-robin, except that under stallModel
     *  "configurable" PCIe devices and platform devices get separate domains (the kernel refuses to
     *  mix stalling and non-stalling masters in one stage-1 domain). Default: 1, or 2 when both kinds
     *  must be separated. */
    domains: pos,
    /** Physical frames. Default: processes x pages (every page can be resident at once). */
    frames: nat,
    stallModel: t.keyof({ configurable: null, none: null, forced: null }, '"configurable", "none" or "forced"'),
    btm: t.boolean,
    ssidBits: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 20, 'an integer in [1, 20]'),
    /** options.priHandling of the configuration (spec/configuration.md). Default "variant". */
    priHandling: t.keyof({ variant: null, iopf: null, deny: null }, '"variant", "iopf" or "deny"'),
  }),
]));
export type Synthetic = t.TypeOf<typeof syntheticCodec>;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** How many devices are PCIe functions: pciDevices, by default all of them, or none under "forced". */
const pciCount = (s: Synthetic) => Math.min(s.pciDevices ?? (s.stallModel === 'forced' ? 0 : s.devices), s.devices);

/**
 * Which domain each device goes to. Without a stall split (stallModel "none" or "forced", or only
 * one kind of device) device i goes to domain i mod domains. Under stallModel "configurable" with
 * both kinds, the PCIe devices (non-stalling) round-robin over the first k domains and the platform
 * devices (stalling) over the other domains - k, with k = round(domains × pciDevices / devices)
 * clamped to [1, domains - 1], so no stage-1 domain mixes the two (arm_smmu_attach_dev: "cannot
 * attach to stall-%s domain").
 */
export function syntheticDomains(s: Synthetic, where: string): E.Either<string[], { domains: number; of: number[] }> {
  const pci = pciCount(s);
  const plat = s.devices - pci;
  // INIT-PCI: IHI 0070 6.3.1, no STALL_MODEL 0b10 in a PCI system
  if (s.stallModel === 'forced' && pci > 0) {
    return E.left([`${where}.pciDevices: expected 0 with stallModel "forced" (IHI 0070 6.3.1: an SMMU of a PCI system must not have STALL_MODEL 0b10), got ${pci}; omit pciDevices or set it to 0, or change stallModel`]);
  }
  const split = (s.stallModel ?? 'configurable') === 'configurable' && pci > 0 && plat > 0;
  const nDom = s.domains ?? (split ? 2 : 1);
  if (!split) return E.right({ domains: nDom, of: Array.from({ length: s.devices }, (_, i) => i % nDom) });
  if (nDom < 2) {
    return E.left([`${where}.domains: expected at least 2 domains when there are both PCIe devices (${pci}) and stalling platform devices (${plat}) under stallModel "configurable" (the kernel refuses to attach stalling and non-stalling masters to one stage-1 domain), got ${nDom}; omit domains for 2, or set pciDevices to 0 or ${s.devices}, or stallModel to "none"`]);
  }
  const k = Math.min(nDom - 1, Math.max(1, Math.round((nDom * pci) / s.devices)));
  return E.right({ domains: nDom, of: Array.from({ length: s.devices }, (_, i) => (i < pci ? i % k : k + ((i - pci) % (nDom - k)))) });
}

/** Build the configuration; private ASIDs take 1..domains, process i gets CPU ASID domains + 1 + i. */
export function syntheticConfig(s: Synthetic, where: string): E.Either<string[], Config> {
  const placed = syntheticDomains(s, where);
  if (E.isLeft(placed)) return placed;
  const nDom = placed.right.domains;
  const domainOf = placed.right.of;
  const pci = pciCount(s);
  const ssidBits = s.ssidBits ?? 20;
  const devices: DeviceConfig[] = Array.from({ length: s.devices }, (_, i) => (i < pci
    ? { name: `0000:${hex2(1 + Math.floor(i / 32))}:${hex2(i % 32)}.0`, bus: 'pci', ats: true, pri: true, stall: false, ssidBits, domain: domainOf[i]! }
    : { name: `dma-plat${i - pci}`, bus: 'platform', ats: false, pri: false, stall: true, ssidBits, domain: domainOf[i]! }));
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
    options: { ...defaultOptions, enforceBtmRequirement: s.btm ?? true, priHandling: s.priHandling ?? 'variant' },
  };
  // the same checks as a configuration file (ranges, unique names and ASIDs, no stage-1 domain
  // mixing stalling and non-stalling masters)
  const r = decodeConfig(encodeConfig(config));
  return E.isLeft(r) ? E.left(r.left.map((m) => `${where}: ${m}`)) : E.right(config);
}
