// The transition invariants of one adapter step as a bit mask (expand.ts invariantBit), judged on
// the observations as the engine streams them: the rules of src/adapter/monitor.ts
// (TransitionMonitor, which says why the live state is the right one for each), without details
// or counts. The details of a reported violation come from the reducer's replay.
import type { Event } from '../../model/event.ts';
import type { Observation } from '../../model/observation.ts';
import type { Engine } from '../../adapter/engine.ts';
import { invariantBit } from '../expand.ts';

const B_HANDLE = invariantBit.get('handle-identity')!;
const B_DMA = invariantBit.get('dma-isolation')!;
const B_BAD_CD = invariantBit.get('no-bad-cd-while-bound')!;
const B_WALK = invariantBit.get('no-walk-after-exit')!;
const B_REFCOUNT = invariantBit.get('refcount-sane')!;
const B_BUG = invariantBit.get('no-kernel-bug')!;
const B_RELEASE = invariantBit.get('release-answers-invalid')!;
const B_FREED = invariantBit.get('no-freed-domain-access')!;

export class MaskMonitor {
  /** Violations of the current step. */
  mask = 0;
  private bindBefore = -1;
  private bindAllocSeen = false;
  readonly sink: (o: Observation) => void;

  constructor(private readonly engine: Engine) {
    this.sink = (o) => this.observe(o);
  }

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

  observe(o: Observation): void {
    const st = this.engine.st;
    switch (o.kind) {
      case 'dma': {
        const r = o.result;
        if (r.tag === 'completerAbort') {
          const mm = st.mmOfPasid(o.pasid);
          if (mm >= 0 && st.bondOn[o.dev * st.nMm + mm]) this.mask |= B_BAD_CD;
          return;
        }
        if (r.tag !== 'access' && r.tag !== 'translated') return;
        const mm = st.mmOfPasid(o.pasid);
        if (mm < 0 || !st.mmAlive[mm] || st.pages[mm]![o.page] !== r.frame) this.mask |= B_DMA;
        return;
      }
      case 'event': {
        if (o.event.type !== 'C_BAD_CD') return;
        const mm = st.mmOfPasid(o.event.ssid);
        if (mm >= 0 && st.bondOn[o.event.dev * st.nMm + mm]) this.mask |= B_BAD_CD;
        return;
      }
      case 'walk':
        if (o.mm >= 0 && !st.mmAlive[o.mm]) this.mask |= B_WALK;
        return;
      case 'warn':
        this.mask |= B_REFCOUNT;
        return;
      case 'bug':
        this.mask |= B_BUG;
        return;
      case 'trace': {
        const rec = o.record;
        if (rec.tp === 'smmu_bind_alloc') this.bindAllocSeen = true;
        if (rec.tp === 'dev_page_response' && rec.code === 0 && this.engine.faultAt(rec.dev, rec.group)?.afterRelease) this.mask |= B_RELEASE;
        return;
      }
      case 'callback':
        if (st.domFreed[o.domain]) this.mask |= B_FREED;
        return;
      default:
        return;
    }
  }
}
