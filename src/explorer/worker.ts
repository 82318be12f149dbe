// Worker thread entry: expands the chunks the pool sends (src/explorer/pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { Expander, type Chunk, type ExpanderSpec } from './expand.ts';

const expander = new Expander(workerData as ExpanderSpec);
parentPort!.on('message', (c: Chunk) => {
  const r = expander.expand(c);
  parentPort!.postMessage(r, [r.src.buffer as ArrayBuffer, r.edges.buffer as ArrayBuffer, r.enc.buffer as ArrayBuffer]);
});
parentPort!.postMessage('ready');
