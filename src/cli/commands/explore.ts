// smmu-sva explore [--config FILE] [--variant NAME|all] [--json] [--no-symmetry] [--max-states N]
//                  [--workers N] [--format text|mermaid] [--frontier-mem MiB] [--successors-mem MiB]
//                  [--engine packed|reducer] [--progress] [--no-por]
// Exhaustive breadth-first exploration of a configuration under one or all driver variants.
// Exit 0: no violation (with --variant all: every verdict as in spec/expected-verdicts.json);
// 1: a violation (or a verdict differing from the expected one); 2: bad input, or the packed
// engine found a violation the reducer's replay does not confirm; 3: incomplete (the run stopped
// at --max-states and found nothing unexpected in the part it explored).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../../model/config.ts';
import { loadExpectedVerdicts, type ExpectedVerdicts } from '../../codecs/expected.ts';
import { variantNames, type VariantName } from '../../model/variant.ts';
import { explore, FRONTIER_MEM_DEFAULT, VISITED_START, SUCCESSOR_MEM_DEFAULT, type ExploreResult, type Progress } from '../../explorer/explore.ts';
import { exploreVariants, jobLabel } from '../../explorer/variants.ts';
import { exploreFamilyOrEach } from '../../explorer/familySearch.ts';
import { familyPlan, isFamilyMode, type FamilyMode } from '../../explorer/familyPlan.ts';
import { formatCounterexampleMermaid, formatCounterexampleText } from '../../explorer/format.ts';
import { expectedFor, report, sameSet, toJson, violatedSet, type VariantReport } from '../../explorer/verdict.ts';
import { engineNames, packedNeedsCodeGeneration, resolveEngine, type EngineName } from '../../explorer/packed/expand.ts';
import { encodingLimitErrors, symmetryOf } from '../../explorer/symmetry.ts';
import { DisagreementError, verifiedReport } from '../../explorer/packed/verify.ts';
import { exitCode, flagsOrExit, intFlag, usageError, type CommandSpec } from '../args.ts';
import { configFromFlag, variantFromFlag } from '../configArg.ts';

const say = (s = '') => process.stdout.write(`${s}\n`);

export interface ExploreRun {
  readonly symmetry: boolean;
  /** Default defaultEngine ('packed'). */
  readonly engine?: EngineName;
  /** Partial-order reduction (spec/explorer.md, EXP-POR-*); default off here, on in `explore`. */
  readonly por?: boolean;
  readonly maxStates: number;
  /** Room made for this many states at the start of each search (ExploreOptions.reserveStates). */
  readonly reserveStates?: number;
  readonly workers: number;
  /** In-memory frontier budget in bytes for the whole run (default FRONTIER_MEM_DEFAULT); shared
   *  out between variants explored side by side. */
  readonly frontierMemBytes?: number;
  /** In-memory budget of the successor lists in bytes (default SUCCESSOR_MEM_DEFAULT), shared out likewise. */
  readonly successorMemBytes?: number;
  /** Where the spill directories go (default os.tmpdir()); see run(). */
  readonly spillDir?: string;
  /** 'live': one line rewritten in place (a terminal); 'log': a line every LOG_EVERY_MS with the
   *  elapsed time and the peak RSS, for logs of long runs (--progress); 'off': none. */
  readonly progress: ProgressMode;
  /** Which variants are searched together (src/explorer/familyPlan.ts); default off here, auto in `explore`. */
  readonly family?: FamilyMode;
}

export type ProgressMode = 'off' | 'live' | 'log';
/** --progress prints a line this often. */
const LOG_EVERY_MS = 10_000;

function progressFigures(variant: string, p: Progress): string {
  return `${variant}: ${p.states} states, ${Math.round(p.states / Math.max(p.seconds, 1e-3))} states/s, depth ${p.depth}, frontier ${p.frontier}`;
}

/** Writes progress to stderr: in place ('live') or as timestamped lines, the first at once, then at most every LOG_EVERY_MS ('log'). */
function progressWriter(mode: Exclude<ProgressMode, 'off'>): { write: (text: string) => void; clear: () => void } {
  const t0 = performance.now();
  let last = -Infinity; // the first figures are printed at once: the run has started
  return {
    write: (text) => {
      if (mode === 'live') { process.stderr.write(`\r\x1b[K${text}`); return; }
      const now = performance.now();
      if (now - last < LOG_EVERY_MS) return;
      last = now;
      const rssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
      process.stderr.write(`smmu-sva explore: ${((now - t0) / 1000).toFixed(0)} s: ${text}, peak RSS ${rssMiB} MiB\n`);
    },
    clear: () => { if (mode === 'live') process.stderr.write('\r\x1b[K'); },
  };
}

