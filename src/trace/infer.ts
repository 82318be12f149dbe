// Inferring a bounded model configuration from a trace (spec/trace-checker.md, "Inference").
// A first streaming pass feeds every record to an Inference; its memory grows with the number of
// distinct devices, PASIDs and page boundaries in the trace, never with the number of lines.
import { defaultOptions, type Config, type DeviceConfig, type DomainConfig, type ProcessConfig } from '../model/config.ts';
import { boundaries, compressedMap, type AddressMap } from './addressMap.ts';
import type { ConcreteRecord } from './parse.ts';

/** A PCI device name: domain:bus:device.function. */
const pciName = /^[0-9a-fA-F]{4,}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/;

export interface Inferred {
  readonly config: Config;
  readonly addresses: AddressMap;
  /** One line per inference decision, for --verbose and the JSON output. */
  readonly notes: readonly string[];
}

export class Inference {
  private readonly devices: string[] = [];
  private readonly points = new Set<bigint>();
  /** Outstanding bonds per concrete PASID, as the trace's bind/unbind lines count them. */
  private readonly bonds = new Map<number, number>();
  private maxLive = 0;
  /** Devices with an unrecoverable fault record (dev_fault type=1). */
  private readonly unrecoverable = new Set<string>();
  /** Devices with a page request or stall record (dev_fault type=2). */
  private readonly recoverable = new Set<string>();

  constructor(private readonly pageSize: bigint) {}

  feed(r: ConcreteRecord): void {
    if ('dev' in r && !this.devices.includes(r.dev)) this.devices.push(r.dev);
    if (r.tp === 'dev_fault') (r.type === 1 ? this.unrecoverable : this.recoverable).add(r.dev);
    for (const p of boundaries(this.pageSize, r as { tp: string; addr?: bigint; start?: bigint; end?: bigint })) this.points.add(p);
    if (r.tp === 'smmu_bind_alloc') {
      this.bonds.set(r.pasid, (this.bonds.get(r.pasid) ?? 0) + 1);
      let live = 0;
      for (const n of this.bonds.values()) if (n > 0) live++;
      this.maxLive = Math.max(this.maxLive, live);
    } else if (r.tp === 'smmu_unbind_free') {
      const n = (this.bonds.get(r.pasid) ?? 0) - 1;
      if (n <= 0) this.bonds.delete(r.pasid); else this.bonds.set(r.pasid, n);
    }
  }

  result(): Inferred {
    const notes: string[] = [];
    const names = this.devices.length > 0 ? this.devices : ['dev0'];
    // INFER-DOMAIN-START: each device starts in a stage-1 domain of its own; the checker decides per
    // hypothesis, when the device first appears, whether it shares one instead (TRACE-DOMAIN-SHARE)
    const domains: DomainConfig[] = names.map((_, i) => ({ name: `dom${i}`, stage: 1 }));
    let priRequests = false;
    const devices: DeviceConfig[] = names.map((name, i) => {
      const pci = pciName.test(name);
      const where = `domain dom${i}, or one shared with an earlier device that ${pci || this.unrecoverable.has(name) ? 'does not stall' : 'stalls'}`;
      if (this.unrecoverable.has(name)) {
        // INFER-UNRECOV: only a master whose untranslated transactions fault without stalling
        // reports unrecoverable faults: no ATS (no PRI) and no stall
        notes.push(`device ${name}: ${pci ? 'PCIe' : 'platform device'} without ATS, PRI or stall (it has dev_fault type=1 records), ${where}`);
        return { name, bus: pci ? 'pci' : 'platform', ats: false, pri: false, stall: false, ssidBits: 20, domain: i };
      }
      // INFER-DEVICE: PCIe functions cannot stall: a PCI name means ATS+PRI, anything else a stalling platform device
      if (pci && this.recoverable.has(name)) priRequests = true;
      notes.push(`device ${name}: ${pci ? 'PCIe with ATS and PRI (a PCI name)' : 'platform device that stalls (not a PCI name)'}, ${where}`);
      return { name, bus: pci ? 'pci' : 'platform', ats: pci, pri: pci, stall: !pci, ssidBits: 20, domain: i };
    });
    // INFER-PRI: page requests answered by dev_page_response are resolved through IOPF (the SVA
    // development tree); without any, the variant's own PRI handling stays
    const priHandling = priRequests ? 'iopf' : defaultOptions.priHandling;
    if (priRequests) notes.push('PRI page requests resolved through IOPF (options.priHandling "iopf"): the trace has dev_fault type=2 records of a PCIe device');
    const points = [...this.points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const pages = Math.max(1, points.length - 1);
    // INFER-PROCESS: as many process slots as PASIDs bound at once; a slot is recycled for each new PASID lifetime
    const slots = Math.max(1, this.maxLive);
    const vaBase = points[0] ?? 0n;
    const processes: ProcessConfig[] = Array.from({ length: slots }, (_, i) => ({
      name: `proc${i}`,
      pages,
      cpuAsid: domains.length + 1 + i,
      vaBase,
    }));
    notes.push(`${slots} process slot(s) (most PASIDs bound at once), ${pages} model page(s) from ${points.length} page boundaries`);
    // INFER-FRAMES: enough frames that every page of every slot can be mapped at once (no OOM)
    const frames = slots * pages;
    const config: Config = {
      name: 'inferred',
      smmu: { stallModel: 'configurable', btm: true, asidBits: 16 },
      domains,
      devices,
      processes,
      frames,
      options: { ...defaultOptions, remap: true, priHandling },
    };
    return { config, addresses: compressedMap(points.length >= 2 ? points : [vaBase, vaBase + this.pageSize], this.pageSize), notes };
  }
}
