// io-ts codec for configuration files (spec/configuration.md), with the semantic checks the
// shape alone cannot express. Every error names its JSON path.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, defaultOptions, type Config } from '../model/config.ts';
import { decodeWith, excessKeys, parseJson } from './decode.ts';

const intIn = (min: number, max: number) =>
  t.refinement(t.number, (n) => Number.isInteger(n) && n >= min && n <= max, `an integer in [${min}, ${max}]`);

const hexAddress = new t.Type<bigint, string, unknown>(
  'a hex address string such as "0x0000ffff860e6000"',
  (u): u is bigint => typeof u === 'bigint',
  (u, c) => (typeof u === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(u) ? t.success(BigInt(u)) : t.failure(u, c)),
  (b) => `0x${b.toString(16).padStart(16, '0')}`,
);

const smmu = t.exact(t.type({
  stallModel: t.keyof({ configurable: null, none: null, forced: null }, '"configurable", "none" or "forced"'),
  btm: t.boolean,
  asidBits: intIn(2, 16),
}));
const domain = t.exact(t.type({ name: t.string, stage: t.union([t.literal(1), t.literal(2)], '1 or 2') }));
const device = t.exact(t.type({
  name: t.string,
  bus: t.keyof({ pci: null, platform: null }, '"pci" or "platform"'),
  ats: t.boolean,
  pri: t.boolean,
  stall: t.boolean,
  ssidBits: intIn(1, 20),
  domain: intIn(0, 63),
}));
const processCodec = t.exact(t.intersection([
  t.type({ name: t.string, pages: intIn(1, 1 << 20), cpuAsid: intIn(1, 65535) }),
  t.partial({ vaBase: hexAddress }),
]));
const access = t.keyof({ read: null, write: null }, '"read" or "write"');
const options = t.exact(t.partial({
  bindAfterExit: t.boolean,
  allocFailure: t.boolean,
  enforceBtmRequirement: t.boolean,
  strictDisable: t.boolean,
  maxBondRefs: intIn(1, 8),
  dmaAccesses: t.array(access),
  atsPrefetch: t.boolean,
  remap: t.boolean,
  priHandling: t.keyof({ variant: null, iopf: null, deny: null }, '"variant", "iopf" or "deny"'),
  rangeInvalidation: t.keyof({ exact: null, span: null, 'span-plus-one': null }, '"exact", "span" or "span-plus-one"'),
}));

export const configCodec = t.exact(t.intersection([
  t.type({
    name: t.string,
    smmu,
    domains: t.array(domain),
    devices: t.array(device),
    processes: t.array(processCodec),
    frames: intIn(0, 1 << 24),
  }),
  t.partial({ options, description: t.string }),
]));

export type ConfigJson = t.OutputOf<typeof configCodec>;

/** Cross-field checks: indices in range, distinct names and ASIDs, ASIDs inside the ASID space,
 *  the systems the architecture forbids (INIT-PCI) and the attachments the kernel refuses
 *  (DRV-ATTACH-STALL, DRV-ATTACH-SSID). `decodeConfig` runs them; a Config built in code can be checked with them
 *  before it is handed to `initialState` and `step`, which assume a configuration that passes. */
