// What the runner found wrong, with where it happened: the configuration, the variant, the
// events from the initial state up to the one that caused it, and which request it was.
import type { Config } from '../model/config.ts';
import type { Event } from '../model/event.ts';
import type { VariantName } from '../model/variant.ts';
import type { Actual } from './compare.ts';
import type { Expected } from './oracle.ts';
import type { Misbehaviour } from './session.ts';

export interface VectorRef {
  readonly id: string;
  readonly file: string;
  readonly line: number;
}

export interface Where {
  readonly phase: 'vectors' | 'random';
  readonly config: Config;
  readonly variant: VariantName;
  /** Events from the initial state; for a step request the last one is the event sent. */
  readonly events: readonly Event[];
  readonly request: 'reset' | 'step' | 'save' | 'restore';
  /** The vector being replayed (vectors phase). */
  readonly vector?: VectorRef;
  /** The step replays the vector's path (not its event). */
  readonly inPath?: boolean;
}

export type Failure =
  | { readonly kind: 'divergence'; readonly where: Where; readonly reason: string; readonly expected: Expected; readonly actual: Actual }
  | { readonly kind: 'misbehaviour'; readonly where: Where; readonly bad: Misbehaviour }
  /** The implementation answered {"ok": false} to a reset, save or restore. */
  | { readonly kind: 'refused'; readonly where: Where; readonly error: string };
