// Expanding a level's chunks on N threads: this (main) thread and N - 1 worker threads
// (src/explorer/worker.ts). The main thread merges results and expands chunks itself whenever the
// next result in order is not ready yet, so N threads keep N cores busy (a pool of N workers plus
// a merging main thread had N + 1 threads on N cores). Each worker holds up to WORKER_QUEUE chunks
// so it never waits while the main thread is busy with a chunk of its own. Chunks are taken in
// order by whoever is free; results are delivered to the caller strictly in chunk order, so the
// merged BFS numbering is the same as in one thread.
import { Worker } from 'node:worker_threads';
import type { Chunk, ChunkResult, Expander, ExpanderSpec } from './expand.ts';
import type { ChunkRunner } from './explore.ts';

/** Chunks queued at each worker: one being expanded, one waiting. */
const WORKER_QUEUE = 2;

interface Slot {
  readonly worker: Worker;
  /** Indices of the chunks sent to this worker and not yet answered, oldest first. */
  readonly pending: number[];
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WorkerPool implements ChunkRunner {
  private readonly slots: Slot[];

  /** `threads` in all: `threads - 1` workers and this thread, which expands with `local`. */
  constructor(spec: ExpanderSpec, threads: number, private readonly local: Expander) {
    // Workers run the TypeScript sources through tsx's ESM loader, registered by worker-boot.mjs.
    this.slots = Array.from({ length: threads - 1 }, () => ({
      worker: new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: spec }),
      pending: [],
    }));
    for (const s of this.slots) s.worker.unref();
  }

  async run(chunks: readonly Chunk[], onResult: (i: number, r: ChunkResult) => void, stop: () => boolean): Promise<void> {
    const results = new Map<number, ChunkResult>();
    let nextToSend = 0, nextToDeliver = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const inFlight = () => this.slots.reduce((n, s) => n + s.pending.length, 0);
    const feed = (s: Slot) => {
      while (s.pending.length < WORKER_QUEUE && nextToSend < chunks.length && !stop() && failure === undefined) {
        const i = nextToSend++;
        const c = chunks[i]!;
        s.pending.push(i);
        s.worker.postMessage(c, [c.enc.buffer as ArrayBuffer, c.offsets.buffer as ArrayBuffer]);
      }
    };
    const listeners = this.slots.map((s) => {
      const onMessage = (r: ChunkResult) => {
        results.set(s.pending.shift()!, r);
        feed(s);
        wake?.();
      };
      const onError = (err: Error) => { failure = err; wake?.(); };
      s.worker.on('message', onMessage);
      s.worker.on('error', onError);
      return { s, onMessage, onError };
    });
    try {
      for (const s of this.slots) feed(s);
      for (;;) {
        if (failure !== undefined) throw failure;
        while (!stop() && results.has(nextToDeliver)) {
          const r = results.get(nextToDeliver)!;
          results.delete(nextToDeliver);
          onResult(nextToDeliver, r);
          nextToDeliver++;
        }
        if (stop() || nextToDeliver === chunks.length) break;
        if (nextToSend < chunks.length) {
          // the next chunk is this thread's; then let the workers' answers in
          const i = nextToSend++;
          results.set(i, this.local.expand(chunks[i]!));
          await yieldToEvents();
        } else {
          await new Promise<void>((resolve) => { wake = resolve; });
          wake = undefined;
        }
      }
      // after a stop, let the workers finish what they hold so the next run starts clean
      while (inFlight() > 0 && failure === undefined) {
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = undefined;
      }
      if (failure !== undefined) throw failure;
    } finally {
      for (const { s, onMessage, onError } of listeners) { s.worker.off('message', onMessage); s.worker.off('error', onError); }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
