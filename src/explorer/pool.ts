// Expanding chunks on N threads: this (main) thread and N - 1 worker threads
// (src/explorer/worker.ts). The main thread merges results and expands chunks itself whenever the
// next result in order is not ready yet, so N threads keep N cores busy (a pool of N workers plus
// a merging main thread had N + 1 threads on N cores). Each worker holds up to WORKER_QUEUE chunks
// so it never waits while the main thread is busy with a chunk of its own. Chunks are taken from
// the BFS queue in order by whoever is free, as soon as their nodes exist (no barrier at a level's
// end); results are delivered strictly in the order taken, so the merged BFS numbering is the
// same as in one thread. A worker gets chunks only once it has loaded and said 'ready' (about
// 0.25 s under tsx); until then this thread expands alone. Workers may also join a running search
// (addWorker, CoreGrants).
import type { Worker } from 'node:worker_threads';
import { startWorker } from './thread.ts';
import type { ChunkJob, ChunkResult, Expander, ExpanderSpec } from './expand.ts';
import type { ChunkRunner, RunnerTiming } from './explore.ts';
import type { Taken } from './queue.ts';

/**
 * Chunks queued at each worker. A worker expands faster than this thread, which also merges and
 * answers messages, so a deeper queue shifts work its way: on the default and on seed-wide, 4
 * measured 3-8% faster than 2, and 8 no better than 4 (v6, --workers 2).
 */
const WORKER_QUEUE = 4;

interface Slot {
  readonly worker: Worker;
  /** Set when the worker says it has loaded; until then it gets no chunk (this thread does the work). */
  ready: boolean;
  /** Sequence numbers of the chunks sent to this worker and not yet answered, oldest first. */
  readonly pending: number[];
  /** Buffers of this worker's results merged since its last chunk, to go back with the next (ChunkJob). */
  giveBack: ArrayBuffer[];
}

/**
 * Cores handed to a search while it runs (exploreVariants gives a lane's core to a running
 * variant once the lane has no variant left to start). Each core given becomes one more worker
 * thread of that search's pool.
 */
export class CoreGrants {
  private waiting = 0;
  private onGive: (() => void) | undefined;

  give(): void {
    if (this.onGive) this.onGive(); else this.waiting++;
  }

