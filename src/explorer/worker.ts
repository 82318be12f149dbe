// Worker thread entry: expands the chunks the pool sends (src/explorer/pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { Chunk, ExpanderSpec } from './expand.ts';
import { makeExpander, type EngineName } from './packed/expand.ts';

const expander = makeExpander(workerData as ExpanderSpec & { engine: EngineName });
parentPort!.on('message', (c: Chunk) => {
  const t0 = performance.now();
  const e = expander.expand(c);
  const r = { ...e, seconds: (performance.now() - t0) / 1000 };
  parentPort!.postMessage(r, [r.src.buffer as ArrayBuffer, r.edges.buffer as ArrayBuffer, r.enc.buffer as ArrayBuffer]);
});
parentPort!.postMessage('ready');
