// A pool of expanders for chunks: worker threads (src/explorer/worker.ts) plus, optionally, this
// thread itself. Chunks are handed out as expanders become free; results are delivered to the
// caller strictly in chunk order, so the merged BFS numbering is the same as in one thread.
// With N threads asked for, N - 1 are workers and this thread expands chunks too (between
// merging results): on N cores that keeps N cores busy instead of N workers plus a mostly idle
// merging thread competing for them.
import { Worker } from 'node:worker_threads';
import type { Chunk, ChunkResult, Expander, ExpanderSpec } from './expand.ts';
import type { ChunkRunner } from './explore.ts';

/** Chunks queued per worker. */
const DEPTH = 2;

export class WorkerPool implements ChunkRunner {
  private readonly workers: Worker[];

  /** `n` worker threads; `local`, when given, also expands chunks in this thread. */
  constructor(spec: ExpanderSpec, n: number, private readonly local?: Expander) {
    // Workers run the TypeScript sources through tsx's ESM loader, registered by worker-boot.mjs.
    this.workers = Array.from({ length: n }, () => new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: spec }));
    for (const w of this.workers) w.unref();
  }

  run(chunks: readonly Chunk[], onResult: (i: number, r: ChunkResult) => void, stop: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const results = new Map<number, ChunkResult>();
      let nextToSend = 0, nextToDeliver = 0, failed = false, done = false;
      let inFlight = 0;
      const finish = () => { if (!done) { done = true; detach(); resolve(); } };
      const deliver = () => {
        if (done) return;
        if (stop()) { if (inFlight === 0) finish(); return; }
        while (results.has(nextToDeliver)) {
          const r = results.get(nextToDeliver)!;
          results.delete(nextToDeliver);
          try { onResult(nextToDeliver, r); } catch (err) { failed = true; reject(err); return; }
          nextToDeliver++;
          if (stop()) { if (inFlight === 0) finish(); return; }
        }
        if (nextToDeliver === chunks.length) finish();
      };
      // each worker keeps up to DEPTH chunks queued, so it is not idle while this thread is busy
      // expanding a chunk of its own; a worker answers its chunks in the order it got them
      const queues = this.workers.map(() => [] as number[]);
      const listeners = this.workers.map((w, wi) => {
        const onMessage = (r: ChunkResult) => {
          const i = queues[wi]!.shift()!;
          inFlight--;
          results.set(i, r);
          feed(wi);
          deliver();
        };
        const onError = (err: Error) => { failed = true; reject(err); };
        w.on('message', onMessage);
        w.on('error', onError);
        return { onMessage, onError };
      });
      const feed = (wi: number) => {
        const w = this.workers[wi]!, q = queues[wi]!;
        while (q.length < DEPTH && nextToSend < chunks.length && !failed && !stop()) {
          const i = nextToSend++;
          inFlight++;
          q.push(i);
          const c = chunks[i]!;
          w.postMessage(c, [c.enc.buffer as ArrayBuffer, c.offsets.buffer as ArrayBuffer]);
        }
      };
      // this thread: take the next unsent chunk, expand it, deliver, and yield to the event loop
      // (so worker results are merged and workers re-fed) before taking another
      const local = this.local;
      const feedLocal = () => {
        if (!local || nextToSend >= chunks.length || failed || done || stop()) return;
        const i = nextToSend++;
        inFlight++;
        let r: ChunkResult;
        try { r = local.expand(chunks[i]!); } catch (err) { failed = true; reject(err); return; }
        inFlight--;
        results.set(i, r);
        deliver();
        setImmediate(feedLocal);
      };
      const detach = () => this.workers.forEach((w, wi) => { w.off('message', listeners[wi]!.onMessage); w.off('error', listeners[wi]!.onError); });
      if (chunks.length === 0) { detach(); resolve(); return; }
      this.workers.forEach((_, wi) => feed(wi));
      setImmediate(feedLocal);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
