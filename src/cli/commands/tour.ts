// smmu-sva tour (npm start): what the model does, on the built-in default configuration.
// 1. the seed's first trace replayed under v6, with every observation; 2. the same script under
// v6-atc; 3. the variant table with expected verdicts; 4-6. the explorer (below).
import * as E from 'fp-ts/lib/Either.js';
import { seedTrace1 } from '../../scenarios/seed.ts';
import { runScript } from '../../scenarios/run.ts';
import { describeEvent, describeObservation } from '../../trace/describe.ts';
import { flagsOrExit, usageError, type CommandSpec } from '../args.ts';
import { run as variantsRun } from './variants.ts';
import { exploreEach, verdictTable, type ExploreRun } from './explore.ts';
import { availableParallelism } from 'node:os';
import type { VariantReport } from '../../explorer/verdict.ts';
import { loadExpectedVerdicts, type ExpectedVerdicts } from '../../codecs/expected.ts';
import { defaultConfig, seedWideConfig } from '../../model/config.ts';
import { variantNames } from '../../model/variant.ts';
import { formatCounterexampleText } from '../../explorer/format.ts';
import { shortestStory, staleAtcStory } from '../../explorer/story.ts';

const say = (s = '') => process.stdout.write(`${s}\n`);

export const spec: CommandSpec = {
  name: 'tour',
  summary: 'a guided run of the model on the default configuration (npm start)',
  about: [
    "A guided run (npm start) on the built-in default configuration: the seed's first trace under v6 and v6-atc, the",
    "variants, the seed's stale-ATC story, the exhaustive verdict table of every variant, and the same on",
    'seed-wide bounded to 30,000 states per variant. Exit 0 when every verdict is as expected, else 1.',
  ],
  flags: {},
};

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv);
  if (E.isLeft(flags)) return flags.left;
  say('smmu-sva: a reference model of Arm SMMUv3 Shared Virtual Addressing in the Linux driver.');
  say('Events (bind, DMA, page faults, munmap, exit, unbind...) step an immutable state of SMMU');
  say('hardware, driver bookkeeping and process memory; every step is checked against the invariants.');
  say();
  for (const variant of ['v6', 'v6-atc'] as const) {
    say(`== ${seedTrace1.name} (${seedTrace1.summary}) under ${variant}`);
    const r = runScript(seedTrace1.config, variant, seedTrace1.events);
    for (const st of r.steps) {
      say(`${String(st.index + 1).padStart(3)}. ${describeEvent(seedTrace1.config, st.event)}`);
      for (const o of st.observations) if (o.kind !== 'cmd' || o.cmd.op !== 'CMD_SYNC') say(`       ${describeObservation(seedTrace1.config, o)}`);
      for (const v of st.violations) say(`       !! ${v.invariant}: ${v.detail}`);
    }
    const bad = new Set(r.steps.flatMap((s) => s.violations.map((v) => v.invariant)));
    say(bad.size ? `   -> ${variant} violates ${[...bad].join(', ')}: munmap sends no CMD_ATC_INV, the device keeps translations to freed frames.` : `   -> ${variant}: no invariant violated.`);
    say();
  }
  say('== the driver variants (smmu-sva variants)');
  const code = await variantsRun([]);
  if (code !== 0) return code;
  return exploreTour();
}

/**
 * 4. the v6 stale-ATC story found by goal-directed search; 5. the main job: the exhaustive
 * explorer's verdict table on the built-in default configuration; 6. its full-width sibling
 * spec/configs/seed-wide.json, bounded (its whole space takes about 6-7 minutes, too long for a tour).
 */
async function exploreTour(): Promise<number> {
  const story = shortestStory(defaultConfig, 'v6', staleAtcStory);
  say();
  say('== the seed\'s stale-ATC story under v6, as the shortest run where the device faults the page in itself');
  if (story) say(formatCounterexampleText(defaultConfig, 'v6', story));
  say();
  say('== exhaustive exploration of every variant on the built-in default configuration (smmu-sva explore --variant all --no-por)');
  const expected = loadExpectedVerdicts();
  if (E.isLeft(expected)) return usageError(expected.left);
  const reps: VariantReport[] = [];
  await exploreEach(defaultConfig, variantNames, tourRun(10_000_000), (r) => reps.push(r));
  const table = verdictTable(defaultConfig.name, reps, expected.right);
  for (const l of table.lines) say(l);
  say();
  const bounded = await seedWidePrefix(expected.right);
  return story && table.ok && bounded ? 0 : 1;
}

/**
 * How the tour explores: symmetry on, no partial-order reduction (shortest counterexamples), every
 * core, and the six variants that invalidate the ATC in one search, as explore does by default
 * (EXP-FAM-5).
 */
function tourRun(maxStates: number): ExploreRun {
  return { symmetry: true, maxStates, workers: tourThreads, family: 'auto', progress: process.stderr.isTTY === true ? 'live' : 'off' };
}

/** Variants the tour explores at once: one per core (smmu-sva explore --variant all --workers N). */
const tourThreads = Math.max(1, Math.min(availableParallelism(), variantNames.length));

/** States per variant the tour explores of spec/configs/seed-wide.json. */
const prefixStates = 30_000;

/**
 * 6. the same job on seed-wide (two pages per process, three frames), bounded: the first states of
 * the breadth-first search. Every counterexample printed is a shortest one; a variant without one
 * is only clean in the explored prefix, and the table says so. Expected: the default's verdicts.
 */
async function seedWidePrefix(expected: ExpectedVerdicts): Promise<boolean> {
  say(`== spec/configs/seed-wide.json (two pages per process, three frames), bounded: the first ${prefixStates} breadth-first states of every variant`);
  say(`   (smmu-sva explore --config spec/configs/seed-wide.json --variant all --no-por --max-states ${prefixStates}; expected: the default's verdicts;`);
  say('   the whole space of every variant, with partial-order reduction, about 6-7 minutes on two cores: smmu-sva explore --config spec/configs/seed-wide.json --variant all)');
  const reps: VariantReport[] = [];
  await exploreEach(seedWideConfig, variantNames, tourRun(prefixStates), (r) => reps.push(r));
  const table = verdictTable(seedWideConfig.name, reps, { [seedWideConfig.name]: expected[defaultConfig.name]! }, true);
  for (const l of table.lines) say(l);
  return table.ok;
}
