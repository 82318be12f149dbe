// Worker thread entry for `explore --variant all --workers N`: explores one whole variant, or a
// family of variants together (familySearch.ts), in this
// thread (src/explorer/variants.ts sends the job) and sends back the result, progress on the way.
// A core handed over while the variant runs ('core', from a lane with no variant left) becomes one
// more worker thread of this search (CoreGrants); it changes the speed only.
import { parentPort } from 'node:worker_threads';
import { explore, type Progress } from './explore.ts';
import { exploreFamilyOrEach } from './familySearch.ts';
import { CoreGrants } from './pool.ts';
import type { VariantMessage, VariantOrder } from './variants.ts';

/** The cores handed to the variant running now (a core given after its search ended is ignored: explore stops using them). */
let cores: CoreGrants | undefined;

parentPort!.on('message', (order: VariantOrder) => {
  if (order.kind === 'core') { cores?.give(); return; }
  const job = order.job;
  void (async () => {
    cores = new CoreGrants();
    try {
      const progress = job.progress ? (p: Progress) => parentPort!.postMessage({ kind: 'progress', progress: p } satisfies VariantMessage) : undefined;
      const opts = { symmetry: job.symmetry, por: job.por, maxStates: job.maxStates, reserveStates: job.reserveStates, frontierMemBytes: job.frontierMemBytes, successorMemBytes: job.successorMemBytes, spillDir: job.spillDir, onProgress: progress };
      const results = job.variants.length > 1
        ? await exploreFamilyOrEach(job.config, job.variants, opts)
        : [await explore(job.config, job.variants[0]!, { ...opts, engine: job.engine, workers: 1, moreCores: cores })];
      // hi and lo may share one buffer (the packed engine's takeColumns): each is transferred once
      const buffers = new Set(results.flatMap((r) => [r.graph.parent.buffer, r.graph.eventIndex.buffer, r.graph.hi.buffer, r.graph.lo.buffer]));
      parentPort!.postMessage({ kind: 'result', results } satisfies VariantMessage, [...buffers] as ArrayBuffer[]);
    } catch (err) {
      parentPort!.postMessage({ kind: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies VariantMessage);
    }
  })();
});
