// The conformance run: replay the test vectors, then random sequences, against one implementation
// process (restarted only after it misbehaves); stop at the first failure.
import * as E from 'fp-ts/lib/Either.js';
import type { Config } from '../model/config.ts';
import type { VariantName } from '../model/variant.ts';
import type { Failure } from './failure.ts';
import { runPipelined } from './pipeline.ts';
import { runRandom, type RandomResult } from './random.ts';
import { OutcomeCoverage, type OutcomeCounts } from './coverage.ts';
import { Session } from './session.ts';
import { BadVector, groupVectors, loadVectors, planGroup, type PlanStats, type VectorGroup } from './vectors.ts';

export interface ConformOptions {
  readonly command: string;
  /** Directory of *.jsonl vectors; undefined skips the vector phase. */
  readonly vectorsDir?: string;
  readonly configsDir: string;
  /** Replay at most this many vectors (after sorting), for quick runs. */
  readonly maxVectors?: number;
  /** Only vectors of this variant; also the random sequences' variant. */
  readonly variant?: VariantName;
  readonly config: Config;
  /**
   * The (configuration, variant) pairs of the random phase; default: `config` under `variant`
   * (v6-atc when none). Pairs whose reset the implementation refuses are skipped and listed when
   * there are several.
   */
  readonly randomTargets?: readonly RandomTarget[];
  /** Random sequences per pair (ignored with budgetMs). */
  readonly randomRuns: number;
  /** Run random sequences for this long instead (spread evenly over the pairs, in rounds). */
  readonly budgetMs?: number;
  readonly maxLength: number;
  readonly seed: number;
  readonly timeoutMs: number;
  /** Extra time for the first reply of a freshly started process (default 20000 ms). */
  readonly startupMs?: number;
  /** Requests in flight at once. */
  readonly window: number;
  /** Use save/restore when the implementation offers snapshots. */
  readonly snapshots: boolean;
  /** Restarts allowed while shrinking a misbehaviour (default 16). */
  readonly restartBudget?: number;
}

export interface VectorPhase {
  readonly files: number;
  readonly vectors: number;
  readonly groups: number;
  readonly seconds: number;
  readonly stats: PlanStats;
  readonly snapshots: boolean;
  /** Groups the implementation refused to reset to (unsupported configuration or variant). */
  readonly unsupported: readonly { config: string; variant: string; error: string; vectors: number }[];
}

export interface RandomTarget {
  readonly config: Config;
  readonly variant: VariantName;
}

export interface RandomPhase extends RandomResult {
  /** The pair of the failure, else the first pair. */
  readonly config: string;
  readonly variant: VariantName;
  /** (configuration, variant) pairs checked, with their sequences and steps. */
  readonly targets: readonly { readonly config: string; readonly variant: VariantName; readonly sequences: number; readonly steps: number }[];
  readonly unsupported: readonly { readonly config: string; readonly variant: VariantName; readonly error: string }[];
  /** Sequences per pair, or undefined with a time budget. */
  readonly runs?: number;
  readonly budgetSeconds?: number;
  readonly maxLength: number;
  readonly seed: number;
  readonly seconds: number;
  /** Steps per event kind and outcome (coverage.ts), over the sequences that passed. */
  readonly coverage: OutcomeCounts;
}

export interface ConformReport {
  readonly command: string;
  readonly vectors?: VectorPhase;
  readonly random?: RandomPhase;
  readonly failure?: Failure;
  readonly conformant: boolean;
}

/** Left: bad input (exit 2). Right: the report (exit 0 when conformant, else 1). */
export async function conform(o: ConformOptions): Promise<E.Either<string[], ConformReport>> {
  let groups: Awaited<ReturnType<typeof groupVectors>> extends E.Either<string[], infer G> ? G : never = [];
  let files = 0;
  if (o.vectorsDir !== undefined) {
    const loaded = loadVectors(o.vectorsDir);
    if (E.isLeft(loaded)) return loaded;
    files = loaded.right.files.length;
    const g = groupVectors(loaded.right.vectors, o.configsDir, o.variant);
    if (E.isLeft(g)) return g;
    groups = g.right;
    if (o.maxVectors !== undefined) {
      let left = o.maxVectors;
      groups = groups.map((x) => {
        const take = Math.min(left, x.vectors.length);
        left -= take;
        return { ...x, vectors: x.vectors.slice(0, take) };
      }).filter((x) => x.vectors.length > 0);
    }
  }
  const session = new Session(o.command, o.timeoutMs, o.startupMs);
  try {
    let vectors: VectorPhase | undefined;
    let failure: Failure | undefined;
    if (o.vectorsDir !== undefined) {
      const stats: PlanStats = { resets: 0, restores: 0, saves: 0, steps: 0, vectors: 0 };
      const unsupported: { config: string; variant: string; error: string; vectors: number }[] = [];
      // time spent replaying (the process start-up and each group's first reset left out)
      let busy = 0;
      let usedSnapshots = false;
      for (const g of groups) {
        // one reset up front tells whether the group is supported and whether snapshots are offered
        session.ensureAlive();
        const probe = await session.reset(g.config, g.variant);
        if (!probe.ok) {
          if ('refused' in probe) { unsupported.push({ config: g.config.name, variant: g.variant, error: probe.refused, vectors: g.vectors.length }); continue; }
          failure = { kind: 'misbehaviour', where: { phase: 'vectors', config: g.config, variant: g.variant, events: [], request: 'reset' }, bad: probe.bad };
          break;
        }
        const snapshots = o.snapshots && probe.features.includes('snapshot');
        usedSnapshots ||= snapshots;
        const t0 = performance.now();
        try {
          const r = await runPipelined(planGroup(session, g, snapshots, stats), o.window);
          busy += performance.now() - t0;
          if (r.failure) { failure = await attribute(session, g, snapshots, r.failure, o.window); break; }
        } catch (err) {
          if (err instanceof BadVector) return E.left([err.message]);
          throw err;
        }
      }
      vectors = { files, vectors: stats.vectors, groups: groups.length, seconds: busy / 1000, stats, snapshots: usedSnapshots, unsupported };
    }
    let random: RandomPhase | undefined;
    if (!failure && (o.randomRuns > 0 || (o.budgetMs ?? 0) > 0)) {
      random = await randomPhase(session, o);
      failure = random.failure;
    }
    const checked = (vectors?.vectors ?? 0) + (random?.sequences ?? 0);
    return E.right({
      command: o.command,
      ...(vectors ? { vectors } : {}),
      ...(random ? { random } : {}),
      ...(failure ? { failure } : {}),
      conformant: failure === undefined && checked > 0,
    });
  } finally {
    await session.close();
  }
}

