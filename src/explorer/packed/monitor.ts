// The transition invariants of one adapter step as a bit mask (expand.ts invariantBit), judged on
// what the engine tells its watch (src/adapter/watch.ts; engine.watch(monitor)) where it would
// emit each observation: the rules of src/adapter/monitor.ts (TransitionMonitor, which judges the
// streamed observations themselves and says why the live state is the right one for each),
// without details or counts. The details of a reported violation come from the reducer's replay.
import type { Event } from '../../model/event.ts';
import type { Engine } from '../../adapter/engine.ts';
import type { StepWatch } from '../../adapter/watch.ts';
import { R_ACCESS_ATC, R_ACCESS_TLB, R_ACCESS_WALK, R_COMPLETER_ABORT, R_TRANSLATED_TLB, R_TRANSLATED_WALK } from '../../adapter/counters.ts';
import { invariantBit } from '../expand.ts';

const B_HANDLE = invariantBit.get('handle-identity')!;
const B_DMA = invariantBit.get('dma-isolation')!;
const B_BAD_CD = invariantBit.get('no-bad-cd-while-bound')!;
const B_WALK = invariantBit.get('no-walk-after-exit')!;
const B_REFCOUNT = invariantBit.get('refcount-sane')!;
const B_BUG = invariantBit.get('no-kernel-bug')!;
const B_RELEASE = invariantBit.get('release-answers-invalid')!;
const B_FREED = invariantBit.get('no-freed-domain-access')!;

export class MaskMonitor implements StepWatch {
  /** Violations of the current step. */
  mask = 0;
  private bindBefore = -1;
  private bindAllocSeen = false;

  constructor(private readonly engine: Engine) {}

  beforeStep(e: Event): void {
    this.mask = 0;
    this.bindBefore = -1;
    if (e.kind !== 'bind') return;
    const st = this.engine.st;
    const k = e.dev * st.nMm + e.mm;
    this.bindBefore = st.bondOn[k] ? st.bondRefs[k]! : -1;
    this.bindAllocSeen = false;
  }

  afterStep(e: Event): void {
    if (e.kind !== 'bind' || this.bindBefore < 0) return;
    const st = this.engine.st;
    const k = e.dev * st.nMm + e.mm;
    if (!st.bondOn[k] || st.bondRefs[k] !== this.bindBefore + 1 || this.bindAllocSeen) this.mask |= B_HANDLE;
  }

  dma(dev: number, pasid: number, page: number, code: number, frame: number): void {
    const st = this.engine.st;
    if (code === R_COMPLETER_ABORT) {
      const mm = st.mmOfPasid(pasid);
      if (mm >= 0 && st.bondOn[dev * st.nMm + mm]) this.mask |= B_BAD_CD;
      return;
    }
    if (code !== R_ACCESS_ATC && code !== R_ACCESS_TLB && code !== R_ACCESS_WALK && code !== R_TRANSLATED_TLB && code !== R_TRANSLATED_WALK) return;
    const mm = st.mmOfPasid(pasid);
    if (mm < 0 || !st.mmAlive[mm] || st.pages[mm]![page] !== frame) this.mask |= B_DMA;
  }

  badCd(dev: number, ssid: number): void {
    const st = this.engine.st;
    const mm = st.mmOfPasid(ssid);
    if (mm >= 0 && st.bondOn[dev * st.nMm + mm]) this.mask |= B_BAD_CD;
  }

  walk(mm: number): void {
    if (mm >= 0 && !this.engine.st.mmAlive[mm]) this.mask |= B_WALK;
  }

  warn(): void {
    this.mask |= B_REFCOUNT;
  }

  bug(): void {
    this.mask |= B_BUG;
  }

  bindAlloc(): void {
    this.bindAllocSeen = true;
  }

  pageResponse(dev: number, code: number, group: number): void {
    if (code === 0 && this.engine.faultAt(dev, group)?.afterRelease) this.mask |= B_RELEASE;
  }

  callback(domain: number): void {
    if (this.engine.st.domFreed[domain]) this.mask |= B_FREED;
  }
}
