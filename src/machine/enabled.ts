// enabledEvents(model, state): every event the environment can make happen next, in a fixed
// order: each scope of scopeOrder in turn (the loops below), its instances in index order, and
// at each instance the candidates of its actions in table order. Exactly the events the guard accepts, minus the
// exploration bounds (spec/explorer.md, ENV-*; test/properties/enabled-guard.test.ts).
import type { Event } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { State } from '../model/state.ts';
import { scopeOrder, type Action, type At, type Scope } from './action.ts';
import { actions } from './actions/index.ts';

const actionList = Object.values(actions) as readonly Action<Event['kind']>[];
const byScope = Object.fromEntries(scopeOrder.map((sc) => [sc, actionList.filter((a) => a.scope === sc)])) as unknown as Record<Scope, readonly Action<Event['kind']>[]>;

/** Every candidate of the actions of `scope` at `at`, appended to `out`. */
function offer(m: Model, s: State, scope: Scope, at: At, out: Event[]): void {
  for (const a of byScope[scope]) a.candidates(m, s, at, out);
}

export function enabledEvents(m: Model, s: State): Event[] {
  const out: Event[] = [];
  const nDev = m.config.devices.length, nMm = m.config.processes.length;
  for (let dev = 0; dev < nDev; dev++) offer(m, s, 'device', { dev, mm: -1, domain: -1, page: -1, i: -1 }, out);
  for (let dev = 0; dev < nDev; dev++) {
    for (let mm = 0; mm < nMm; mm++) offer(m, s, 'deviceProcess', { dev, mm, domain: -1, page: -1, i: -1 }, out);
  }
  for (let mm = 0; mm < nMm; mm++) offer(m, s, 'process', { dev: -1, mm, domain: -1, page: -1, i: -1 }, out);
  for (let i = 0; i < s.deferredFrees.length; i++) offer(m, s, 'deferredFree', { dev: -1, mm: -1, domain: -1, page: -1, i }, out);
  for (let domain = 0; domain < m.config.domains.length; domain++) offer(m, s, 'domain', { dev: -1, mm: -1, domain, page: -1, i: -1 }, out);
  for (const b of s.bonds) {
    for (let page = 0; page < s.mms[b.mm]!.pages.length; page++) offer(m, s, 'bondPage', { dev: b.dev, mm: b.mm, domain: -1, page, i: -1 }, out);
  }
  for (let i = 0; i < s.faults.length; i++) offer(m, s, 'fault', { dev: -1, mm: -1, domain: -1, page: -1, i }, out);
  return out;
}

/** The ENV-* bound of `e`'s action that keeps `e` out of enabledEvents, if any (for an event the guard accepts). */
export function boundOf(m: Model, s: State, e: Event): string | undefined {
  const a = actions[e.kind] as unknown as Action<Event['kind']>;
  return a.bounds.find((b) => b.excludes(m, s, e as never))?.id;
}
