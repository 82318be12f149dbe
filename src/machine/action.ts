// What the machine knows of one event kind: when it may happen (guard), which instances the
// explorer offers (candidates, within the named ENV-* bounds) and what it does (apply). One
// module per kind in actions/; step, guard and enabledEvents are loops over that table.
import type { Ctx } from '../model/context.ts';
import type { Event, EventKind } from '../model/event.ts';
import type { Model } from '../model/model.ts';
import type { State } from '../model/state.ts';

export type EventOf<K extends EventKind> = Extract<Event, { readonly kind: K }>;

/**
 * What an action's candidates range over. enabledEvents visits the scopes in `scopeOrder`, each
 * scope's instances in index order, and at each instance the actions of that scope in table order.
 */
export type Scope = 'device' | 'deviceProcess' | 'process' | 'deferredFree' | 'domain' | 'bondPage' | 'fault';

export const scopeOrder: readonly Scope[] = ['device', 'deviceProcess', 'process', 'deferredFree', 'domain', 'bondPage', 'fault'];

/**
 * One instance of a scope: the indices it fixes. device: dev; deviceProcess: dev, mm; process: mm;
 * deferredFree and fault: i (into s.deferredFrees, s.faults); domain: domain; bondPage: dev, mm
 * (a bond) and page.
 */
export interface At {
  readonly dev: number;
  readonly mm: number;
  readonly domain: number;
  readonly page: number;
  readonly i: number;
}

/**
 * An exploration bound (spec/explorer.md, ENV-*): events the guard accepts that enabledEvents does
 * not offer. `excludes` says which; the explorer's verdicts hold within these bounds.
 */
export interface Bound<K extends EventKind> {
  readonly id: string;
  readonly excludes: (m: Model, s: State, e: EventOf<K>) => boolean;
}

export interface Action<K extends EventKind> {
  readonly kind: K;
  /** The integer fields of the event, range-checked against the configuration by eventArgError. */
  readonly intFields: readonly string[];
  /** Why `e` cannot happen in `s` (a state condition or caller contract of spec/rules.md), or undefined. */
  readonly guard: (m: Model, s: State, e: EventOf<K>) => string | undefined;
  readonly scope: Scope;
  /** The instances of this kind offered at `at`: exactly those the guard accepts, minus `bounds`. */
  readonly candidates: (m: Model, s: State, at: At, out: Event[]) => void;
  readonly bounds: readonly Bound<K>[];
  /** The effect: the transitions of hardware/, driver/ and process/ that carry the rule IDs. */
  readonly apply: (ctx: Ctx, s: State, e: EventOf<K>) => State;
}
