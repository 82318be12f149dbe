// Named workloads for the realistic cases (smmu-sva simulate --preset NAME). Each is a workload
// JSON value decoded by the same codec as a file, so a preset is also an example of the format
// (smmu-sva simulate --preset NAME --print-workload prints it).
//
// Domains: under stallModel "configurable" the kernel refuses to attach a stalling and a
// non-stalling master to one stage-1 domain (arm_smmu_attach_dev: "cannot attach to stall-%s
// domain", -EINVAL), so the PCIe functions (ATS+PRI, no stall) share dom0 and the platform device
// (stall) has dom1. Devices that share a domain's notifier are PCIe functions.
//
// PRI: presets whose point is PCIe fault-in through PRI set options.priHandling "iopf" (the SVA
// development tree's IOPF), so they keep faulting pages in under --variant upstream (mainline
// denies page requests); the others follow the variant (spec/workload.md, "Presets").

const smmu = { stallModel: 'configurable', btm: true, asidBits: 8 };
const pci = (name: string, domain: number) => ({ name, bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain });
const plat = (name: string, domain: number) => ({ name, bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 20, domain });
const proc = (name: string, pages: number, cpuAsid: number, vaBase: string) => ({ name, pages, cpuAsid, vaBase });

const twoDomains = [{ name: 'dom0', stage: 1 }, { name: 'dom1', stage: 1 }];
/** PCIe page requests resolved through IOPF whatever the variant (the presets about PRI fault-in). */
const priIopf = { priHandling: 'iopf' };

/** Two processes, a PCIe device with ATS+PRI in dom0 and a platform device that stalls in dom1. */
const twoDeviceConfig = (pages: number, frames: number, options?: Record<string, unknown>) => ({
  name: 'stream-2dev',
  smmu,
  domains: twoDomains,
  devices: [pci('0000:00:03.0', 0), plat('dma-plat', 1)],
  processes: [proc('procA', pages, 11, '0x0000ffff860e6000'), proc('procB', pages, 12, '0x0000ffffb9d15000')],
  frames,
  ...(options ? { options } : {}),
});

export interface Preset {
  readonly name: string;
  readonly summary: string;
  readonly workload: Record<string, unknown>;
}

