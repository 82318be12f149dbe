// The bounded configuration a model run is parameterised by (spec/configuration.md).

/** SMMU_IDR0.STALL_MODEL: 0b00 configurable, 0b01 no stall, 0b10 stall forced (IHI 0070, 6.3.1). */
export type StallModel = 'configurable' | 'none' | 'forced';

export interface SmmuConfig {
  readonly stallModel: StallModel;
  /** Broadcast TLB maintenance: CPU TLBIs also invalidate the SMMU TLB. */
  readonly btm: boolean;
  /** ASIDs live in [1, 2^asidBits - 1]; 0 is reserved (arm_smmu_asid_xa is XA_FLAGS_ALLOC1). */
  readonly asidBits: number;
}

export interface DomainConfig {
  readonly name: string;
  /** Only stage-1 domains have a CD table and can hold SVA contexts. */
  readonly stage: 1 | 2;
}

export interface DeviceConfig {
  /** Device name as printed by the kernel, e.g. 0000:00:03.0. */
  readonly name: string;
  readonly bus: 'pci' | 'platform';
  /** The device has an ATC and the driver enables ATS for it (STE.EATS). */
  readonly ats: boolean;
  /** PCIe PRI: the device sends page requests after a failed ATS translation. */
  readonly pri: boolean;
  /** The device tolerates stalled transactions (STE.S1STALLD = 0). */
  readonly stall: boolean;
  /** SubstreamID width: PASIDs usable by the device are [1, 2^ssidBits - 1]. */
  readonly ssidBits: number;
  /** Index into Config.domains: the domain the device is attached to at start. */
  readonly domain: number;
}

export interface ProcessConfig {
  readonly name: string;
  /** Number of VA pages the process may map (all in a VMA at start). */
  readonly pages: number;
  /** The CPU ASID of the mm (pinned while a ctx desc holds it). */
  readonly cpuAsid: number;
  /** Virtual address of page 0, used only to print traces. */
  readonly vaBase: bigint;
}

export interface ModelOptions {
  /** Let a driver bind an mm it only holds by reference after the process exited (MODEL-BRIEF). */
  readonly bindAfterExit: boolean;
  /** Enumerate bind attempts whose kzalloc of the bond or notifier fails (ENOMEM). */
  readonly allocFailure: boolean;
  /** v6 requires BTM for SVA (series patch "Check for SVA features"); false lets v6 run without BTM. */
  readonly enforceBtmRequirement: boolean;
  /** Caller contract: device drivers unbind every bond before disabling SVA (false: they may not). */
  readonly strictDisable: boolean;
  /** Largest bond refcount the explorer drives (bounds the state space; the model itself has no limit). */
  readonly maxBondRefs: number;
  /** DMA accesses the explorer enumerates. */
  readonly dmaAccesses: readonly ('read' | 'write')[];
  /** Enumerate the standalone ATS Translation Request (prefetch without access). */
  readonly atsPrefetch: boolean;
  /** Enumerate mmap() of an unmapped VA page (re-adding it to a VMA). */
  readonly remap: boolean;
  /** PCIe page requests: resolved through IOPF (the SVA development tree), denied (mainline), or
   *  as the variant does ('variant': v6 family IOPF, upstream deny). */
  readonly priHandling: 'variant' | 'iopf' | 'deny';
  /** What a range invalidation from invalidate_range() covers (DRV-MN-RANGE-SPAN): the exact pages
   *  (the model's abstraction), or the kernel's encoding, fixed ('span') or with v6 18/25 to 5.17's
   *  size = end - start + 1 ('span-plus-one'). */
  readonly rangeInvalidation: RangeInvalidation;
}

export type RangeInvalidation = 'exact' | 'span' | 'span-plus-one';

export interface Config {
  readonly name: string;
  readonly smmu: SmmuConfig;
  readonly domains: readonly DomainConfig[];
  readonly devices: readonly DeviceConfig[];
  readonly processes: readonly ProcessConfig[];
  /** Physical frames shared by all processes, reused once freed. */
  readonly frames: number;
  readonly options: ModelOptions;
}

export const defaultOptions: ModelOptions = {
  bindAfterExit: false,
  allocFailure: false,
  enforceBtmRequirement: true,
  strictDisable: true,
  maxBondRefs: 2,
  dmaAccesses: ['write'],
  atsPrefetch: false,
  remap: false,
  priHandling: 'variant',
  rangeInvalidation: 'exact',
};

/**
 * The seed's setup at full width: one PCIe device with ATS+PRI and one platform device that stalls,
 * each in a stage-1 domain of its own (the kernel refuses to mix stalling and non-stalling masters
 * in one domain, spec/configuration.md); two processes of two pages, three frames. Exhaustive for
 * all seven variants in about 6-7 minutes on two cores with partial-order reduction (spec/explorer.md,
 * "Configurations"); explore it with --max-states for a prefix, or simulate on it.
 */
export const seedWideConfig: Config = {
  name: 'seed-wide',
  smmu: { stallModel: 'configurable', btm: true, asidBits: 8 },
  domains: [{ name: 'dom0', stage: 1 }, { name: 'dom1', stage: 1 }],
  devices: [
    { name: '0000:00:03.0', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 },
    { name: 'dma-plat', bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 20, domain: 1 },
  ],
  processes: [
    { name: 'procA', pages: 2, cpuAsid: 11, vaBase: 0x0000ffff860e6000n },
    { name: 'procB', pages: 2, cpuAsid: 12, vaBase: 0x0000ffffb9d15000n },
  ],
  frames: 3,
  options: defaultOptions,
};

/**
 * The built-in default: the seed's setup bounded so that the explorer covers every
 * reachable state of every variant: the same SMMU, domain, devices and processes as seedWideConfig,
 * one page per process, two frames (so a freed frame can be handed to the other process while the
 * first is still in use), and a bond reference count up to 2.
 */
export const defaultConfig: Config = {
  ...seedWideConfig,
  name: 'default',
  processes: seedWideConfig.processes.map((p) => ({ ...p, pages: 1 })),
  frames: 2,
};

export const pageSize = 4096n;
