// Random event sequences for the conformance runner: each choice picks, in the current reference
// state, one of the enabled events (kind first, then an instance), or now and then a probe from a
// fixed list of events that are often not enabled, so that refusals are compared too.
import type { Config } from '../model/config.ts';
import { enabledEvents } from '../machine/enabled.ts';
import { eventKinds, type Event } from '../model/event.ts';
import { initialState } from '../machine/initial.ts';
import type { Model } from '../model/model.ts';
import { expectStep, type Expected } from './oracle.ts';
import { refusalProbes } from '../explorer/refusals.ts';

export interface Choice {
  /** Which event: an index, taken modulo the number of candidates. */
  readonly c: number;
  /** Pick from the probes instead of the enabled events. */
  readonly probe: boolean;
}

export interface PlannedStep {
  readonly event: Event;
  readonly expected: Expected;
}

/** Event kinds after which the process or the domain is gone. */
const finalKinds: ReadonlySet<Event['kind']> = new Set(['exit', 'domainFree']);

/**
 * c % 14 names a kind (in eventKinds order) and floor(c / 14) picks its instance. When that kind is
 * not enabled, floor(c / 14) picks one of the enabled kinds instead (in eventKinds order), and the
 * rest of it the instance: so every enabled kind is about equally likely whatever its number of
 * instances, and whatever kinds are disabled (taking "the next enabled kind" would favour the kinds
 * after a run of disabled ones). Kinds are absolute, not positions in the enabled list, so removing
 * an earlier step while shrinking rarely changes what later choices pick; choices shrink to 0.
 */
export function pickEnabled(enabled: readonly Event[], c: number): Event {
  const n = eventKinds.length;
  const hi = Math.floor(c / n);
  const kind = eventKinds[c % n]!;
  const group = enabled.filter((e) => e.kind === kind);
  // the events that end a process or a domain for good are taken one time in eight (instances
  // below 16 always: toRelative's choices pick them), so that sequences go deeper
  const skipFinal = Math.floor(c / (n * 16)) % 8 !== 0 && enabled.some((e) => !finalKinds.has(e.kind));
  if (group.length > 0 && !(skipFinal && finalKinds.has(kind))) return group[hi % group.length]!;
  const kinds = eventKinds.filter((k) => enabled.some((e) => e.kind === k) && !(skipFinal && finalKinds.has(k)));
  if (kinds.length === 0) return enabled[c % enabled.length]!;
  const other = kinds[hi % kinds.length]!;
  const g = enabled.filter((e) => e.kind === other);
  return g[Math.floor(hi / kinds.length) % g.length]!;
}

/**
 * Events worth sending whether or not they are enabled: one of each kind on small indices, a few
 * with indices out of range (UnknownDevice, UnknownProcess, UnknownDomain, BadArgument), then the
 * rest of the refusal grid of src/explorer/refusals.ts (every refusal reason shows on some of them).
 */
export function probeEvents(config: Config): Event[] {
  const nDev = config.devices.length;
  const nMm = config.processes.length;
  const out: Event[] = [];
  for (let dev = 0; dev < nDev; dev++) {
    out.push({ kind: 'enableSva', dev }, { kind: 'disableSva', dev });
    for (let mm = 0; mm < nMm; mm++) out.push({ kind: 'bind', dev, mm, fail: 'none' }, { kind: 'unbind', dev, mm });
    for (const pasid of [1, 2]) out.push({ kind: 'dma', dev, pasid, page: 0, write: true }, { kind: 'atsTranslate', dev, pasid, page: 0, write: false });
    out.push({ kind: 'iopfHandle', dev, group: 0, frame: -1 }, { kind: 'iopfRespond', dev, group: 0 }, { kind: 'iopfRespond', dev, group: 1 });
  }
  for (let mm = 0; mm < nMm; mm++) {
    out.push({ kind: 'touch', mm, page: 0, frame: 0 }, { kind: 'munmap', mm, start: 0, end: 1 }, { kind: 'mmap', mm, page: 0 }, { kind: 'exit', mm });
    out.push({ kind: 'bind', dev: 0, mm, fail: 'bond' });
    for (let domain = 0; domain < config.domains.length; domain++) out.push({ kind: 'notifierFree', domain, mm });
  }
  for (let domain = 0; domain < config.domains.length; domain++) out.push({ kind: 'domainFree', domain });
  out.push(
    { kind: 'enableSva', dev: nDev },
    { kind: 'unbind', dev: 0, mm: nMm },
    { kind: 'domainFree', domain: config.domains.length },
    { kind: 'touch', mm: 0, page: 0, frame: config.frames },
  );
  // then the refusal grid of the vectors (every index just inside and just outside its range)
  const have = new Set(out.map((e) => JSON.stringify(e)));
  for (const e of refusalProbes(config)) if (!have.has(JSON.stringify(e))) out.push(e);
  return out;
}

