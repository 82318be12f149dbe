// Worker thread entry for `explore --variant all --workers N`: explores one whole variant in this
// thread (src/explorer/variants.ts sends the job) and sends back the result, progress on the way.
import { parentPort } from 'node:worker_threads';
import { explore } from './explore.ts';
import type { VariantJob, VariantMessage } from './variants.ts';

parentPort!.on('message', (job: VariantJob) => {
  void (async () => {
    try {
      const result = await explore(job.config, job.variant, {
        symmetry: job.symmetry, engine: job.engine, por: job.por, maxStates: job.maxStates, workers: 1, frontierMemBytes: job.frontierMemBytes, successorMemBytes: job.successorMemBytes, spillDir: job.spillDir,
        onProgress: job.progress ? (p) => parentPort!.postMessage({ kind: 'progress', progress: p } satisfies VariantMessage) : undefined,
      });
      const g = result.graph;
      parentPort!.postMessage({ kind: 'result', result } satisfies VariantMessage, [g.parent.buffer, g.eventIndex.buffer, g.hi.buffer, g.lo.buffer] as ArrayBuffer[]);
    } catch (err) {
      parentPort!.postMessage({ kind: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies VariantMessage);
    }
  })();
});
