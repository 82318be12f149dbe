// Verdicts: the set of invariants a variant violates on a configuration, compared with
// spec/expected-verdicts.json; and the JSON report of a run.
import { encodeConfig } from '../codecs/config.ts';
import type { ExpectedVerdicts } from '../codecs/expected.ts';
import type { VariantName } from '../model/variant.ts';
import { counterexample, type Counterexample } from './counterexample.ts';
import type { ExploreResult, Found, TimeSplit } from './explore.ts';

export interface VariantReport {
  readonly result: ExploreResult;
  readonly counterexamples: readonly Counterexample[];
}

export function report(result: ExploreResult): VariantReport {
  return { result, counterexamples: result.violations.map((f) => counterexample(result, f)) };
}

export const violatedSet = (r: ExploreResult): string[] => r.violations.map((v) => v.invariant).sort();

/** undefined when no expectation is recorded for (config, variant). */
export function expectedFor(expected: ExpectedVerdicts, config: string, variant: VariantName): string[] | undefined {
  const v = expected[config]?.[variant];
  return v ? [...v].sort() : undefined;
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Seconds to the millisecond, counts as they are. */
function roundTime(t: TimeSplit): TimeSplit {
  const ms = (x: number) => Number(x.toFixed(3));
  return { ...t, expandHere: ms(t.expandHere), merge: ms(t.merge), take: ms(t.take), liveness: ms(t.liveness), wait: ms(t.wait), workers: ms(t.workers) };
}

export function toJson(rep: VariantReport): unknown {
  const r = rep.result;
  return {
    variant: r.variant,
    config: encodeConfig(r.config),
    engine: r.engine,
    symmetry: r.symmetry,
    por: r.por,
    ampleNodes: r.ampleNodes,
    provisoRefused: r.provisoRefused,
    symmetryOff: r.symmetryOff ?? null,
    symmetryNotes: r.symmetryNotes,
    states: r.states,
    transitions: r.transitions,
    maxDepth: r.maxDepth,
    levels: r.levels,
    truncated: r.truncated,
    seconds: Number(r.seconds.toFixed(3)),
    statesPerSecond: Math.round(r.states / Math.max(r.seconds, 1e-9)),
    bytesPerState: r.bytesPerState,
    memory: r.memory,
    time: roundTime(r.time),
    family: r.family ?? null,
    violations: rep.counterexamples.map((cx, i) => ({
      invariant: cx.invariant,
      detail: cx.detail,
      // faults-resolvable: how many explored states cannot resolve their faults (EXP-LIVE-COUNT)
      ...livenessCount(r.violations[i]),
      trace: cx.steps.map((s) => ({ event: s.event, observations: s.observations })),
    })),
  };
}

/** A liveness violation's count of states that cannot resolve their faults, as a JSON field. */
function livenessCount(f: Found | undefined): { unresolvable?: number } {
  return f?.kind === 'liveness' ? { unresolvable: f.unresolvable } : {};
}
