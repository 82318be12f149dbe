// Refusals the guard (src/machine/guard.ts) gives, found by probing reachable states with every
// event of a small argument grid: each index just inside and just outside its range. A refusal is
// identified by its key: the event kind, the error tag and, for NotEnabled, the reason with its
// numbers replaced by N ("page must be below N"). Only events the protocol can carry are probed
// (eventCodec: non-negative integers, frame -1 for iopfHandle).
import type { Config } from '../model/config.ts';
import type { ModelError } from '../model/error.ts';
import type { Event } from '../model/event.ts';
import { guard } from '../machine/guard.ts';
import { boundOf } from '../machine/enabled.ts';
import { step } from '../machine/step.ts';
import type { Model } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import { obsShape } from './shape.ts';

/** kind|tag|reason, the unit of refusal coverage. */
export function refusalKey(e: Event, err: ModelError): string {
  const reason = err.tag === 'NotEnabled' ? err.reason.replace(/\d+/g, 'N') : err.tag === 'BadArgument' ? err.field : '';
  return `${e.kind}|${err.tag}${reason ? `|${reason}` : ''}`;
}

const upTo = (n: number) => Array.from({ length: n + 1 }, (_, i) => i);

/** The probe grid of a configuration, in a fixed order. */
export function refusalProbes(c: Config): Event[] {
  const devs = upTo(c.devices.length);
  const mms = upTo(c.processes.length);
  const domains = upTo(c.domains.length);
  const maxPages = Math.max(...c.processes.map((p) => p.pages));
  const pages = upTo(maxPages);
  const pasids = upTo(c.processes.length + 1);
  const groups = [0, 1, 2];
  const out: Event[] = [];
  for (const dev of devs) out.push({ kind: 'enableSva', dev }, { kind: 'disableSva', dev });
  for (const dev of devs) for (const mm of mms) {
    for (const fail of ['none', 'bond', 'notifier'] as const) out.push({ kind: 'bind', dev, mm, fail });
    out.push({ kind: 'unbind', dev, mm });
  }
  for (const mm of mms) {
    for (const page of pages) for (const frame of upTo(c.frames)) out.push({ kind: 'touch', mm, page, frame });
    for (const start of pages) for (const end of upTo(maxPages + 1)) out.push({ kind: 'munmap', mm, start, end });
    for (const page of pages) out.push({ kind: 'mmap', mm, page });
    out.push({ kind: 'exit', mm });
    for (const domain of domains) out.push({ kind: 'notifierFree', domain, mm });
  }
  for (const domain of domains) out.push({ kind: 'domainFree', domain });
  for (const dev of devs) for (const pasid of pasids) for (const page of pages) {
    for (const write of [false, true]) out.push({ kind: 'dma', dev, pasid, page, write });
    out.push({ kind: 'atsTranslate', dev, pasid, page, write: false });
  }
  for (const dev of devs) for (const group of groups) {
    for (const frame of [-1, ...upTo(c.frames)]) out.push({ kind: 'iopfHandle', dev, group, frame });
    out.push({ kind: 'iopfRespond', dev, group });
  }
  return out;
}

/**
 * The key of an event the guard accepts but an exploration bound keeps out of enabledEvents
 * (spec/explorer.md, ENV-*): kind|bound|shape of its observations ("enableSva|ENV-SVA-REPEAT|return:error:EBUSY").
 */
export function boundedKey(e: Event, bound: string, obs: readonly Observation[]): string {
  return `${e.kind}|${bound}|${obs.map(obsShape).join(',')}`;
}

/**
 * Collects, for each refusal key, the first (state, event) found; and for each bounded key
 * (boundedKey), the first (state, event) with what the step made observable and the next state.
 */
export class RefusalFinder {
  readonly found = new Map<string, { node: number; event: Event; error: ModelError }>();
  readonly bounded = new Map<string, { node: number; event: Event; observations: readonly Observation[]; next: State }>();
  private readonly probes: Event[];
  constructor(private readonly m: Model) { this.probes = refusalProbes(m.config); }

  /** Probe one state (identified by `node`); returns the number of new keys. */
  probe(node: number, s: State): number {
    let fresh = 0;
    for (const e of this.probes) {
      const err = guard(this.m, s, e);
      if (!err) {
        const bound = boundOf(this.m, s, e);
        if (bound === undefined) continue;
        const r = step(this.m, s, e);
        if (r._tag === 'Left') continue;
        const key = boundedKey(e, bound, r.right.observations);
        if (this.bounded.has(key)) continue;
        this.bounded.set(key, { node, event: e, observations: r.right.observations, next: r.right.state });
        fresh++;
        continue;
      }
      const key = refusalKey(e, err);
      if (this.found.has(key)) continue;
      this.found.set(key, { node, event: e, error: err });
      fresh++;
    }
    return fresh;
  }
}
