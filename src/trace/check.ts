// The trace checker (spec/trace-checker.md, "Acceptance"): the set of checker states consistent
// with the prefix read so far, advanced one record at a time. For each line, every state is
// saturated with unlogged steps (closure), then every logged step whose first record matches the
// line is taken; the records a step emits after its first are kept as a pending suffix that the
// next lines must match exactly. A trace is accepted iff some state survives its last line with
// nothing pending. Each state keeps a parent pointer to the steps that led to it (the witness).
import type { Model } from '../model/model.ts';
import { initialState } from '../machine/initial.ts';
import { enabledEvents } from '../machine/enabled.ts';
import type { TraceRecord } from '../model/observation.ts';
import { describeEvent } from './describe.ts';
import type { AddressMap } from './addressMap.ts';
import { candidates, freshSlots } from './candidates.ts';
import { displayRecord, dropFreedPasids, emptyMaps, mapsKey, matchRecord, modelGroup, modelPasid, type Maps } from './match.ts';
import type { ConcreteRecord } from './parse.ts';
import { Transitions, type Ext, type Op, type WStep } from './transitions.ts';

/** A witness node: the steps taken to explain one line; `cont` when the line continued a step. */
export interface WNode {
  readonly line: number;
  readonly steps: readonly WStep[];
  readonly cont: boolean;
  readonly text: string;
  parent: WNode | null;
}

interface Hyp {
  readonly ext: Ext;
  /** Interned id of ext (closure and transition caches). */
  readonly xkey: number;
  /** Key of the whole hypothesis (deduplication). */
  readonly key: string;
  readonly pending: readonly TraceRecord[];
  readonly maps: Maps;
  readonly node: WNode | null;
  /** Checker steps taken before this line's steps (a domain choice), put in the line's witness node. */
  readonly pre: readonly WStep[];
}

export interface CheckerOptions {
  /** Most checker states kept at once; beyond it the set is cut and a rejection is inconclusive. */
  readonly maxStates: number;
  /** Lines of witness kept (older steps are forgotten, so memory does not grow with the trace). */
  readonly witnessLines: number;
  /**
   * TRACE-DOMAIN-SHARE: when a device first appears, also try attaching it to the domain of each
   * device seen before with the same stall capability (inferred configurations).
   */
  readonly shareDomains: boolean;
}

export const defaultCheckerOptions: CheckerOptions = { maxStates: 10000, witnessLines: 2000, shareDomains: false };

export interface Verdict {
  readonly accepted: boolean;
  readonly firstUnexplainedLine: number | null;
  readonly reason: string;
  /** The line no interleaving explains (its text). */
  readonly record: string | null;
  /** What the model could have emitted there instead (deduplicated, sorted). */
  readonly expected: readonly string[];
  /** One interleaving explaining the prefix (most recent witnessLines lines). */
  readonly witness: readonly string[];
  /** Line at which the state set was first cut to maxStates, or null. */
  readonly truncatedAt: number | null;
  readonly maxStatesSeen: number;
}

function recordKey(r: TraceRecord): string {
  return Object.values(r).join(',');
}

export class TraceChecker {
  private hyps: Hyp[];
  private readonly t: Transitions;
  private truncatedAt: number | null = null;
  private maxStatesSeen = 1;
  private rejected: Verdict | null = null;
  private lastLine = 0;
  private readonly devIndex = new Map<string, number>();
  /** Devices named by a record so far, in order of first appearance (the same in every hypothesis). */
  private readonly seenDevices: number[] = [];

  constructor(readonly model: Model, readonly addresses: AddressMap, private readonly opts: CheckerOptions = defaultCheckerOptions) {
    this.t = new Transitions(model);
    model.config.devices.forEach((d, i) => this.devIndex.set(d.name, i));
    const ext: Ext = { state: initialState(model.config), remapped: [] };
    const key = this.t.intern(ext);
    this.hyps = [{ ext, xkey: key, key: this.hypKey(key, [], emptyMaps), pending: [], maps: emptyMaps, node: null, pre: [] }];
  }

  get stats() { return { ...this.t.stats, states: this.hyps.length }; }
  get verdictSoFar(): Verdict | null { return this.rejected; }

  private hypKey(xkey: number, pending: readonly TraceRecord[], maps: Maps): string {
    const p = pending.length === 0 ? '' : pending.map(recordKey).join(';');
    return `${xkey}|${p}|${mapsKey(maps)}`;
  }

