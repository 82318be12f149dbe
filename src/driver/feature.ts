// iommu_dev_enable_feature / iommu_dev_disable_feature(IOMMU_DEV_FEAT_SVA) and domain free.
import { featBtm, hasS1TlbContext, s2Vmid, type Ctx } from '../model/context.ts';
import { stateWith, steWith, type State } from '../model/state.ts';
import { withDomain, withSvaEnabled } from '../model/update.ts';
import { synchronize } from './notifier.ts';
import { atcInvMaster, tlbInvAsid, tlbInvVmall } from '../hardware/commands.ts';

/** DRV-SVA-ENABLE: v6 needs a way to resolve I/O page faults (PRI through IOPF, or stall) and BTM; 5.14 only SSIDs; EBUSY when already on. */
export function enableSva(ctx: Ctx, s: State, dev: number): State {
  const device = ctx.config.devices[dev]!;
  const stallModel = ctx.config.smmu.stallModel;
  // master->stall_enabled: the device can stall and the SMMU has FEAT_STALLS, or stall is forced
  const stallEnabled = stallModel === 'forced' || (stallModel === 'configurable' && device.stall);
  const iopfCapable = !ctx.traits.svaRequiresIopf || (device.ats && device.pri && ctx.traits.priHandling === 'iopf') || stallEnabled;
  const btmMissing = ctx.traits.requiresBtm && ctx.config.options.enforceBtmRequirement && !featBtm(ctx.config, ctx.traits);
  if (!iopfCapable || btmMissing) {
    ctx.out.push({ kind: 'return', result: { tag: 'error', errno: 'ENODEV' } });
    return s;
  }
  // DRV-SVA-ENABLE: arm_smmu_dev_enable_feature checks arm_smmu_dev_feature_enabled after dev_has_feature
  if (s.svaEnabled[dev]) {
    ctx.out.push({ kind: 'return', result: { tag: 'error', errno: 'EBUSY' } });
    return s;
  }
  ctx.out.push({ kind: 'return', result: { tag: 'ok' } });
  return withSvaEnabled(s, dev, true);
}

/**
 * DRV-SVA-DISABLE: EINVAL when SVA is off; upstream refuses while the master has bonds (EBUSY); v6
 * waits for pending notifier frees (mmu_notifier_synchronize) because their ops live in the domain.
 */
export function disableSva(ctx: Ctx, s0: State, dev: number): State {
  // DRV-SVA-DISABLE: arm_smmu_dev_disable_feature returns -EINVAL unless the feature is enabled
  if (!s0.svaEnabled[dev]) {
    ctx.out.push({ kind: 'return', result: { tag: 'error', errno: 'EINVAL' } });
    return s0;
  }
  if (ctx.traits.disableChecksBonds && s0.bonds.some((b) => b.dev === dev)) {
    ctx.out.push({ kind: 'return', result: { tag: 'error', errno: 'EBUSY' } });
    return s0;
  }
  let s = withSvaEnabled(s0, dev, false);
  if (ctx.traits.synchronizeOnDisable) s = synchronize(ctx, s);
  ctx.out.push({ kind: 'return', result: { tag: 'ok' } });
  return s;
}

/**
 * DRV-DOMAIN-FREE: detach the domain's devices (arm_smmu_detach_dev: ATS disabled and the whole ATC
 * invalidated, then the STE made abort) and free the domain with its CD table.
 */
export function domainFree(ctx: Ctx, s0: State, domain: number): State {
  let s = s0;
  for (let dev = 0; dev < s0.ste.length; dev++) {
    const e = s0.ste[dev]!;
    if (e.config === 'translate' && e.domain === domain && e.eats) s = atcInvMaster(ctx, s, dev);
  }
  // DRV-DOMAIN-FREE: free_io_pgtable_ops() flushes the finalised stage-1 domain's TLB context (arm_smmu_tlb_inv_context)
  const asid = s0.domains[domain]!.privateAsid;
  if (asid > 0 && hasS1TlbContext(ctx.config, domain)) s = tlbInvAsid(ctx, s, asid);
  // DRV-DOMAIN-FREE: a finalised stage-2 domain's TLB context is flushed by VMID
  const vmid = s2Vmid(ctx.config, domain);
  if (vmid > 0) s = tlbInvVmall(ctx, s, vmid);
  const ste = s.ste.map((e) => (e.config === 'translate' && e.domain === domain ? steWith(e, { config: 'abort', eats: false }) : e));
  return withDomain(stateWith(s, { ste }), domain, { freed: true, privateAsid: 0, cds: [] });
}
