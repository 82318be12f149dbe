// Transition invariants checked cheaply on a running adapter: each observation is judged
// against the engine's live state as it is streamed (mode 'stream'), in O(1) per observation,
// instead of materialising before/after States for checkTransition(). The rules are those of
// src/invariants/invariants.ts checkTransition; why live state is enough for each:
// - dma-isolation: DMA observations come from dma, atsTranslate and iopfRespond, which never
//   change page tables or PASIDs, so the live state is the step's after-state for these fields.
// - no-walk-after-exit, no-bad-cd-while-bound, no-freed-domain-access: liveness of mms, bonds and
//   freed domains do not change in the steps that emit walks, C_BAD_CD or callbacks before the
//   observation is emitted (bonds, alive and domain freed change only in bind/unbind, exit,
//   domainFree, which emit none of these before changing them... exit emits release callbacks
//   before marking the mm dead, as checkTransition's before-state expects).
// - release-answers-invalid: the engine emits dev_page_response before removing the fault.
// - refcount-sane: any WARN.
// - handle-identity: beforeStep/afterStep compare the bond's reference count around a bind.
// The rules themselves are in judge.ts, shared with the packed explorer's MaskMonitor.
import type { Event } from '../model/event.ts';
import type { Observation } from '../model/observation.ts';
import type { InvariantName } from '../invariants/invariants.ts';
import type { Engine } from './engine.ts';
import { BindHandleWatch, judgeObservation } from './judge.ts';

export interface MonitorViolation {
  readonly invariant: InvariantName;
  readonly detail: string;
}

export class TransitionMonitor {
  /** Violations per invariant name. */
  readonly counts = new Map<InvariantName, number>();
  /** The first `keep` violations with their details (later ones are only counted). */
  readonly first: MonitorViolation[] = [];
  /** Observations judged. */
  observed = 0;
  private readonly handle: BindHandleWatch;
  /** Called with each violation as it is found. */
  onViolation: ((v: MonitorViolation) => void) | undefined;

  constructor(private readonly engine: Engine, private readonly keep = 20) {
    this.handle = new BindHandleWatch(engine);
  }

  private report(invariant: InvariantName, detail: () => string): void {
    this.counts.set(invariant, (this.counts.get(invariant) ?? 0) + 1);
    if (this.first.length < this.keep || this.onViolation) {
      const v = { invariant, detail: detail() };
      if (this.first.length < this.keep) this.first.push(v);
      this.onViolation?.(v);
    }
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  beforeStep(e: Event): void {
    this.handle.beforeStep(e);
  }

  afterStep(e: Event): void {
    if (this.handle.afterStep(e) && e.kind === 'bind') {
      this.report('handle-identity', () => `bind of the bound pair (${e.dev}, ${e.mm}) did not return the same handle with one more reference`);
    }
  }

  /** Judge one observation against the live state (use as the engine's stream callback). */
  observe(o: Observation): void {
    this.observed++;
    this.handle.observe(o);
    const inv = judgeObservation(this.engine, o);
    if (inv !== undefined) this.report(inv, () => this.detail(o));
  }

  /** What a violating observation did, in words. */
  private detail(o: Observation): string {
    const st = this.engine.st;
    switch (o.kind) {
      case 'dma': {
        const r = o.result;
        const frame = r.tag === 'access' || r.tag === 'translated' ? r.frame : -1;
        const via = r.tag === 'access' || r.tag === 'translated' ? r.via.toUpperCase() : '?';
        return `device ${o.dev} PASID ${o.pasid} page ${o.page} reached frame ${frame} through the ${via}, but ${this.mapping(st.mmOfPasid(o.pasid), o.page)}`;
      }
      case 'event':
        return `C_BAD_CD (0x0a) for device ${o.event.dev} SSID ${o.event.ssid}, which is still bound`;
      case 'walk':
        return `device ${o.dev} made the SMMU walk the page table of exited process ${o.mm}`;
      case 'warn':
        return `kernel warning: ${o.message}`;
      case 'bug':
        return o.message;
      case 'trace':
        return o.record.tp === 'dev_page_response' ? `Success response to group ${o.record.group} of device ${o.record.dev}, reported after its process exited` : o.record.tp;
      case 'callback':
        return `${o.op} of the notifier (domain ${o.domain}, process ${o.mm}) ran on freed domain ${o.domain}`;
      default:
        return o.kind;
    }
  }

  private mapping(mm: number, page: number): string {
    const st = this.engine.st;
    if (mm < 0) return 'no live context owns it';
    if (!st.mmAlive[mm]) return `process ${mm} has exited`;
    const pte = st.pages[mm]![page] ?? -2;
    return pte >= 0 ? `process ${mm} maps page ${page} to frame ${pte}` : `process ${mm} has page ${page} unmapped`;
  }
}
