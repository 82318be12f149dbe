// One search for several variants at once (src/explorer/familySearch.ts, spec/explorer.md
// EXP-FAM-1..5): every variant's result must be what its own search gives (EXP-FAM-3): states,
// transitions, depth, levels, the partial-order reduction's counts and every violation with its
// shortest length; every counterexample replays on the reducer (EXP-FAM-4); the successor lists
// faults-resolvable reads hold, per variant, exactly that variant's edges. On small shipped
// configurations, with and without each reduction, with the frontier and the successor lists on
// disk, and with the cycle proviso refusing every candidate. The grouping (familyPlan.ts) and the
// CLI's --family are checked at the end.
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import type { Config } from '../src/model/config.ts';
import { variantNames, variants, type VariantName } from '../src/model/variant.ts';
import { bitRecordingTraits, decisionBit, differingDecisions } from '../src/explorer/traitReads.ts';
import { explore, type ExploreResult } from '../src/explorer/explore.ts';
import { exploreFamily, type FamilyOptions } from '../src/explorer/familySearch.ts';
import { familyPlan } from '../src/explorer/familyPlan.ts';
import { verifiedReport } from '../src/explorer/packed/verify.ts';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/smmu-sva.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function config(name: string): Config {
  const c = loadConfigFile(`spec/configs/${name}.json`);
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

/** What a variant's search must give, whichever way it was searched. */
const figures = (r: ExploreResult) => ({
  variant: r.variant, states: r.states, transitions: r.transitions, maxDepth: r.maxDepth, levels: r.levels,
  ampleNodes: r.ampleNodes, provisoRefused: r.provisoRefused, truncated: r.truncated, symmetry: r.symmetry, por: r.por,
  violations: r.violations.map((f) => `${f.kind}:${f.invariant}(${f.length})`),
});

async function compare(cfg: Config, names: readonly VariantName[], opts: Omit<FamilyOptions, 'maxStates'>): Promise<{ fam: ExploreResult[]; own: ExploreResult[] }> {
  // checkLinks: every parent link of every node serves its variants (EXP-FAM-4)
  const fam = await exploreFamily(cfg, names, { ...opts, maxStates: 10_000_000, checkLinks: true });
  const own: ExploreResult[] = [];
  for (const v of names) own.push(await explore(cfg, v, { symmetry: opts.symmetry, por: opts.por, provisoRefuseAll: opts.provisoRefuseAll, maxStates: 10_000_000, workers: 1, engine: 'packed' }));
  expect(fam.map(figures)).toEqual(own.map(figures));
  // EXP-FAM-4: each counterexample replays on the reducer, with the length the search found
  for (const r of fam) expect(verifiedReport(r).counterexamples.map((cx) => cx.steps.length)).toEqual(r.violations.map((f) => f.length));
  // faults-resolvable reads, per variant, that variant's edges out of its states with pending faults
  expect(fam[0]!.memory.storedTransitions).toBe(own.reduce((a, r) => a + r.memory.storedTransitions, 0));
  const distinct = fam[0]!.family!.distinct;
  expect(distinct).toBeLessThanOrEqual(own.reduce((a, r) => a + r.states, 0));
  expect(distinct).toBeGreaterThanOrEqual(Math.max(...own.map((r) => r.states)));
  return { fam, own };
}

describe('a search of several variants at once gives each variant its own search (EXP-FAM-3)', () => {
  const all = [[true, true], [true, false], [false, true], [false, false]] as const;
  // stall-forced without symmetry is the slowest: with it only
  for (const [name, modes] of [['tiny', all], ['asid-small', all], ['stall-forced', all.filter(([, sym]) => sym)]] as const) {
    for (const [por, symmetry] of modes) {
      it(`${name}, all seven variants${por ? '' : ', --no-por'}${symmetry ? '' : ', --no-symmetry'}`, async () => {
        const { fam, own } = await compare(config(name), variantNames, { symmetry, por });
        // the variants share states: the search stores fewer than the seven searches together
        expect(fam[0]!.family!.distinct).toBeLessThan(own.reduce((a, r) => a + r.states, 0));
      }, 120_000);
    }
  }
  it('small: the frontier and the successor lists on disk, the same results', async () => {
    const { fam } = await compare(config('small'), ['v6', 'release-skips-tlbi', 'no-synchronize'], { symmetry: true, por: true, frontierMemBytes: 1 << 14, frontierSegmentWords: 1 << 10, successorMemBytes: 1 << 14, successorBlockWords: 1 << 10 });
    expect(fam[0]!.memory.frontierSpilledBytes).toBeGreaterThan(0);
    expect(fam[0]!.memory.successorsSpilledBytes).toBeGreaterThan(0);
  }, 120_000);
  it('stall-forced: the cycle proviso refusing every candidate (EXP-POR-5), the same results', async () => {
    const { fam } = await compare(config('stall-forced'), variantNames, { symmetry: true, por: true, provisoRefuseAll: true });
    expect(fam.some((r) => r.provisoRefused > 0)).toBe(true);
  }, 120_000);
  it('a variant searched alone through the family search is its own search', async () => {
    await compare(config('tiny'), ['no-synchronize'], { symmetry: true, por: true });
  });
  it('a node reached at one depth from several parents keeps a parent link per variant (EXP-FAM-1)', async () => {
    // on tiny, 191 times variants join a node from another parent; compare() checks every link of
    // every node (checkLinks) and replays every counterexample
    const { fam } = await compare(config('tiny'), variantNames, { symmetry: true, por: true });
    expect(fam.flatMap((r) => r.violations).length).toBeGreaterThan(0);
    expect(fam[0]!.family!.joins).toBeGreaterThan(0);
  }, 120_000);
});

describe('shared computations (EXP-FAM-2)', () => {
  it('bitRecordingTraits records the decision traits read, and only those; differingDecisions names where two variants differ', () => {
    const rec = { reads: 0 };
    const t = bitRecordingTraits(variants['release-skips-tlbi'], rec);
    expect(t.name).toBe('release-skips-tlbi');
    expect(rec.reads).toBe(0);
    expect(t.releaseTlbi).toBe(false);
    expect(t.atcInvalidation).toBe(true);
    expect(rec.reads).toBe(decisionBit.releaseTlbi | decisionBit.atcInvalidation);
    expect(differingDecisions(variants['v6-atc'], variants['release-skips-tlbi'])).toBe(decisionBit.releaseTlbi);
    expect(differingDecisions(variants.v6, variants['v6-atc'])).toBe(decisionBit.atcInvalidation);
  });
  it('the five variants that are v6-atc with one decision changed share most computations', async () => {
    const names = ['v6-atc', 'release-clears-valid', 'release-clears-sr', 'release-skips-tlbi', 'no-synchronize'] as const;
    const [r] = await exploreFamily(config('default'), names, { symmetry: true, por: true, maxStates: 10_000_000 });
    const f = r!.family!;
    // one enabled list per class of a node's variants: here nearly one per node
    expect(f.expansions).toBeLessThan(1.1 * f.nodes);
  }, 60_000);
});

describe('familyPlan: which variants are searched together (EXP-FAM-5)', () => {
  const cfg = config('tiny');
  it('auto: the variants with ATC invalidation together, each other one alone, in the order of first index', () => {
    expect(familyPlan(cfg, variantNames, 'auto')).toEqual([[0], [1, 2, 3, 4, 5, 6]]);
    expect(familyPlan(cfg, ['upstream', 'v6', 'release-clears-sr'], 'auto')).toEqual([[0, 2], [1]]);
    // one variant with ATC invalidation is no family
    expect(familyPlan(cfg, ['v6', 'upstream'], 'auto')).toEqual([[0], [1]]);
  });
  it('off: each alone; all: every one together', () => {
    expect(familyPlan(cfg, variantNames, 'off')).toEqual(variantNames.map((_, i) => [i]));
    expect(familyPlan(cfg, variantNames, 'all')).toEqual([[0, 1, 2, 3, 4, 5, 6]]);
  });
});

describe('smmu-sva explore --family', () => {
  const strip = (out: string) => out.trim().split('\n').map((l) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    for (const k of ['seconds', 'statesPerSecond', 'time', 'memory', 'bytesPerState', 'family']) delete o[k];
    return o;
  });
  it('auto (the default, one thread or two), all and off print the same variants, figures and counterexamples', () => {
    const args = ['explore', '--config', 'spec/configs/tiny.json', '--variant', 'all', '--json'];
    const off = cli(...args, '--family', 'off');
    // tiny has no recorded verdicts, so its violations make the table fail: exit 1 every time
    expect(off.code).toBe(1);
    expect(strip(off.out).flatMap((o) => o.violations as unknown[]).length).toBeGreaterThan(0);
    for (const extra of [[], ['--family', 'all'], ['--workers', '2']]) {
      const r = cli(...args, ...extra);
      expect(r.code).toBe(off.code);
      expect(strip(r.out)).toEqual(strip(off.out));
    }
    const auto = cli(...args).out.trim().split('\n').map((l) => JSON.parse(l) as { variant: string; family: { variants: string[] } | null });
    expect(auto.map((o) => o.family?.variants.length ?? 1)).toEqual([1, 6, 6, 6, 6, 6, 6]);
  }, 120_000);
  it('a bounded run (--max-states) gives what the variants\' own bounded searches give: a family that hits the bound is searched again apart', () => {
    const args = ['explore', '--config', 'spec/configs/tiny.json', '--variant', 'all', '--json', '--max-states', '200'];
    const off = cli(...args, '--family', 'off');
    const auto = cli(...args);
    expect(auto.code).toBe(off.code);
    const rows = strip(auto.out);
    expect(rows.some((o) => o.truncated === true)).toBe(true);
    expect(rows).toEqual(strip(off.out));
  }, 60_000);
  it('the text report says which variants were searched together', () => {
    const r = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream,release-clears-sr');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/upstream on tiny: \d+ states.*searched together with 1 other variant\(s\) \(\d+ distinct states in all/);
  }, 60_000);
  it('a bad --family exits 2 naming what it expects; all with the reducer engine too', () => {
    const bad = cli('explore', '--variant', 'all', '--family', 'some');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--family expects auto, off or all, got "some"/);
    const reducer = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'all', '--family', 'all', '--engine', 'reducer');
    expect(reducer.code).toBe(2);
    expect(reducer.err).toMatch(/--family all searches on the packed engine/);
  }, 60_000);
});
