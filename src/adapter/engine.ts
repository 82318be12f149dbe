// The fast imperative adapter: the reducer's semantics (src/machine/step.ts and the transitions in
// src/driver, src/hardware, src/process) on the mutable Store. Same event alphabet, same
// observations in the same order, same ModelError values; the variant traits are read at each
// decision point exactly where the reducer reads them. Each method names the reducer function it
// mirrors. The DMA hit paths (ATC hit, TLB hit) allocate nothing unless observation objects are
// requested (mode 'collect' or 'stream'). watch() hands a transition monitor what it reads of each
// step as plain arguments, with no observation built (watch.ts).
import type { Config } from '../model/config.ts';
import type { ModelError } from '../model/error.ts';
import type { AllocFailurePoint, Event } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import { featBtm, hasS1TlbContext, s2Vmid } from '../model/context.ts';
import { eventArgError } from '../machine/guard.ts';
import type { DmaResult, Errno, Observation } from '../model/observation.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED, TTB0_PRIVATE } from '../model/state.ts';
import { mmuNotifierRegisterBug } from '../driver/sva.ts';
import { faultReasonPteFetch, unrecovFlagsPasidAddr } from '../hardware/translate.ts';
import { rangeCoverOf } from '../hardware/rangeSpan.ts';
import type { VariantTraits } from '../model/variant.ts';
import type { StepWatch } from './watch.ts';
import {
  C_ATC_INV, C_BAD_CD, C_CB_FREE, C_CB_INVAL, C_CB_RELEASE, C_CFGI, C_DMA, C_F_STALL, C_F_TERM, C_PRI_RESP,
  C_RESUME_ABORT, C_RESUME_RETRY, C_RET_ERR, C_RET_HANDLE, C_RET_OK, C_SYNC, C_TLBI_ASID, C_TLBI_VA, C_TLBI_VMALL, C_T_BIND,
  C_BUG, C_T_FAULT, C_T_FAULT_UNRECOV, C_T_INVAL, C_T_RELEASE, C_T_RESP, C_T_UNBIND, C_WALK, C_WARN, counterNames, errnoOrder,
  R_ABORTED, R_ACCESS_ATC, R_ACCESS_TLB, R_ACCESS_WALK, R_NO_ACCESS, R_PAGE_REQUEST, R_REFUSED, R_STALLED,
  R_TRANSLATED_TLB, R_TRANSLATED_WALK, R_UNSUPPORTED, R_COMPLETER_ABORT,
} from './counters.ts';
import {
  CD_A, CD_ASET, CD_EPD0, CD_PRESENT, CD_R, CD_S, CD_V, F_INVALID, F_PENDING, F_SUCCESS, Store, cdFlagsLegal, type FaultRec,
} from './store.ts';

/** Where observations go: nowhere, counters only, an array (read `observations`), or a callback. */
export type ObservationMode = 'off' | 'count' | 'collect' | 'stream';

// translate() outcomes
const T_OK_TLB = 0, T_OK_WALK = 1, T_BAD_CD = 2, T_FAULT = 3, T_ABORT = 4;
// CD writes (hardware/cd.ts CdWrite)
const W_INSTALL = 0, W_QUIESCE = 1, W_QUIESCE_CLEAR_SR = 2, W_CLEAR_VALID = 3, W_REMOVE = 4;

const isIndex = (v: unknown, n: number) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;

export class Engine {
  readonly model: Model;
  readonly config: Config;
  readonly traits: VariantTraits;
  readonly st: Store;

  /** Per-counter totals (counterNames order); maintained in modes other than 'off'. */
  readonly counts = new Float64Array(counterNames.length);
  /** Observations of the last step in mode 'collect' (a fresh array per step). */
  observations: Observation[] = [];
  /** The error of the last refused event. */
  lastError: ModelError | undefined;
  /** The frame of the last 'access'/'translated' DMA result, the group of the last fault. */
  lastValue = -1;

  private counting = false;
  private materialize = false;
  private sinkFn: ((o: Observation) => void) | undefined;
  /** Set by watch(): called where the monitor's observations would be emitted (never with materialize). */
  private watchFn: StepWatch | undefined;
  /** Scratch outputs of translate(). */
  private xFrame = -1;
  private xRecord = false;
  private xStall = false;
  private readonly maxAsid: number;
  private readonly cpuAsids: Int32Array;
  private readonly devPri: Uint8Array;
  /** MEM-BTM featBtm(): fixed by the configuration and the variant. */
  private readonly featBtm: boolean;
  /** options.rangeInvalidation is 'exact' (DRV-MN-RANGE-SPAN): no span to compute. */
  private readonly exactRanges: boolean;
  /** Per domain, from the configuration alone: hasS1TlbContext() as 0/1, and s2Vmid(). */
  private readonly domS1TlbContext: Uint8Array;
  private readonly domS2Vmid: Int32Array;
  /** Scratch for mmList(): an mm's notifier keys in list order. */
  private readonly mnList: Int32Array;

  constructor(model: Model, store: Store, mode: ObservationMode = 'collect', sink?: (o: Observation) => void) {
    this.model = model;
    this.config = model.config;
    this.traits = model.traits;
    this.st = store;
    this.maxAsid = (1 << this.config.smmu.asidBits) - 1;
    this.cpuAsids = Int32Array.from(this.config.processes.map((p) => p.cpuAsid));
    this.devPri = Uint8Array.from(this.config.devices.map((d) => (d.pri ? 1 : 0)));
    this.featBtm = featBtm(this.config, this.traits);
    this.exactRanges = this.config.options.rangeInvalidation === 'exact';
    this.domS1TlbContext = Uint8Array.from(this.config.domains, (_, dom) => (hasS1TlbContext(this.config, dom) ? 1 : 0));
    this.domS2Vmid = Int32Array.from(this.config.domains, (_, dom) => s2Vmid(this.config, dom));
    this.mnList = new Int32Array(this.config.domains.length * 2);
    this.setMode(mode, sink);
  }

  setMode(mode: ObservationMode, sink?: (o: Observation) => void): void {
    this.counting = mode !== 'off';
    this.materialize = mode === 'collect' || mode === 'stream';
    this.sinkFn = mode === 'stream' ? sink : undefined;
    this.watchFn = undefined;
    if (mode === 'stream' && !sink) throw new Error("observation mode 'stream' needs a callback");
  }

  /**
   * Mode 'off' (no counters, no observations), except that `watch` is told, with plain
   * arguments, of each observation a transition monitor reads, where mode 'stream' would emit it
   * (watch.ts). setMode() ends it.
   */
  watch(watch: StepWatch): void {
    this.setMode('off');
    this.watchFn = watch;
  }

