/**
 * `smmu-sva-model/trace`: the ftrace checker -- is a kernel trace something the model can emit?
 * -- and the ftrace formatting and parsing behind it (spec/trace-checker.md).
 *
 * ```ts
 * import { checkTrace } from 'smmu-sva-model/trace';
 *
 * const outcome = await checkTrace({ file: 'run.trace', variant: 'upstream', strict: false, pageSize: 4096n });
 * ```
 * @module
 */
export { checkTrace, type CheckOutcome, type CheckRequest, type Malformed } from './run.ts';
export { TraceChecker, defaultCheckerOptions, type CheckerOptions, type Verdict } from './check.ts';
export { checkedTracepoints, parseLine, type ConcreteRecord, type ParsedLine } from './parse.ts';
export { formatRecord } from './format.ts';
export type { AddressMap } from './addressMap.ts';
export { describeEvent, describeObservation } from './describe.ts';
