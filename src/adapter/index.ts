/**
 * `smmu-sva-model/adapter`: the fast imperative engine, with the reducer's exact semantics (same
 * events, observations, errors and variants) on typed-array state, and the DMA workloads that
 * `smmu-sva simulate` runs on it (spec/workload.md).
 *
 * ```ts
 * import { createModel, defaultConfig } from 'smmu-sva-model';
 * import { initialEngine } from 'smmu-sva-model/adapter';
 *
 * const engine = initialEngine(createModel(defaultConfig, 'v6'), 'collect');
 * engine.step({ kind: 'enableSva', dev: 0 });   // a ModelError, or undefined
 * engine.observations;                           // what the last step emitted
 * ```
 * @module
 */
export { Engine, dmaResult, type ObservationMode } from './engine.ts';
export { fromState, initialEngine, toState } from './convert.ts';
export { TransitionMonitor, type MonitorViolation } from './monitor.ts';
export type { StepWatch } from './watch.ts';
export type { FaultRec, Store } from './store.ts';
export { counterNames, countersToObject, type CounterName } from './counters.ts';
/** The adapter behind the conformance engine interface (`smmu-sva-model/conform`'s `Engine`). */
export { AdapterEngine } from '../conform/adapter-engine.ts';
// DMA workloads
export { runWorkload, type Example, type RunOptions, type RunReport } from '../workload/driver.ts';
export { decodeWorkload, loadWorkloadFile, workloadCodec, type Action, type Job, type Phase, type Workload, type WorkloadJson } from '../codecs/workload.ts';
export { presetNames, presets, type Preset } from '../workload/presets.ts';
