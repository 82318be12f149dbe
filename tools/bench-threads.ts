// npm run bench:threads -- [--config FILE] [--variant NAME] [--max-states N] [--rounds R] [--no-por] [--no-symmetry] [--frontier-mem MiB] [--runs threads|room|image|kernel]
//
// Where the threads' time goes (docs/performance.md): explore() runs of one variant with one
// thread and with two (this thread merging and expanding, one worker expanding), in alternating
// rounds in one process, each with the time split explore() measures (ExploreResult.time): this
// thread's own expansion, its merge, its waits for the
// worker, and the worker's expansion. The states, transitions and violations of every run must
// be the same (exit 1 otherwise: a bug); exit 2: bad input. `--runs room` compares instead one
// thread that grows its visited set with one that makes room for --max-states at the start
// (ExploreOptions.reserveStates, as `explore --max-states` does), the order swapped each round.
// `--runs image` compares one thread fingerprinting each successor's key with one fingerprinting
// its Store's image (EXP-FP-IMAGE, the default without symmetry reduction; give --no-symmetry),
// the order swapped each round. `--runs kernel` compares one thread hashing its successors in
// JavaScript (hash64) with one hashing them in WebAssembly (packed/hashKernel.ts, the default),
// the order swapped each round.
import * as E from 'fp-ts/lib/Either.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configFromFlag, variantFromFlag } from '../src/cli/configArg.ts';
import { explore, type ExploreResult } from '../src/explorer/explore.ts';
import { seedWideConfig } from '../src/model/config.ts';

const command: CommandSpec = {
  name: 'bench:threads',
  invocation: 'npm run bench:threads --',
  about: [
    'explore() with one thread and with two, alternating, and where each thread\'s time went. Exit 0;',
    '1: the runs disagree on states, transitions or violations; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: spec/configs/seed-wide.json)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    'max-states': { type: 'string', value: 'N', help: 'stop each run after N distinct states (default 3000000)' },
    rounds: { type: 'string', value: 'R', help: 'rounds of the alternation (default 2)' },
    'no-por': { type: 'boolean', help: 'without partial-order reduction (default: with, as the CLI)' },
    'no-symmetry': { type: 'boolean', help: 'without symmetry reduction (default: with, as the CLI)' },
    runs: { type: 'string', value: 'threads|room|image|kernel', help: 'one thread against two (default), one thread growing its visited set against one making room for --max-states, (with --no-symmetry) one thread fingerprinting keys against one fingerprinting Store images, or one thread hashing in JavaScript against one hashing in WebAssembly' },
    'frontier-mem': { type: 'string', value: 'MiB', help: 'in-memory frontier budget (default as explore); a small one makes the runs spill' },
  },
};

const s3 = (x: number) => x.toFixed(2);

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = v.config === undefined ? E.right(seedWideConfig) : configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `npm run bench:threads: ${l}`));
  const variant = variantFromFlag(v.variant, 'v6');
  if (E.isLeft(variant)) return usageError(`npm run bench:threads: --variant: ${variant.left}`);
  const maxStates = intFlag(command, 'max-states', v['max-states'], 3_000_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  const rounds = intFlag(command, 'rounds', v.rounds, 2);
  if (E.isLeft(rounds)) return usageError(rounds.left);
  if (maxStates.right < 1 || rounds.right < 1) return usageError('npm run bench:threads: --max-states and --rounds expect at least 1');
  const por = !v['no-por'];
  const frontierMem = intFlag(command, 'frontier-mem', v['frontier-mem'], -1);
  if (E.isLeft(frontierMem)) return usageError(frontierMem.left);
  const spill = frontierMem.right < 0 ? {} : { frontierMemBytes: frontierMem.right * 2 ** 20, successorMemBytes: frontierMem.right * 2 ** 20 };
  const symmetry = !v['no-symmetry'];
  const which = v.runs ?? 'threads';
  if (which !== 'threads' && which !== 'room' && which !== 'image' && which !== 'kernel') return usageError(`npm run bench:threads: --runs expects threads, room, image or kernel, got "${String(which)}"`);
  if (which === 'image' && symmetry) return usageError('npm run bench:threads: --runs image needs --no-symmetry (with symmetry reduction the fingerprint is always the key\'s)');
  const runs: { name: string; workers: number; reserveStates?: number; storeImage?: boolean; hashKernel?: boolean }[] = which === 'threads'
    ? [{ name: 'one thread', workers: 1 }, { name: 'two threads', workers: 2 }]
    : which === 'room'
      ? [{ name: 'grown', workers: 1 }, { name: 'room made', workers: 1, reserveStates: maxStates.right }]
      : which === 'image'
        ? [{ name: 'key', workers: 1, storeImage: false }, { name: 'Store image', workers: 1 }]
        : [{ name: 'hash in JavaScript', workers: 1, hashKernel: false }, { name: 'hash kernel', workers: 1 }];
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${config.right.name}, ${variant.right}, ${por ? 'partial-order reduction' : 'no partial-order reduction'}, ${symmetry ? 'symmetry' : 'no symmetry'}, --max-states ${maxStates.right}${frontierMem.right < 0 ? '' : `, frontier and successor budgets ${frontierMem.right} MiB`}, ${rounds.right} round(s)`);
  say('| round | run | s | states/s | this thread: expand / merge / wait (s) | worker: expand (s) | chunks here / at the worker |');
  say('| --- | --- | --- | --- | --- | --- | --- |');
  let first: ExploreResult | undefined;
  let differ = false;
  for (let round = 1; round <= rounds.right; round++) {
    for (const run of which !== 'threads' && round % 2 === 0 ? [...runs].reverse() : runs) {
      const { name: _, ...how } = run;
      const r = await explore(config.right, variant.right, { symmetry, por, maxStates: maxStates.right, ...how, ...spill });
      const t = r.time;
      say(`| ${round} | ${run.name} | ${s3(r.seconds)} | ${Math.round(r.states / r.seconds)} | ${s3(t.expandHere)} / ${s3(t.merge)} / ${s3(t.wait)} | ${s3(t.workers)} | ${t.chunksHere} / ${t.chunksWorkers} |`);
      first ??= r;
      const sig = (x: ExploreResult) => JSON.stringify([x.states, x.transitions, x.maxDepth, x.violations]);
      if (sig(r) !== sig(first)) { differ = true; say(`  differs from the first run: ${sig(r)} against ${sig(first)}`); }
    }
  }
  return differ ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`npm run bench:threads: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
