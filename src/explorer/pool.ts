// A pool of worker threads expanding chunks (src/explorer/worker.ts). Chunks are handed out as
// workers become free; results are delivered to the caller strictly in chunk order, so the
// merged BFS numbering is the same as in one thread.
import { Worker } from 'node:worker_threads';
import type { Chunk, ChunkResult, ExpanderSpec } from './expand.ts';
import type { ChunkRunner } from './explore.ts';

export class WorkerPool implements ChunkRunner {
  private readonly workers: Worker[];

  constructor(spec: ExpanderSpec, n: number) {
    // Workers run the TypeScript sources through tsx's ESM loader, registered by worker-boot.mjs.
    this.workers = Array.from({ length: n }, () => new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: spec }));
    for (const w of this.workers) w.unref();
  }

  run(chunks: readonly Chunk[], onResult: (i: number, r: ChunkResult) => void, stop: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const results = new Map<number, ChunkResult>();
      let nextToSend = 0, nextToDeliver = 0, failed = false;
      let inFlight = 0;
      const deliver = () => {
        if (stop()) { if (inFlight === 0) resolve(); return; }
        while (results.has(nextToDeliver)) {
          const r = results.get(nextToDeliver)!;
          results.delete(nextToDeliver);
          try { onResult(nextToDeliver, r); } catch (err) { failed = true; reject(err); return; }
          nextToDeliver++;
          if (stop()) { if (inFlight === 0) resolve(); return; }
        }
        if (nextToDeliver === chunks.length) resolve();
      };
      const feed = (w: Worker) => {
        if (nextToSend >= chunks.length || failed || stop()) return;
        const i = nextToSend++;
        inFlight++;
        const c = chunks[i]!;
        const onMessage = (r: ChunkResult) => {
          w.off('error', onError);
          inFlight--;
          results.set(i, r);
          feed(w);
          deliver();
        };
        const onError = (err: Error) => { failed = true; reject(err); };
        w.once('message', onMessage);
        w.once('error', onError);
        w.postMessage(c, [c.enc.buffer as ArrayBuffer, c.offsets.buffer as ArrayBuffer]);
      };
      if (chunks.length === 0) { resolve(); return; }
      for (const w of this.workers) feed(w);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
