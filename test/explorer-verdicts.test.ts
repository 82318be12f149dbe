// The verdict table: for the built-in default and every configuration of spec/configs/ with
// expected verdicts in spec/expected-verdicts.json, an exhaustive exploration of every variant
// finds exactly the expected set of violated invariants. seed-wide (the default at full width)
// is too large to explore every variant in a test (README, "Explore"): its recorded verdicts are
// those confirmed by exhaustive runs with partial-order reduction; upstream's (0.78M states) and
// v6-atc's (6.4M) are re-confirmed here, the others by the 12-15 minute run named in
// docs/performance.md. For every variant,
// the first states of its breadth-first search must already show the default's violations.
// seed-wide-rw (seed-wide with read DMA too) records only the variants run to the end, none of
// them re-explored here; a bounded prefix of each must find nothing outside its record.
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import { defaultConfig, seedWideConfig } from '../src/model/config.ts';
import { loadExpectedVerdicts } from '../src/codecs/expected.ts';
import { variantNames } from '../src/model/variant.ts';
import { explore } from '../src/explorer/explore.ts';
import { violatedSet, type VariantReport } from '../src/explorer/verdict.ts';
import type { ExploreResult } from '../src/explorer/explore.ts';
import type { ExpectedVerdicts } from '../src/codecs/expected.ts';
import type { VariantName } from '../src/model/variant.ts';
import { verdictTable } from '../src/cli/commands/explore.ts';

const expected = loadExpectedVerdicts();
if (E.isLeft(expected)) throw new Error(expected.left.join('\n'));
const configs = Object.keys(expected.right);
// Configurations whose verdicts are recorded only for some variants, and which of those this test
// re-confirms exhaustively (the rest come from the long runs in docs/performance.md).
// seed-wide: upstream (775,911 states) and v6-atc (6,388,650, about a minute: the series' ATC fix
// at full width); of the other five, four take one to four minutes each on one thread, v6 twelve to seventeen.
// seed-wide-rw: none is re-explored here.
const partial = new Map<string, readonly VariantName[]>([['seed-wide', ['upstream', 'v6-atc']], ['seed-wide-rw', []]]);

describe('verdicts on the shipped configurations (exhaustive)', () => {
  it('every configuration with expected verdicts is shipped, and the list is not empty', () => {
    expect(configs).toEqual(expect.arrayContaining(['default', 'small', 'stall-forced', 'no-btm', 'asid-small', 'ssid-widths', 'alloc-failure']));
  });
  for (const name of configs.filter((n) => !partial.has(n))) {
    it(`${name}: every variant's violated set is as expected`, async () => {
      const c = loadConfigFile(`spec/configs/${name}.json`);
      if (E.isLeft(c)) throw new Error(c.left.join('\n'));
      expect(c.right.name).toBe(name);
      const found: Record<string, string[]> = {};
      for (const v of variantNames) {
        const r = await explore(c.right, v, { symmetry: true, maxStates: 10_000_000, workers: 1 });
        expect(r.truncated).toBe(false);
        found[v] = violatedSet(r);
      }
      const want = Object.fromEntries(variantNames.map((v) => [v, [...(expected.right[name]![v] ?? ['(no expected verdict)'])].sort()]));
      expect(found).toEqual(want);
    });
  }
});

