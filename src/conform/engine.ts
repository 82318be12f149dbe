// What an implementation plugs into the serve loop: reset to a configuration and variant, step
// an event, and optionally keep snapshots. The reference model is one such engine.
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../model/config.ts';
import { stateDigest } from '../model/digest.ts';
import type { ModelError } from '../model/error.ts';
import type { Event } from '../model/event.ts';
import { initialState } from '../machine/initial.ts';
import { createModel, type Model } from '../model/model.ts';
import type { Observation } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import { step } from '../machine/step.ts';
import type { VariantName } from '../model/variant.ts';

export interface StepAnswer {
  readonly observations: readonly Observation[];
  readonly digest?: string;
}

export interface Engine {
  /** undefined when ready; else why the configuration or variant is not supported. */
  reset(config: Config, variant: VariantName): string | undefined;
  step(event: Event): E.Either<ModelError, StepAnswer>;
  /** The snapshot feature (optional): remember the current state under `slot`, or return to it. */
  save?(slot: number): string | undefined;
  restore?(slot: number): string | undefined;
}

/** The reducer as an engine: the state is an immutable value, so snapshots are free. */
export class ReducerEngine implements Engine {
  model: Model | undefined;
  state: State | undefined;
  private readonly slots = new Map<number, State>();

  constructor(private readonly digests = true) {}

  reset(config: Config, variant: VariantName): string | undefined {
    this.model = createModel(config, variant);
    this.state = initialState(config);
    this.slots.clear();
    return undefined;
  }

  step(event: Event): E.Either<ModelError, StepAnswer> {
    return this.stepWith(this.model!, event);
  }

  /** Step under another model (a fixture's altered traits); the engine's state advances. */
  stepWith(model: Model, event: Event): E.Either<ModelError, StepAnswer> {
    const r = step(model, this.state!, event);
    if (E.isLeft(r)) return r;
    this.state = r.right.state;
    return E.right({ observations: r.right.observations, ...(this.digests ? { digest: stateDigest(r.right.state) } : {}) });
  }

  save(slot: number): string | undefined {
    this.slots.set(slot, this.state!);
    return undefined;
  }

  restore(slot: number): string | undefined {
    const s = this.slots.get(slot);
    if (!s) return `no snapshot in slot ${slot}`;
    this.state = s;
    return undefined;
  }
}
