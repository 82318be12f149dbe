// Context descriptors: the CD writer (the seed's __arm_smmu_write_ctx_desc(), mainline arm_smmu_write_ctx_desc()) and the CD legality rules of IHI 0070.
import type { Config } from '../model/config.ts';
import type { Ctx } from '../model/context.ts';
import { insertSorted, removeAt, replaceAt } from '../model/sorted.ts';
import { cdAt } from '../model/queries.ts';
import { withDomain } from '../model/update.ts';
import { cdWith, TTB0_PRIVATE, type Cd, type CdSlot, type State } from '../model/state.ts';
import { cfgiCd } from './commands.ts';

/** What the driver writes into the CD at one SSID. */
export type CdWrite =
  | { readonly tag: 'install'; readonly asid: number; readonly ttb0: number }
  | { readonly tag: 'quiesce' }
  | { readonly tag: 'quiesceClearSR' }
  | { readonly tag: 'clearValid' }
  | { readonly tag: 'remove' };

/** HW-CD-S: CD.S is set when STALL_MODEL is forced, or when it is configurable and a device of the domain stalls. */
export function cdStallBit(config: Config, domain: number): boolean {
  const { stallModel } = config.smmu;
  if (stallModel === 'forced') return true;
  if (stallModel === 'none') return false;
  return config.devices.some((d) => d.domain === domain && d.stall);
}

/**
 * HW-CD-LEGAL: a CD is ILLEGAL with S=1 under STALL_MODEL 0b01, with S=0 under 0b10, and with S=1
 * reached through an STE with S1STALLD=1 under 0b00 (IHI 0070 G.b 5.5; CdIllegal() in 5.4.2).
 */
export function cdLegal(config: Config, cd: Cd, steS1stalld: boolean): boolean {
  const { stallModel } = config.smmu;
  if (stallModel === 'forced' && !cd.s) return false;
  if (stallModel === 'none' && cd.s) return false;
  if (stallModel === 'configurable' && cd.s && steS1stalld) return false;
  return true;
}

const bySsid = (a: CdSlot, b: CdSlot) => a.ssid - b.ssid;

/** DRV-CD-WRITE: the five cases of the CD writer (seed __arm_smmu_write_ctx_desc, mainline arm_smmu_write_ctx_desc), each followed by arm_smmu_sync_cd (an install of a CD that is not live syncs twice). */
export function writeCtxDesc(ctx: Ctx, s: State, domain: number, ssid: number, w: CdWrite): State {
  const dom = s.domains[domain]!;
  const i = dom.cds.findIndex((c) => c.ssid === ssid);
  const old = i >= 0 ? dom.cds[i]!.cd : undefined;
  const live = old !== undefined && old.v;
  let cds: readonly CdSlot[];
  switch (w.tag) {
    case 'remove': // (5) remove a secondary CD
    case 'clearValid': // the naive release: V=0 (the whole first word cleared)
      cds = i >= 0 ? removeAt(dom.cds, i) : dom.cds;
      break;
    case 'quiesce': // (4) keep V, set EPD0
      cds = old ? replaceAt(dom.cds, i, { ssid, cd: cdWith(old, { epd0: true }) }) : dom.cds;
      break;
    case 'quiesceClearSR': // v5: EPD0 and clear S and R
      cds = old ? replaceAt(dom.cds, i, { ssid, cd: cdWith(old, { epd0: true, s: false, r: false }) }) : dom.cds;
      break;
    case 'install':
      if (live) {
        // (3) update the ASID of a live CD; every other field (EPD0 included) is left as it is
        cds = replaceAt(dom.cds, i, { ssid, cd: cdWith(old, { asid: w.asid }) });
      } else {
        // (1)/(2) install a CD: words 1-3 first, synced, then word 0 with V=1 (synced below);
        // translation enabled, R and A set, S per stall configuration, ASET only for a private CD
        cfgiCd(ctx, s, domain, ssid);
        const cd: Cd = { v: true, epd0: false, r: true, s: cdStallBit(ctx.config, domain), a: true, aset: w.ttb0 === TTB0_PRIVATE, asid: w.asid, ttb0: w.ttb0 };
        cds = i >= 0 ? replaceAt(dom.cds, i, { ssid, cd }) : insertSorted(dom.cds, { ssid, cd }, bySsid);
      }
      break;
  }
  cfgiCd(ctx, s, domain, ssid);
  return withDomain(s, domain, { cds });
}
