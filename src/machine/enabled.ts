// enabledEvents(model, state): every event the environment can make happen next, in a fixed
// order: each scope of scopeOrder in turn, its instances in index order, and at each instance the
// candidates of its actions in table order. Exactly the events the guard accepts, minus the
// exploration bounds (spec/explorer.md, ENV-*; test/properties/enabled-guard.test.ts).
import type { Event } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { State } from '../model/state.ts';
import { scopeOrder, type Action, type At, type Scope } from './action.ts';
import { actions } from './actions/index.ts';

const actionList = Object.values(actions) as readonly Action<Event['kind']>[];
const byScope = new Map<Scope, readonly Action<Event['kind']>[]>(scopeOrder.map((sc) => [sc, actionList.filter((a) => a.scope === sc)]));

/** The instances of a scope in `s`, in index order. */
function instances(m: Model, s: State, scope: Scope): At[] {
  const at = (p: Partial<At>): At => ({ dev: -1, mm: -1, domain: -1, page: -1, i: -1, ...p });
  const nDev = m.config.devices.length;
  const nMm = m.config.processes.length;
  const out: At[] = [];
  switch (scope) {
    case 'device': for (let dev = 0; dev < nDev; dev++) out.push(at({ dev })); break;
    case 'deviceProcess': for (let dev = 0; dev < nDev; dev++) for (let mm = 0; mm < nMm; mm++) out.push(at({ dev, mm })); break;
    case 'process': for (let mm = 0; mm < nMm; mm++) out.push(at({ mm })); break;
    case 'deferredFree': s.deferredFrees.forEach((_, i) => out.push(at({ i }))); break;
    case 'domain': m.config.domains.forEach((_, domain) => out.push(at({ domain }))); break;
    case 'bondPage': for (const b of s.bonds) s.mms[b.mm]!.pages.forEach((_, page) => out.push(at({ dev: b.dev, mm: b.mm, page }))); break;
    case 'fault': s.faults.forEach((_, i) => out.push(at({ i }))); break;
  }
  return out;
}

export function enabledEvents(m: Model, s: State): Event[] {
  const out: Event[] = [];
  for (const scope of scopeOrder) {
    const acts = byScope.get(scope)!;
    for (const at of instances(m, s, scope)) for (const a of acts) a.candidates(m, s, at, out);
  }
  return out;
}
