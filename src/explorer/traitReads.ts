// A model whose trait reads are recorded (tools/bench-traits.ts, tools/bench-family-search.ts).
// The semantics see a variant only through Model.traits (test/architecture.test.ts), so a
// computation that read the traits R under one variant runs the same way under every variant
// that agrees on R.
import type { Config } from '../model/config.ts';
import { createModel, type Model } from '../model/model.ts';
import { variants, type VariantName, type VariantTraits } from '../model/variant.ts';

/** The traits that decide a step: every field but the name and the summary. */
export type Decision = Exclude<keyof VariantTraits, 'name' | 'summary'>;

export interface RecordingModel {
  readonly m: Model;
  /** The decision traits read through `m.traits` since the caller last cleared it. */
  readonly read: Set<Decision>;
}

export function recordingModel(config: Config, variant: VariantName): RecordingModel {
  const plain = createModel(config, variant), read = new Set<Decision>();
  const traits = new Proxy(plain.traits, {
    get(t, k, r) {
      if (k !== 'name' && k !== 'summary' && typeof k === 'string') read.add(k as Decision);
      return Reflect.get(t, k, r) as unknown;
    },
  });
  return { m: { config, traits }, read };
}

/** Whether variant traits `w` agree with `v` on every trait in `read`. */
export function agreeOn(read: Iterable<Decision>, v: VariantTraits, w: VariantTraits): boolean {
  for (const t of read) if (v[t] !== w[t]) return false;
  return true;
}

/** The decision traits, in the order of their bits (decisionBit). */
export const decisionNames: readonly Decision[] = (Object.keys(variants.v6) as (keyof VariantTraits)[])
  .filter((k): k is Decision => k !== 'name' && k !== 'summary');

/** The bit of each decision trait in a read mask. */
export const decisionBit: Readonly<Record<Decision, number>> = Object.fromEntries(decisionNames.map((d, i) => [d, 1 << i])) as Record<Decision, number>;

/** Where bitRecordingTraits records: the bits of the decision traits read since `reads` was last cleared. */
export interface TraitRecorder { reads: number }

/**
 * Traits `t` whose decision fields record each read into `rec.reads` (decisionBit), as plain
 * getters: cheaper than recordingModel's Proxy, for the packed engine's search of several
 * variants at once (src/explorer/familySearch.ts).
 */
export function bitRecordingTraits(t: VariantTraits, rec: TraitRecorder): VariantTraits {
  const o: Record<string, unknown> = { name: t.name, summary: t.summary };
  for (const d of decisionNames) {
    const bit = decisionBit[d], value = t[d];
    Object.defineProperty(o, d, { enumerable: true, get() { rec.reads |= bit; return value; } });
  }
  return o as unknown as VariantTraits;
}

/** The decision traits on which `a` and `b` differ, as a read mask. */
export function differingDecisions(a: VariantTraits, b: VariantTraits): number {
  let m = 0;
  for (const d of decisionNames) if (a[d] !== b[d]) m |= decisionBit[d];
  return m;
}
