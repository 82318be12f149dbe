// What a step makes observable: trace records, hardware events, commands, DMA outcomes,
// API return codes and kernel warnings.

/** The seed's tracepoints (four driver tracepoints and include/trace/events/iommu.h). */
export type TraceRecord =
  | { readonly tp: 'smmu_bind_alloc'; readonly dev: number; readonly pasid: number }
  | { readonly tp: 'smmu_unbind_free'; readonly dev: number; readonly pasid: number }
  | { readonly tp: 'smmu_mm_invalidate'; readonly mm: number; readonly pasid: number; readonly start: number; readonly end: number }
  | { readonly tp: 'smmu_mm_release'; readonly mm: number; readonly pasid: number }
  | {
      readonly tp: 'dev_fault';
      readonly dev: number;
      /** 1 unrecoverable DMA fault (IOMMU_FAULT_DMA_UNRECOV), 2 page request (IOMMU_FAULT_PAGE_REQ). */
      readonly type: 1 | 2;
      readonly reason: number;
      readonly mm: number;
      readonly page: number;
      readonly pasid: number;
      readonly group: number;
      /** bit 0 PASID valid, bit 1 last page in group, bit 2 private data. */
      readonly flags: number;
      /** bit 0 read, bit 1 write, bit 2 exec, bit 3 privileged. */
      readonly prot: number;
    }
  | {
      readonly tp: 'dev_page_response';
      readonly dev: number;
      /** 0 success, 1 invalid request, 2 failure. */
      readonly code: 0 | 1 | 2;
      readonly pasid: number;
      readonly group: number;
    };

/** SMMU event queue records (IHI 0070, 7.3). */
export type HwEvent =
  | { readonly type: 'C_BAD_CD'; readonly code: 0x0a; readonly dev: number; readonly ssid: number }
  | {
      readonly type: 'F_TRANSLATION';
      readonly code: 0x10;
      readonly dev: number;
      readonly ssid: number;
      readonly page: number;
      readonly write: boolean;
      readonly stall: boolean;
      /** STAG when stall is set, else -1. */
      readonly stag: number;
    };

/** SMMU command queue entries (IHI 0070, 4). */
export type Command =
  | { readonly op: 'CMD_CFGI_CD'; readonly dev: number; readonly ssid: number }
  | { readonly op: 'CMD_TLBI_NH_ASID'; readonly asid: number }
  /** Invalidate every stage-1 and stage-2 TLB entry of a VMID (HW-CMD-TLBI-S12-VMALL). */
  | { readonly op: 'CMD_TLBI_S12_VMALL'; readonly vmid: number }
  | { readonly op: 'CMD_TLBI_NH_VA'; readonly asid: number; readonly page: number }
  /** pages = [] means the whole PASID (size 0 in arm_smmu_atc_inv_domain). */
  | { readonly op: 'CMD_ATC_INV'; readonly dev: number; readonly ssid: number; readonly start: number; readonly end: number }
  | { readonly op: 'CMD_SYNC' }
  | { readonly op: 'CMD_RESUME'; readonly dev: number; readonly stag: number; readonly action: 'retry' | 'abort' }
  | { readonly op: 'CMD_PRI_RESP'; readonly dev: number; readonly ssid: number; readonly prgi: number; readonly code: 0 | 1 | 2 };

/** How a device transaction ended. */
export type DmaResult =
  | { readonly tag: 'access'; readonly frame: number; readonly via: 'atc' | 'tlb' | 'walk' }
  | { readonly tag: 'translated'; readonly frame: number; readonly via: 'tlb' | 'walk' }
  | { readonly tag: 'noAccess' }
  | { readonly tag: 'pageRequest'; readonly prgi: number }
  | { readonly tag: 'stalled'; readonly stag: number }
  | { readonly tag: 'aborted' }
  | { readonly tag: 'unsupportedRequest' }
  | { readonly tag: 'completerAbort' };

export type Errno = 'ENODEV' | 'EINVAL' | 'ENOSPC' | 'ENOMEM' | 'EBUSY';

export type ApiResult =
  | { readonly tag: 'ok' }
  | { readonly tag: 'handle'; readonly dev: number; readonly mm: number; readonly pasid: number }
  | { readonly tag: 'error'; readonly errno: Errno };

export type Observation =
  | { readonly kind: 'trace'; readonly record: TraceRecord }
  | { readonly kind: 'event'; readonly event: HwEvent }
  | { readonly kind: 'cmd'; readonly cmd: Command }
  | { readonly kind: 'dma'; readonly dev: number; readonly pasid: number; readonly page: number; readonly write: boolean; readonly result: DmaResult }
  /** The SMMU walked TTB0 of process mm (a read of its page tables). */
  | { readonly kind: 'walk'; readonly dev: number; readonly mm: number; readonly page: number }
  /** A notifier callback ran; it reads the ops and data of `domain`. */
  | { readonly kind: 'callback'; readonly op: 'invalidate_range' | 'release' | 'free_notifier'; readonly domain: number; readonly mm: number }
  | { readonly kind: 'return'; readonly result: ApiResult }
  /** A kernel WARN (refcount_t saturation messages and the like). */
  | { readonly kind: 'warn'; readonly message: string }
  /** A kernel BUG: the task oopses in the middle of the step (INV-NO-KERNEL-BUG). */
  | { readonly kind: 'bug'; readonly message: string };
