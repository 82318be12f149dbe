/**
 * `smmu-sva-model/conform`: conformance of another implementation of the model.
 *
 * An implementation is an {@link Engine}: reset to a configuration and variant, step an event,
 * optionally save and restore snapshots. In TypeScript, hand it to `describeVectors` of
 * `smmu-sva-model/vitest`; in any language, put it behind the JSON-lines protocol
 * (spec/protocol.md) -- {@link serve} is that loop around an Engine -- and check it with
 * {@link conform} (`smmu-sva conform --impl COMMAND`).
 *
 * ```ts
 * import { serve, ReducerEngine } from 'smmu-sva-model/conform';
 * await serve(new ReducerEngine());   // the reference implementation on stdin/stdout
 * ```
 * @module
 */
export { ReducerEngine, type Engine, type StepAnswer } from './engine.ts';
export { AdapterEngine } from './adapter-engine.ts';
export { answer, serve } from './serve.ts';
export { conform, type ConformOptions, type ConformReport, type RandomPhase, type VectorPhase } from './runner.ts';
export { formatText, reportJson } from './report.ts';
export type { Failure, VectorRef, Where } from './failure.ts';
export type { PlanStats } from './vectors.ts';
export type { Misbehaviour } from './session.ts';
export type { ChannelFailure } from './channel.ts';
export type { Actual } from './compare.ts';
export type { Expected } from './oracle.ts';
export {
  PROTOCOL_VERSION, ackReply, byeRequest, requestCodec, resetRequest, restoreRequest, saveRequest, stepOk, stepRefused, stepReply, stepRequest,
  type AckReply, type Request, type RequestJson, type StepReply,
} from '../codecs/protocol.ts';