function progressLine(variant: string, mode: ProgressMode): { update?: (p: Progress) => void; clear: () => void } {
  if (mode === 'off') return { clear: () => {} };
  const out = progressWriter(mode);
  return { update: (p) => out.write(progressFigures(variant, p)), clear: out.clear };
}

/**
 * Explore each of `names`, handing the reports to `onReport` in order. With several variants and
 * workers > 1, `workers` variants run at a time, each in one thread (src/explorer/variants.ts);
 * otherwise one after the other, each with `workers` threads on its frontier. Same results.
 */
export async function exploreEach(config: Config, names: readonly VariantName[], run: ExploreRun, onReport: (r: VariantReport) => void): Promise<void> {
  const family = run.engine === 'reducer' ? 'off' : run.family ?? 'off';
  if (names.length > 1 && run.workers > 1) {
    const line = run.progress === 'off' ? undefined : parallelProgress(run.progress);
    const atOnce = Math.min(run.workers, names.length);
    await exploreVariants(config, names, {
      symmetry: run.symmetry, engine: run.engine, por: run.por, maxStates: run.maxStates, reserveStates: run.reserveStates, threads: run.workers, family,
      frontierMemBytes: Math.floor((run.frontierMemBytes ?? FRONTIER_MEM_DEFAULT) / atOnce),
      successorMemBytes: Math.floor((run.successorMemBytes ?? SUCCESSOR_MEM_DEFAULT) / atOnce),
      spillDir: run.spillDir,
      onProgress: line?.update,
      onResult: (r: ExploreResult) => { line?.clear(); onReport(reportOf(r)); },
    });
    line?.clear();
  } else {
    // one job after the other; the reports still go out in the order of `names`
    const done: (VariantReport | undefined)[] = names.map(() => undefined);
    let next = 0;
    for (const members of familyPlan(config, names, family)) {
      if (members.length === 1) done[members[0]!] = await exploreVariant(config, names[members[0]!]!, run);
      else (await exploreTogether(config, members.map((i) => names[i]!), run)).forEach((rep, k) => { done[members[k]!] = rep; });
      while (next < names.length && done[next] !== undefined) onReport(done[next++]!);
    }
  }
}

/** Explore several variants in one search (src/explorer/familySearch.ts) and rebuild their counterexamples. */
async function exploreTogether(config: Config, names: readonly VariantName[], run: ExploreRun): Promise<VariantReport[]> {
  const line = progressLine(jobLabel(names), run.progress);
  const results = await exploreFamilyOrEach(config, names, {
    symmetry: run.symmetry, por: run.por, maxStates: run.maxStates, reserveStates: run.reserveStates, frontierMemBytes: run.frontierMemBytes,
    successorMemBytes: run.successorMemBytes, spillDir: run.spillDir, onProgress: line.update,
  });
  line.clear();
  return results.map(reportOf);
}

/** One progress line for variants explored side by side: the latest figures of each running one. */
function parallelProgress(mode: Exclude<ProgressMode, 'off'>): { update: (job: string, p: Progress) => void; clear: () => void } {
  const latest = new Map<string, Progress>();
  const out = progressWriter(mode);
  return {
    update: (job, p) => {
      latest.set(job, p);
      out.write([...latest].map(([n, q]) => progressFigures(n, q)).join(' | '));
    },
    clear: () => { latest.clear(); out.clear(); },
  };
}

/** Explore one variant and rebuild its counterexamples. */
export async function exploreVariant(config: Config, variant: VariantName, run: ExploreRun): Promise<VariantReport> {
  const line = progressLine(variant, run.progress);
  const result = await explore(config, variant, {
    symmetry: run.symmetry,
    engine: run.engine,
    por: run.por,
    maxStates: run.maxStates,
    reserveStates: run.reserveStates,
    workers: run.workers,
    frontierMemBytes: run.frontierMemBytes,
    successorMemBytes: run.successorMemBytes,
    spillDir: run.spillDir,
    onProgress: line.update,
  });
  line.clear();
  return reportOf(result);
}

/** The report with its counterexamples; the packed engine's are confirmed on the reducer (DisagreementError). */
function reportOf(r: ExploreResult): VariantReport {
  return r.engine === 'packed' ? verifiedReport(r) : report(r);
}

