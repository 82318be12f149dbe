// Worker thread entry for `explore --variant all --workers N`: explores one whole variant in this
// thread (src/explorer/variants.ts sends the job) and sends back the result, progress on the way.
// A core handed over while the variant runs ('core', from a lane with no variant left) becomes one
// more worker thread of this search (CoreGrants); it changes the speed only.
import { parentPort } from 'node:worker_threads';
import { explore } from './explore.ts';
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
      const result = await explore(job.config, job.variant, {
        symmetry: job.symmetry, engine: job.engine, por: job.por, maxStates: job.maxStates, workers: 1, frontierMemBytes: job.frontierMemBytes, successorMemBytes: job.successorMemBytes, spillDir: job.spillDir,
        moreCores: cores,
        onProgress: job.progress ? (p) => parentPort!.postMessage({ kind: 'progress', progress: p } satisfies VariantMessage) : undefined,
      });
      // hi and lo may share one buffer (the packed engine's takeColumns): each is transferred once
      const g = result.graph;
      parentPort!.postMessage({ kind: 'result', result } satisfies VariantMessage, [...new Set([g.parent.buffer, g.eventIndex.buffer, g.hi.buffer, g.lo.buffer])] as ArrayBuffer[]);
    } catch (err) {
      parentPort!.postMessage({ kind: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies VariantMessage);
    }
  })();
});