describe('the built-in default configuration and its full-width sibling', () => {
  it('spec/configs/default.json is the built-in default', () => {
    const c = loadConfigFile('spec/configs/default.json');
    if (E.isLeft(c)) throw new Error(c.left.join('\n'));
    expect(c.right).toEqual(defaultConfig);
  });
  it('spec/configs/seed-wide.json is seedWideConfig', () => {
    const c = loadConfigFile('spec/configs/seed-wide.json');
    if (E.isLeft(c)) throw new Error(c.left.join('\n'));
    expect(c.right).toEqual(seedWideConfig);
  });
  it('every configuration with partial verdicts records at least one variant', () => {
    for (const name of partial.keys()) expect(Object.keys(expected.right[name] ?? {}), name).not.toEqual([]);
  });
  for (const [name, here] of partial) {
    if (here.length) it(`${name}: the recorded verdicts of ${here.join(', ')} hold exhaustively (with partial-order reduction)`, async () => {
      const c = loadConfigFile(`spec/configs/${name}.json`);
      if (E.isLeft(c)) throw new Error(c.left.join('\n'));
      const rec = expected.right[name]!;
      for (const v of here) {
        expect(rec[v], `${name} ${v} has a recorded verdict`).toBeDefined();
        const r = await explore(c.right, v, { symmetry: true, por: true, maxStates: 10_000_000, workers: 1 });
        expect(r.truncated).toBe(false);
        expect(violatedSet(r)).toEqual([...rec[v]!].sort());
      }
    }, 600_000);
    it(`${name}: the verdicts recorded from long runs name their run, and a bounded prefix finds nothing outside them`, async () => {
      const c = loadConfigFile(`spec/configs/${name}.json`);
      if (E.isLeft(c)) throw new Error(c.left.join('\n'));
      const perf = readFileSync('docs/performance.md', 'utf8');
      // the --variant of each run named: one variant, a comma-separated list, or all
      const runs = [...perf.matchAll(new RegExp(`explore --config spec/configs/${name}\\.json --variant ([\\w,-]+) `, 'g'))].map((m) => m[1]!.split(','));
      for (const v of variantNames.filter((x) => expected.right[name]![x] !== undefined && !here.includes(x))) {
        const named = runs.some((list) => list.includes(v) || list.includes('all'));
        expect(named, `docs/performance.md names the ${name} ${v} run`).toBe(true);
        const r = await explore(c.right, v, { symmetry: true, por: true, maxStates: 30_000, workers: 1 });
        expect(violatedSet(r).filter((n) => !expected.right[name]![v]!.includes(n))).toEqual([]);
      }
    });
  }
  it('seed-wide: the first 30000 breadth-first states of every variant show exactly the default\'s violations', async () => {
    const found: Record<string, string[]> = {};
    for (const v of variantNames) {
      const r = await explore(seedWideConfig, v, { symmetry: true, maxStates: 30_000, workers: 1 });
      expect(r.truncated).toBe(true);
      found[v] = violatedSet(r);
    }
    const want = Object.fromEntries(variantNames.map((v) => [v, [...(expected.right.default![v] ?? [])].sort()]));
    expect(found).toEqual(want);
  });
});

describe('the verdict table (src/cli/commands/explore.ts)', () => {
  // only what verdictTable reads of a report
  const rep = (variant: VariantName, violated: string[], truncated: boolean): VariantReport => ({
    result: { variant, truncated, states: 1000, maxDepth: 6, violations: violated.map((invariant) => ({ kind: 'state', invariant, node: 1, length: 3 })) } as unknown as ExploreResult,
    counterexamples: [],
  });
  const exp: ExpectedVerdicts = { default: { v6: ['no-stale-atc'], upstream: [] } };
  const row = (t: { lines: string[] }, v: string) => t.lines.find((l) => l.includes(` ${v} `))!;

  it('a complete run is ok when it found exactly the expected violations, FAIL otherwise', () => {
    const t = verdictTable('default', [rep('v6', ['no-stale-atc'], false), rep('upstream', ['no-stale-tlb'], false)], exp);
    expect(t.ok).toBe(false);
    expect(row(t, 'v6')).toMatch(/^ {2}ok {3}v6 +violates no-stale-atc \(3\) +\(1000 states\)$/);
    expect(row(t, 'upstream')).toMatch(/^ {2}FAIL upstream +violates no-stale-tlb \(3\) \(EXPECTED clean\)/);
    expect(verdictTable('default', [rep('v6', ['no-stale-atc'], false)], exp).ok).toBe(true);
  });
  it('a truncated run is open while what it found is expected, FAIL once it finds an unexpected violation', () => {
    const t = verdictTable('default', [rep('v6', [], true), rep('upstream', [], true)], exp);
    expect(t.ok).toBe(false);
    expect(row(t, 'v6')).toMatch(/^ {2}open v6 +no violation in the explored part \(reached depth 6\) \(expected no-stale-atc; not found before the cut: no-stale-atc\) +\(1000 states, TRUNCATED\)$/);
    expect(row(t, 'upstream')).toMatch(/^ {2}open upstream +no violation in the explored part .*\(expected clean\)/);
    expect(t.lines.at(-2)).toMatch(/^2 verdict\(s\) open: the run stopped at --max-states/);
    const bad = verdictTable('default', [rep('upstream', ['no-stale-tlb'], true)], exp);
    expect(row(bad, 'upstream')).toMatch(/^ {2}FAIL upstream +violates no-stale-tlb \(3\) \(EXPECTED clean\)/);
    expect(bad.lines.some((l) => /open:/.test(l))).toBe(false);
  });
  it('with prefix, a truncated run must show exactly the expected violations', () => {
    expect(verdictTable('default', [rep('v6', ['no-stale-atc'], true)], exp, true).ok).toBe(true);
    const t = verdictTable('default', [rep('v6', [], true)], exp, true);
    expect(t.ok).toBe(false);
    expect(row(t, 'v6')).toMatch(/^ {2}FAIL v6 +no violation in the explored prefix \(reached depth 6\) \(EXPECTED no-stale-atc\)/);
  });
});