  /** From now on each core given calls `f` (those given before too, now); undefined: ignore them. */
  use(f: (() => void) | undefined): void {
    this.onGive = f;
    for (; f && this.waiting > 0; this.waiting--) f();
  }
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WorkerPool implements ChunkRunner {
  private readonly slots: Slot[];
  private expandHere = 0;
  private wait = 0;
  private workers = 0;
  private chunksHere = 0;
  private chunksWorkers = 0;

  timing(): RunnerTiming {
    return { expandHere: this.expandHere, wait: this.wait, workers: this.workers, chunksHere: this.chunksHere, chunksWorkers: this.chunksWorkers };
  }

  /**
   * `threads` in all: `threads - 1` workers and this thread, which expands with `local`; more
   * workers may join later (addWorker). A chunk's buffers are transferred to the worker that
   * expands it.
   */
  constructor(private readonly spec: ExpanderSpec, threads: number, private readonly local: Expander, private readonly chunkSize: number) {
    this.slots = Array.from({ length: threads - 1 }, () => this.startSlot());
  }

  private startSlot(): Slot {
    const s: Slot = { worker: startWorker('worker', { workerData: this.spec }), pending: [], ready: false, giveBack: [] };
    s.worker.unref();
    s.worker.once('message', () => { s.ready = true; });
    return s;
  }

  /**
   * One more worker thread, from now on (a core another search has finished with: variants.ts).
   * It gets chunks once it has loaded; results still come in the order taken, so nothing but the
   * speed changes.
   */
  addWorker(): void {
    const s = this.startSlot();
    this.slots.push(s);
    this.attachRunning?.(s);
  }

  /** While run() is going: hooks a new slot's messages into it. */
  private attachRunning: ((s: Slot) => void) | undefined;

  async run(take: (size: number) => Taken | undefined, onResult: (t: Taken, r: ChunkResult) => void, stop: () => boolean): Promise<void> {
    const taken = new Map<number, Taken>();
    const results = new Map<number, ChunkResult>();
    /**
     * The worker each chunk out was sent to, whose buffers its result is in. A result waiting in
     * `results` without one is this thread's own, in its expander's buffers (expandHandingOff).
     */
    const origin = new Map<number, Slot>();
    let nextSeq = 0, nextToDeliver = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const inFlight = () => this.slots.reduce((n, s) => n + s.pending.length, 0);
    const takeNext = (): number => {
      if (stop() || failure !== undefined) return -1;
      const t = take(this.chunkSize);
      if (t === undefined) return -1;
      taken.set(nextSeq, t);
      return nextSeq++;
    };
    const feed = (s: Slot) => {
      while (s.ready && s.pending.length < WORKER_QUEUE) {
        const seq = takeNext();
        if (seq < 0) return;
        const c = taken.get(seq)!.chunk;
        s.pending.push(seq);
        origin.set(seq, s);
        const job: ChunkJob = { chunk: c, giveBack: s.giveBack };
        s.worker.postMessage(job, [c.enc.buffer as ArrayBuffer, c.offsets.buffer as ArrayBuffer, ...s.giveBack]);
        s.giveBack = [];
      }
    };
    const waitForMessage = async () => {
      const t0 = performance.now();
      await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
      this.wait += (performance.now() - t0) / 1000;
    };
    const listeners: { s: Slot; onMessage: (r: ChunkResult | 'ready') => void; onError: (err: Error) => void; onExit: (code: number) => void }[] = [];
    const attach = (s: Slot) => {
      const onMessage = (r: ChunkResult | 'ready') => {
        if (r !== 'ready') {
          const seq = s.pending.shift()!;
          results.set(seq, r);
          this.workers += r.seconds ?? 0;
          this.chunksWorkers++;
        }
        wake?.();
      };
      const onError = (err: Error) => { failure = err; wake?.(); };
      // a worker that ends without an error event (killed, out of memory) must not leave this
      // thread waiting for the chunks it held
      const onExit = (code: number) => {
        failure ??= new Error(`explorer worker thread exited (code ${code}) holding ${s.pending.length} chunk(s)`);
        wake?.();
      };
      s.worker.on('message', onMessage);
      s.worker.on('error', onError);
      s.worker.on('exit', onExit);
      listeners.push({ s, onMessage, onError, onExit });
    };
    for (const s of this.slots) attach(s);
    this.attachRunning = attach;
    try {
      for (;;) {
        if (failure !== undefined) throw failure;
        // merge what is ready, in order: that makes new nodes, which become chunks
        while (!stop() && results.has(nextToDeliver)) {
          const r = results.get(nextToDeliver)!;
          results.delete(nextToDeliver);
          onResult(taken.get(nextToDeliver)!, r);
          taken.delete(nextToDeliver);
          // the buffers go back to the expander that filled them
          const from = origin.get(nextToDeliver);
          if (from === undefined) this.local.recycle(r);
          else { origin.delete(nextToDeliver); from.giveBack.push(r.enc.buffer as ArrayBuffer, r.edges.buffer as ArrayBuffer); }
          nextToDeliver++;
        }
        if (stop()) break;
        for (const s of this.slots) feed(s);
        const seq = takeNext();
        if (seq >= 0) {
          // a chunk for this thread; then let the workers' answers in. When nothing is ahead of it
          // (no worker holds an earlier chunk: always so before a worker joins), it is merged
          // at once, so its result may be a view of the expander's buffers (as InThread's);
          // otherwise it waits for its turn in the expander's buffers, handed over and given
          // back once merged
          const t0 = performance.now();
          const direct = seq === nextToDeliver;
          const chunk = taken.get(seq)!.chunk;
          const r = direct ? this.local.expand(chunk, false) : this.local.expandHandingOff(chunk);
          this.expandHere += (performance.now() - t0) / 1000;
          this.chunksHere++;
          if (direct) {
            onResult(taken.get(seq)!, r);
            taken.delete(seq);
            nextToDeliver++;
          } else {
            results.set(seq, r);
          }
          await yieldToEvents();
        } else if (nextToDeliver < nextSeq) {
          await waitForMessage();
        } else {
          break; // nothing waiting, nothing out: the search is over
        }
      }
      // after a stop, let the workers finish what they hold
      while (inFlight() > 0 && failure === undefined) await waitForMessage();
      if (failure !== undefined) throw failure;
    } finally {
      this.attachRunning = undefined;
      for (const { s, onMessage, onError, onExit } of listeners) {
        s.worker.off('message', onMessage); s.worker.off('error', onError); s.worker.off('exit', onExit);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
