// npm run bench:pairs -- [--config FILE] [--variant NAME[,NAME...]|all] [--max-states N] [--workers N] [--pairs P]
//
// The two-thread ratio as a user meets it: the `smmu-sva explore ... --json` command itself, run
// as a fresh process with one thread and with --workers N (default 2), alternately (pair 1 runs
// the N threads first, pair 2 one thread first, and so on), timed from outside, wall clock. Before
// each run, and once after the last, every vCPU is probed: tools/core-probe.mjs pinned to it with
// `taskset` (Linux, util-linux), seconds of a fixed loop of eight independent integer chains. On
// the VM this was written on, either vCPU ran such code 20-44% slower than the other for minutes
// at a time; a run with every core busy meets that whichever vCPU it is, a one-thread run only on
// its own (docs/performance.md, "The two vCPUs are not equal"). The probe
// is a snapshot before each run, not a record of the run. Several variants (a list, or all: the
// command issue 14 names) are one `explore` process each way, as a user runs them. Exit 0; 1: the
// runs disagree on states, transitions, depth or violations (a bug); 2: bad input, or a run that
// failed.
import * as E from 'fp-ts/lib/Either.js';
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { variantsFromFlag } from '../src/cli/commands/explore.ts';
import { configFromFlag } from '../src/cli/configArg.ts';

const command: CommandSpec = {
  name: 'bench:pairs',
  invocation: 'npm run bench:pairs --',
  about: [
    '`smmu-sva explore --json` with one thread and with --workers N, alternately, as fresh processes, with',
    'each vCPU\'s speed probed before each run. Exit 0; 1: the runs disagree; 2: bad input or a failed run.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: spec/configs/seed-wide.json)' },
    variant: { type: 'string', value: 'NAME[,NAME...]|all', help: 'driver variant, several separated by commas, or all (default v6)' },
    'max-states': { type: 'string', value: 'N', help: 'passed to explore (default: none, the whole variant)' },
    workers: { type: 'string', value: 'N', help: 'threads of the run timed against one thread (default 2)' },
    pairs: { type: 'string', value: 'P', help: 'pairs of runs (default 2)' },
  },
};

const prog = 'npm run bench:pairs';
const cli = fileURLToPath(new URL('./smmu-sva.mjs', import.meta.url));
const probeScript = fileURLToPath(new URL('./core-probe.mjs', import.meta.url));
const PROBE_ITERATIONS = '300000000';

