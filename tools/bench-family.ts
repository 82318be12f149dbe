// npm run bench:family -- [--config FILE] [--variant A,B,...] [--workers N] [--max-states N] [--no-por] [--no-symmetry]
//
// How many states several variants share: the size of the design that would explore a family of
// variants in one search (each state once, with the set of variants that reach it) against one
// search per variant, as `explore --variant all` runs today. Explores each variant to the end
// (the packed engine, as `explore`; several at once with --workers), then counts the distinct
// states of all of them together by their 64-bit fingerprints (the keys carry no variant, so one
// fingerprint is one state up to symmetry), the states each variant shares with no other, and
// the states every one of them reaches. The ratio of the summed state counts to the distinct
// states bounds what such a search could save on states; it says nothing about transitions
// whose outcome differs between variants. Exit 0; 2: bad input; 3: a run was truncated.
import * as E from 'fp-ts/lib/Either.js';
import { exitCode, flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configFromFlag } from '../src/cli/configArg.ts';
import { exploreVariants } from '../src/explorer/variants.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';
import { variantsFromFlag } from '../src/cli/commands/explore.ts';
import { familyCounts, sortedFingerprints } from '../src/explorer/family.ts';

const command: CommandSpec = {
  name: 'bench:family',
  invocation: 'npm run bench:family --',
  about: [
    'Explore several variants to the end and count the states they share (by fingerprint): the sum of',
    'their state counts against the distinct states of all of them, the states each shares with no other,',
    'and the states all reach. Exit 0; 2: bad input; 3: a run was truncated by --max-states.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'A,B,...', help: `variants, comma-separated, or all (default: every variant but v6, the v6-atc family and upstream)` },
    workers: { type: 'string', value: 'N', help: 'variants explored at once, 1 to 64 (default 2)' },
    'max-states': { type: 'string', value: 'N', help: 'stop each run after N distinct states (default 100,000,000); a truncated run exits 3' },
    'no-por': { type: 'boolean', help: 'without partial-order reduction' },
    'no-symmetry': { type: 'boolean', help: 'without symmetry reduction' },
  },
};

const defaultFamily: readonly VariantName[] = variantNames.filter((v) => v !== 'v6');

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `npm run bench:family: ${l}`));
  const parsed = v.variant === undefined ? E.right(defaultFamily) : variantsFromFlag(v.variant);
  if (E.isLeft(parsed)) return usageError(`npm run bench:family: --variant: ${parsed.left}`);
  const names = parsed.right;
  if (names.length < 2) return usageError('npm run bench:family: --variant expects at least two different variants');
  const workers = intFlag(command, 'workers', v.workers, 2);
  if (E.isLeft(workers)) return usageError(workers.left);
  if (workers.right < 1 || workers.right > 64) return usageError(`npm run bench:family: --workers expects an integer in [1, 64], got ${workers.right}`);
  const maxStates = intFlag(command, 'max-states', v['max-states'], 100_000_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  if (maxStates.right < 1) return usageError('npm run bench:family: --max-states expects at least 1, got 0');
  const symmetry = !v['no-symmetry'], por = !v['no-por'];
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${config.right.name}: ${names.join(', ')}${por ? '' : ', no POR'}${symmetry ? '' : ', no symmetry'}, ${workers.right} at a time`);
  const runs = await exploreVariants(config.right, names, { symmetry, por, maxStates: maxStates.right, threads: workers.right });
  const sets = runs.map(sortedFingerprints);
  const c = familyCounts(sets);
  let sum = 0, seconds = 0;
  runs.forEach((r, i) => {
    sum += r.states; seconds += r.seconds;
    say(`  ${names[i]}: ${r.states} states, ${r.transitions} transitions, ${r.seconds.toFixed(1)} s${r.truncated ? ', TRUNCATED' : ''}; ${c.only[i]} shared with no other variant (${(100 * c.only[i]! / r.states).toFixed(1)}%)`);
  });
  say(`  together: ${sum} states in ${seconds.toFixed(1)} s of search; ${c.union} distinct (${(sum / c.union).toFixed(2)}x fewer); ${c.all} reached by every one`);
  return runs.some((r) => r.truncated) ? exitCode.incomplete : exitCode.ok;
}

process.exitCode = await main(process.argv.slice(2));
