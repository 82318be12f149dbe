// Random sequences against the implementation with fast-check: every sequence is planned on the
// reference model, sent in one pipelined batch after a reset, and judged reply by reply. On a
// failure fast-check shrinks the choices; the shortest failing sequence is reported.
import fc from 'fast-check';
import type { Config } from '../model/config.ts';
import { createModel } from '../model/model.ts';
import type { VariantName } from '../model/variant.ts';
import { mismatch } from './compare.ts';
import type { Failure, Where } from './failure.ts';
import { runPipelined, type Op } from './pipeline.ts';
import { fromRelative, planEvents, planSequence, probeEvents, refusals, toRelative, type Choice, type PlannedStep } from './sequence.ts';
import type { AckOutcome, Session, StepOutcome } from './session.ts';
import type { OutcomeCoverage } from './coverage.ts';

export interface RandomOptions {
  readonly config: Config;
  readonly variant: VariantName;
  readonly runs: number;
  readonly maxLength: number;
  readonly seed: number;
  readonly window: number;
  /** Restarts allowed while shrinking a misbehaviour (a hang counts 2 more): half for fast-check, the rest for event removal. */
  readonly restartBudget?: number;
  /** Sequences fast-check may run while shrinking (then the event-removal pass takes over). */
  readonly shrinkRuns?: number;
  /** Counts the outcome of every planned step of the sequences that ran before the first failure. */
  readonly coverage?: OutcomeCoverage;
}

export interface RandomResult {
  readonly sequences: number;
  readonly steps: number;
  readonly failure?: Failure;
  /** Failing sequences fast-check went through while shrinking. */
  readonly shrinks: number;
  /** Length after fast-check's shrinking, before the event-removal pass. */
  readonly fcLength?: number;
  /** fast-check's shrinking was stopped early (restart budget or shrinkRuns spent). */
  readonly shrinkCut: boolean;
  readonly restarts: number;
}

const HANG_COST = 2;

export const choiceArb: fc.Arbitrary<Choice> = fc
  .tuple(fc.noBias(fc.nat({ max: 1 << 16 })), fc.noBias(fc.integer({ min: 0, max: 9 })))
  .map(([c, p]) => ({ c, probe: p === 9 }), (v) => {
    const ch = v as Choice;
    return [ch.c, ch.probe ? 9 : 0];
  });

/** Reset, then every step of the sequence; the first failure, or undefined when it conforms. */
export async function runSequence(session: Session, config: Config, variant: VariantName, steps: readonly PlannedStep[], window: number): Promise<Failure | undefined> {
  const where = (i: number, request: Where['request']): Where => ({
    phase: 'random', config, variant, events: steps.slice(0, i + 1).map((s) => s.event), request,
  });
  type R = StepOutcome | AckOutcome;
  function* ops(): Generator<Op<R>> {
    yield {
      send: () => session.reset(config, variant),
      judge: (r) => {
        const a = r as AckOutcome;
        if (a.ok) return undefined;
        return 'refused' in a ? { kind: 'refused', where: where(-1, 'reset'), error: a.refused } : { kind: 'misbehaviour', where: where(-1, 'reset'), bad: a.bad };
      },
    };
    for (let i = 0; i < steps.length; i++) {
      const { event, expected } = steps[i]!;
      yield {
        send: () => session.step(event),
        judge: (r) => {
          const s = r as StepOutcome;
          if (!s.ok) return { kind: 'misbehaviour', where: where(i, 'step'), bad: s.bad };
          const why = mismatch(expected, s.actual);
          return why === undefined ? undefined : { kind: 'divergence', where: where(i, 'step'), reason: why, expected, actual: s.actual };
        },
      };
    }
  }
  const f = (await runPipelined(ops(), window)).failure;
  if (f?.kind !== 'misbehaviour' || window === 1) return f;
  // Pipelined requests may all be pending when the process dies or babbles (an implementation
  // that buffers its replies loses them): replay one request at a time to name the right event.
  session.ensureAlive();
  const again = await runSequence(session, config, variant, steps, 1);
  return again ?? f;
}

