// Several variants explored at once: `explore --variant all --workers N` runs up to N variants
// side by side, each in one worker thread (src/explorer/variant-worker.ts) with the in-thread
// explorer. Independent searches need no merging thread, so on 2 cores this scales better than
// splitting one variant's frontier; each result is exactly the one-thread result. Results come
// back in the order of `variants`. A lane that finds no variant left to start hands its core to
// a variant still running (the one given fewest cores so far, then the first), which takes it as
// one more worker thread: on seed-wide, v6 alone is more than half of the work. With `family`
// (familyPlan.ts), the variants of a family are one job, searched together in one thread
// (familySearch.ts); such a job takes no core handed over. Threads beyond the number of jobs are
// handed to the single-variant searches as they start.
import type { Worker } from 'node:worker_threads';
import { startWorker } from './thread.ts';
import type { Config } from '../model/config.ts';
import type { VariantName } from '../model/variant.ts';
import type { ExploreResult, Progress } from './explore.ts';
import type { EngineName } from './packed/expand.ts';
import { familyPlan, type FamilyMode } from './familyPlan.ts';

export interface VariantJob {
  readonly config: Config;
  /** One variant (explore.ts), or several searched together (familySearch.ts). */
  readonly variants: readonly VariantName[];
  readonly symmetry: boolean;
  readonly engine?: EngineName;
  readonly por?: boolean;
  readonly maxStates: number;
  readonly reserveStates?: number;
  readonly frontierMemBytes?: number;
  readonly successorMemBytes?: number;
  readonly spillDir?: string;
  readonly progress: boolean;
}

/** What the main thread sends a variant worker: a variant to explore, or one more core for the running one. */
export type VariantOrder =
  | { readonly kind: 'job'; readonly job: VariantJob }
  | { readonly kind: 'core' };

export type VariantMessage =
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'result'; readonly results: readonly ExploreResult[] }
  | { readonly kind: 'error'; readonly message: string };

export interface ParallelOptions {
  readonly symmetry: boolean;
  readonly engine?: EngineName;
  /** Partial-order reduction (default off). */
  readonly por?: boolean;
  readonly maxStates: number;
  /** Room made for this many states in each search (explore.ts ExploreOptions). */
  readonly reserveStates?: number;
  /** Frontier memory budget of each variant explored at once (explore.ts ExploreOptions). */
  readonly frontierMemBytes?: number;
  /** Successor-list memory budget of each variant explored at once. */
  readonly successorMemBytes?: number;
  /** Where every variant's spill directories are made (explore.ts ExploreOptions). */
  readonly spillDir?: string;
  /** Variants explored at once. */
  readonly threads: number;
  /** Which variants are searched together (familyPlan.ts); default off. */
  readonly family?: FamilyMode;
  /** Progress of each job, named by its variant, or by jobLabel for a family. */
  readonly onProgress?: (job: string, p: Progress) => void;
  /** Called as soon as the results of variants[0..i] are all in, for each i in order. */
  readonly onResult?: (r: ExploreResult) => void;
}

export async function exploreVariants(config: Config, variants: readonly VariantName[], opts: ParallelOptions): Promise<ExploreResult[]> {
  const results: (ExploreResult | undefined)[] = variants.map(() => undefined);
  let nextJob = 0, delivered = 0;
  const deliver = () => {
    // the index moves on outside the optional call: `onResult?.(results[delivered++])` would skip
    // the increment when there is no onResult, and this loop would never end
    while (delivered < variants.length && results[delivered] !== undefined) {
      const r = results[delivered++]!;
      opts.onResult?.(r);
    }
  };
  /** The lanes' workers with the variant each is running, and the cores handed to each variant. */
  const running = new Map<number, Worker>();
  const given = variants.map(() => 0);
  const handOver = () => {
    let to = -1;
    for (const i of running.keys()) if (to < 0 || given[i]! < given[to]! || (given[i] === given[to] && i < to)) to = i;
    if (to < 0) return;
    given[to]!++;
    running.get(to)!.postMessage({ kind: 'core' } satisfies VariantOrder);
  };
  const jobs = familyPlan(config, variants, opts.engine === 'reducer' ? 'off' : opts.family ?? 'off');
  let spare = Math.max(0, opts.threads - jobs.length);
  const lane = async (): Promise<void> => {
    const w = startWorker('variant-worker');
    try {
      while (nextJob < jobs.length) {
        const members = jobs[nextJob++]!;
        const names = members.map((i) => variants[i]!);
        const label = jobLabel(names);
        const job: VariantJob = { config, variants: names, symmetry: opts.symmetry, engine: opts.engine, por: opts.por, maxStates: opts.maxStates, reserveStates: opts.reserveStates, frontierMemBytes: opts.frontierMemBytes, successorMemBytes: opts.successorMemBytes, spillDir: opts.spillDir, progress: opts.onProgress !== undefined };
        // a family search runs in its worker's thread alone: no core is handed to it; threads
        // beyond the jobs (families make fewer jobs than variants) join single-variant searches
        if (members.length === 1) {
          running.set(members[0]!, w);
          for (; spare > 0; spare--) handOver();
        }
        const got = await new Promise<readonly ExploreResult[]>((resolve, reject) => {
          const onMessage = (m: VariantMessage) => {
            if (m.kind === 'progress') { opts.onProgress?.(label, m.progress); return; }
            w.off('message', onMessage); w.off('error', onError);
            if (m.kind === 'result') resolve(m.results); else reject(new Error(`explorer worker (${label}): ${m.message}`));
          };
          const onError = (err: Error) => { w.off('message', onMessage); reject(err); };
          w.on('message', onMessage);
          w.once('error', onError);
          w.postMessage({ kind: 'job', job } satisfies VariantOrder);
        }).finally(() => running.delete(members[0]!));
        members.forEach((i, k) => { results[i] = got[k]!; });
        deliver();
      }
      handOver();
    } finally {
      await w.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.threads, jobs.length) }, lane));
  return results.map((r) => r!);
}

/** How progress names a job: its variant, or its variants searched together. */
export function jobLabel(names: readonly VariantName[]): string {
  return names.length === 1 ? names[0]! : `${names.length} variants together (${names.join(', ')})`;
}
