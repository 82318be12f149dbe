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
import type { Event } from '../model/event.ts';
import type { Observation } from '../model/observation.ts';
import type { InvariantName } from '../invariants/invariants.ts';
import type { Engine } from './engine.ts';

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
  private bindBefore = -1;
  private bindAllocSeen = false;
  /** Called with each violation as it is found. */
  onViolation: ((v: MonitorViolation) => void) | undefined;

  constructor(private readonly engine: Engine, private readonly keep = 20) {}

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
    if (!st.bondOn[k] || st.bondRefs[k] !== this.bindBefore + 1 || this.bindAllocSeen) {
      this.report('handle-identity', () => `bind of the bound pair (${e.dev}, ${e.mm}) did not return the same handle with one more reference`);
    }
    this.bindBefore = -1;
  }

  /** Judge one observation against the live state (use as the engine's stream callback). */
  observe(o: Observation): void {
    this.observed++;
    const st = this.engine.st;
    switch (o.kind) {
      case 'dma': {
        const r = o.result;
        if (r.tag === 'completerAbort') {
          const mm = st.mmOfPasid(o.pasid);
          if (mm >= 0 && st.bondOn[o.dev * st.nMm + mm]) this.report('no-bad-cd-while-bound', () => `ATS Translation Request of device ${o.dev} SSID ${o.pasid} completed with Completer Abort (bad CD), which is still bound`);
          return;
        }
        if (r.tag !== 'access' && r.tag !== 'translated') return;
        const mm = st.mmOfPasid(o.pasid);
        if (mm < 0 || !st.mmAlive[mm] || st.pages[mm]![o.page] !== r.frame) {
          this.report('dma-isolation', () => `device ${o.dev} PASID ${o.pasid} page ${o.page} reached frame ${r.frame} through the ${r.via.toUpperCase()}, but ${this.mapping(mm, o.page)}`);
        }
        return;
      }
      case 'event': {
        if (o.event.type !== 'C_BAD_CD') return;
        const { dev, ssid } = o.event;
        const mm = st.mmOfPasid(ssid);
        if (mm >= 0 && st.bondOn[dev * st.nMm + mm]) this.report('no-bad-cd-while-bound', () => `C_BAD_CD (0x0a) for device ${dev} SSID ${ssid}, which is still bound`);
        return;
      }
      case 'walk':
        if (o.mm >= 0 && !st.mmAlive[o.mm]) this.report('no-walk-after-exit', () => `device ${o.dev} made the SMMU walk the page table of exited process ${o.mm}`);
        return;
      case 'warn':
        this.report('refcount-sane', () => `kernel warning: ${o.message}`);
        return;
      case 'bug':
        this.report('no-kernel-bug', () => o.message);
        return;
      case 'trace': {
        const rec = o.record;
        if (rec.tp === 'smmu_bind_alloc') this.bindAllocSeen = true;
        if (rec.tp === 'dev_page_response' && rec.code === 0 && this.engine.faultAt(rec.dev, rec.group)?.afterRelease) {
          this.report('release-answers-invalid', () => `Success response to group ${rec.group} of device ${rec.dev}, reported after its process exited`);
        }
        return;
      }
      case 'callback':
        if (st.domFreed[o.domain]) this.report('no-freed-domain-access', () => `${o.op} of the notifier (domain ${o.domain}, process ${o.mm}) ran on freed domain ${o.domain}`);
        return;
      default:
        return;
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
