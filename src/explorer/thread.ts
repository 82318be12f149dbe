// Where an explorer worker thread starts. Compiled (dist/*.js), the worker loads its own module;
// from the TypeScript sources (tsx, vitest), worker-boot.mjs registers tsx's loader in the new
// thread first, then loads the module named by its argv.
import { Worker, type WorkerOptions } from 'node:worker_threads';

const compiled = import.meta.url.endsWith('.js');

/** A worker thread running `./<name>.ts` (or `./<name>.js` once compiled). */
export function startWorker(name: 'worker' | 'variant-worker', options: WorkerOptions = {}): Worker {
  return compiled
    ? new Worker(new URL(`./${name}.js`, import.meta.url), options)
    : new Worker(new URL('./worker-boot.mjs', import.meta.url), { ...options, argv: [`./${name}.ts`] });
}
