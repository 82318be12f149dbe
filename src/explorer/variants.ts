// Several variants explored at once: `explore --variant all --workers N` runs up to N variants
// side by side, each in one worker thread (src/explorer/variant-worker.ts) with the in-thread
// explorer. Independent searches need no merging thread, so on 2 cores this scales better than
// splitting one variant's frontier; each result is exactly the one-thread result. Results come
// back in the order of `variants`.
import { startWorker } from './thread.ts';
import type { Config } from '../model/config.ts';
import type { VariantName } from '../model/variant.ts';
import type { ExploreResult, Progress } from './explore.ts';
import type { EngineName } from './packed/expand.ts';

export interface VariantJob {
  readonly config: Config;
  readonly variant: VariantName;
  readonly symmetry: boolean;
  readonly engine?: EngineName;
  readonly por?: boolean;
  readonly maxStates: number;
  readonly frontierMemBytes?: number;
  readonly successorMemBytes?: number;
  readonly spillDir?: string;
  readonly progress: boolean;
}

export type VariantMessage =
  | { readonly kind: 'progress'; readonly progress: Progress }
  | { readonly kind: 'result'; readonly result: ExploreResult }
  | { readonly kind: 'error'; readonly message: string };

export interface ParallelOptions {
  readonly symmetry: boolean;
  readonly engine?: EngineName;
  /** Partial-order reduction (default off). */
  readonly por?: boolean;
  readonly maxStates: number;
  /** Frontier memory budget of each variant explored at once (explore.ts ExploreOptions). */
  readonly frontierMemBytes?: number;
  /** Successor-list memory budget of each variant explored at once. */
  readonly successorMemBytes?: number;
  /** Where every variant's spill directories are made (explore.ts ExploreOptions). */
  readonly spillDir?: string;
  /** Variants explored at once. */
  readonly threads: number;
  readonly onProgress?: (variant: VariantName, p: Progress) => void;
  /** Called as soon as the results of variants[0..i] are all in, for each i in order. */
  readonly onResult?: (r: ExploreResult) => void;
}

export async function exploreVariants(config: Config, variants: readonly VariantName[], opts: ParallelOptions): Promise<ExploreResult[]> {
  const results: (ExploreResult | undefined)[] = variants.map(() => undefined);
  let nextJob = 0, delivered = 0;
  const deliver = () => {
    while (delivered < variants.length && results[delivered] !== undefined) opts.onResult?.(results[delivered++]!);
  };
  const lane = async (): Promise<void> => {
    const w = startWorker('variant-worker');
    try {
      while (nextJob < variants.length) {
        const i = nextJob++;
        const variant = variants[i]!;
        const job: VariantJob = { config, variant, symmetry: opts.symmetry, engine: opts.engine, por: opts.por, maxStates: opts.maxStates, frontierMemBytes: opts.frontierMemBytes, successorMemBytes: opts.successorMemBytes, spillDir: opts.spillDir, progress: opts.onProgress !== undefined };
        results[i] = await new Promise<ExploreResult>((resolve, reject) => {
          const onMessage = (m: VariantMessage) => {
            if (m.kind === 'progress') { opts.onProgress?.(variant, m.progress); return; }
            w.off('message', onMessage); w.off('error', onError);
            if (m.kind === 'result') resolve(m.result); else reject(new Error(`explorer worker (${variant}): ${m.message}`));
          };
          const onError = (err: Error) => { w.off('message', onMessage); reject(err); };
          w.on('message', onMessage);
          w.once('error', onError);
          w.postMessage(job);
        });
        deliver();
      }
    } finally {
      await w.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.threads, variants.length) }, lane));
  return results.map((r) => r!);
}