export function summaryLine(rep: VariantReport): string {
  const r = rep.result;
  return `${r.variant} on ${r.config.name}: ${r.states} states, ${r.transitions} transitions, depth ${r.maxDepth}, ` +
    `${r.seconds.toFixed(1)} s (${Math.round(r.states / Math.max(r.seconds, 1e-9))} states/s), ${r.bytesPerState} bytes/state` +
    `${r.memory.visitedRoom > Math.max(r.states, VISITED_START) ? ` (with the room made at the start for ${r.memory.visitedRoom} states, --max-states)` : ''}` +
    `${r.symmetry ? '' : r.symmetryOff ? ', symmetry reduction off (configuration beyond the key limits)' : ', no symmetry reduction'}` +
    `${r.family ? `, searched together with ${r.family.variants.length - 1} other variant(s) (${r.family.distinct} distinct states in all; time and bytes/state are the whole search's)` : ''}` +
    `${r.por ? `, partial-order reduction (${r.ampleNodes} of ${r.states} states expanded with one event; counterexample lengths are upper bounds)` : ''}${r.truncated ? ' -- TRUNCATED at --max-states: verdicts are partial' : ''}`;
}

/**
 * The verdict table: one row per variant, found vs expected. Returns the lines and whether all
 * match. A complete run matches when it found exactly the expected violations (none when no
 * verdict is recorded). A truncated run cannot confirm a verdict: its row is `open` while what it
 * found is among the expected violations (the rest may lie beyond the cut), and FAIL as soon as
 * it found one that is not expected (its counterexample is real). With `prefix`, the table is
 * about a bounded breadth-first prefix: the violations found there must be exactly the expected
 * ones.
 */
export function verdictTable(config: string, reps: readonly VariantReport[], expected: ExpectedVerdicts, prefix = false): { lines: string[]; ok: boolean; open: number; failed: number } {
  const w = Math.max(...reps.map((r) => r.result.variant.length));
  const por = reps.some((r) => r.result.por);
  const lines = [`verdicts on ${config}${prefix ? ' (bounded prefix)' : ''} (expected: spec/expected-verdicts.json; in parentheses: events in the ${por ? 'counterexample found, with partial-order reduction an upper bound on the shortest (--no-por: the shortest)' : 'shortest counterexample'})`];
  let ok = true;
  let open = 0, failed = 0;
  for (const rep of reps) {
    const r = rep.result;
    const found = violatedSet(r);
    const exp = expectedFor(expected, config, r.variant);
    const want = exp ?? [];
    const complete = prefix || !r.truncated;
    const match = complete && sameSet(found, want);
    const unexpected = found.filter((n) => !want.includes(n));
    const status = match ? 'ok  ' : !complete && unexpected.length === 0 ? 'open' : 'FAIL';
    if (!match) ok = false;
    if (status === 'open') open++;
    if (status === 'FAIL') failed++;
    const len = new Map(r.violations.map((x) => [x.invariant as string, x.length]));
    const none = r.truncated ? `no violation in the explored ${prefix ? 'prefix' : 'part'} (reached depth ${r.maxDepth})` : 'clean';
    const text = found.length ? `violates ${found.map((n) => `${n} (${len.get(n)})`).join(', ')}` : none;
    const missing = want.filter((n) => !found.includes(n));
    const note = exp === undefined
      ? ' (no expected verdict recorded)'
      : status === 'open'
        ? ` (expected ${want.length ? want.join(', ') : 'clean'}${missing.length ? `; not found before the cut: ${missing.join(', ')}` : ''})`
        : match ? '' : ` (EXPECTED ${want.length ? want.join(', ') : 'clean'})`;
    lines.push(`  ${status} ${r.variant.padEnd(w)}  ${text}${note}  (${r.states} states${r.truncated ? ', TRUNCATED' : ''})`);
  }
  if (open > 0) {
    lines.push(`${open} verdict(s) open: the run stopped at --max-states before the whole space was explored, so a`,
      `verdict cannot be confirmed (exit ${exitCode.incomplete}, incomplete); raise --max-states, or leave it out to explore everything.`);
  }
  return { lines, ok, open, failed };
}

export const spec: CommandSpec = {
  name: 'explore',
  summary: 'exhaustive exploration with verdicts and shortest counterexamples',
  about: [
    'Breadth-first search of every state the configuration can reach under a driver variant, with every',
    'invariant checked in every state and on every transition, and a shortest counterexample for each',
    'invariant violated (spec/explorer.md). With --variant all (or a list): those variants, then the',
    'verdict table compared with spec/expected-verdicts.json.',
    'Exit 0: no violation (several variants: every verdict as expected); 1: a violation (several: a',
    'verdict not as expected); 2: bad input; 3: incomplete -- the run stopped at --max-states before the',
    'whole space was explored and found no violation (several: nothing unexpected) in that part.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default; more in spec/configs/)' },
    variant: { type: 'string', value: 'NAME[,NAME...]|all', help: 'driver variant (default v6), several separated by commas, or all; smmu-sva variants lists them' },
    json: { type: 'boolean', help: 'one JSON object per variant instead of text' },
    'no-symmetry': { type: 'boolean', help: 'no symmetry reduction (processes, devices, frames, groups keep their numbers)' },
    'max-states': { type: 'string', value: 'N', help: 'stop after N distinct states (default 100000000: every variant of seed-wide fits); the result is marked truncated. Given, room for up to 2^24 of them is made at the start' },
    workers: { type: 'string', value: 'N', help: `threads, 1 to 64 (default: this machine's cores, os.availableParallelism()): one variant's frontier, or with several variants N at a time (a thread with none left to start joins a running one); the same results with any number` },
    format: { type: 'string', value: 'text|mermaid', help: 'counterexamples as numbered events (text, default) or a Mermaid sequence diagram; not with --json' },
    'frontier-mem': { type: 'string', value: 'MiB', help: `frontier states kept in memory, in MiB (default ${FRONTIER_MEM_DEFAULT / 2 ** 20}); beyond it they are spilled to a temporary file under the OS temp directory, removed at the end; results do not depend on it` },
    'successors-mem': { type: 'string', value: 'MiB', help: `successor lists kept in memory for faults-resolvable, in MiB (default ${SUCCESSOR_MEM_DEFAULT / 2 ** 20}); beyond it they are spilled to a temporary file and read back by the liveness check; results do not depend on it` },
    engine: { type: 'string', value: 'packed|reducer', help: 'expansion step: the packed engine on the adapter (default; src/explorer/packed/; its counterexamples are replayed on the reducer) or the reducer' },
    progress: { type: 'boolean', help: `a progress line on stderr at the start and every ${LOG_EVERY_MS / 1000} s (states, rate, depth, frontier, peak RSS), also with --json or when stderr is not a terminal; without it a terminal shows one live line (not with --json)` },
    'no-por': { type: 'boolean', help: 'no partial-order reduction (spec/explorer.md: with it, the same verdicts; counterexamples may be longer than the shortest)' },
    family: { type: 'string', value: 'auto|off|all', help: 'with several variants, which are searched together, each state once with the variants reaching it (spec/explorer.md EXP-FAM): auto (default) the variants with ATC invalidation, off none, all every one; the same results, another speed; packed engine only' },
  },
};