  // =============================================================== observations

  private push(o: Observation): void {
    if (this.sinkFn) this.sinkFn(o); else this.observations.push(o);
  }
  /** A command issued: counted; true when its observation is to be built (the caller pushes it, so no closure is made per command). */
  private cmdIssued(counter: number): boolean {
    if (this.counting) this.counts[counter]!++;
    return this.materialize;
  }
  private obsSync(): void {
    if (this.counting) this.counts[C_SYNC]!++;
    if (this.materialize) this.push({ kind: 'cmd', cmd: { op: 'CMD_SYNC' } });
  }
  private obsReturnOk(): void {
    if (this.counting) this.counts[C_RET_OK]!++;
    if (this.materialize) this.push({ kind: 'return', result: { tag: 'ok' } });
  }
  private obsReturnErr(errno: Errno): void {
    if (this.counting) this.counts[C_RET_ERR + errnoOrder.indexOf(errno)]!++;
    if (this.materialize) this.push({ kind: 'return', result: { tag: 'error', errno } });
  }
  private obsReturnHandle(dev: number, mm: number, pasid: number): void {
    if (this.counting) this.counts[C_RET_HANDLE]!++;
    if (this.materialize) this.push({ kind: 'return', result: { tag: 'handle', dev, mm, pasid } });
  }
  private obsCallback(op: 'invalidate_range' | 'release' | 'free_notifier', domain: number, mm: number): void {
    if (this.counting) this.counts[op === 'invalidate_range' ? C_CB_INVAL : op === 'release' ? C_CB_RELEASE : C_CB_FREE]!++;
    if (this.materialize) this.push({ kind: 'callback', op, domain, mm });
    else if (this.watchFn) this.watchFn.callback(domain);
  }
  private obsDma(dev: number, pasid: number, page: number, write: boolean, code: number, value: number): void {
    if (this.counting) this.counts[C_DMA + code]!++;
    if (this.materialize) this.push({ kind: 'dma', dev, pasid, page, write, result: dmaResult(code, value) });
    else if (this.watchFn) this.watchFn.dma(dev, pasid, page, code, code <= R_TRANSLATED_WALK ? value : -1);
  }

  // =============================================================== public API

  /**
   * Apply one event (step() of the reducer). Returns the error when the event is refused (state
   * unchanged), else undefined; in mode 'collect' the step's observations are in `observations`.
   */
  step(e: Event): ModelError | undefined {
    if (this.materialize && !this.sinkFn) this.observations = [];
    const bad = this.guard(e);
    if (bad) { this.lastError = bad; return bad; }
    this.apply(e);
    return undefined;
  }

  /**
   * DEV-DMA on the fast path: a device transaction without building an event object. Returns a
   * result code (counters.ts R_*; lastValue holds the frame or group) or R_REFUSED (lastError).
   */
  dma(dev: number, pasid: number, page: number, write: boolean): number {
    const st = this.st;
    if (this.materialize && !this.sinkFn) this.observations = [];
    if ((dev >>> 0) === dev && dev < st.nDev && st.steTranslate[dev] === 1 && typeof write === 'boolean') {
      const mm = st.mmOfPasid(pasid);
      if (mm >= 0 && st.bondOn[dev * st.nMm + mm] === 1 && (page >>> 0) === page && page < st.pages[mm]!.length
        && (st.faults[dev]!.length === 0 || !this.pendingOn(dev, pasid, page))) {
        return this.dmaCore(dev, pasid, page, write);
      }
    }
    this.lastError = this.guard({ kind: 'dma', dev, pasid, page, write });
    if (this.lastError === undefined) throw new Error('adapter: the DMA fast guard refused an enabled event');
    return R_REFUSED;
  }

  // =============================================================== guard (machine/guard.ts)

  guard(e: Event): ModelError | undefined {
    const bad = this.argError(e);
    if (bad) return bad;
    const why = this.stateError(e);
    return why === undefined ? undefined : { tag: 'NotEnabled', event: e, reason: why };
  }

  private argError(e: Event): ModelError | undefined {
    return eventArgError(this.config, e);
  }