export async function runRandom(session: Session, o: RandomOptions): Promise<RandomResult> {
  const model = createModel(o.config, o.variant);
  const probes = probeEvents(o.config);
  let sequences = 0;
  let steps = 0;
  let failures = 0;
  const budget = o.restartBudget ?? 16;
  let restarts0 = session.restarts;
  let hangs = 0;
  /** Restart units spent since the first failure: a restart is 1, a hang (its timeout) 2 more. */
  const spent = () => session.restarts - restarts0 + HANG_COST * hangs;
  let cut = false;
  let shrinkRuns = 0;
  const restartsAtStart = session.restarts;
  const maxShrinkRuns = o.shrinkRuns ?? 1000;
  let last: { key: string; failure: Failure } | undefined;

  const prop = fc.asyncProperty(fc.noBias(fc.array(choiceArb, { maxLength: o.maxLength, size: 'max' })), async (choices) => {
    if (failures > 0 && (spent() > budget / 2 || shrinkRuns >= maxShrinkRuns)) { cut = true; return true; }
    if (failures > 0) shrinkRuns++;
    session.ensureAlive();
    const plan = planSequence(model, probes, choices);
    sequences++;
    steps += plan.length;
    const f = await runSequence(session, o.config, o.variant, plan, o.window);
    if (!f) {
      if (failures === 0 && o.coverage) for (const p of plan) o.coverage.add(p.event, p.expected);
      return true;
    }
    if (failures++ === 0) { restarts0 = session.restarts; hangs = 0; }
    if (f.kind === 'misbehaviour' && f.bad.kind === 'hang') hangs++;
    last = { key: JSON.stringify(choices), failure: f };
    return false;
  });
  const details = await fc.check(prop, { numRuns: o.runs, seed: o.seed });
  let failure: Failure | undefined;
  if (details.failed) {
    // a property that threw is a bug of the runner, not of the implementation
    if (!last) throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
    const [choices] = details.counterexample ?? [undefined];
    failure = choices && last.key === JSON.stringify(choices) ? last.failure : undefined;
    if (!failure && choices) {
      // replay the counterexample to get its details (deterministic implementations fail again)
      session.ensureAlive();
      failure = await runSequence(session, o.config, o.variant, planSequence(model, probes, choices), o.window);
    }
    failure ??= last.failure;
  }
  let fcLength: number | undefined;
  if (failure) {
    fcLength = failure.where.events.length;
    const spend = (f: Failure) => { if (f.kind === 'misbehaviour' && f.bad.kind === 'hang') hangs++; };
    const m = await removeEvents(session, o, model, failure, () => spent() < budget, spend, () => session.ensureAlive());
    failure = m.failure;
    sequences += m.runs;
    if (spent() >= budget) cut = true;
  }
  return { sequences, steps, ...(failure ? { failure } : {}), shrinks: Math.max(0, failures - 1), ...(fcLength !== undefined ? { fcLength } : {}), shrinkCut: cut, restarts: session.restarts - restartsAtStart };
}

/** The same failure: same kind (divergence, or the same misbehaviour), on the same kind of request and event. */
function sameFailure(a: Failure, b: Failure): boolean {
  if (a.kind !== b.kind || a.where.request !== b.where.request) return false;
  if (a.kind === 'misbehaviour' && b.kind === 'misbehaviour' && a.bad.kind !== b.bad.kind) return false;
  return a.where.events.at(-1)?.kind === b.where.events.at(-1)?.kind;
}

/**
 * After fast-check: drop single events, latest first, while the sequence still fails the same way
 * and the model refuses no more of its events than before (a dropped cause must not turn later
 * events into refusals). fast-check shrinks choices, and a choice means a different event once an
 * earlier step is gone, so this pass on the events themselves often shortens the result further.
 */
async function removeEvents(
  session: Session, o: RandomOptions, model: ReturnType<typeof createModel>, start: Failure,
  canRun: () => boolean, spend: (f: Failure) => void, revive: () => void,
): Promise<{ failure: Failure; runs: number }> {
  let best = start;
  let runs = 0;
  // chunks of events, halving in size (ddmin's complements): a cause-free prefix goes in one try
  let size = Math.max(1, 2 ** Math.floor(Math.log2(Math.max(1, best.where.events.length - 1))));
  while (size >= 1) {
    let progress = false;
    const events = best.where.events;
    const baseRefusals = refusals(planEvents(model, events));
    const relative = toRelative(model, events);
    for (let i = events.length - 1 - size; i >= 0 && !progress; i -= 1) {
      // drop events [i, i + size) as they are, or drop them and let later steps pick the same kind
      // and instance number (a fault group or frame renumbered by the removal stays the "same")
      const literal = [...events.slice(0, i), ...events.slice(i + size)];
      const shifted = fromRelative(model, [...relative.slice(0, i), ...relative.slice(i + size)]);
      const candidates = JSON.stringify(literal) === JSON.stringify(shifted) ? [literal] : [literal, shifted];
      for (const candidate of candidates) {
        if (!canRun()) return { failure: best, runs };
        const plan = planEvents(model, candidate);
        if (refusals(plan) > baseRefusals) continue;
        revive();
        runs++;
        const f = await runSequence(session, o.config, o.variant, plan, o.window);
        if (!f) continue;
        spend(f);
        if (sameFailure(f, best) && f.where.events.length < best.where.events.length) { best = f; progress = true; break; }
      }
    }
    if (!progress) size = Math.floor(size / 2);
    else size = Math.min(size, Math.max(1, 2 ** Math.floor(Math.log2(Math.max(1, best.where.events.length - 1)))));
  }
  return { failure: best, runs };
}
