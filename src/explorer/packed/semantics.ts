// The packed engine's semantics on one Store, set up as the expanders and the benches that time
// them use them: the Store loaded with the initial state, the adapter's Engine stepping it with
// the transition monitor as its watch (Engine.watch), the enabled events and the state
// invariants read from it.
import type { Config } from '../../model/config.ts';
import type { Model } from '../../model/model.ts';
import { initialState } from '../../machine/initial.ts';
import { Engine } from '../../adapter/engine.ts';
import { encodeState, IntBuf } from '../encode.ts';
import { loadKey, PackedStore } from './store-io.ts';
import { MaskMonitor } from './monitor.ts';
import { EnabledOnStore } from './enabled.ts';
import { StoreInvariants } from './invariants.ts';

/** A PackedStore of `config` holding its initial state. */
export function initialPackedStore(config: Config): PackedStore {
  const store = new PackedStore(config);
  const init = new IntBuf(256);
  encodeState(initialState(config), init);
  loadKey(store, init.a, 0);
  return store;
}

export interface PackedSemantics {
  readonly store: PackedStore;
  readonly engine: Engine;
  readonly monitor: MaskMonitor;
  readonly enabled: EnabledOnStore;
  readonly invariants: StoreInvariants;
}

/** The semantics of `model` on a fresh Store in its initial state. */
export function packedSemantics(model: Model): PackedSemantics {
  const store = initialPackedStore(model.config);
  const engine = new Engine(model, store, 'off');
  const monitor = new MaskMonitor(engine);
  engine.watch(monitor);
  return { store, engine, monitor, enabled: new EnabledOnStore(engine), invariants: new StoreInvariants(model.config) };
}
