// The transition invariants of one adapter step, judged on the observations as the engine streams
// them, against its live state: the rules of src/invariants/invariants.ts checkTransition, shared
// by the adapter's TransitionMonitor (counts and details, monitor.ts, which says why the live state
// is the right one for each rule) and the packed explorer's MaskMonitor (a bit mask).
import type { Event } from '../model/event.ts';
import type { Observation } from '../model/observation.ts';
import type { InvariantName } from '../invariants/invariants.ts';
import type { Engine } from './engine.ts';

/** The transition invariant `o` violates, or undefined (O(1) on the live state). */
export function judgeObservation(engine: Engine, o: Observation): InvariantName | undefined {
  const st = engine.st;
  switch (o.kind) {
    case 'dma': {
      const r = o.result;
      if (r.tag !== 'access' && r.tag !== 'translated') return undefined;
      const mm = st.mmOfPasid(o.pasid);
      return mm < 0 || !st.mmAlive[mm] || st.pages[mm]![o.page] !== r.frame ? 'dma-isolation' : undefined;
    }
    case 'event': {
      if (o.event.type !== 'C_BAD_CD') return undefined;
      const mm = st.mmOfPasid(o.event.ssid);
      return mm >= 0 && st.bondOn[o.event.dev * st.nMm + mm] ? 'no-bad-cd-while-bound' : undefined;
    }
    case 'walk':
      return o.mm >= 0 && !st.mmAlive[o.mm] ? 'no-walk-after-exit' : undefined;
    case 'warn':
      return 'refcount-sane';
    case 'bug':
      return 'no-kernel-bug';
    case 'trace': {
      const rec = o.record;
      return rec.tp === 'dev_page_response' && rec.code === 0 && engine.faultAt(rec.dev, rec.group)?.afterRelease ? 'release-answers-invalid' : undefined;
    }
    case 'callback':
      return st.domFreed[o.domain] ? 'no-freed-domain-access' : undefined;
    default:
      return undefined;
  }
}

/**
 * handle-identity around one step: a bind of a (device, mm) already bound must return the same
 * handle with one more reference and allocate no new bond (no `smmu_bind_alloc` trace).
 */
export class BindHandleWatch {
  private refsBefore = -1;
  private allocSeen = false;

  constructor(private readonly engine: Engine) {}

  beforeStep(e: Event): void {
    this.refsBefore = -1;
    if (e.kind !== 'bind') return;
    const st = this.engine.st;
    const k = e.dev * st.nMm + e.mm;
    this.refsBefore = st.bondOn[k] ? st.bondRefs[k]! : -1;
    this.allocSeen = false;
  }

  /** Call with every observation of the step. */
  observe(o: Observation): void {
    if (o.kind === 'trace' && o.record.tp === 'smmu_bind_alloc') this.allocSeen = true;
  }

  /** True when the step was a bind of a bound pair that broke handle identity. */
  afterStep(e: Event): boolean {
    if (e.kind !== 'bind' || this.refsBefore < 0) return false;
    const st = this.engine.st;
    const k = e.dev * st.nMm + e.mm;
    const broken = !st.bondOn[k] || st.bondRefs[k] !== this.refsBefore + 1 || this.allocSeen;
    this.refsBefore = -1;
    return broken;
  }
}