/**
 * Threads when --workers is not given: every core this process may use (as `npm start`'s tour),
 * at most 64. Results do not depend on it (spec/explorer.md, "Workers"); only the speed does.
 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(64, availableParallelism()));
}

/** --variant: one name, several separated by commas (each once), or all; default v6. */
export function variantsFromFlag(v: string | boolean | undefined): E.Either<string, readonly VariantName[]> {
  if (v === 'all') return E.right(variantNames);
  const items = typeof v === 'string' ? v.split(',') : [v];
  const names: VariantName[] = [];
  for (let i = 0; i < items.length; i++) {
    const where = items.length > 1 ? `item ${i + 1} of "${String(v)}": ` : '';
    const one = variantFromFlag(typeof items[i] === 'string' ? (items[i] as string).trim() : items[i], 'v6');
    if (E.isLeft(one)) return E.left(`${where}${one.left}, several separated by commas, or all`);
    if (names.includes(one.right)) return E.left(`${where}variant "${one.right}" named twice`);
    names.push(one.right);
  }
  return E.right(names);
}

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `smmu-sva explore: ${l}`));
  const chosen = variantsFromFlag(v.variant);
  if (E.isLeft(chosen)) return usageError(`smmu-sva explore: --variant: ${chosen.left}`);
  const names = chosen.right;
  /** Several variants (all, or a list): a verdict table against spec/expected-verdicts.json at the end. */
  const many = names.length > 1;
  const maxStates = intFlag('explore', 'max-states', v['max-states'], 100_000_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  if (maxStates.right < 1) return usageError('smmu-sva explore: --max-states expects at least 1, got 0');
  const workers = intFlag('explore', 'workers', v.workers, defaultWorkers());
  if (E.isLeft(workers)) return usageError(workers.left);
  if (workers.right < 1 || workers.right > 64) return usageError(`smmu-sva explore: --workers expects an integer in [1, 64], got ${workers.right}`);
  const frontierMem = intFlag('explore', 'frontier-mem', v['frontier-mem'], FRONTIER_MEM_DEFAULT / 2 ** 20);
  if (E.isLeft(frontierMem)) return usageError(frontierMem.left);
  const successorsMem = intFlag('explore', 'successors-mem', v['successors-mem'], SUCCESSOR_MEM_DEFAULT / 2 ** 20);
  if (E.isLeft(successorsMem)) return usageError(successorsMem.left);
  if (v.engine !== undefined && !engineNames.includes(v.engine as EngineName)) return usageError(`smmu-sva explore: --engine expects packed or reducer, got "${String(v.engine)}"`);
  const engine = resolveEngine(v.engine as EngineName | undefined);
  if ('error' in engine) return usageError(`smmu-sva explore: --engine packed: ${engine.error}; use --engine reducer (same results, slower)`);
  if (engine.fellBack) process.stderr.write(`smmu-sva explore: ${packedNeedsCodeGeneration}: exploring with --engine reducer instead (same results, slower)\n`);
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'mermaid') return usageError(`smmu-sva explore: --format expects text or mermaid, got "${String(format)}"`);
  if (v.json && v.format !== undefined) return usageError('smmu-sva explore: --format is for text output; --json prints each counterexample as JSON (leave out one of them)');
  const familyMode = v.family ?? 'auto';
  if (!isFamilyMode(familyMode)) return usageError(`smmu-sva explore: --family expects auto, off or all, got "${String(familyMode)}"`);
  if (familyMode === 'all' && engine.engine === 'reducer') return usageError('smmu-sva explore: --family all searches on the packed engine; with --engine reducer leave it out (auto searches each variant alone there)');
  const expected = loadExpectedVerdicts();
  if (E.isLeft(expected)) return usageError(expected.left);

  const runOpts: ExploreRun = {
    symmetry: !v['no-symmetry'],
    engine: engine.engine,
    por: !v['no-por'],
    maxStates: maxStates.right,
    // a bound the user gave is one the run may reach: its room is made at the start (RESERVE_MAX at most)
    ...(v['max-states'] === undefined ? {} : { reserveStates: maxStates.right }),
    workers: workers.right,
    frontierMemBytes: frontierMem.right * 2 ** 20,
    successorMemBytes: successorsMem.right * 2 ** 20,
    progress: v.progress ? 'log' : process.stderr.isTTY === true && !v.json ? 'live' : 'off',
    family: familyMode,
  };
  const cfg = config.right;
  const beyond = encodingLimitErrors(cfg);
  if (beyond.length) return usageError(beyond.map((l) => `smmu-sva explore: ${cfg.name}: ${l}`));
  const off = runOpts.symmetry ? symmetryOf(cfg, true).offReason : undefined;
  if (off !== undefined) process.stderr.write(`smmu-sva explore: ${cfg.name}: ${off}\n`);
  // An interrupted run leaves no spill file behind: every spill directory, this thread's and the
  // variant workers', is made under one directory of this run, which an 'exit' handler removes
  // (retrying while a worker thread may still be writing), and SIGINT and SIGTERM exit through
  // process.exit, since a signal's default action would end the process without 'exit' handlers.
  const spillDir = mkdtempSync(join(tmpdir(), 'smmu-sva-run-'));
  process.once('exit', () => rmSync(spillDir, { recursive: true, force: true, maxRetries: 5 }));
  const withSpill: ExploreRun = { ...runOpts, spillDir };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  const reps: VariantReport[] = [];
  const show = (rep: VariantReport) => {
    reps.push(rep);
    const name = rep.result.variant;
    if (v.json) { say(JSON.stringify(toJson(rep))); return; }
    say(summaryLine(rep));
    for (const cx of rep.counterexamples) {
      say();
      say(format === 'mermaid' ? formatCounterexampleMermaid(cfg, name, cx) : formatCounterexampleText(cfg, name, cx, !rep.result.por));
    }
    if (rep.counterexamples.length === 0) say(`${name}: no invariant violated${rep.result.truncated ? ` in the explored part (incomplete: stopped at --max-states ${maxStates.right}; exit ${exitCode.incomplete})` : ''}.`);
    say();
  };
  try {
    await exploreEach(cfg, names, withSpill, show);
  } catch (err) {
    if (!(err instanceof DisagreementError)) throw err;
    process.stderr.write(`smmu-sva explore: ${err.message}\n`);
    return exitCode.usage;
  }
  if (!many) {
    const r = reps[0]!.result;
    return r.violations.length > 0 ? exitCode.found : r.truncated ? exitCode.incomplete : exitCode.ok;
  }
  const table = verdictTable(cfg.name, reps, expected.right);
  if (!v.json) for (const l of table.lines) say(l);
  return table.ok ? exitCode.ok : table.failed > 0 ? exitCode.found : exitCode.incomplete;
}
