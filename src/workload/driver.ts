// The workload driver: turns a Workload's phases into adapter events, as the kernel and the
// device drivers would issue them. Devices stream DMA over process buffers (one DMA per tick at
// most, from a job picked by the seeded PRNG); a fault blocks its job until the IOPF handler
// (after faultDelay ticks) works on it, taking the lowest free frame, and answers it (after
// respondDelay more); a PRI device retries the page after a Success response. Deferred notifier
// frees run rcuDelay ticks after they were queued. Transition invariants are judged on every
// observation (TransitionMonitor); state invariants on toState() every checkEvery ticks, after
// every phase and at the end.
import { describeError } from '../model/error.ts';
import type { Event } from '../model/event.ts';
import { createModel, type Model } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import { PTE_UNMAPPED } from '../model/state.ts';
import { checkInvariants, type InvariantName } from '../invariants/invariants.ts';
import { initialEngine, toState } from '../adapter/convert.ts';
import { R_REFUSED, countersToObject } from '../adapter/counters.ts';
import type { Engine } from '../adapter/engine.ts';
import { TransitionMonitor } from '../adapter/monitor.ts';
import { F_PENDING, F_SUCCESS } from '../adapter/store.ts';
import { describeEvent } from '../trace/describe.ts';
import type { Action, Job, Phase, Workload } from '../codecs/workload.ts';
import { Prng } from './prng.ts';

export interface RunOptions {
  /** Receives every trace record, with the tick it happened at. */
  readonly onTrace?: (o: Observation & { kind: 'trace' }, tick: number) => void;
  /** Called about every 64k ticks with ticks done and ticks planned. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Override the workload's checkEvery. */
  readonly checkEvery?: number;
  /** Keep this many violation examples (default 20). */
  readonly keepExamples?: number;
  /** Every event the driver applied, in order, and whether the adapter refused it (for replay). */
  readonly onEvent?: (e: Event, refused: boolean) => void;
}

export interface Example {
  readonly tick: number;
  readonly invariant: InvariantName;
  readonly detail: string;
}

export interface RunReport {
  readonly workload: string;
  readonly variant: string;
  readonly config: { readonly name: string; readonly devices: number; readonly processes: number; readonly pages: number; readonly frames: number };
  readonly ticks: number;
  readonly events: number;
  readonly dmaOps: number;
  readonly counters: Record<string, number>;
  readonly faults: { readonly pri: number; readonly stall: number; readonly handled: number; readonly outOfMemory: number };
  readonly pageResponses: { readonly success: number; readonly invalid: number; readonly failure: number };
  readonly commands: Record<string, number>;
  readonly hwEvents: Record<string, number>;
  readonly refused: { readonly count: number; readonly first: readonly string[] };
  readonly invariantChecks: { readonly stateChecks: number; readonly observationsJudged: number };
  readonly violations: Record<string, number>;
  readonly examples: readonly Example[];
  readonly seconds: number;
}

interface JobState extends Job {
  cursor: number;
  /** The bond is there (bound in this run and not unbound). */
  active: boolean;
  /** The device driver stopped DMA on this job (unbind pending). */
  stopping: boolean;
  /** Waiting for its fault's response. */
  blocked: boolean;
  /** A PRI device retries this page next (after a Success response), else -1. */
  retryPage: number;
}

interface QueuedFault {
  readonly dev: number;
  readonly group: number;
  readonly job: JobState | undefined;
  readonly page: number;
  readonly pri: boolean;
  handleAt: number;
  respondAt: number;
}

export class Runner {
  readonly model: Model;
  readonly engine: Engine;
  readonly monitor: TransitionMonitor;
  tick = 0;
  events = 0;
  dmaOps = 0;
  handled = 0;
  outOfMemory = 0;
  stateChecks = 0;
  refused = 0;
  readonly refusedFirst: string[] = [];
  readonly examples: Example[] = [];
  readonly stateViolations = new Map<InvariantName, number>();
  private readonly prng: Prng;
  private faults: QueuedFault[] = [];
  private jobs: JobState[] = [];
  private unbinds: { dev: number; mm: number; at: number; rebindAfter: number | undefined }[] = [];
  private binds: { dev: number; mm: number; at: number }[] = [];
  private rcuAt = -1;
  /** dev_fault records of the current step, queued for the handler once the step is over. */
  private newFaults: { dev: number; group: number; page: number }[] = [];
  /** The job whose DMA (or whose fault's response) is being applied. */
  private ctxJob: JobState | undefined;
  private readonly checkEvery: number;
  private readonly keep: number;
  private plannedTicks: number;

