// Worker thread entry: expands the chunks the pool sends (src/explorer/pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
// Each result is in the expander's own buffers, handed over (transferred) rather than copied;
// the pool gives them back with a later chunk once it has merged them.
import type { ChunkJob, ExpanderSpec } from './expand.ts';
import { makeExpander, type EngineName } from './packed/expand.ts';

const expander = makeExpander(workerData as ExpanderSpec & { engine: EngineName });
parentPort!.on('message', (job: ChunkJob) => {
  for (let i = 0; i + 1 < job.giveBack.length; i += 2) expander.recycle({ enc: new Int32Array(job.giveBack[i]!), edges: new Uint32Array(job.giveBack[i + 1]!) });
  const t0 = performance.now();
  const e = expander.expandHandingOff(job.chunk);
  const r = { ...e, seconds: (performance.now() - t0) / 1000 };
  parentPort!.postMessage(r, [r.src.buffer as ArrayBuffer, r.edges.buffer as ArrayBuffer, r.enc.buffer as ArrayBuffer]);
});
parentPort!.postMessage('ready');