  /** pendingOn(s, dev, pasid, page?) of guard.ts. */
  private pendingOn(dev: number, pasid: number, page: number | undefined): boolean {
    const list = this.st.faults[dev]!;
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      if (f.pasid === pasid && (page === undefined || f.page === page)) return true;
    }
    return false;
  }

  private detached(dev: number): boolean {
    return this.st.steTranslate[dev] !== 1;
  }

  private devsOfConfigDomain(domain: number): number[] {
    const out: number[] = [];
    this.config.devices.forEach((d, i) => { if (d.domain === domain) out.push(i); });
    return out;
  }

  private stateError(e: Event): string | undefined {
    const st = this.st;
    const o = this.config.options;
    switch (e.kind) {
      case 'enableSva':
        return this.detached(e.dev) ? 'device detached (its domain was freed)' : undefined;
      case 'disableSva':
        return st.svaEnabled[e.dev] && o.strictDisable && st.bondsOfDev[e.dev]! > 0 ? 'caller contract: unbind every bond before disabling SVA (options.strictDisable)' : undefined;
      case 'bind':
        return this.detached(e.dev) ? 'device detached (its domain was freed)'
          : !st.mmAlive[e.mm] && !o.bindAfterExit ? 'the process exited; only options.bindAfterExit lets a driver bind its mm'
            : e.fail !== 'none' && !o.allocFailure ? 'allocation failures are not enabled (options.allocFailure)' : undefined;
      case 'unbind':
        return st.bondOn[e.dev * st.nMm + e.mm] !== 1 ? 'no bond for this (device, process): no handle to unbind'
          : this.detached(e.dev) ? 'device detached (its domain was freed)'
            : this.pendingOn(e.dev, st.mmPasid[e.mm]!, undefined) ? 'caller contract: the driver stops DMA and waits for its page faults before unbind' : undefined;
      case 'touch': {
        const pages = st.pages[e.mm]!;
        if (!st.mmAlive[e.mm]) return 'the process exited';
        if (!isIndex(e.page, pages.length)) return `page must be below ${pages.length}`;
        if (pages[e.page] !== PTE_UNMAPPED) return 'page not in a VMA or already mapped';
        if (e.frame < 0 || !st.frameFree(e.frame)) return 'frame is not free';
        return undefined;
      }
      case 'munmap': {
        const pages = st.pages[e.mm]!;
        const { start, end } = e;
        if (!st.mmAlive[e.mm]) return 'the process exited';
        if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > pages.length || start >= end) return `need 0 <= start < end <= ${pages.length}`;
        for (let p = start; p < end; p++) if (pages[p] !== PTE_NOT_IN_VMA) return undefined;
        return 'no page of the range is in a VMA';
      }
      case 'mmap': {
        const pages = st.pages[e.mm]!;
        if (!st.mmAlive[e.mm]) return 'the process exited';
        if (!isIndex(e.page, pages.length)) return `page must be below ${pages.length}`;
        return pages[e.page] === PTE_NOT_IN_VMA ? undefined : 'page already in a VMA';
      }
      case 'exit':
        return st.mmAlive[e.mm] ? undefined : 'the process already exited';
      case 'notifierFree':
        return this.deferredIndex(e.domain, e.mm) >= 0 ? undefined : 'no deferred free pending for this notifier';
      case 'domainFree': {
        if (st.domFreed[e.domain]) return 'domain already freed';
        const devs = this.devsOfConfigDomain(e.domain);
        if (devs.some((d) => st.svaEnabled[d])) return 'caller contract: disable SVA on every device of the domain first';
        if (o.strictDisable && devs.some((d) => st.bondsOfDev[d]! > 0)) return 'caller contract: unbind every bond first';
        return undefined;
      }
      case 'dma':
      case 'atsTranslate': {
        const { dev, pasid, page } = e;
        if (this.detached(dev)) return 'device detached (its domain was freed)';
        if (e.kind === 'atsTranslate' && !st.steEats[dev]) return 'ATS not enabled for this device';
        const mm = st.mmOfPasid(pasid);
        if (mm < 0 || st.bondOn[dev * st.nMm + mm] !== 1) return 'the device has no bond with this PASID';
        if (!isIndex(page, st.pages[mm]!.length)) return `page must be below ${st.pages[mm]!.length}`;
        if (this.pendingOn(dev, pasid, page)) return 'the device waits for its fault on this page';
        return undefined;
      }
      case 'iopfHandle': {
        const f = this.faultAt(e.dev, e.group);
        if (!f) return 'no such fault group';
        if (f.status !== F_PENDING) return 'fault already handled';
        const needsFrame = this.iopfPlan(f) === 'faultIn';
        if (!needsFrame) return e.frame === -1 ? undefined : 'frame must be -1: the handler allocates no frame';
        if (e.frame === -1) return st.freeFrameCount === 0 ? undefined : 'frame must be a free frame';
        return st.frameFree(e.frame) ? undefined : 'frame is not free';
      }
      case 'iopfRespond': {
        const f = this.faultAt(e.dev, e.group);
        if (!f) return 'no such fault group';
        return f.status === F_PENDING ? 'fault not handled yet' : undefined;
      }
    }
  }

  // =============================================================== dispatch (machine/step.ts, the actions' apply)

  private apply(e: Event): void {
    switch (e.kind) {
      case 'enableSva': return this.enableSva(e.dev);
      case 'disableSva': return this.disableSva(e.dev);
      case 'bind': return this.bind(e.dev, e.mm, e.fail);
      case 'unbind': return this.unbind(e.dev, e.mm);
      case 'touch': return this.touch(e.mm, e.page, e.frame);
      case 'munmap': return this.munmap(e.mm, e.start, e.end);
      case 'mmap': return this.mmap(e.mm, e.page);
      case 'exit': return this.exit(e.mm);
      case 'notifierFree': return this.notifierFree(this.deferredIndex(e.domain, e.mm));
      case 'domainFree': return this.domainFree(e.domain);
      case 'dma': this.dmaCore(e.dev, e.pasid, e.page, e.write); return;
      case 'atsTranslate': return this.atsTranslate(e.dev, e.pasid, e.page, e.write);
      case 'iopfHandle': return this.iopfHandle(this.faultAt(e.dev, e.group)!, e.frame);
      case 'iopfRespond': return this.iopfRespond(e.dev, e.group);
    }
  }

  // =============================================================== DMA (step.ts, hardware/translate.ts)

  /** dma() of step.ts: ATC first when ATS is enabled, a miss sends a Translation Request. */
  private dmaCore(dev: number, pasid: number, page: number, write: boolean): number {
    const st = this.st;
    let r: number;
    if (st.steEats[dev] === 1) {
      const arr = st.atc[dev * st.pasidCap + pasid];
      if (arr !== undefined) {
        const f = arr[page]!;
        if (f >= 0) {
          this.lastValue = f;
          if (this.counting) this.counts[R_ACCESS_ATC]!++;
          if (this.materialize) this.push({ kind: 'dma', dev, pasid, page, write, result: { tag: 'access', frame: f, via: 'atc' } });
          else if (this.watchFn) this.watchFn.dma(dev, pasid, page, R_ACCESS_ATC, f);
          return R_ACCESS_ATC;
        }
      }
      r = this.atsTranslationRequest(dev, pasid, page, write);
      if (r === R_TRANSLATED_TLB) r = R_ACCESS_TLB;
      else if (r === R_TRANSLATED_WALK) r = R_ACCESS_WALK;
    } else {
      r = this.untranslatedAccess(dev, pasid, page, write);
    }
    this.obsDma(dev, pasid, page, write, r, this.lastValue);
    return r;
  }

  /** atsTranslate() of step.ts (DEV-ATS-TR). */
  private atsTranslate(dev: number, pasid: number, page: number, write: boolean): void {
    const r = this.atsTranslationRequest(dev, pasid, page, write);
    this.obsDma(dev, pasid, page, write, r, this.lastValue);
  }

  /** HW-XLATE translate(): result in xFrame / xRecord / xStall. */
  private translate(dev: number, ssid: number, page: number): number {
    const st = this.st;
    if (st.steTranslate[dev] !== 1) return T_ABORT;
    const slot = st.steDomain[dev]! * st.pasidCap + ssid;
    const flags = st.cdFlags[slot]!;
    if ((flags & (CD_PRESENT | CD_V)) !== (CD_PRESENT | CD_V) || !cdFlagsLegal(this.config.smmu.stallModel, flags, st.steS1stalld[dev] === 1)) return T_BAD_CD;
    const asid = st.cdAsid[slot]!;
    const tlb = st.tlb[asid];
    if (tlb !== undefined) {
      const f = tlb[page]!;
      if (f >= 0) { this.xFrame = f; return T_OK_TLB; }
    }
    const stall = (flags & CD_S) !== 0 && st.steS1stalld[dev] === 0;
    if ((flags & CD_EPD0) !== 0) {
      this.xRecord = (flags & CD_R) !== 0 || stall;
      this.xStall = stall;
      return T_FAULT;
    }
    const ttb0 = st.cdTtb0[slot]!;
    if (this.counting) this.counts[C_WALK]!++;
    if (this.materialize) this.push({ kind: 'walk', dev, mm: ttb0, page });
    else if (this.watchFn) this.watchFn.walk(ttb0);
    const pages = ttb0 >= 0 && ttb0 < st.nMm ? st.pages[ttb0]! : undefined;
    const frame = pages !== undefined && page < pages.length ? pages[page]! : -1;
    if (frame < 0) {
      this.xRecord = (flags & CD_R) !== 0 || stall;
      this.xStall = stall;
      return T_FAULT;
    }
    st.tlbInsert(asid, page, frame);
    this.xFrame = frame;
    return T_OK_WALK;
  }

  /** HW-UNTRANSLATED untranslatedAccess(). */
  private untranslatedAccess(dev: number, pasid: number, page: number, write: boolean): number {
    const t = this.translate(dev, pasid, page);
    switch (t) {
      case T_OK_TLB: this.lastValue = this.xFrame; return R_ACCESS_TLB;
      case T_OK_WALK: this.lastValue = this.xFrame; return R_ACCESS_WALK;
      case T_ABORT: return R_ABORTED;
      case T_BAD_CD:
        // HW-BAD-CD
        if (this.counting) this.counts[C_BAD_CD]!++;
        if (this.materialize) this.push({ kind: 'event', event: { type: 'C_BAD_CD', code: 0x0a, dev, ssid: pasid } });
        else if (this.watchFn) this.watchFn.badCd(dev, pasid);
        return R_ABORTED;
      default: {
        if (this.xStall) {
          const stag = this.freeGroup(dev);
          if (this.counting) this.counts[C_F_STALL]!++;
          if (this.materialize) this.push({ kind: 'event', event: { type: 'F_TRANSLATION', code: 0x10, dev, ssid: pasid, page, write, stall: true, stag } });
          const group = this.reportFault('stall', dev, pasid, page, write);
          this.lastValue = group;
          return R_STALLED;
        }
        if (this.xRecord) {
          if (this.counting) this.counts[C_F_TERM]!++;
          if (this.materialize) this.push({ kind: 'event', event: { type: 'F_TRANSLATION', code: 0x10, dev, ssid: pasid, page, write, stall: false, stag: -1 } });
          // DRV-EVT-UNRECOV reportUnrecoverable()
          if (this.st.svaEnabled[dev]) {
            if (this.counting) this.counts[C_T_FAULT_UNRECOV]!++;
            if (this.materialize) this.push({ kind: 'trace', record: { tp: 'dev_fault', dev, type: 1, reason: faultReasonPteFetch, mm: this.st.mmOfPasid(pasid), page, pasid, group: 0, flags: unrecovFlagsPasidAddr, prot: write ? 2 : 1 } });
          }
        }
        return R_ABORTED;
      }
    }
  }

  /** HW-ATS-TR atsTranslationRequest(). */
  private atsTranslationRequest(dev: number, pasid: number, page: number, write: boolean): number {
    const t = this.translate(dev, pasid, page);
    switch (t) {
      case T_OK_TLB:
      case T_OK_WALK:
        this.st.atcInsert(dev, pasid, page, this.xFrame);
        this.lastValue = this.xFrame;
        return t === T_OK_TLB ? R_TRANSLATED_TLB : R_TRANSLATED_WALK;
      case T_ABORT: return R_UNSUPPORTED;
      case T_BAD_CD: return R_COMPLETER_ABORT;
      default: {
        if (!this.devPri[dev]) return R_NO_ACCESS;
        if (this.traits.priHandling === 'deny') {
          // DRV-PRI-DENY
          const prgi = this.freeGroup(dev);
          if (this.cmdIssued(C_PRI_RESP + 2)) this.push({ kind: 'cmd', cmd: { op: 'CMD_PRI_RESP', dev, ssid: pasid, prgi, code: 2 } });
          this.lastValue = prgi;
          return R_PAGE_REQUEST;
        }
        this.lastValue = this.reportFault('pri', dev, pasid, page, write);
        return R_PAGE_REQUEST;
      }
    }
  }

  /** freeGroup(): the lowest group number no pending fault of the device uses. */
  private freeGroup(dev: number): number {
    const list = this.st.faults[dev]!;
    let group = 0;
    for (let at = 0; at < list.length && list[at]!.group <= group; at++) if (list[at]!.group === group) group++;
    return group;
  }

  /** DRV-IOPF-REPORT reportFault(): lowest free group of the device, trace dev_fault. */
  private reportFault(via: 'stall' | 'pri', dev: number, pasid: number, page: number, write: boolean): number {
    const st = this.st;
    const list = st.faults[dev]!;
    // list is sorted by group: the lowest free group is the first gap
    let group = 0;
    let at = 0;
    while (at < list.length && list[at]!.group <= group) { if (list[at]!.group === group) group++; at++; }
    const m = st.mmOfPasid(pasid);
    const afterRelease = m < 0 || !st.mmAlive[m];
    if (this.counting) this.counts[C_T_FAULT]!++;
    if (this.materialize) this.push({ kind: 'trace', record: { tp: 'dev_fault', dev, type: 2, reason: 0, mm: m, page, pasid, group, flags: 3, prot: write ? 2 : 1 } });
    st.faultInsert(dev, at, { via, group, pasid, page, write, afterRelease, status: F_PENDING });
    return group;
  }

  // =============================================================== IOPF (driver/iopf.ts)

  faultAt(dev: number, group: number): FaultRec | undefined {
    const list = this.st.faults[dev];
    if (!list) return undefined;
    for (let i = 0; i < list.length; i++) if (list[i]!.group === group) return list[i];
    return undefined;
  }

  /** DRV-IOPF-HANDLE iopfPlan(). */
  iopfPlan(f: FaultRec): 'invalid' | 'present' | 'faultIn' {
    const st = this.st;
    const m = st.mmOfPasid(f.pasid);
    if (m < 0 || !st.mmAlive[m]) return 'invalid';
    const pages = st.pages[m]!;
    const pte = f.page < pages.length ? pages[f.page]! : PTE_NOT_IN_VMA;
    if (pte === PTE_NOT_IN_VMA) return 'invalid';
    return pte === PTE_UNMAPPED ? 'faultIn' : 'present';
  }

  private iopfHandle(f: FaultRec, frame: number): void {
    const plan = this.iopfPlan(f);
    let status = plan === 'invalid' ? F_INVALID : F_SUCCESS;
    if (plan === 'faultIn') {
      if (frame < 0) {
        status = F_INVALID;
      } else {
        const m = this.st.mmOfPasid(f.pasid);
        this.st.pages[m]![f.page] = frame;
        this.st.mapFrame(frame);
      }
    }
    this.st.faultSetStatus(f, status);
  }

  /** DRV-IOPF-RESPOND iopfRespond(). */
  private iopfRespond(dev: number, group: number): void {
    const list = this.st.faults[dev]!;
    let i = 0;
    while (i < list.length && list[i]!.group !== group) i++;
    const f = list[i]!;
    const code = f.status === F_SUCCESS ? 0 : 1;
    if (this.counting) this.counts[C_T_RESP + code]!++;
    if (this.materialize) this.push({ kind: 'trace', record: { tp: 'dev_page_response', dev, code, pasid: f.pasid, group: f.group } });
    else if (this.watchFn) this.watchFn.pageResponse(dev, code, f.group);
    this.st.faultRemove(dev, i);
    if (f.via === 'pri') {
      if (this.cmdIssued(C_PRI_RESP + code)) this.push({ kind: 'cmd', cmd: { op: 'CMD_PRI_RESP', dev, ssid: f.pasid, prgi: f.group, code } });
      return;
    }
    const action = code === 0 ? 'retry' : 'abort';
    if (this.cmdIssued(code === 0 ? C_RESUME_RETRY : C_RESUME_ABORT)) this.push({ kind: 'cmd', cmd: { op: 'CMD_RESUME', dev, stag: f.group, action } });
    if (action === 'abort') {
      this.obsDma(dev, f.pasid, f.page, f.write, R_ABORTED, -1);
      return;
    }
    const r = this.untranslatedAccess(dev, f.pasid, f.page, f.write);
    this.obsDma(dev, f.pasid, f.page, f.write, r, this.lastValue);
  }

  // =============================================================== commands (hardware/commands.ts, cd.ts)

  /** HW-CMD-CFGI cfgiCd(). */
  private cfgiCd(domain: number, ssid: number): void {
    const st = this.st;
    // newest attached first (devicesOfDomain)
    for (let dev = st.nDev - 1; dev >= 0; dev--) {
      if (st.steTranslate[dev] === 1 && st.steDomain[dev] === domain && this.cmdIssued(C_CFGI)) this.push({ kind: 'cmd', cmd: { op: 'CMD_CFGI_CD', dev, ssid } });
    }
    this.obsSync();
  }

  /** HW-CMD-TLBI-ASID tlbInvAsid(). */
  private tlbInvAsid(asid: number): void {
    if (this.cmdIssued(C_TLBI_ASID)) this.push({ kind: 'cmd', cmd: { op: 'CMD_TLBI_NH_ASID', asid } });
    this.obsSync();
    this.st.tlbDropAsid(asid);
  }

  /** HW-CMD-TLBI-VA tlbInvRange(). */
  private tlbInvRange(asid: number, start: number, end: number): void {
    for (let page = start; page < end; page++) if (this.cmdIssued(C_TLBI_VA)) this.push({ kind: 'cmd', cmd: { op: 'CMD_TLBI_NH_VA', asid, page } });
    this.obsSync();
    this.st.tlbDropRange(asid, start, end);
  }

  /** HW-CMD-ATC-INV atcInvDomain(). */
  private atcInvDomain(domain: number, pasid: number, start: number, end: number): void {
    const st = this.st;
    let any = false;
    // newest attached first (devicesOfDomain)
    for (let dev = st.nDev - 1; dev >= 0; dev--) {
      if (st.steTranslate[dev] !== 1 || st.steDomain[dev] !== domain || st.steEats[dev] !== 1) continue;
      any = true;
      if (this.cmdIssued(C_ATC_INV)) this.push({ kind: 'cmd', cmd: { op: 'CMD_ATC_INV', dev, ssid: pasid, start, end } });
    }
    if (!any) return;
    this.obsSync();
    for (let dev = 0; dev < st.nDev; dev++) {
      if (st.steTranslate[dev] !== 1 || st.steDomain[dev] !== domain || st.steEats[dev] !== 1) continue;
      st.atcDrop(dev, pasid, start, end);
    }
  }

  /** DRV-CD-WRITE writeCtxDesc(). */
  private writeCtxDesc(domain: number, ssid: number, w: number, asid: number, ttb0: number): void {
    const st = this.st;
    const slot = domain * st.pasidCap + ssid;
    const flags = st.cdFlags[slot]!;
    const present = (flags & CD_PRESENT) !== 0;
    switch (w) {
      case W_REMOVE:
      case W_CLEAR_VALID:
        // the whole slot cleared, so that a Store's words are a function of its state (EXP-KEY-ABSENT)
        if (present) { st.cdFlags[slot] = 0; st.cdAsid[slot] = 0; st.cdTtb0[slot] = 0; }
        break;
      case W_QUIESCE:
        if (present) st.cdFlags[slot] = flags | CD_EPD0;
        break;
      case W_QUIESCE_CLEAR_SR:
        if (present) st.cdFlags[slot] = (flags | CD_EPD0) & ~(CD_S | CD_R);
        break;
      default: // W_INSTALL
        if (present && (flags & CD_V) !== 0) {
          st.cdAsid[slot] = asid;
        } else {
          this.cfgiCd(domain, ssid); // words 1-3 synced before word 0
          st.cdFlags[slot] = CD_PRESENT | CD_V | CD_R | (st.domStallBit[domain] ? CD_S : 0) | CD_A | (ttb0 === TTB0_PRIVATE ? CD_ASET : 0);
          st.cdAsid[slot] = asid;
          st.cdTtb0[slot] = ttb0;
        }
    }
    this.cfgiCd(domain, ssid);
  }

  // =============================================================== SVA feature, domain (driver/feature.ts)

  /** DRV-SVA-ENABLE enableSva(). */
  private enableSva(dev: number): void {
    const device = this.config.devices[dev]!;
    const sm = this.config.smmu.stallModel;
    const stallEnabled = sm === 'forced' || (sm === 'configurable' && device.stall);
    const iopfCapable = !this.traits.svaRequiresIopf || (device.ats && device.pri && this.traits.priHandling === 'iopf') || stallEnabled;
    const btmMissing = this.traits.requiresBtm && this.config.options.enforceBtmRequirement && !this.featBtm;
    if (!iopfCapable || btmMissing) return this.obsReturnErr('ENODEV');
    if (this.st.svaEnabled[dev]) return this.obsReturnErr('EBUSY');
    this.obsReturnOk();
    this.st.svaEnabled[dev] = 1;
  }

  /** DRV-SVA-DISABLE disableSva(). */
  private disableSva(dev: number): void {
    if (!this.st.svaEnabled[dev]) return this.obsReturnErr('EINVAL');
    if (this.traits.disableChecksBonds && this.st.bondsOfDev[dev]! > 0) return this.obsReturnErr('EBUSY');
    this.st.svaEnabled[dev] = 0;
    if (this.traits.synchronizeOnDisable) this.synchronize();
    this.obsReturnOk();
  }

  /** DRV-DOMAIN-FREE domainFree(). */
  private domainFree(domain: number): void {
    const st = this.st;
    for (let dev = 0; dev < st.nDev; dev++) {
      if (st.steTranslate[dev] === 1 && st.steDomain[dev] === domain && st.steEats[dev] === 1) {
        // HW-CMD-ATC-INV-MASTER atcInvMaster()
        if (this.cmdIssued(C_ATC_INV)) this.push({ kind: 'cmd', cmd: { op: 'CMD_ATC_INV', dev, ssid: 0, start: 0, end: -1 } });
        this.obsSync();
        st.atcDropDevice(dev);
      }
    }
    // DRV-DOMAIN-FREE: free_io_pgtable_ops() flushes the finalised stage-1 domain's TLB context
    const asid = st.domPrivateAsid[domain]!;
    if (asid > 0 && this.domS1TlbContext[domain] === 1) this.tlbInvAsid(asid);
    // DRV-DOMAIN-FREE: a finalised stage-2 domain's TLB context is flushed by VMID (HW-CMD-TLBI-S12-VMALL)
    const vmid = this.domS2Vmid[domain]!;
    if (vmid > 0) { if (this.cmdIssued(C_TLBI_VMALL)) this.push({ kind: 'cmd', cmd: { op: 'CMD_TLBI_S12_VMALL', vmid } }); this.obsSync(); }
    for (let dev = 0; dev < st.nDev; dev++) {
      if (st.steTranslate[dev] === 1 && st.steDomain[dev] === domain) { st.steTranslate[dev] = 0; st.steEats[dev] = 0; }
    }
    st.domFreed[domain] = 1;
    st.domPrivateAsid[domain] = 0;
    // every CD slot of the domain cleared whole (EXP-KEY-ABSENT)
    const first = domain * st.pasidCap, end = first + st.pasidCap;
    st.cdFlags.fill(0, first, end); st.cdAsid.fill(0, first, end); st.cdTtb0.fill(0, first, end);
  }

  // =============================================================== ASIDs, PASIDs (driver/asid.ts, pasid.ts)

  /** DRV-CD-ALLOC allocSharedCd(); false on ENOSPC. */
  private allocSharedCd(mm: number): boolean {
    const st = this.st;
    if (st.mmCtxDescRefs[mm]! > 0) { st.mmCtxDescRefs[mm]!++; return true; }
    const asid = this.cpuAsids[mm]!;
    let owner = -1;
    for (let d = 0; d < st.nDom; d++) if (!st.domFreed[d] && st.domPrivateAsid[d] === asid) { owner = d; break; }
    if (owner >= 0) {
      // DRV-ASID-SHARE
      const used = new Uint8Array(this.maxAsid + 1);
      for (let d = 0; d < st.nDom; d++) if (!st.domFreed[d] && st.domPrivateAsid[d]! > 0) used[st.domPrivateAsid[d]!] = 1;
      for (let m = 0; m < st.nMm; m++) if (st.mmCtxDescRefs[m]! > 0) used[this.cpuAsids[m]!] = 1;
      let fresh = -1;
      for (let v = 1; v <= this.maxAsid; v++) if (!used[v]) { fresh = v; break; }
      if (fresh < 0) return false;
      st.domPrivateAsid[owner] = fresh;
      this.writeCtxDesc(owner, 0, W_INSTALL, fresh, -1);
      this.tlbInvAsid(asid);
    }
    st.mmCtxDescRefs[mm] = 1;
    return true;
  }

  /** DRV-CD-FREE freeSharedCd(). */
  private freeSharedCd(mm: number): void {
    this.st.mmCtxDescRefs[mm]!--;
  }

  /** DRV-PASID-ALLOC allocPasid(); false when none fits. */
  private allocPasid(mm: number, min: number, max: number): boolean {
    const st = this.st;
    const cur = st.mmPasid[mm]!;
    if (cur !== 0) {
      if (cur < min || cur > max) return false;
      st.mmPasidRefs[mm]!++;
      return true;
    }
    let pasid = -1;
    for (let v = min; v <= max; v++) {
      if (v >= st.pasidCap) break; // cannot happen: nMm holders leave a free value below pasidCap
      if (st.pasidHolders[v] === 0) { pasid = v; break; }
    }
    if (pasid < 0) return false;
    st.setPasid(mm, pasid);
    st.mmPasidRefs[mm] = 1;
    return true;
  }

  /** DRV-PASID-FREE freePasid(). */
  private freePasid(mm: number): void {
    const st = this.st;
    const refs = st.mmPasidRefs[mm]! - 1;
    st.mmPasidRefs[mm] = refs;
    if (refs === 0) st.setPasid(mm, 0);
  }

  // =============================================================== notifiers (driver/notifier.ts)

  private mnKey(domain: number, mm: number, afterExit: number): number {
    return ((domain * this.st.nMm) + mm) * 2 + afterExit;
  }

  /**
   * DRV-MN-ORDER mmNotifierList(): the keys of the mm's notifiers in list order (by position, then
   * key, as the reducer sorts them) into this.mnList; returns how many.
   */
  private mmList(mm: number): number {
    const st = this.st, list = this.mnList;
    let n = 0;
    for (let d = 0; d < st.nDom; d++) {
      for (let ae = 0; ae < 2; ae++) {
        const k = this.mnKey(d, mm, ae);
        if (!st.mnOn[k]) continue;
        const pos = st.mnListPos[k]!;
        let j = n++;
        while (j > 0 && st.mnListPos[list[j - 1]!]! > pos) { list[j] = list[j - 1]!; j--; }
        list[j] = k;
      }
    }
    return n;
  }

  /** DRV-MN-ORDER mmListShift(): every linked notifier of the mm behind position `after` moves by `delta`. */
  private mmListShift(mm: number, after: number, delta: 1 | -1): void {
    const st = this.st;
    for (let d = 0; d < st.nDom; d++) {
      for (let ae = 0; ae < 2; ae++) { const k = this.mnKey(d, mm, ae); if (st.mnOn[k] && st.mnListPos[k]! > after) st.mnListPos[k] = st.mnListPos[k]! + delta; }
    }
  }

  /** DRV-MN-LOOKUP lookupNotifier(): key or -1. */
  private lookupNotifier(domain: number, mm: number): number {
    const st = this.st;
    const alive = st.mmAlive[mm] === 1;
    for (let ae = 0; ae < 2; ae++) {
      const k = this.mnKey(domain, mm, ae);
      if (st.mnOn[k] && (this.traits.notifierLookup === 'domainList' || ae === 1 || alive)) return k;
    }
    return -1;
  }

  private deferredIndex(domain: number, mm: number): number {
    const d = this.st.deferred;
    for (let i = 0; i < d.length; i++) if (d[i]!.domain === domain && d[i]!.mm === mm) return i;
    return -1;
  }

  /** DRV-MN-PUT notifierPut(). */
  private notifierPut(k: number): void {
    const st = this.st;
    const domain = Math.floor(k / 2 / st.nMm), mm = Math.floor(k / 2) % st.nMm;
    const inDomainOps = this.traits.notifierOps === 'inDomain';
    const pos = st.mnListPos[k]!;
    st.mnOn[k] = 0; st.mnRefs[k] = 0; st.mnCleared[k] = 0; st.mnListPos[k] = 0;
    this.mmListShift(mm, pos, -1); // DRV-MN-ORDER: hlist_del_init_rcu; the ones behind it move up
    const d = st.deferred;
    let i = 0;
    while (i < d.length && (d[i]!.domain - domain || d[i]!.mm - mm) <= 0) i++;
    st.deferredInsert(i, { domain, mm, inDomainOps });
    if (this.traits.ctxDescPut === 'notifierPut') this.freeSharedCd(mm);
  }

  /** DRV-MN-TEARDOWN teardownContext(). */
  private teardownContext(domain: number, mm: number, cleared: boolean): void {
    const pasid = this.st.mmPasid[mm]!;
    this.writeCtxDesc(domain, pasid, W_REMOVE, 0, 0);
    if (!cleared) {
      this.tlbInvAsid(this.cpuAsids[mm]!);
      if (this.traits.atcInvalidation) this.atcInvDomain(domain, pasid, 0, -1);
    }
  }

  /** DRV-MN-INVALIDATE invalidateRange(). */
  private invalidateRange(domain: number, mm: number, start: number, end: number): void {
    this.obsCallback('invalidate_range', domain, mm);
    const pasid = this.st.mmPasid[mm]!;
    if (this.counting) this.counts[C_T_INVAL]!++;
    if (this.materialize) this.push({ kind: 'trace', record: { tp: 'smmu_mm_invalidate', mm, pasid, start, end } });
    // DRV-MN-RANGE-SPAN rangeCoverOf()
    const cover = this.exactRanges ? undefined : rangeCoverOf(this.config, mm, start, end);
    if (this.traits.tlbRangeWithoutBtm && !this.featBtm) this.tlbInvRange(this.cpuAsids[mm]!, start, cover?.tlbEnd ?? end);
    if (this.traits.atcInvalidation) this.atcInvDomain(domain, pasid, cover?.atcStart ?? start, cover?.atcEnd ?? end);
  }

  /** DRV-MN-RELEASE release(). */
  private release(k: number): void {
    const st = this.st;
    const domain = Math.floor(k / 2 / st.nMm), mm = Math.floor(k / 2) % st.nMm;
    this.obsCallback('release', domain, mm);
    if (st.mnCleared[k]) return;
    const pasid = st.mmPasid[mm]!;
    if (this.counting) this.counts[C_T_RELEASE]!++;
    if (this.materialize) this.push({ kind: 'trace', record: { tp: 'smmu_mm_release', mm, pasid } });
    const rc = this.traits.releaseCd;
    this.writeCtxDesc(domain, pasid, rc === 'quiesce' ? W_QUIESCE : rc === 'clearValid' ? W_CLEAR_VALID : W_QUIESCE_CLEAR_SR, 0, 0);
    if (this.traits.releaseTlbi) this.tlbInvAsid(this.cpuAsids[mm]!);
    if (this.traits.atcInvalidation) this.atcInvDomain(domain, pasid, 0, -1);
    st.mnCleared[k] = 1;
  }

  /** DRV-MN-FREE notifierFree(). */
  private notifierFree(i: number): void {
    const f = this.st.deferred[i]!;
    this.st.deferredRemove(i);
    if (f.inDomainOps) this.obsCallback('free_notifier', f.domain, f.mm);
    if (this.traits.ctxDescPut === 'srcuCallback') this.freeSharedCd(f.mm);
  }

  /** DRV-MN-SYNC synchronize(). */
  private synchronize(): void {
    while (this.st.deferred.length > 0) this.notifierFree(0);
  }

  // =============================================================== bind / unbind (driver/sva.ts)

  /** DRV-MN-GET notifierGet(): key, an errno, or 'BUG' (DRV-MN-REGISTER). */
  private notifierGet(domain: number, mm: number, failAt: AllocFailurePoint): number | Errno | 'BUG' {
    const st = this.st;
    const found = this.lookupNotifier(domain, mm);
    if (found >= 0) { st.mnRefs[found]!++; return found; }
    const ctxDescFirst = this.traits.notifierAlloc === 'ctxDescFirst';
    if (failAt === 'notifier' && !ctxDescFirst) return 'ENOMEM';
    if (!st.mmAlive[mm] && failAt !== 'notifier') {
      if (this.counting) this.counts[C_BUG]!++;
      if (this.materialize) this.push({ kind: 'bug', message: mmuNotifierRegisterBug });
      else if (this.watchFn) this.watchFn.bug();
      return 'BUG';
    }
    if (!this.allocSharedCd(mm)) return 'ENOSPC';
    // upstream: the kzalloc fails after the ctx desc (err_free_cd); a moved private ASID stays moved
    if (failAt === 'notifier') { this.freeSharedCd(mm); return 'ENOMEM'; }
    this.mmListShift(mm, -1, 1); // DRV-MN-ORDER: registered at the head of the mm's list
    const k = this.mnKey(domain, mm, 0);
    st.mnOn[k] = 1; st.mnRefs[k] = 1; st.mnCleared[k] = 0; st.mnListPos[k] = 0;
    if (this.traits.cdWrite === 'freshNotifier') this.writeCtxDesc(domain, st.mmPasid[mm]!, W_INSTALL, this.cpuAsids[mm]!, mm);
    return k;
  }

  /** DRV-BIND-ERR-PUT errPutNotifier(). */
  private errPutNotifier(k: number): void {
    const refs = this.st.mnRefs[k]! - 1;
    if (refs === 0) {
      const message = 'refcount_t: decrement hit 0; leaking memory.';
      if (this.counting) this.counts[C_WARN]!++;
      if (this.materialize) this.push({ kind: 'warn', message });
      else if (this.watchFn) this.watchFn.warn();
      this.notifierPut(k);
      return;
    }
    this.st.mnRefs[k] = refs;
  }

  /** DRV-BIND bind(). */
  private bind(dev: number, mm: number, failAt: AllocFailurePoint): void {
    const { config, traits, st } = this;
    const domain = st.steDomain[dev]!;
    if (config.domains[domain]!.stage !== 1) return this.obsReturnErr('EINVAL');
    if (!st.svaEnabled[dev]) return this.obsReturnErr('ENODEV');
    const bk = dev * st.nMm + mm;
    if (st.bondOn[bk]) {
      this.obsReturnHandle(dev, mm, st.mmPasid[mm]!);
      st.bondRefs[bk]!++;
      return;
    }
    let notifier = -1;
    if (traits.notifierGet === 'beforeBond') {
      const got = this.notifierGet(domain, mm, failAt);
      if (got === 'BUG') return;
      if (typeof got === 'string') return this.obsReturnErr(got);
      notifier = got;
    }
    if (failAt === 'bond') {
      if (notifier >= 0) this.errPutNotifier(notifier);
      return this.obsReturnErr('ENOMEM');
    }
    if (!this.allocPasid(mm, 1, (1 << config.devices[dev]!.ssidBits) - 1)) {
      if (notifier >= 0) this.errPutNotifier(notifier);
      return this.obsReturnErr('ENOSPC');
    }
    if (traits.notifierGet === 'afterPasid') {
      const got = this.notifierGet(domain, mm, failAt);
      if (got === 'BUG') { this.freePasid(mm); return; } // the reducer keeps the state before the step
      if (typeof got === 'string') { this.freePasid(mm); return this.obsReturnErr(got); }
      notifier = got;
    }
    if (traits.cdWrite === 'everyBond') this.writeCtxDesc(domain, st.mmPasid[mm]!, W_INSTALL, this.cpuAsids[mm]!, mm);
    const afterExit = notifier % 2;
    const pasid = st.mmPasid[mm]!;
    st.bondOn[bk] = 1; st.bondRefs[bk] = 1; st.bondAfterExit[bk] = afterExit;
    st.bondsOfDev[dev]!++;
    if (this.counting) this.counts[C_T_BIND]!++;
    if (this.materialize) this.push({ kind: 'trace', record: { tp: 'smmu_bind_alloc', dev, pasid } });
    else if (this.watchFn) this.watchFn.bindAlloc();
    this.obsReturnHandle(dev, mm, pasid);
  }

  /** DRV-UNBIND unbind(). */
  private unbind(dev: number, mm: number): void {
    const st = this.st;
    const bk = dev * st.nMm + mm;
    if (st.bondRefs[bk]! > 1) {
      this.obsReturnOk();
      st.bondRefs[bk]!--;
      return;
    }
    const afterExit = st.bondAfterExit[bk]!;
    st.bondOn[bk] = 0; st.bondRefs[bk] = 0; st.bondAfterExit[bk] = 0;
    st.bondsOfDev[dev]!--;
    const domain = st.steDomain[dev]!;
    const k = this.mnKey(domain, mm, afterExit);
    if (!st.mnOn[k]) throw new Error(`adapter: bond (${dev}, ${mm}) has no notifier (the reducer fails here too)`);
    const pasid = st.mmPasid[mm]!;
    const refs = st.mnRefs[k]! - 1;
    if (refs === 0) {
      this.teardownContext(domain, mm, st.mnCleared[k] === 1);
      this.notifierPut(k);
    } else {
      st.mnRefs[k] = refs;
    }
    this.freePasid(mm);
    if (this.counting) this.counts[C_T_UNBIND]!++;
    if (this.materialize) this.push({ kind: 'trace', record: { tp: 'smmu_unbind_free', dev, pasid } });
    this.obsReturnOk();
  }

  // =============================================================== process memory (process/memory.ts)

  /** MEM-TOUCH touch(). */
  private touch(mm: number, page: number, frame: number): void {
    this.st.pages[mm]![page] = frame;
    this.st.mapFrame(frame);
  }

  /** MEM-MUNMAP munmap(). */
  private munmap(mm: number, start: number, end: number): void {
    const st = this.st;
    const pages = st.pages[mm]!;
    let populated = false;
    for (let p = start; p < end; p++) {
      const f = pages[p]!;
      if (f >= 0) { st.unmapFrame(f); populated = true; }
      pages[p] = PTE_NOT_IN_VMA;
    }
    if (populated && this.featBtm) st.tlbDropRange(this.cpuAsids[mm]!, start, end); // MEM-BTM
    const n = this.mmList(mm), list = this.mnList;
    for (let round = 0, rounds = populated ? 2 : 1; round < rounds; round++) {
      for (let j = 0; j < n; j++) this.invalidateRange(Math.floor(list[j]! / 2 / st.nMm), mm, start, end);
    }
  }

  /** MEM-MMAP mmap(). */
  private mmap(mm: number, page: number): void {
    this.st.pages[mm]![page] = PTE_UNMAPPED;
  }

  /** MEM-EXIT exit(). */
  private exit(mm: number): void {
    const st = this.st;
    // DRV-MN-ORDER: release() from the head of the list, then every notifier is unlinked
    const n = this.mmList(mm), list = this.mnList;
    for (let j = 0; j < n; j++) { this.release(list[j]!); st.mnListPos[list[j]!] = 0; }
    st.mmAlive[mm] = 0;
    const pages = st.pages[mm]!;
    for (let p = 0; p < pages.length; p++) {
      const f = pages[p]!;
      if (f >= 0) st.unmapFrame(f);
      pages[p] = PTE_NOT_IN_VMA;
    }
  }
}

/** The DmaResult object of a result code (value = frame, PRGI or STAG). */
export function dmaResult(code: number, value: number): DmaResult {
  switch (code) {
    case R_ACCESS_ATC: return { tag: 'access', frame: value, via: 'atc' };
    case R_ACCESS_TLB: return { tag: 'access', frame: value, via: 'tlb' };
    case R_ACCESS_WALK: return { tag: 'access', frame: value, via: 'walk' };
    case R_TRANSLATED_TLB: return { tag: 'translated', frame: value, via: 'tlb' };
    case R_TRANSLATED_WALK: return { tag: 'translated', frame: value, via: 'walk' };
    case R_NO_ACCESS: return { tag: 'noAccess' };
    case R_PAGE_REQUEST: return { tag: 'pageRequest', prgi: value };
    case R_STALLED: return { tag: 'stalled', stag: value };
    case R_ABORTED: return { tag: 'aborted' };
    case R_UNSUPPORTED: return { tag: 'unsupportedRequest' };
    case R_COMPLETER_ABORT: return { tag: 'completerAbort' };
    default: throw new Error(`adapter: unknown DMA result code ${code}`);
  }
}