const numericFields = ['dev', 'mm', 'pasid', 'page', 'frame', 'start', 'end', 'group', 'domain'] as const;

/**
 * `e` with one numeric argument one more or one less (k picks which and the direction), kept in
 * the range the protocol can carry (indices from 0, iopfHandle's frame from -1).
 */
export function oneOff(e: Event, k: number): Event {
  const rec = e as unknown as Record<string, unknown>;
  const fields = numericFields.filter((f) => typeof rec[f] === 'number');
  if (fields.length === 0) return e;
  const f = fields[k % fields.length]!;
  const v = rec[f] as number;
  const low = e.kind === 'iopfHandle' && f === 'frame' ? -1 : 0;
  const up = Math.floor(k / fields.length) % 2 === 0 || v - 1 < low;
  return { ...e, [f]: up ? v + 1 : v - 1 } as Event;
}

/** The events a list of choices selects, with the model's answer to each, from the initial state. */
export function planSequence(m: Model, probes: readonly Event[], choices: readonly Choice[]): PlannedStep[] {
  let s = initialState(m.config);
  const out: PlannedStep[] = [];
  for (const ch of choices) {
    let event: Event;
    if (ch.probe) {
      // every other probe is an enabled event with one argument one off (a boundary of the guard)
      const enabled = ch.c % 2 === 1 ? enabledEvents(m, s) : [];
      event = enabled.length > 0 ? oneOff(enabled[(ch.c >> 1) % enabled.length]!, Math.floor((ch.c >> 1) / enabled.length)) : probes[ch.c % probes.length]!;
    } else {
      const enabled = enabledEvents(m, s);
      if (enabled.length === 0) break;
      event = pickEnabled(enabled, ch.c);
    }
    const o = expectStep(m, s, event);
    out.push({ event, expected: o.expected });
    s = o.next;
  }
  return out;
}

/** The model's answer to each event of a fixed sequence, from the initial state. */
export function planEvents(m: Model, events: readonly Event[]): PlannedStep[] {
  let s = initialState(m.config);
  return events.map((event) => {
    const o = expectStep(m, s, event);
    s = o.next;
    return { event, expected: o.expected };
  });
}

export const refusals = (plan: readonly PlannedStep[]): number => plan.filter((p) => p.expected.tag === 'refused').length;

/** A step of a sequence as a relative choice among the enabled events, or a fixed event (a probe). */
export type RelativeStep = { readonly c: number } | { readonly event: Event };

const sameEvent = (a: Event, b: Event) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** Each enabled event as the choice that picks it (kind index + 14 * instance), the others fixed. */
export function toRelative(m: Model, events: readonly Event[]): RelativeStep[] {
  let s = initialState(m.config);
  return events.map((event) => {
    const group = enabledEvents(m, s).filter((e) => e.kind === event.kind);
    const inst = group.findIndex((e) => sameEvent(e, event));
    s = expectStep(m, s, event).next;
    return inst < 0 ? { event } : { c: eventKinds.indexOf(event.kind) + eventKinds.length * inst };
  });
}

/** The events relative steps pick, replayed from the initial state. */
export function fromRelative(m: Model, steps: readonly RelativeStep[]): Event[] {
  let s = initialState(m.config);
  const out: Event[] = [];
  for (const st of steps) {
    let event: Event;
    if ('event' in st) event = st.event;
    else {
      const enabled = enabledEvents(m, s);
      if (enabled.length === 0) break;
      event = pickEnabled(enabled, st.c);
    }
    out.push(event);
    s = expectStep(m, s, event).next;
  }
  return out;
}
