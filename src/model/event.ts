// The event alphabet: what the environment (processes, device drivers, devices, the kernel's
// deferred work) can make happen next. Indices refer to Config.devices / processes / domains.

export type AllocFailurePoint = 'none' | 'bond' | 'notifier';

export type Event =
  /** iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_SVA) */
  | { readonly kind: 'enableSva'; readonly dev: number }
  /** iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_SVA) */
  | { readonly kind: 'disableSva'; readonly dev: number }
  /** iommu_sva_bind_device(dev, mm); `fail` injects a kzalloc failure. */
  | { readonly kind: 'bind'; readonly dev: number; readonly mm: number; readonly fail: AllocFailurePoint }
  /** iommu_sva_unbind_device(handle) for the handle of (dev, mm). */
  | { readonly kind: 'unbind'; readonly dev: number; readonly mm: number }
  /** The CPU faults in a VA page of mm, the page allocator handing out `frame`. */
  | { readonly kind: 'touch'; readonly mm: number; readonly page: number; readonly frame: number }
  /** munmap() of pages [start, end) of mm. */
  | { readonly kind: 'munmap'; readonly mm: number; readonly start: number; readonly end: number }
  /** mmap() bringing a VA page back into a VMA (unmapped until touched). */
  | { readonly kind: 'mmap'; readonly mm: number; readonly page: number }
  /** The process exits: exit_mmap() runs release() on each notifier, then frees its memory. */
  | { readonly kind: 'exit'; readonly mm: number }
  /** The SRCU callback of mmu_notifier_put() for the notifier of (domain, mm). */
  | { readonly kind: 'notifierFree'; readonly domain: number; readonly mm: number }
  /** The last device of a domain is detached and the domain freed (arm_smmu_domain_free). */
  | { readonly kind: 'domainFree'; readonly domain: number }
  /** A device transaction on a PASID (through its ATC when ATS is enabled). */
  | { readonly kind: 'dma'; readonly dev: number; readonly pasid: number; readonly page: number; readonly write: boolean }
  /** A standalone ATS Translation Request (prefetch into the ATC). */
  | { readonly kind: 'atsTranslate'; readonly dev: number; readonly pasid: number; readonly page: number; readonly write: boolean }
  /** The IOPF handler works on the fault (dev, group), choosing `frame` if it faults a page in. */
  | { readonly kind: 'iopfHandle'; readonly dev: number; readonly group: number; readonly frame: number }
  /** The IOPF handler's page response (PRI) or CMD_RESUME (stall) for the fault (dev, group). */
  | { readonly kind: 'iopfRespond'; readonly dev: number; readonly group: number };

export type EventKind = Event['kind'];

export const eventKinds: readonly EventKind[] = [
  'enableSva', 'disableSva', 'bind', 'unbind', 'touch', 'munmap', 'mmap', 'exit',
  'notifierFree', 'domainFree', 'dma', 'atsTranslate', 'iopfHandle', 'iopfRespond',
];