export function configErrors(c: Config): string[] {
  const errs: string[] = [];
  if (c.devices.length === 0) errs.push('$.devices: expected at least one device, got []');
  if (c.processes.length === 0) errs.push('$.processes: expected at least one process, got []');
  c.devices.forEach((d, i) => {
    if (d.domain >= c.domains.length) errs.push(`$.devices[${i}].domain: expected a domain index below ${c.domains.length}, got ${d.domain}`);
    if (c.devices.findIndex((x) => x.name === d.name) !== i) errs.push(`$.devices[${i}].name: expected a unique device name, got "${d.name}" again`);
    if (d.pri && !d.ats) errs.push(`$.devices[${i}].pri: PRI needs ATS (set ats: true), got pri: true with ats: false`);
    // INIT-PCI: ATS (and so PRI) only on a PCI device (arm_smmu_ats_supported: dev_is_pci)
    if (d.ats && d.bus !== 'pci') errs.push(`$.devices[${i}].ats: expected false on a platform device (ATS is a PCIe capability; Linux enables it only when dev_is_pci(), arm_smmu_ats_supported), got ats: true with bus: "${d.bus}"`);
    // INIT-PCI: a device with ATS is on the PCIe transport, whose streams never stall (IHI 0070 3.12.1, 16.4)
    if (d.ats && d.stall) errs.push(`$.devices[${i}].stall: expected false on a device with ATS (IHI 0070 3.12.1: streams that originate from PCIe subsystems must not stall; only a PCI-enumerated device on a native AMBA interface may stall, and it has no ATS), got stall: true with ats: true`);
  });
  // INIT-PCI: no PCIe function behind a stall-forced SMMU (IHI 0070 6.3.1, SMMU_IDR0.STALL_MODEL)
  const pcieIndex = c.smmu.stallModel === 'forced' ? c.devices.findIndex((d) => d.bus === 'pci' && !d.stall) : -1;
  if (pcieIndex >= 0) {
    errs.push(`$.smmu.stallModel: expected "configurable" or "none" with a PCIe function that cannot stall ($.devices[${pcieIndex}] "${c.devices[pcieIndex]!.name}", bus: "pci", stall: false; IHI 0070 6.3.1: an SMMU of a PCI system must not have STALL_MODEL 0b10), got "forced"; make it a platform device or a stalling PCI-enumerated device without ATS, or change stallModel`);
  }
  const maxAsid = (1 << c.smmu.asidBits) - 1;
  c.processes.forEach((p, i) => {
    if (p.cpuAsid > maxAsid) errs.push(`$.processes[${i}].cpuAsid: expected an ASID in [1, ${maxAsid}] (smmu.asidBits = ${c.smmu.asidBits}), got ${p.cpuAsid}`);
    if (c.processes.findIndex((x) => x.cpuAsid === p.cpuAsid) !== i) errs.push(`$.processes[${i}].cpuAsid: expected an ASID no other process has, got ${p.cpuAsid} again`);
    if (c.processes.findIndex((x) => x.name === p.name) !== i) errs.push(`$.processes[${i}].name: expected a unique process name, got "${p.name}" again`);
  });
  // DRV-ATTACH-STALL: arm_smmu_attach_dev() (the seed's series v6 22/25; Linux 5.14): "cannot attach to stall-%s domain", -EINVAL
  if (c.smmu.stallModel === 'configurable') {
    c.devices.forEach((d, i) => {
      const first = c.devices.findIndex((x) => x.domain === d.domain);
      const other = c.devices[first]!;
      if (c.domains[d.domain]?.stage === 1 && other.stall !== d.stall) {
        errs.push(`$.devices[${i}].domain: the kernel refuses to attach a ${d.stall ? 'stalling' : 'non-stalling'} master to the stall-${other.stall ? 'enabled' : 'disabled'} stage-1 domain ${d.domain} of "${other.name}" (arm_smmu_attach_dev, the v6 series and Linux 5.14: "cannot attach to stall-%s domain", -EINVAL); put it in a domain of its own`);
      }
    });
  }
  // DRV-ATTACH-SSID: arm_smmu_attach_dev(): "cannot attach to incompatible domain (%u SSID bits != %u)", -EINVAL (5.10 to 5.15)
  c.devices.forEach((d, i) => {
    const other = c.devices[c.devices.findIndex((x) => x.domain === d.domain)]!;
    if (c.domains[d.domain]?.stage === 1 && other.ssidBits !== d.ssidBits) {
      errs.push(`$.devices[${i}].ssidBits: the kernel refuses to attach a master with ${d.ssidBits} SSID bits to the stage-1 domain ${d.domain} whose CD table has ${other.ssidBits} ("${other.name}"; arm_smmu_attach_dev, Linux 5.10 to 5.15: "cannot attach to incompatible domain (%u SSID bits != %u)", -EINVAL); give it ${other.ssidBits} SSID bits or a domain of its own`);
    }
  });
  const stage1 = c.domains.filter((d) => d.stage === 1).length;
  if (stage1 > maxAsid) errs.push(`$.domains: ${stage1} stage-1 domains need more private ASIDs than smmu.asidBits = ${c.smmu.asidBits} provides`);
  return errs;
}

const defaultVaBase = (i: number) => 0x0000ffff80000000n + BigInt(i) * 0x10000000n;

/** Decode a parsed JSON value into a Config (options default as in spec/configuration.md). */
export function decodeConfig(input: unknown, where = ''): E.Either<string[], Config> {
  const prefix = where ? `${where}: ` : '';
  const r = decodeWith(configCodec, input, prefix);
  if (E.isLeft(r)) return r;
  const unknown = excessKeys(configCodec, input).map((e) => prefix + e);
  if (unknown.length) return E.left(unknown);
  const j = r.right;
  const config: Config = {
    name: j.name,
    smmu: j.smmu,
    domains: j.domains,
    devices: j.devices,
    processes: j.processes.map((p, i) => ({ name: p.name, pages: p.pages, cpuAsid: p.cpuAsid, vaBase: p.vaBase ?? defaultVaBase(i) })),
    frames: j.frames,
    options: { ...defaultOptions, ...(j.options ?? {}) },
  };
  const errs = configErrors(config).map((e) => prefix + e);
  return errs.length ? E.left(errs) : E.right(config);
}

/** Read and decode a configuration file; errors name the file and the JSON path. */
export function loadConfigFile(file: string): E.Either<string[], Config> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { return E.left([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]); }
  const parsed = parseJson(text, file);
  return E.isLeft(parsed) ? parsed : decodeConfig(parsed.right, file);
}

/** The JSON form of a config (vaBase as hex strings), for vectors and protocol messages. */
export function encodeConfig(c: Config): ConfigJson {
  return configCodec.encode({ ...c, options: { ...c.options, dmaAccesses: [...c.options.dmaAccesses] }, domains: [...c.domains], devices: [...c.devices], processes: [...c.processes] } as never);
}

/** The configuration called `name`: `configsDir`/<name>.json, or the built-in default for "default" when no such file exists. */
export function configByName(configsDir: string, name: string): E.Either<string[], Config> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return E.left([`configuration name "${name}": expected letters, digits, ".", "_" or "-"`]);
  const file = join(configsDir, `${name}.json`);
  if (existsSync(file)) return loadConfigFile(file);
  return name === 'default' ? E.right(defaultConfig) : E.left([`configuration "${name}": ${file} not found`]);
}
