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

  constructor(private readonly pageSize: bigint) {}

  feed(r: ConcreteRecord): void {
    if ('dev' in r && !this.devices.includes(r.dev)) this.devices.push(r.dev);
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
    // INFER-DOMAIN: each device in its own stage-1 domain (Linux's default domain per IOMMU group)
    const domains: DomainConfig[] = names.map((_, i) => ({ name: `dom${i}`, stage: 1 }));
    const devices: DeviceConfig[] = names.map((name, i) => {
      // INFER-DEVICE: PCIe functions cannot stall: a PCI name means ATS+PRI, anything else a stalling platform device
      const pci = pciName.test(name);
      notes.push(`device ${name}: ${pci ? 'PCIe with ATS and PRI (a PCI name)' : 'platform device that stalls (not a PCI name)'}, own domain dom${i}`);
      return { name, bus: pci ? 'pci' : 'platform', ats: pci, pri: pci, stall: !pci, ssidBits: 20, domain: i };
    });
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
      options: { ...defaultOptions, remap: true },
    };
    return { config, addresses: compressedMap(points.length >= 2 ? points : [vaBase, vaBase + this.pageSize], this.pageSize), notes };
  }
}