  constructor(readonly workload: Workload, private readonly opts: RunOptions = {}) {
    this.model = createModel(workload.config, workload.variant);
    this.engine = initialEngine(this.model, 'count');
    this.keep = opts.keepExamples ?? 20;
    this.monitor = new TransitionMonitor(this.engine, 0);
    this.monitor.onViolation = (v) => { if (this.examples.length < this.keep) this.examples.push({ tick: this.tick, ...v }); };
    const onTrace = opts.onTrace;
    this.engine.setMode('stream', (o) => {
      this.monitor.observe(o);
      if (o.kind === 'trace') {
        if (o.record.tp === 'dev_fault') this.newFaults.push({ dev: o.record.dev, group: o.record.group, page: o.record.page });
        if (onTrace) onTrace(o, this.tick);
      }
    });
    this.prng = new Prng(workload.seed);
    this.checkEvery = opts.checkEvery ?? workload.checkEvery;
    this.plannedTicks = workload.phases.reduce((n, p) => n + (p.kind === 'stream' ? p.ops : 0), 0);
  }

  // ------------------------------------------------------------------ events

  /** Apply one control event, judging handle identity around binds; refusals are counted. */
  private apply(e: Event): boolean {
    this.events++;
    this.monitor.beforeStep(e);
    const err = this.engine.step(e);
    this.opts.onEvent?.(e, err !== undefined);
    if (err) {
      this.refused++;
      if (this.refusedFirst.length < 10) this.refusedFirst.push(`tick ${this.tick}: ${describeEvent(this.model.config, e)}: ${describeError(err)}`);
      return false;
    }
    this.monitor.afterStep(e);
    this.collectFaults();
    return true;
  }

  /** Queue the faults the last step reported; the job that caused them waits for them. */
  private collectFaults(): void {
    if (this.newFaults.length === 0) return;
    for (const n of this.newFaults) {
      const f = this.engine.faultAt(n.dev, n.group)!;
      this.faults.push({ dev: n.dev, group: n.group, job: this.ctxJob, page: n.page, pri: f.via === 'pri', handleAt: this.tick + this.workload.faultDelay, respondAt: 0 });
      if (this.ctxJob) this.ctxJob.blocked = true;
    }
    this.newFaults.length = 0;
  }

  private checkState(): void {
    this.stateChecks++;
    for (const v of checkInvariants(this.model, toState(this.engine))) {
      this.stateViolations.set(v.invariant, (this.stateViolations.get(v.invariant) ?? 0) + 1);
      if (this.examples.length < this.keep) this.examples.push({ tick: this.tick, invariant: v.invariant, detail: `${v.detail} (state check)` });
    }
  }

  // ------------------------------------------------------------------ the IOPF handler and SRCU

  private pendingOn(dev: number, mm: number): boolean {
    const pasid = this.engine.st.mmPasid[mm]!;
    return this.engine.st.faults[dev]!.some((f) => f.pasid === pasid);
  }

  private serviceFaults(all: boolean): void {
    if (this.faults.length === 0) return;
    const st = this.engine.st;
    const rest: QueuedFault[] = [];
    const queue = this.faults;
    this.faults = []; // faults reported while answering these (a stall retry) queue up here
    for (const q of queue) {
      const f = this.engine.faultAt(q.dev, q.group);
      if (!f) continue; // answered already (cannot happen: only the driver answers)
      if (f.status === F_PENDING) {
        if (!all && q.handleAt > this.tick) { rest.push(q); continue; }
        const plan = this.engine.iopfPlan(f);
        const frame = plan === 'faultIn' ? st.lowestFreeFrame() : -1;
        if (plan === 'faultIn' && frame < 0) this.outOfMemory++;
        this.apply({ kind: 'iopfHandle', dev: q.dev, group: q.group, frame });
        this.handled++;
        q.respondAt = this.tick + this.workload.respondDelay;
      }
      if (!all && q.respondAt > this.tick) { rest.push(q); continue; }
      const success = f.status === F_SUCCESS;
      if (q.job) {
        q.job.blocked = false;
        q.job.retryPage = q.pri && success ? q.page : -1;
      }
      this.ctxJob = q.job; // a retried stalled transaction may fault again
      this.apply({ kind: 'iopfRespond', dev: q.dev, group: q.group });
      this.ctxJob = undefined;
    }
    this.faults = rest.concat(this.faults);
  }

  private serviceRcu(all: boolean): void {
    const d = this.engine.st.deferred;
    if (d.length === 0) { this.rcuAt = -1; return; }
    if (!all) {
      if (this.rcuAt < 0) { this.rcuAt = this.tick + this.workload.rcuDelay; return; }
      if (this.tick < this.rcuAt) return;
    }
    while (d.length > 0) this.apply({ kind: 'notifierFree', domain: d[0]!.domain, mm: d[0]!.mm });
    this.rcuAt = -1;
  }

