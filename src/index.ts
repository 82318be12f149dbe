/**
 * `smmu-sva-model`: the reference model of Arm SMMUv3 Shared Virtual Addressing in the Linux
 * driver, as a pure reducer `step(model, state, event)` over immutable state.
 *
 * ```ts
 * import * as E from 'fp-ts/lib/Either.js';
 * import { createModel, defaultConfig, initialState, step, enabledEvents, checkInvariants } from 'smmu-sva-model';
 *
 * const model = createModel(defaultConfig, 'upstream');
 * const r = step(model, initialState(defaultConfig), { kind: 'enableSva', dev: 0 });
 * if (E.isRight(r)) console.log(checkInvariants(model, r.right.state), enabledEvents(model, r.right.state));
 * ```
 *
 * Subpaths: `smmu-sva-model/adapter` (the fast imperative engine and DMA workloads),
 * `/explorer` (exhaustive exploration), `/trace` (the ftrace checker), `/conform` (the
 * conformance protocol and runner), `/vectors` (the generated test vectors), `/vitest` (the
 * vectors as vitest tests for your own engine).
 * @module
 */

// configuration
export {
  defaultConfig, defaultOptions, pageSize, seedWideConfig,
  type Config, type DeviceConfig, type DomainConfig, type ModelOptions, type ProcessConfig, type SmmuConfig, type StallModel,
} from './model/config.ts';
// driver variants and their expected verdicts
export { isVariantName, variantNames, variants, type VariantName, type VariantTraits } from './model/variant.ts';
export { expectedVerdictsFile, loadExpectedVerdicts, type ExpectedVerdicts } from './codecs/expected.ts';
// the model and its state
export { createModel, type Model } from './model/model.ts';
export { initialState } from './machine/initial.ts';
export {
  PTE_NOT_IN_VMA, PTE_UNMAPPED, TTB0_PRIVATE,
  type AtcEntry, type Bond, type Cd, type CdSlot, type DeferredFree, type DomainState, type Mm, type Notifier,
  type PendingFault, type State, type Ste, type TlbEntry,
} from './model/state.ts';
export { canonicalState, stateDigest } from './model/digest.ts';
// events, observations, errors
export { eventKinds, type AllocFailurePoint, type Event, type EventKind } from './model/event.ts';
export type { ApiResult, Command, DmaResult, Errno, HwEvent, Observation, TraceRecord } from './model/observation.ts';
export { describeError, type ModelError } from './model/error.ts';
// stepping
export { step, stepEnabled, type StepResult } from './machine/step.ts';
export { enabledEvents } from './machine/enabled.ts';
// invariants
export {
  checkInvariants, checkTransition, invariantNames, livenessPropertyNames, stateInvariantNames, transitionInvariantNames,
  type InvariantName, type Violation,
} from './invariants/invariants.ts';
// codecs (io-ts): JSON of configurations, events and observations
export { configCodec, configErrors, decodeConfig, encodeConfig, loadConfigFile, type ConfigJson } from './codecs/config.ts';
export { eventCodec, observationCodec, observationsCodec } from './codecs/event.ts';
export { decodeWith, formatErrors, parseJson } from './codecs/decode.ts';
// the seed's scripted scenarios
export { scenarios, seedConfig, seedTrace1, seedTrace2, type Scenario } from './scenarios/seed.ts';
export { runScript, type ScriptRun, type ScriptStep } from './scenarios/run.ts';