export const presets: readonly Preset[] = [
  {
    name: 'pri-stream',
    summary: 'a PCIe device streams reads and writes over a 1 MiB buffer, faulting it in through ATS+PRI; the process munmaps and remaps part of it mid-stream',
    workload: {
      name: 'pri-stream',
      config: twoDeviceConfig(256, 512, priIopf),
      variant: 'v6-atc',
      seed: 1,
      phases: [
        { enableSva: ['0000:00:03.0'] },
        { bind: [{ device: '0000:00:03.0', process: 'procA' }] },
        { stream: { ops: 200000, jobs: 'bonds', pattern: 'sequential', writes: 0.5, at: [
          { op: 60000, action: { munmap: { process: 'procA', start: 64, end: 128, remap: true } } },
          { op: 140000, action: { munmap: { process: 'procA', start: 0, end: 32, remap: true } } },
        ] } },
        { unbind: [{ device: '0000:00:03.0', process: 'procA' }] },
        { disableSva: ['0000:00:03.0'] },
      ],
    },
  },
  {
    name: 'stall-stream',
    summary: 'a platform device streams over a buffer with fault-in through stall (F_TRANSLATION, CMD_RESUME), random access, munmap+remap',
    workload: {
      name: 'stall-stream',
      config: twoDeviceConfig(256, 512),
      variant: 'v6-atc',
      seed: 2,
      faultDelay: 1,
      phases: [
        { enableSva: ['dma-plat'] },
        { bind: [{ device: 'dma-plat', process: 'procB' }] },
        { stream: { ops: 200000, jobs: 'bonds', pattern: 'random', writes: 0.3, at: [
          { op: 100000, action: { munmap: { process: 'procB', start: 100, end: 200, remap: true } } },
        ] } },
        { unbind: [{ device: 'dma-plat', process: 'procB' }] },
        { disableSva: ['dma-plat'] },
      ],
    },
  },
  {
    name: 'shared-process',
    summary: 'three devices (two PCIe functions sharing dom0\'s notifier, a stalling platform device in dom1) share one process buffer while a second process runs on one of them; munmap+remap while all stream',
    workload: {
      name: 'shared-process',
      config: {
        name: 'shared-3dev', smmu, domains: twoDomains,
        devices: [pci('0000:00:03.0', 0), pci('0000:00:04.0', 0), plat('dma-plat', 1)],
        processes: [proc('procA', 128, 11, '0x0000ffff860e6000'), proc('procB', 128, 12, '0x0000ffffb9d15000')],
        frames: 300,
        options: priIopf,
      },
      variant: 'v6-atc',
      seed: 3,
      faultDelay: 2,
      respondDelay: 1,
      phases: [
        { enableSva: 'all' },
        { bind: { devices: 'all', processes: ['procA'] } },
        { bind: [{ device: '0000:00:04.0', process: 'procB' }] },
        { stream: { ops: 300000, jobs: 'bonds', pattern: 'random', writes: 0.5, at: [
          { op: 50000, action: { munmap: { process: 'procA', start: 0, end: 64, remap: true } } },
          { op: 150000, action: { munmap: { process: 'procA', start: 32, end: 128, remap: true } } },
          { op: 250000, action: { munmap: { process: 'procB', start: 0, end: 128, remap: true } } },
        ] } },
        { unbind: { devices: 'all', processes: ['procA'] } },
        { unbind: [{ device: '0000:00:04.0', process: 'procB' }] },
        { disableSva: 'all' },
      ],
    },
  },
  {
    name: 'exit-mid-stream',
    summary: 'a process exits while two devices keep streaming on it (page requests after release, stalls aborted), the drivers unbind later; another process reuses its frames',
    workload: {
      name: 'exit-mid-stream',
      config: {
        name: 'exit-3dev', smmu, domains: twoDomains,
        devices: [pci('0000:00:03.0', 0), plat('dma-plat', 1), pci('0000:00:04.0', 0)],
        processes: [proc('procA', 64, 11, '0x0000ffff860e6000'), proc('procB', 64, 12, '0x0000ffffb9d15000')],
        frames: 64,
        options: priIopf,
      },
      variant: 'v6-atc',
      seed: 4,
      faultDelay: 2,
      respondDelay: 3,
      phases: [
        { enableSva: 'all' },
        { bind: [{ device: '0000:00:03.0', process: 'procA' }, { device: 'dma-plat', process: 'procA' }, { device: '0000:00:04.0', process: 'procB' }] },
        { touch: { processes: ['procA'] } },
        { stream: { ops: 200000, jobs: 'bonds', pattern: 'random', writes: 0.5, at: [
          { op: 80000, action: { exit: { process: 'procA', unbindAfter: 30000 } } },
        ] } },
        { unbind: [{ device: '0000:00:04.0', process: 'procB' }] },
        { disableSva: 'all' },
      ],
    },
  },
  {
    name: 'unbind-rebind',
    summary: 'a PCIe function unbinds and rebinds a process again and again while another function in its domain (keeping the domain\'s notifier) and a platform device in another domain keep streaming on the same process',
    workload: {
      name: 'unbind-rebind',
      config: {
        name: 'rebind-3dev', smmu, domains: twoDomains,
        devices: [pci('0000:00:03.0', 0), plat('dma-plat', 1), pci('0000:00:04.0', 0)],
        processes: [proc('procA', 64, 11, '0x0000ffff860e6000'), proc('procB', 64, 12, '0x0000ffffb9d15000')],
        frames: 160,
        options: priIopf,
      },
      variant: 'v6-atc',
      seed: 5,
      faultDelay: 1,
      phases: [
        { enableSva: 'all' },
        { bind: { devices: 'all', processes: ['procA'] } },
        { stream: { ops: 200000, jobs: 'bonds', pattern: 'random', writes: 0.5, at: Array.from({ length: 9 }, (_, i) => (
          { op: 10000 + i * 20000, action: { unbind: { device: '0000:00:03.0', process: 'procA', rebindAfter: 5000 } } })) } },
        { unbind: { devices: 'all', processes: ['procA'] } },
        { disableSva: 'all' },
      ],
    },
  },
  {
    name: 'stale-atc',
    summary: 'the v6 bug: a PCIe device caches translations in its ATC, the process munmaps the buffer (no ATC invalidation), another process gets the frames, the device keeps reading',
    workload: {
      name: 'stale-atc',
      config: twoDeviceConfig(32, 40),
      variant: 'v6',
      seed: 6,
      phases: [
        { enableSva: ['0000:00:03.0'] },
        { bind: [{ device: '0000:00:03.0', process: 'procA' }] },
        { touch: { processes: ['procA'] } },
        { stream: { ops: 20000, jobs: 'bonds', pattern: 'sequential', writes: 0, at: [
          { op: 10000, action: { munmap: { process: 'procA', start: 0, end: 32, remap: false } } },
          { op: 10000, action: { touch: { process: 'procB' } } },
        ] } },
        { unbind: [{ device: '0000:00:03.0', process: 'procA' }] },
        { disableSva: ['0000:00:03.0'] },
      ],
    },
  },
  {
    name: 'disable-race',
    summary: 'unbind, disable SVA and free the domain before the notifier\'s SRCU callback ran (no-synchronize shows the callback touching the freed domain)',
    workload: {
      name: 'disable-race',
      config: twoDeviceConfig(16, 32),
      variant: 'no-synchronize',
      seed: 7,
      phases: [
        { enableSva: 'all' },
        { bind: { devices: 'all', processes: 'all' } },
        { stream: { ops: 5000, jobs: 'bonds', pattern: 'random', writes: 0.5 } },
        { drain: {} },
        { unbind: { devices: 'all', processes: 'all' } },
        { disableSva: 'all' },
        { domainFree: 'all' },
        { drain: {} },
      ],
    },
  },
  {
    name: 'hit-stream',
    summary: 'TLB/ATC-hit-dominated: every page resident, two devices stream 5 million DMAs over hot buffers',
    workload: {
      name: 'hit-stream',
      config: twoDeviceConfig(256, 512),
      variant: 'v6-atc',
      seed: 8,
      checkEvery: 1000000,
      phases: [
        { enableSva: 'all' },
        { bind: [{ device: '0000:00:03.0', process: 'procA' }, { device: 'dma-plat', process: 'procB' }] },
        { touch: { processes: 'all' } },
        { stream: { ops: 5000000, jobs: 'bonds', pattern: 'sequential', writes: 0.5 } },
        { unbind: [{ device: '0000:00:03.0', process: 'procA' }, { device: 'dma-plat', process: 'procB' }] },
        { disableSva: 'all' },
      ],
    },
  },
  {
    name: 'scale',
    summary: '64 devices in 4 domains (48 PCIe over dom0-dom2, 16 platform in dom3), 1,024 processes of 1,024 pages (1 Mi pages), 2 million DMAs, munmaps and exits',
    workload: {
      name: 'scale',
      config: { synthetic: { devices: 64, pciDevices: 48, domains: 4, processes: 1024, pages: 1024 } },
      variant: 'v6-atc',
      seed: 9,
      faultDelay: 1,
      checkEvery: 0,
      phases: [
        { enableSva: 'all' },
        { bind: { devices: 'all', processes: 'all', mode: 'roundRobin' } },
        { touch: { processes: 'all', start: 0, end: 512 } },
        { stream: { ops: 2000000, jobs: 'bonds', pattern: 'random', writes: 0.5, at: [
          { op: 500000, action: { munmap: { process: 'proc7', start: 0, end: 256, remap: true } } },
          { op: 1000000, action: { exit: { process: 'proc9', unbindAfter: 100000 } } },
        ] } },
      ],
    },
  },
];

export const presetNames = presets.map((p) => p.name);