  private serviceUnbinds(): void {
    if (this.unbinds.length === 0) return;
    const st = this.engine.st;
    this.unbinds = this.unbinds.filter((u) => {
      if (u.at > this.tick) return true;
      for (const j of this.jobs) if (j.dev === u.dev && j.mm === u.mm) j.stopping = true;
      if (this.pendingOn(u.dev, u.mm)) return true; // the driver waits for its faults
      while (st.bondOn[u.dev * st.nMm + u.mm]) if (!this.apply({ kind: 'unbind', dev: u.dev, mm: u.mm })) break;
      for (const j of this.jobs) if (j.dev === u.dev && j.mm === u.mm) { j.active = false; j.stopping = false; }
      if (u.rebindAfter !== undefined) this.binds.push({ dev: u.dev, mm: u.mm, at: this.tick + u.rebindAfter });
      return false;
    });
    if (this.binds.length === 0) return;
    this.binds = this.binds.filter((b) => {
      if (b.at > this.tick) return true;
      this.bind(b.dev, b.mm);
      return false;
    });
  }

  private bind(dev: number, mm: number): void {
    this.apply({ kind: 'bind', dev, mm, fail: 'none' });
    const st = this.engine.st;
    const on = st.bondOn[dev * st.nMm + mm] === 1;
    for (const j of this.jobs) if (j.dev === dev && j.mm === mm) { j.active = on; j.blocked = false; j.retryPage = -1; }
  }

  /** Drain: answer every queued fault now, run every deferred free. */
  drain(): void {
    for (let guard = 0; this.faults.length > 0 && guard < 1000; guard++) this.serviceFaults(true);
    this.serviceRcu(true);
  }

  // ------------------------------------------------------------------ CPU side

  private touch(mm: number, start: number, end: number): void {
    const st = this.engine.st;
    if (!st.mmAlive[mm]) return;
    const pages = st.pages[mm]!;
    for (let p = start; p < end; p++) {
      if (pages[p] !== PTE_UNMAPPED) continue;
      const frame = st.lowestFreeFrame();
      if (frame < 0) { this.outOfMemory++; return; }
      this.apply({ kind: 'touch', mm, page: p, frame });
    }
  }

  private action(a: Action): void {
    switch (a.kind) {
      case 'munmap':
        if (this.apply({ kind: 'munmap', mm: a.mm, start: a.start, end: a.end }) && a.remap) {
          for (let p = a.start; p < a.end; p++) this.apply({ kind: 'mmap', mm: a.mm, page: p });
        }
        return;
      case 'exit': {
        this.apply({ kind: 'exit', mm: a.mm });
        if (a.unbindAfter === undefined) return;
        const st = this.engine.st;
        for (let dev = 0; dev < st.nDev; dev++) if (st.bondOn[dev * st.nMm + a.mm]) this.unbinds.push({ dev, mm: a.mm, at: this.tick + a.unbindAfter, rebindAfter: undefined });
        return;
      }
      case 'unbind':
        this.unbinds.push({ dev: a.dev, mm: a.mm, at: this.tick, rebindAfter: a.rebindAfter });
        return;
      case 'bind':
        this.bind(a.dev, a.mm);
        return;
      case 'touch':
        this.touch(a.mm, a.start, a.end);
        return;
    }
  }

  // ------------------------------------------------------------------ devices

  /** One DMA from a runnable job (picked at random, then the next runnable one). */
  private issueDma(): void {
    const jobs = this.jobs;
    const n = jobs.length;
    if (n === 0) return;
    const start = this.prng.below(n);
    for (let k = 0; k < n; k++) {
      const j = jobs[(start + k) % n]!;
      if (!j.active || j.blocked || j.stopping) continue;
      const len = j.end - j.start;
      let page: number;
      if (j.retryPage >= 0) { page = j.retryPage; j.retryPage = -1; } else if (j.pattern === 'sequential') { page = j.start + (j.cursor++ % len); } else { page = j.start + this.prng.below(len); }
      const write = j.writes >= 1 ? true : j.writes <= 0 ? false : this.prng.fraction() < j.writes;
      const st = this.engine.st;
      this.dmaOps++;
      this.ctxJob = j;
      const pasid = st.mmPasid[j.mm]!;
      const r = this.engine.dma(j.dev, pasid, page, write);
      this.opts.onEvent?.({ kind: 'dma', dev: j.dev, pasid, page, write }, r === R_REFUSED);
      this.collectFaults();
      this.ctxJob = undefined;
      if (r === R_REFUSED) {
        this.refused++;
        if (this.refusedFirst.length < 10) this.refusedFirst.push(`tick ${this.tick}: DMA of device ${j.dev} on process ${j.mm} page ${page}: ${describeError(this.engine.lastError!)}`);
      }
      return;
    }
  }

