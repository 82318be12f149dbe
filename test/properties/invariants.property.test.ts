// Property tests on the default configuration: random event sequences (each step one of the
// events enabled at that point) never violate an invariant under the correct variants, and
// fast-check finds, and shrinks, the expected violation of each buggy variant.
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { seedWideConfig, type Config } from '../../src/model/config.ts';
import type { VariantName } from '../../src/model/variant.ts';
import type { InvariantName } from '../../src/invariants/invariants.ts';
import { describeEvent } from '../../src/trace/describe.ts';
import { walk } from './walk.ts';
// STALL_MODEL forced (SMMU_IDR0.STALL_MODEL = 0b10): every CD must have S=1; two platform devices (INIT-PCI)
import { stallForced } from '../rules/helpers.ts';


const choices = (maxLength: number) => fc.array(fc.nat({ max: 1 << 20 }), { maxLength });

describe('correct variants never violate an invariant on random sequences', () => {
  for (const variant of ['v6-atc', 'upstream'] as const) {
    test.prop([choices(40)], { numRuns: 400, seed: 1 })(`${variant}`, (cs) => {
      const r = walk(seedWideConfig, variant, cs);
      expect(r.violations.map((v) => `${v.invariant}: ${v.detail}`)).toEqual([]);
    });
  }
  test.prop([choices(40)], { numRuns: 200, seed: 2 })('release-clears-sr is clean without STALL_MODEL forced', (cs) => {
    expect(walk(seedWideConfig, 'release-clears-sr', cs).violations).toEqual([]);
  });
});

interface Hunt {
  readonly variant: VariantName;
  readonly invariant: InvariantName;
  readonly config: Config;
  readonly numRuns: number;
  readonly maxLength: number;
  /** Upper bound on the shrunk sequence length (the shortest is found by the explorer). */
  readonly shrunkAtMost: number;
}

const hunts: readonly Hunt[] = [
  { variant: 'v6', invariant: 'no-stale-atc', config: seedWideConfig, numRuns: 20_000, maxLength: 30, shrunkAtMost: 8 },
  { variant: 'release-clears-valid', invariant: 'no-bad-cd-while-bound', config: seedWideConfig, numRuns: 20_000, maxLength: 30, shrunkAtMost: 8 },
  { variant: 'release-skips-tlbi', invariant: 'no-stale-tlb', config: seedWideConfig, numRuns: 20_000, maxLength: 30, shrunkAtMost: 8 },
  { variant: 'no-synchronize', invariant: 'no-freed-domain-access', config: seedWideConfig, numRuns: 200_000, maxLength: 20, shrunkAtMost: 10 }, // shortest is 6; index-based choices shrink less well with two domains
  { variant: 'release-clears-sr', invariant: 'no-bad-cd-while-bound', config: stallForced, numRuns: 20_000, maxLength: 30, shrunkAtMost: 8 },
];

describe('fast-check finds and shrinks the expected violation of each buggy variant', () => {
  for (const h of hunts) {
    it(`${h.variant} violates ${h.invariant} on ${h.config.name}`, () => {
      const r = fc.check(
        fc.property(choices(h.maxLength), (cs) => walk(h.config, h.variant, cs, h.invariant).violations.length === 0),
        { numRuns: h.numRuns, seed: 42 },
      );
      expect(r.failed).toBe(true);
      const found = walk(h.config, h.variant, r.counterexample![0], h.invariant);
      expect(found.violations.map((v) => v.invariant)).toContain(h.invariant);
      const story = found.events.map((e, i) => `${i + 1}. ${describeEvent(h.config, e)}`).join('\n');
      expect(found.events.length, story).toBeLessThanOrEqual(h.shrunkAtMost);
      // The shrunk length, for the record: `npx vitest run test/properties --reporter=verbose`
      console.info(`${h.variant} / ${h.invariant}: shrunk to ${found.events.length} events after ${r.numRuns} runs and ${r.numShrinks} shrinks\n${story}`);
    });
  }
});
