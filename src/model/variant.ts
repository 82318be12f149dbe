// Driver variants as data: each field is one decision point where the variants differ
// (spec/variants.md). The code has one path, switched on these traits.

export const variantNames = [
  'v6', 'v6-atc', 'upstream', 'release-clears-valid', 'release-clears-sr', 'release-skips-tlbi', 'no-synchronize',
] as const;
export type VariantName = (typeof variantNames)[number];

export interface VariantTraits {
  readonly name: VariantName;
  readonly summary: string;
  /** invalidate_range() and unbind send CMD_ATC_INV (v6: TODO). */
  readonly atcInvalidation: boolean;
  /** What release() writes to the CD: quiesce (EPD0=1), clear V, or quiesce and clear S and R (v5). */
  readonly releaseCd: 'quiesce' | 'clearValid' | 'quiesceClearSR';
  /** release() sends CMD_TLBI_NH_ASID for the mm's ASID. */
  readonly releaseTlbi: boolean;
  /** DRV-MN-LOOKUP: where bind() looks for a notifier to reuse: the mm's notifier list
   *  (mmu_notifier_get(), emptied by exit_mmap()) or the domain's own list (5.11). */
  readonly notifierLookup: 'mmList' | 'domainList';
  /** DRV-BIND: bind() gets the notifier before it allocates the bond and the PASID, and puts it
   *  again on their error paths (DRV-BIND-ERR-PUT), or only after both (5.11). */
  readonly notifierGet: 'beforeBond' | 'afterPasid';
  /** DRV-MN-GET: a fresh notifier's kzalloc comes before the ctx desc (the seed's
   *  arm_smmu_mmu_notifier_alloc) or after it (5.11 arm_smmu_mmu_notifier_get), so that a failed
   *  kzalloc leaves what arm_smmu_share_asid did behind. */
  readonly notifierAlloc: 'notifierFirst' | 'ctxDescFirst';
  /** DRV-BIND-CD: the CD at SSID = PASID is written on every new bond, or once, when a fresh
   *  notifier is created (5.11). */
  readonly cdWrite: 'everyBond' | 'freshNotifier';
  /** DRV-MN-FREE: the notifier ops are embedded in the domain, so the SRCU free callback reads
   *  the domain, or static (5.11). */
  readonly notifierOps: 'inDomain' | 'static';
  /** DRV-CD-FREE: the notifier's ctx desc reference is dropped in the SRCU free callback, or at
   *  put (DRV-MN-PUT, 5.11). */
  readonly ctxDescPut: 'srcuCallback' | 'notifierPut';
  /** MEM-BTM: the driver enables broadcast TLB maintenance on an SMMU with BTM: sets
   *  ARM_SMMU_FEAT_BTM and clears SMMU_CR2.PTM (the series' v6 14/25, never merged; mainline
   *  always sets PTM). FEAT_BTM = btmEnabled && smmu.btm (featBtm in context.ts). */
  readonly btmEnabled: boolean;
  /** invalidate_range() sends CMD_TLBI_NH_VA per page when the driver has no FEAT_BTM. */
  readonly tlbRangeWithoutBtm: boolean;
  /** Enabling SVA requires FEAT_BTM (the v6 series). */
  readonly requiresBtm: boolean;
  /** Enabling SVA requires a way to resolve I/O page faults: PRI resolved through IOPF, or stall
   *  (the v6 series: "SSID and IOPF support are mandatory"); Linux 5.14 enables SVA on any master
   *  with SSIDs and leaves faults of masters without IOPF to device-specific handlers. */
  readonly svaRequiresIopf: boolean;
  /** disable_sva fails with EBUSY while the master has bonds. */
  readonly disableChecksBonds: boolean;
  /** disable_sva calls mmu_notifier_synchronize(). */
  readonly synchronizeOnDisable: boolean;
  /** What the driver does with a PCIe page request: resolve it through IOPF (the out-of-tree SVA
   *  development tree the seed's traces come from) or deny it (mainline arm_smmu_handle_ppr).
   *  options.priHandling overrides it per configuration. */
  readonly priHandling: 'iopf' | 'deny';
}

const v6: VariantTraits = {
  name: 'v6',
  summary: 'the seed, v6 17/25, as written',
  atcInvalidation: false,
  releaseCd: 'quiesce',
  releaseTlbi: true,
  notifierLookup: 'mmList',
  notifierGet: 'beforeBond',
  notifierAlloc: 'notifierFirst',
  cdWrite: 'everyBond',
  notifierOps: 'inDomain',
  ctxDescPut: 'srcuCallback',
  btmEnabled: true,
  tlbRangeWithoutBtm: false,
  requiresBtm: true,
  svaRequiresIopf: true,
  disableChecksBonds: false,
  synchronizeOnDisable: true,
  priHandling: 'iopf',
};

export const variants: Readonly<Record<VariantName, VariantTraits>> = {
  v6,
  'v6-atc': { ...v6, name: 'v6-atc', summary: 'v6 plus the series\' next patch: ATC invalidation in invalidate_range, release and unbind', atcInvalidation: true },
  upstream: {
    name: 'upstream',
    summary: 'mainline Linux 5.14: per-domain notifier list (5.11), TLB range invalidation (5.12; BTM never enabled), stall-only IOPF (5.14), PRI page requests denied',
    atcInvalidation: true,
    releaseCd: 'quiesce',
    releaseTlbi: true,
    notifierLookup: 'domainList',
    notifierGet: 'afterPasid',
    notifierAlloc: 'ctxDescFirst',
    cdWrite: 'freshNotifier',
    notifierOps: 'static',
    ctxDescPut: 'notifierPut',
    btmEnabled: false,
    tlbRangeWithoutBtm: true,
    requiresBtm: false,
    svaRequiresIopf: false,
    disableChecksBonds: true,
    synchronizeOnDisable: false,
    priHandling: 'deny',
  },
  'release-clears-valid': { ...v6, name: 'release-clears-valid', summary: 'the naive release: clear CD.V', atcInvalidation: true, releaseCd: 'clearValid' },
  'release-clears-sr': { ...v6, name: 'release-clears-sr', summary: 'the v5 release: EPD0=1 and S=R=0', atcInvalidation: true, releaseCd: 'quiesceClearSR' },
  'release-skips-tlbi': { ...v6, name: 'release-skips-tlbi', summary: 'release() relies on invalidate_range alone (no TLBI)', atcInvalidation: true, releaseTlbi: false },
  'no-synchronize': { ...v6, name: 'no-synchronize', summary: 'disable_sva without mmu_notifier_synchronize()', atcInvalidation: true, synchronizeOnDisable: false },
};

export function isVariantName(s: string): s is VariantName {
  return (variantNames as readonly string[]).includes(s);
}