/** Seed of round `round` of pair `i`: distinct per pair and round, fixed by --seed. */
const pairSeed = (seed: number, i: number, round: number) => (seed + 7919 * i + 104_729 * round) % 0x7fffffff;

/**
 * Random sequences on every pair: `randomRuns` per pair, one pair after the other; or, with a
 * time budget, rounds of 10 sequences per pair, round-robin, until the budget is spent. Stops at
 * the first failure.
 */
async function randomPhase(session: Session, o: ConformOptions): Promise<RandomPhase> {
  const all = o.randomTargets ?? [{ config: o.config, variant: o.variant ?? 'v6-atc' }];
  const coverage = new OutcomeCoverage();
  const unsupported: { config: string; variant: VariantName; error: string }[] = [];
  const targets: RandomTarget[] = [];
  // which pairs the implementation supports (a single pair is always tried: its refusal is the failure)
  for (const t of all) {
    if (all.length === 1) { targets.push(t); continue; }
    session.ensureAlive();
    const a = await session.reset(t.config, t.variant);
    if (!a.ok && 'refused' in a) unsupported.push({ config: t.config.name, variant: t.variant, error: a.refused });
    else targets.push(t);
  }
  const done = targets.map((t) => ({ config: t.config.name, variant: t.variant, sequences: 0, steps: 0 }));
  let sequences = 0, steps = 0, shrinks = 0, restarts = 0, shrinkCut = false;
  let failure: Failure | undefined;
  let fcLength: number | undefined;
  let failedAt = 0;
  session.ensureAlive();
  if (targets[0]) await session.reset(targets[0].config, targets[0].variant); // start the process before the clock
  const t0 = performance.now();
  const budget = o.budgetMs;
  const batch = budget !== undefined ? 10 : o.randomRuns;
  outer: for (let round = 0; ; round++) {
    for (let i = 0; i < targets.length; i++) {
      if (budget !== undefined && performance.now() - t0 >= budget) break outer;
      const t = targets[i]!;
      session.ensureAlive();
      const r = await runRandom(session, {
        config: t.config, variant: t.variant, runs: batch, maxLength: o.maxLength, seed: pairSeed(o.seed, i, round), window: o.window, coverage,
        ...(o.restartBudget !== undefined ? { restartBudget: o.restartBudget } : {}),
      });
      sequences += r.sequences; steps += r.steps; shrinks += r.shrinks; restarts += r.restarts; shrinkCut ||= r.shrinkCut;
      done[i]!.sequences += r.sequences; done[i]!.steps += r.steps;
      if (r.failure) { failure = r.failure; fcLength = r.fcLength; failedAt = i; break outer; }
    }
    if (budget === undefined || targets.length === 0) break;
  }
  const at = targets[failedAt] ?? all[0]!;
  return {
    sequences, steps, shrinks, restarts, shrinkCut,
    ...(failure ? { failure } : {}), ...(fcLength !== undefined ? { fcLength } : {}),
    config: at.config.name, variant: at.variant, targets: done, unsupported,
    ...(budget !== undefined ? { budgetSeconds: budget / 1000 } : { runs: o.randomRuns }),
    maxLength: o.maxLength, seed: o.seed, seconds: (performance.now() - t0) / 1000, coverage: coverage.sorted(),
  };
}

/**
 * A misbehaviour while requests were pipelined may be reported against an earlier request than
 * the one that caused it (replies lost in the implementation's buffers): replay, one request at a
 * time, the vectors that were in flight, from the one the failure was reported on.
 */
async function attribute(session: Session, g: VectorGroup, snapshots: boolean, f: Failure, window: number): Promise<Failure> {
  if (f.kind !== 'misbehaviour' || window === 1 || !f.where.vector) return f;
  const ref = f.where.vector;
  const i = g.vectors.findIndex((v) => v.ref.file === ref.file && v.ref.line === ref.line);
  if (i < 0) return f;
  session.ensureAlive();
  const scratch: PlanStats = { resets: 0, restores: 0, saves: 0, steps: 0, vectors: 0 };
  const again = await runPipelined(planGroup(session, { ...g, vectors: g.vectors.slice(i, i + window + 1) }, snapshots, scratch), 1);
  return again.failure ?? f;
}
