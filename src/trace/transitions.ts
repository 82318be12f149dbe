// The model steps the trace checker takes, cached (spec/trace-checker.md, "Unlogged steps").
//
// A checker state (Ext) is a model State plus the set of pages a remap brought back into a VMA.
// Ops are model events or checker-level steps that stand for unlogged model steps done earlier
// ("recycle": a fresh process takes over a slot; "hole": an munmap done before the slot's first
// bind) or for a choice of the inferred configuration ("share": a device attached to another
// device's domain, decided when the device first appears). After every model event the pending SRCU notifier frees run at once (TRACE-EAGER-FREE).
// Transitions are cached on (state key, op key): traces repeat the same few states.
import * as E from 'fp-ts/lib/Either.js';
import { canonicalState } from '../model/digest.ts';
import type { Event } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { TraceRecord } from '../model/observation.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED, type State } from '../model/state.ts';
import { replaceAt } from '../model/sorted.ts';
import { step } from '../machine/step.ts';
import { freeFrames, iopfPlan, mmOfPasid } from '../model/queries.ts';
import { withPte } from '../model/update.ts';

export interface Ext {
  readonly state: State;
  /** slot * 2^20 + page of pages an unlogged mmap brought back (never eligible for a hole); sorted. */
  readonly remapped: readonly number[];
}

export type Op =
  | { readonly op: 'event'; readonly event: Event }
  /** TRACE-RECYCLE: the slot's process is gone (or exits, unlogged: it has no notifier) and a fresh one takes its place. */
  | { readonly op: 'recycle'; readonly slot: number }
  /** TRACE-HOLE: the slot's process munmapped this never-touched page before its first bind (unlogged: no notifier yet). */
  | { readonly op: 'hole'; readonly slot: number; readonly page: number }
  /** TRACE-DOMAIN-SHARE: the device (not used yet) is attached to `domain`, another device's, instead of its own. */
  | { readonly op: 'share'; readonly dev: number; readonly domain: number };

/** One step of a witness: a model event or a checker note. */
export type WStep = { readonly kind: 'event'; readonly event: Event } | { readonly kind: 'note'; readonly text: string };

export interface Out {
  readonly ext: Ext;
  /** Interned id of ext's canonical key (see Transitions.intern). */
  readonly key: number;
  readonly records: readonly TraceRecord[];
  readonly steps: readonly WStep[];
}

export interface ClosureEntry {
  readonly ext: Ext;
  readonly key: number;
  readonly steps: readonly WStep[];
}

export function extKey(x: Ext): string {
  const k = canonicalState(x.state);
  return x.remapped.length === 0 ? k : `${k}#${x.remapped.join(',')}`;
}

function opKey(o: Op): string {
  switch (o.op) {
    case 'recycle': return `R${o.slot}`;
    case 'hole': return `H${o.slot},${o.page}`;
    case 'share': return `S${o.dev},${o.domain}`;
    case 'event': {
      const e = o.event as unknown as Record<string, unknown>;
      let k = e.kind as string;
      for (const f of ['dev', 'mm', 'pasid', 'page', 'start', 'end', 'group', 'frame', 'domain', 'write', 'fail']) if (f in e) k += `,${String(e[f])}`;
      return k;
    }
  }
}

const remapKey = (slot: number, page: number) => slot * 1048576 + page;

/** A slot can take a fresh process: nothing of its current process is left in the driver. */
export function recyclable(s: State, slot: number): boolean {
  const m = s.mms[slot]!;
  if (m.pasid !== 0 || m.pasidRefs !== 0 || m.ctxDescRefs !== 0) return false;
  return !s.bonds.some((b) => b.mm === slot) && !s.notifiers.some((n) => n.mm === slot) && !s.deferredFrees.some((f) => f.mm === slot);
}

export interface CacheStats { hits: number; misses: number; clears: number }

