// The transition invariants of one adapter step as a bit mask (expand.ts invariantBit), judged on
// the observations as the engine streams them by the rules the adapter's TransitionMonitor uses
// (src/adapter/judge.ts; src/adapter/monitor.ts says why the live state is the right one for
// each), without details or counts. The details of a reported violation come from the reducer's
// replay.
import type { Event } from '../../model/event.ts';
import type { Observation } from '../../model/observation.ts';
import type { Engine } from '../../adapter/engine.ts';
import { BindHandleWatch, judgeObservation } from '../../adapter/judge.ts';
import { invariantBit } from '../expand.ts';

const B_HANDLE = invariantBit.get('handle-identity')!;

export class MaskMonitor {
  /** Violations of the current step. */
  mask = 0;
  readonly sink: (o: Observation) => void;
  private readonly handle: BindHandleWatch;

  constructor(private readonly engine: Engine) {
    this.handle = new BindHandleWatch(engine);
    this.sink = (o) => this.observe(o);
  }

  beforeStep(e: Event): void {
    this.mask = 0;
    this.handle.beforeStep(e);
  }

  afterStep(e: Event): void {
    if (this.handle.afterStep(e)) this.mask |= B_HANDLE;
  }

  observe(o: Observation): void {
    this.handle.observe(o);
    const inv = judgeObservation(this.engine, o);
    if (inv !== undefined) this.mask |= invariantBit.get(inv)!;
  }
}