  private stream(p: Phase & { kind: 'stream' }): void {
    const st = this.engine.st;
    const jobSpecs: readonly Job[] = p.jobs === 'bonds'
      ? (() => {
        const out: Job[] = [];
        for (let dev = 0; dev < st.nDev; dev++) for (let mm = 0; mm < st.nMm; mm++) {
          if (st.bondOn[dev * st.nMm + mm]) out.push({ dev, mm, start: 0, end: st.pages[mm]!.length, pattern: p.pattern, writes: p.writes });
        }
        return out;
      })()
      : p.jobs;
    for (let guard = 0; this.faults.length > 0 && guard < 1000; guard++) this.serviceFaults(true);
    this.jobs = jobSpecs.map((j) => ({ ...j, cursor: 0, active: st.bondOn[j.dev * st.nMm + j.mm] === 1, stopping: false, blocked: false, retryPage: -1 }));
    let next = 0;
    for (let op = 0; op < p.ops; op++) {
      this.tick++;
      while (next < p.at.length && p.at[next]!.op <= op) this.action(p.at[next++]!.action);
      this.serviceFaults(false);
      this.serviceUnbinds();
      this.serviceRcu(false);
      this.issueDma();
      if (this.checkEvery > 0 && this.tick % this.checkEvery === 0) this.checkState();
      if ((this.tick & 0xffff) === 0) this.opts.onProgress?.(this.tick, this.plannedTicks);
    }
    // jobs of this phase end here; their faults stay queued for the next drain
    for (const q of this.faults) (q as { job: JobState | undefined }).job = undefined;
    this.jobs = [];
  }

  private phase(p: Phase): void {
    switch (p.kind) {
      case 'enableSva':
      case 'disableSva':
        for (const dev of p.devs) this.apply({ kind: p.kind, dev });
        return;
      case 'bind':
        for (const [dev, mm] of p.pairs) this.apply({ kind: 'bind', dev, mm, fail: 'none' });
        return;
      case 'unbind':
        for (const [dev, mm] of p.pairs) {
          if (this.pendingOn(dev, mm)) this.drain();
          this.apply({ kind: 'unbind', dev, mm });
        }
        return;
      case 'touch':
        for (const mm of p.mms) this.touch(mm, p.start ?? 0, p.end ?? this.engine.st.pages[mm]!.length);
        return;
      case 'stream':
        return this.stream(p);
      case 'exit':
        for (const mm of p.mms) this.apply({ kind: 'exit', mm });
        return;
      case 'domainFree':
        for (const domain of p.domains) this.apply({ kind: 'domainFree', domain });
        return;
      case 'drain':
        return this.drain();
    }
  }

  run(): RunReport {
    const t0 = performance.now();
    for (const p of this.workload.phases) {
      this.phase(p);
      this.checkState();
    }
    this.drain();
    this.checkState();
    this.opts.onProgress?.(this.tick, this.plannedTicks);
    return this.report((performance.now() - t0) / 1000);
  }

  report(seconds: number): RunReport {
    const counters = countersToObject(this.engine.counts);
    const c = (k: string) => counters[k] ?? 0;
    const pick = (prefix: string) => Object.fromEntries(Object.entries(counters).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    const violations: Record<string, number> = {};
    for (const [k, v] of this.monitor.counts) violations[k] = (violations[k] ?? 0) + v;
    for (const [k, v] of this.stateViolations) violations[k] = (violations[k] ?? 0) + v;
    const cfg = this.workload.config;
    return {
      workload: this.workload.name,
      variant: this.workload.variant,
      config: { name: cfg.name, devices: cfg.devices.length, processes: cfg.processes.length, pages: cfg.processes.reduce((n, p) => n + p.pages, 0), frames: cfg.frames },
      ticks: this.tick,
      events: this.events,
      dmaOps: this.dmaOps,
      counters,
      faults: { pri: c('dma.pageRequest'), stall: c('dma.stalled'), handled: this.handled, outOfMemory: this.outOfMemory },
      pageResponses: {
        success: c('trace.dev_page_response.0'),
        invalid: c('trace.dev_page_response.1'),
        failure: c('trace.dev_page_response.2'),
      },
      commands: pick('cmd.'),
      hwEvents: pick('event.'),
      refused: { count: this.refused, first: this.refusedFirst },
      invariantChecks: { stateChecks: this.stateChecks, observationsJudged: this.monitor.observed },
      violations: Object.fromEntries(Object.entries(violations).sort(([a], [b]) => a.localeCompare(b))),
      examples: this.examples,
      seconds,
    };
  }
}

export function runWorkload(w: Workload, opts: RunOptions = {}): RunReport {
  return new Runner(w, opts).run();
}