export class Transitions {
  private readonly cache = new Map<string, Out | null>();
  private readonly closures = new Map<number, { entries: readonly ClosureEntry[]; truncated: boolean }>();
  /** Canonical state keys -> small ids, so that caches and hypothesis keys use short strings. */
  private readonly ids = new Map<string, number>();
  private nextId = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0, clears: 0 };
  /** Touch is only relevant when the frames can run out (TRACE-PRUNE-TOUCH, TRACE-OOM). */
  private readonly oomPossible: boolean;

  constructor(readonly model: Model, private readonly cacheLimit = 200000, private readonly closureLimit = 4096) {
    const c = model.config;
    this.oomPossible = c.frames < c.processes.reduce((n, p) => n + p.pages, 0);
  }

  /** The id of a checker state; equal states get equal ids (until the table is cleared, then fresh ones). */
  intern(x: Ext): number {
    const k = extKey(x);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.nextId++;
      this.remember(this.ids, k, id);
    }
    return id;
  }

  private remember<K, V>(map: Map<K, V>, k: K, v: V): void {
    if (map.size >= this.cacheLimit) { map.clear(); this.stats.clears++; }
    map.set(k, v);
  }

  /** Apply one op; null when the model refuses it. */
  apply(x: Ext, key: number, o: Op): Out | null {
    const ck = `${key}:${opKey(o)}`;
    const hit = this.cache.get(ck);
    if (hit !== undefined) { this.stats.hits++; return hit; }
    this.stats.misses++;
    const out = this.compute(x, o);
    this.remember(this.cache, ck, out);
    return out;
  }

  private compute(x: Ext, o: Op): Out | null {
    const { config } = this.model;
    switch (o.op) {
      case 'recycle': {
        const s = x.state;
        if (!recyclable(s, o.slot)) return null;
        const p = config.processes[o.slot]!;
        const mm = { alive: true, pasid: 0, pasidRefs: 0, ctxDescRefs: 0, pages: Array.from({ length: p.pages }, () => PTE_UNMAPPED) };
        const state: State = { ...s, mms: replaceAt(s.mms, o.slot, mm), tlb: s.tlb.filter((e) => e.asid !== p.cpuAsid) };
        const ext = { state, remapped: x.remapped.filter((r) => Math.floor(r / 1048576) !== o.slot) };
        return { ext, key: this.intern(ext), records: [], steps: [{ kind: 'note', text: `a fresh process takes slot ${p.name} (the previous one, if any, exited unlogged: it held no notifier)` }] };
      }
      case 'hole': {
        const s = x.state;
        const m = s.mms[o.slot]!;
        if (!m.alive || m.pages[o.page] !== PTE_UNMAPPED || x.remapped.includes(remapKey(o.slot, o.page))) return null;
        const state = withPte(s, o.slot, o.page, PTE_NOT_IN_VMA);
        const ext = { state, remapped: x.remapped };
        const name = config.processes[o.slot]!.name;
        return { ext, key: this.intern(ext), records: [], steps: [{ kind: 'note', text: `${name} had munmapped page ${o.page} before its first bind (unlogged: no notifier then)` }] };
      }
      case 'share': {
        const s = x.state;
        const e = s.ste[o.dev]!;
        if (e.domain === o.domain || s.svaEnabled[o.dev] || o.domain >= s.domains.length) return null;
        const state: State = { ...s, ste: replaceAt(s.ste, o.dev, { ...e, domain: o.domain }) };
        const ext = { state, remapped: x.remapped };
        const others = config.devices.flatMap((d, i) => (i !== o.dev && s.ste[i]!.domain === o.domain ? [d.name] : [])).join(', ');
        const text = `${config.devices[o.dev]!.name} shares ${config.domains[o.domain]?.name ?? `domain ${o.domain}`} with ${others || 'no device'} (inferred: one domain, one notifier per mm)`;
        return { ext, key: this.intern(ext), records: [], steps: [{ kind: 'note', text }] };
      }
      case 'event': {
        const r = step(this.model, x.state, o.event);
        if (E.isLeft(r)) return null;
        let state = r.right.state;
        const records: TraceRecord[] = [];
        for (const ob of r.right.observations) if (ob.kind === 'trace') records.push(ob.record);
        const steps: WStep[] = [{ kind: 'event', event: o.event }];
        // TRACE-EAGER-FREE: the SRCU callbacks run right away (they emit no record)
        while (state.deferredFrees.length > 0) {
          const f = state.deferredFrees[0]!;
          const ev: Event = { kind: 'notifierFree', domain: f.domain, mm: f.mm };
          const rf = step(this.model, state, ev);
          if (E.isLeft(rf)) break;
          state = rf.right.state;
          steps.push({ kind: 'event', event: ev });
        }
        let remapped = x.remapped;
        if (o.event.kind === 'mmap') {
          const k = remapKey(o.event.mm, o.event.page);
          if (!remapped.includes(k)) remapped = [...remapped, k].sort((a, b) => a - b);
        }
        const ext = { state, remapped };
        return { ext, key: this.intern(ext), records, steps };
      }
    }
  }

  /** Apply ops in order; every op but the last must emit no record. */
  applyAll(x: Ext, key: number, ops: readonly Op[]): Out | null {
    if (ops.length === 1) return this.apply(x, key, ops[0]!);
    let cur: Out = { ext: x, key, records: [], steps: [] };
    const steps: WStep[] = [];
    for (let i = 0; i < ops.length; i++) {
      const r = this.apply(cur.ext, cur.key, ops[i]!);
      if (!r) return null;
      if (i < ops.length - 1 && r.records.length > 0) return null;
      steps.push(...r.steps);
      cur = r;
    }
    return { ext: cur.ext, key: cur.key, records: cur.records, steps };
  }

  /** The unlogged moves worth taking from one state (see closure()). */
  private unloggedMoves(x: Ext): Op[][] {
    const s = x.state;
    const { config } = this.model;
    const moves: Op[][] = [];
    const lowestFree = (st: State) => freeFrames(st, config.frames)[0] ?? -1;
    for (let i = 0; i < s.faults.length; i++) {
      const f = s.faults[i]!;
      if (f.status !== 'pending') continue;
      const plan = iopfPlan(s, i);
      const mm = mmOfPasid(s, f.pasid);
      // TRACE-IOPF: the handler may run at any point between the fault and its response
      moves.push([{ op: 'event', event: { kind: 'iopfHandle', dev: f.dev, group: f.group, frame: plan === 'faultIn' ? lowestFree(s) : -1 } }]);
      if (plan === 'faultIn' && this.oomPossible) {
        // TRACE-OOM: the CPU touched pages (unlogged) until no frame was left: the handler fails
        const free = freeFrames(s, config.frames);
        const touch: Op[] = [];
        for (let m = 0; m < s.mms.length && touch.length < free.length; m++) {
          const st = s.mms[m]!;
          if (!st.alive) continue;
          for (let page = 0; page < st.pages.length && touch.length < free.length; page++) {
            if (st.pages[page] === PTE_UNMAPPED && !(m === mm && page === f.page)) touch.push({ op: 'event', event: { kind: 'touch', mm: m, page, frame: free[touch.length]! } });
          }
        }
        if (touch.length === free.length && touch.length > 0) moves.push([...touch, { op: 'event', event: { kind: 'iopfHandle', dev: f.dev, group: f.group, frame: -1 } }]);
      }
      if (plan === 'faultIn' && mm >= 0 && !x.remapped.includes(remapKey(mm, f.page))) {
        moves.push([{ op: 'hole', slot: mm, page: f.page }, { op: 'event', event: { kind: 'iopfHandle', dev: f.dev, group: f.group, frame: -1 } }]);
      }
      if (plan === 'invalid' && config.options.remap && mm >= 0 && s.mms[mm]!.alive && s.mms[mm]!.pages[f.page] === PTE_NOT_IN_VMA) {
        // after the mmap the page is in a VMA and unpopulated: the handler faults it in
        const frame = lowestFree(s);
        moves.push([{ op: 'event', event: { kind: 'mmap', mm, page: f.page } }, { op: 'event', event: { kind: 'iopfHandle', dev: f.dev, group: f.group, frame } }]);
      }
    }
    return moves;
  }

  /**
   * Every checker state reachable from x by unlogged moves (x itself first), each with the steps
   * that reach it. Breadth-first, deduplicated by key, at most closureLimit states.
   */
  closure(x: Ext, key: number): { entries: readonly ClosureEntry[]; truncated: boolean } {
    const cached = this.closures.get(key);
    if (cached) return cached;
    if (x.state.faults.length === 0) {
      const res = { entries: [{ ext: x, key, steps: [] }], truncated: false };
      this.remember(this.closures, key, res);
      return res;
    }
    const seen = new Set<number>([key]);
    const entries: ClosureEntry[] = [{ ext: x, key, steps: [] }];
    let truncated = false;
    for (let i = 0; i < entries.length; i++) {
      const cur = entries[i]!;
      for (const ops of this.unloggedMoves(cur.ext)) {
        const r = this.applyAll(cur.ext, cur.key, ops);
        if (!r || r.records.length > 0 || seen.has(r.key)) continue;
        if (entries.length >= this.closureLimit) { truncated = true; break; }
        seen.add(r.key);
        entries.push({ ext: r.ext, key: r.key, steps: [...cur.steps, ...r.steps] });
      }
    }
    const res = { entries, truncated };
    this.remember(this.closures, key, res);
    return res;
  }
}