  /** Feed one record; false once the trace is rejected (further calls are ignored). */
  feed(line: number, c: ConcreteRecord, text: string): boolean {
    if (this.rejected) return false;
    this.lastLine = line;
    const dev = 'dev' in c ? (this.devIndex.get(c.dev) ?? -1) : -1;
    const next = new Map<string, Hyp>();
    let cut = false;
    const add = (h: Hyp) => {
      if (next.has(h.key)) return;
      if (next.size >= this.opts.maxStates) { cut = true; return; }
      next.set(h.key, h);
    };
    let hyps = this.hyps;
    if (dev >= 0 && !this.seenDevices.includes(dev)) {
      if (this.opts.shareDomains) hyps = this.branchDomains(dev);
      this.seenDevices.push(dev);
    }
    for (const h of hyps) {
      if (h.pending.length > 0) {
        const m = matchRecord(h.maps, h.pending[0]!, c, dev, this.addresses);
        if (!m) continue;
        const pending = h.pending.slice(1);
        const maps = pending.length === 0 ? dropFreedPasids(m, h.ext.state) : m;
        const node: WNode = { line, steps: [], cont: true, text, parent: h.node };
        add({ ext: h.ext, xkey: h.xkey, key: this.hypKey(h.xkey, pending, maps), pending, maps, node, pre: [] });
        continue;
      }
      const cl = this.t.closure(h.ext, h.xkey);
      if (cl.truncated && this.truncatedAt === null) this.truncatedAt = line;
      for (const entry of cl.entries) {
        for (const ops of candidates(this.model, entry.ext.state, h.maps, c, dev, this.addresses)) {
          const r = this.t.applyAll(entry.ext, entry.key, ops);
          if (!r || r.records.length === 0) continue;
          const m = matchRecord(h.maps, r.records[0]!, c, dev, this.addresses);
          if (!m) continue;
          const pending = r.records.slice(1);
          const maps = pending.length === 0 ? dropFreedPasids(m, r.ext.state) : m;
          const steps = entry.steps.length === 0 && h.pre.length === 0 ? r.steps : [...h.pre, ...entry.steps, ...r.steps];
          const node: WNode = { line, steps, cont: false, text, parent: h.node };
          add({ ext: r.ext, xkey: r.key, key: this.hypKey(r.key, pending, maps), pending, maps, node, pre: [] });
        }
      }
    }
    if (cut && this.truncatedAt === null) this.truncatedAt = line;
    if (next.size === 0) {
      this.rejected = this.reject(line, c, text, dev);
      return false;
    }
    this.hyps = [...next.values()];
    this.maxStatesSeen = Math.max(this.maxStatesSeen, this.hyps.length);
    if (line % 1024 === 0) this.forgetOldWitness(line - this.opts.witnessLines);
    return true;
  }

  /**
   * TRACE-DOMAIN-SHARE: the hypotheses for a device's first record: each state as it is (the device
   * in a domain of its own) and, for each domain of a device seen before with the same stall
   * capability, the state with the device attached there instead (Linux 5.13 refuses a stalling
   * and a non-stalling master in one stage-1 domain). Domains in ascending order (determinism).
   */
  private branchDomains(dev: number): Hyp[] {
    const devices = this.model.config.devices;
    const stall = devices[dev]!.stall;
    const peers = this.seenDevices.filter((e) => devices[e]!.stall === stall);
    if (peers.length === 0) return this.hyps;
    const out: Hyp[] = [];
    for (const h of this.hyps) {
      out.push(h);
      if (h.pending.length > 0) continue;
      const doms = [...new Set(peers.map((e) => h.ext.state.ste[e]!.domain))].sort((a, b) => a - b);
      for (const domain of doms) {
        const r = this.t.apply(h.ext, h.xkey, { op: 'share', dev, domain });
        if (!r) continue;
        out.push({ ext: r.ext, xkey: r.key, key: this.hypKey(r.key, h.pending, h.maps), pending: h.pending, maps: h.maps, node: h.node, pre: [...h.pre, ...r.steps] });
      }
    }
    return out;
  }

  /** Cut every witness chain before line `before`: memory stays bounded on long traces. */
  private forgetOldWitness(before: number): void {
    if (before <= 0) return;
    for (const h of this.hyps) {
      let n = h.node;
      while (n && n.parent) {
        if (n.parent.line < before) { n.parent = null; break; }
        n = n.parent;
      }
    }
  }

  finish(): Verdict {
    if (this.rejected) return this.rejected;
    const done = this.hyps.find((h) => h.pending.length === 0);
    if (done) {
      return {
        accepted: true, firstUnexplainedLine: null, reason: 'accepted', record: null, expected: [], witness: this.witness(done.node),
        truncatedAt: this.truncatedAt, maxStatesSeen: this.maxStatesSeen,
      };
    }
    const h = this.hyps[0]!;
    const expected = [...new Set(this.hyps.map((x) => displayRecord(this.model.config, this.addresses, x.maps, x.pending[0]!)))].sort();
    return {
      accepted: false, firstUnexplainedLine: this.lastLine + 1,
      reason: 'the trace ends inside a model step: the records that step still emits are missing',
      record: null, expected, witness: this.witness(h.node), truncatedAt: this.truncatedAt, maxStatesSeen: this.maxStatesSeen,
    };
  }

