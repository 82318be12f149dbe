// The fast imperative adapter (src/adapter) as a conformance engine: the same protocol answers
// as the reducer's, computed on the adapter's mutable store. Digests and snapshots go through
// the reducer State (toState / fromState), so they cost a conversion per step.
import * as E from 'fp-ts/lib/Either.js';
import { fromState, initialEngine, toState } from '../adapter/convert.ts';
import type { Engine as AdapterCore } from '../adapter/engine.ts';
import type { Config } from '../model/config.ts';
import { stateDigest } from '../model/digest.ts';
import type { ModelError } from '../model/error.ts';
import type { Event } from '../model/event.ts';
import { createModel, type Model } from '../model/model.ts';
import type { State } from '../model/state.ts';
import type { VariantName } from '../model/variant.ts';
import type { Engine, StepAnswer } from './engine.ts';

export class AdapterEngine implements Engine {
  private model: Model | undefined;
  private core: AdapterCore | undefined;
  private readonly slots = new Map<number, State>();

  constructor(private readonly digests = true) {}

  reset(config: Config, variant: VariantName): string | undefined {
    this.model = createModel(config, variant);
    try {
      this.core = initialEngine(this.model, 'collect');
    } catch (err) {
      return `the adapter cannot load this configuration: ${(err as Error).message}`;
    }
    this.slots.clear();
    return undefined;
  }

  step(event: Event): E.Either<ModelError, StepAnswer> {
    const core = this.core!;
    const err = core.step(event);
    if (err) return E.left(err);
    return E.right({ observations: core.observations, ...(this.digests ? { digest: stateDigest(toState(core)) } : {}) });
  }

  save(slot: number): string | undefined {
    this.slots.set(slot, toState(this.core!));
    return undefined;
  }

  restore(slot: number): string | undefined {
    const s = this.slots.get(slot);
    if (!s) return `no snapshot in slot ${slot}`;
    const r = fromState(this.model!, s, 'collect');
    if (E.isLeft(r)) return r.left;
    this.core = r.right;
    return undefined;
  }
}