/** Seconds of the core probe pinned to each vCPU, or why it cannot run here. */
function probeCores(): number[] | string {
  const out: number[] = [];
  for (let c = 0; c < cpus().length; c++) {
    const r = spawnSync('taskset', ['-c', String(c), process.execPath, probeScript, PROBE_ITERATIONS], { encoding: 'utf8' });
    if (r.error !== undefined) return `taskset could not be run (${r.error.message})`;
    const s = Number(r.stdout.split(' ')[0]);
    if (r.status !== 0 || !Number.isFinite(s)) return `taskset -c ${c} exited ${String(r.status)}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
    out.push(s);
  }
  return out;
}

interface Run {
  readonly wall: number;
  /** The search's seconds (explore's own `seconds`) with one variant; undefined with several (they overlap). */
  readonly search: number | undefined;
  /** What every run must agree on. */
  readonly sig: string;
  /** Distinct states, summed over the variants. */
  readonly states: number;
}

interface ExploreLine { variant: string; states: number; transitions: number; maxDepth: number; seconds: number; truncated: boolean; violations: unknown }

/** One `explore` process; its wall time from here. */
function runExplore(args: string[]): Run | string {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'explore', ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  // 0: nothing found (several variants: every verdict as expected); 1: a violation found (several
  // variants: a verdict not as expected); 3: stopped at --max-states with nothing found
  if (r.error !== undefined || (r.status !== 0 && r.status !== 1 && r.status !== 3)) {
    return `smmu-sva explore ${args.join(' ')} exited ${String(r.status ?? r.error?.message)}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`;
  }
  // --json: one object per variant, one per line
  const lines = r.stdout.trim().split('\n');
  const found: ExploreLine[] = [];
  for (const line of lines) {
    try {
      found.push(JSON.parse(line) as ExploreLine);
    } catch {
      return `smmu-sva explore ${args.join(' ')}: a line of its output is not JSON: ${line.slice(0, 200)}`;
    }
  }
  const states = found.reduce((n, j) => n + j.states, 0);
  return {
    wall,
    search: found.length === 1 ? found[0]!.seconds : undefined,
    states,
    // explore reports the variants in the order named, whichever finishes first
    sig: JSON.stringify(found.map((j) => [j.variant, j.states, j.transitions, j.maxDepth, j.truncated, j.violations])),
  };
}

const s2 = (x: number) => x.toFixed(2);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

function main(argv: string[]): number {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const configPath = typeof v.config === 'string' ? v.config : 'spec/configs/seed-wide.json';
  const config = configFromFlag(configPath);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `${prog}: ${l}`));
  const chosen = variantsFromFlag(v.variant);
  if (E.isLeft(chosen)) return usageError(`${prog}: --variant: ${chosen.left}`);
  const variant = v.variant === 'all' ? 'all' : chosen.right.join(',');
  const several = chosen.right.length > 1;
  const workers = intFlag(command, 'workers', v.workers, 2);
  if (E.isLeft(workers)) return usageError(workers.left);
  const pairs = intFlag(command, 'pairs', v.pairs, 2);
  if (E.isLeft(pairs)) return usageError(pairs.left);
  if (workers.right < 2 || pairs.right < 1) return usageError(`${prog}: --workers expects at least 2 and --pairs at least 1`);
  const maxStates = v['max-states'] === undefined ? undefined : intFlag(command, 'max-states', v['max-states'], 0);
  if (maxStates !== undefined && E.isLeft(maxStates)) return usageError(maxStates.left);
  const common = ['--config', configPath, '--variant', variant, ...(maxStates === undefined ? [] : ['--max-states', String(maxStates.right)])];

  const say = (s: string) => process.stdout.write(`${s}\n`);
  const probeText = (p: number[] | string) => (typeof p === 'string' ? 'unavailable' : p.map(s2).join(' / '));
  say(`${config.right.name}, ${variant}${maxStates === undefined ? '' : `, --max-states ${maxStates.right}`}: one thread against ${workers.right}, ${pairs.right} pair(s); probe: ${PROBE_ITERATIONS} iterations of tools/core-probe.mjs pinned to each vCPU`);
  say(`| pair | threads | probe before, s (vCPU 0 / 1 / ...) | wall, s | search, s | ${several ? 'states/s (every variant, over the wall time)' : 'states/s (search)'} |`);
  say('| --- | --- | --- | --- | --- | --- |');
  let first: Run | undefined;
  let probeNote: string | undefined;
  const ratios: number[] = [];
  for (let p = 1; p <= pairs.right; p++) {
    const order = p % 2 === 1 ? [workers.right, 1] : [1, workers.right];
    const wall = new Map<number, number>();
    for (const w of order) {
      const probe = probeCores();
      if (typeof probe === 'string') probeNote ??= probe;
      const r = runExplore([...common, '--workers', String(w)]);
      if (typeof r === 'string') return usageError(`${prog}: ${r}`);
      // several variants run side by side in one process: no one search time
      say(`| ${p} | ${w} | ${probeText(probe)} | ${s2(r.wall)} | ${r.search === undefined ? '-' : s2(r.search)} | ${Math.round(r.states / (r.search ?? r.wall))} |`);
      if (first !== undefined && r.sig !== first.sig) { say(`runs disagree: ${r.sig.slice(0, 300)} against ${first.sig.slice(0, 300)}`); return 1; }
      first ??= r;
      wall.set(w, r.wall);
    }
    ratios.push(wall.get(1)! / wall.get(workers.right)!);
  }
  const after = probeCores();
  say('');
  say(`probe after the last run: ${probeText(after)}`);
  if (probeNote !== undefined) say(`probe unavailable: ${probeNote}`);
  say(`one thread's wall time over ${workers.right} threads', per pair: ${ratios.map((r) => `${s2(r)}x`).join(', ')}; median ${s2(median(ratios))}x`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${prog}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
