// What a transition monitor reads of an adapter step, handed over as plain arguments instead of
// Observation objects: the Engine's watch() mode. At each point below the Engine calls the watch
// exactly where, in mode 'stream', it would emit the matching observation, so the live Store is
// the same as it would be then (src/adapter/monitor.ts says, for each transition invariant, why
// that state is the right one). Nothing else is reported in this mode and nothing is allocated
// for it: the packed explorer's monitor (src/explorer/packed/monitor.ts) needs no more (what
// building the observations cost it: docs/performance.md, "Observations the monitor does not
// read").

export interface StepWatch {
  /** A DMA or an ATS translation completed (kind 'dma'): its result code (counters.ts R_*) and, for an access or a translation, the frame (else -1). */
  dma(dev: number, pasid: number, page: number, code: number, frame: number): void;
  /** The SMMU recorded C_BAD_CD (kind 'event') for `ssid` of `dev`. */
  badCd(dev: number, ssid: number): void;
  /** A table walk through a CD whose table base is `mm` (kind 'walk'). */
  walk(mm: number): void;
  /** A WARN (kind 'warn'). */
  warn(): void;
  /** A BUG (kind 'bug'). */
  bug(): void;
  /** The smmu_bind_alloc trace record: a bond was allocated. */
  bindAlloc(): void;
  /** The dev_page_response trace record, before the fault it answers is removed. */
  pageResponse(dev: number, code: number, group: number): void;
  /** A notifier callback ran for `domain` (kind 'callback'). */
  callback(domain: number): void;
}
