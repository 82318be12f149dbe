// A model whose trait reads are recorded (tools/bench-traits.ts, tools/bench-family-search.ts).
// The semantics see a variant only through Model.traits (test/architecture.test.ts), so a
// computation that read the traits R under one variant runs the same way under every variant
// that agrees on R.
import type { Config } from '../model/config.ts';
import { createModel, type Model } from '../model/model.ts';
import type { VariantName, VariantTraits } from '../model/variant.ts';

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
