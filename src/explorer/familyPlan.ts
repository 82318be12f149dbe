// Which variants a run of several searches together (familySearch.ts, spec/explorer.md EXP-FAM-5).
// The grouping changes the time a run takes, never its results: each variant's result is that of
// its own search (EXP-FAM-3, test/family-search.test.ts).
import type { Config } from '../model/config.ts';
import { createModel } from '../model/model.ts';
import type { VariantName } from '../model/variant.ts';
import { FAMILY_MAX } from './packed/familyExpand.ts';

export const familyModes = ['auto', 'off', 'all'] as const;
/**
 * auto: the variants that invalidate the ATC (atcInvalidation) in one search, each other variant
 * alone; off: every variant alone; all: every variant in one search.
 */
export type FamilyMode = (typeof familyModes)[number];

export function isFamilyMode(s: unknown): s is FamilyMode {
  return (familyModes as readonly unknown[]).includes(s);
}

/**
 * The searches for `variants`: each a list of indices into `variants`, in the order of their first
 * index. Under auto, a variant that does not invalidate the ATC is searched alone: it keeps stale
 * ATC entries that no other variant has, so it shares few states (docs/performance.md, "States
 * the variants share": `v6` on seed-wide, 10% of its states), while the variants that do share
 * most of theirs. A family has at most FAMILY_MAX variants (the rest are split off in order).
 */
export function familyPlan(config: Config, variants: readonly VariantName[], mode: FamilyMode): number[][] {
  const idx = variants.map((_, i) => i);
  const together = mode === 'off' ? [] : mode === 'all' ? idx : idx.filter((i) => createModel(config, variants[i]!).traits.atcInvalidation);
  const jobs: number[][] = [];
  for (let k = 0; k < together.length; k += FAMILY_MAX) jobs.push(together.slice(k, k + FAMILY_MAX));
  const grouped = jobs.filter((j) => j.length > 1);
  const inFamily = new Set(grouped.flat());
  for (const i of idx) if (!inFamily.has(i)) grouped.push([i]);
  return grouped.sort((a, b) => a[0]! - b[0]!);
}