  private witness(node: WNode | null): string[] {
    const nodes: WNode[] = [];
    for (let n = node; n; n = n.parent) nodes.push(n);
    nodes.reverse();
    const out: string[] = [];
    const c = this.model.config;
    const first = nodes[0];
    if (first && first.line > 1 && first.parent === null && this.lastLine > this.opts.witnessLines) out.push(`  ... (steps before line ${first.line} forgotten)`);
    for (const n of nodes) {
      if (n.cont) { out.push(`  line ${n.line}: (same step)  ->  ${n.text.trim()}`); continue; }
      const logged = lastEventIndex(n.steps);
      n.steps.forEach((st, i) => {
        const what = st.kind === 'event' ? describeEvent(c, st.event) : `(checker) ${st.text}`;
        if (i === logged) out.push(`  line ${n.line}: ${what}  ->  ${n.text.trim()}`);
        else out.push(`      unlogged: ${what}`);
      });
    }
    return out;
  }

  private reject(line: number, c: ConcreteRecord, text: string, dev: number): Verdict {
    const expected = this.expectedRecords();
    return {
      accepted: false, firstUnexplainedLine: line, reason: this.explain(c, dev), record: text.trim(), expected,
      witness: this.witness(this.hyps[0]!.node), truncatedAt: this.truncatedAt, maxStatesSeen: this.maxStatesSeen,
    };
  }

  /** A one-line reason for the common cases, from the first surviving state. */
  private explain(c: ConcreteRecord, dev: number): string {
    const generic = 'no interleaving of model steps emits this record here';
    if ('dev' in c && dev < 0) return `device ${c.dev} is not in the configuration`;
    const h = this.hyps[0]!;
    if (h.pending.length > 0) return `${generic}: the previous step has not finished emitting its records`;
    const known = modelPasid(h.maps, c.pasid) !== undefined;
    switch (c.tp) {
      case 'smmu_bind_alloc': {
        if (dev >= 0 && !h.ext.state.svaEnabled[dev]) {
          const r = this.t.apply(h.ext, h.xkey, { op: 'event', event: { kind: 'enableSva', dev } });
          const d = this.model.config.devices[dev]!;
          const what = d.ats && d.pri ? 'ATS and PRI' : d.stall ? 'stall' : 'no ATS, PRI or stall';
          if (!r || !r.ext.state.svaEnabled[dev]) return `${generic}: SVA cannot be enabled on ${c.dev} (a device with ${what}) under ${this.model.traits.name}`;
        }
        return known && h.ext.state.bonds.some((b) => b.dev === dev && h.ext.state.mms[b.mm]!.pasid === modelPasid(h.maps, c.pasid))
          ? `${generic}: a bond for (${c.dev}, pasid ${c.pasid}) already exists; a second bind returns it without allocating`
          : generic;
      }
      case 'smmu_unbind_free':
        return known ? `${generic}: no bond of ${c.dev} holds pasid ${c.pasid} that can be unbound now` : `${generic}: no bond holds pasid ${c.pasid}`;
      case 'smmu_mm_release':
        return known ? `${generic}: the process of pasid ${c.pasid} has no notifier left to release (it already exited)` : `${generic}: no bond holds pasid ${c.pasid}`;
      case 'dev_page_response':
        return dev >= 0 && modelGroup(h.maps, dev, c.group) === undefined
          ? `${generic}: ${c.dev} has no outstanding fault in group ${c.group}`
          : `${generic}: the fault handler's answer for group ${c.group} is not code=${c.code}`;
      default:
        return known ? generic : `${generic}: no bond holds pasid ${c.pasid}`;
    }
  }

  /** The first records the model could emit next from the current state set. */
  expectedRecords(limit = 24): string[] {
    const out = new Set<string>();
    const { model } = this;
    const enumModel: Model = { ...model, config: { ...model.config, options: { ...model.config.options, dmaAccesses: ['read', 'write'], maxBondRefs: 1 } } };
    for (const h of this.hyps.slice(0, 64)) {
      if (h.pending.length > 0) { out.add(displayRecord(model.config, this.addresses, h.maps, h.pending[0]!)); continue; }
      for (const entry of this.t.closure(h.ext, h.xkey).entries.slice(0, 64)) {
        const s = entry.ext.state;
        const tries: Op[][] = enabledEvents(enumModel, s).map((event) => [{ op: 'event', event }]);
        const enable: Op[] = model.config.devices.flatMap((_, dev) => (s.svaEnabled[dev] ? [] : [{ op: 'event', event: { kind: 'enableSva', dev } } as Op]));
        for (const slot of freshSlots(model, s)) {
          model.config.devices.forEach((_, dev) => tries.push([...enable, { op: 'recycle', slot }, { op: 'event', event: { kind: 'bind', dev, mm: slot, fail: 'none' } }]));
        }
        for (const ops of tries) {
          const r = this.t.applyAll(entry.ext, entry.key, ops);
          if (r && r.records.length > 0) out.add(displayRecord(model.config, this.addresses, h.maps, r.records[0]!));
        }
      }
    }
    return [...out].sort().slice(0, limit);
  }
}

function lastEventIndex(steps: readonly WStep[]): number {
  // the logged step is the last model event before any eager notifier frees that followed it
  for (let i = steps.length - 1; i >= 0; i--) {
    const st = steps[i]!;
    if (st.kind === 'event' && st.event.kind !== 'notifierFree') return i;
  }
  return steps.length - 1;
}
