// When an event may happen: argument ranges (eventArgError, shared with the fast adapter), then
// the action's own guard: the state conditions and caller contracts of spec/rules.md. A refused
// event is a typed ModelError and leaves the state as it was.
import type { Config } from '../model/config.ts';
import type { ModelError } from '../model/error.ts';
import { eventKinds, type Event, type EventKind } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { State } from '../model/state.ts';
import type { EventOf } from './action.ts';
import { actions } from './actions/index.ts';

const isIndex = (v: unknown, n: number) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;

/** Argument checks that depend only on the configuration (shared with the fast adapter). */
export function eventArgError(c: Config, e: Event): ModelError | undefined {
  // events decoded from JSON are checked by eventCodec; a caller in TypeScript can still pass anything
  if (typeof e !== 'object' || e === null || !eventKinds.includes((e as { kind?: unknown }).kind as EventKind)) {
    return { tag: 'BadArgument', field: 'kind', expected: `one of ${eventKinds.join(', ')}` };
  }
  const fields = e as unknown as Record<string, unknown>;
  for (const f of actions[e.kind].intFields) {
    if (typeof fields[f] !== 'number') return { tag: 'BadArgument', field: f, expected: 'a number' };
  }
  if ((e.kind === 'dma' || e.kind === 'atsTranslate') && typeof e.write !== 'boolean') return { tag: 'BadArgument', field: 'write', expected: 'a boolean' };
  if (e.kind === 'bind' && !['none', 'bond', 'notifier'].includes(e.fail)) return { tag: 'BadArgument', field: 'fail', expected: 'none, bond or notifier' };
  if ('dev' in e && !isIndex(e.dev, c.devices.length)) return { tag: 'UnknownDevice', dev: e.dev };
  if ('mm' in e && !isIndex(e.mm, c.processes.length)) return { tag: 'UnknownProcess', mm: e.mm };
  if ('domain' in e && !isIndex(e.domain, c.domains.length)) return { tag: 'UnknownDomain', domain: e.domain };
  if ('frame' in e && !(e.frame === -1 || isIndex(e.frame, c.frames))) return { tag: 'BadArgument', field: 'frame', expected: `-1 or a frame index below ${c.frames}` };
  return undefined;
}

/** Why the action refuses `e` in `s`, or undefined. */
export function stateRefusal<K extends EventKind>(m: Model, s: State, e: EventOf<K>): string | undefined {
  return (actions[e.kind] as unknown as { guard: (m: Model, s: State, e: EventOf<K>) => string | undefined }).guard(m, s, e);
}

export function guard(m: Model, s: State, e: Event): ModelError | undefined {
  const bad = eventArgError(m.config, e);
  if (bad) return bad;
  const why = stateRefusal(m, s, e);
  return why === undefined ? undefined : { tag: 'NotEnabled', event: e, reason: why };
}
