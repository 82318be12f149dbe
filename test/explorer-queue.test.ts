// The explorer's BFS queue (src/explorer/queue.ts): keys come out in the order they went in, each
// intact, however pushes and takes interleave and however often the buffer is compacted or grown.
// And the thread pool that takes from it (src/explorer/pool.ts) fails, not hangs, when a worker dies.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { defaultConfig } from '../src/model/config.ts';
import { initialState } from '../src/machine/initial.ts';
import { IntBuf } from '../src/explorer/encode.ts';
import { Expander, type ExpanderSpec } from '../src/explorer/expand.ts';
import { WorkerPool } from '../src/explorer/pool.ts';
import { KeyQueue } from '../src/explorer/queue.ts';
import { checkFifo } from './queue-fifo.ts';

/** A key of `len` words that names its node, so a misplaced word shows. */

describe('KeyQueue', () => {
  test.prop([
    fc.array(fc.record({ push: fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 40 }), take: fc.integer({ min: 1, max: 600 }) }), { minLength: 1, maxLength: 60 }),
  ])('hands out every key once, in push order, unchanged', (steps) => {
    const q = new KeyQueue();
    const pushed = checkFifo(q, steps);
    expect(q.created).toBe(pushed);
  });
});

describe('WorkerPool', () => {
  it('a worker that exits while it holds chunks makes the run fail instead of wait forever', async () => {
    const spec: ExpanderSpec = { config: defaultConfig, variant: 'v6', symmetry: true };
    const local = new Expander(spec);
    const pool = new WorkerPool(spec, 2, local, 64);
    const slot = (pool as unknown as { slots: { worker: { terminate(): Promise<number> }; ready: boolean; pending: number[] }[] }).slots[0]!;
    try {
      for (let i = 0; i < 200 && !slot.ready; i++) await new Promise((r) => setTimeout(r, 25));
      expect(slot.ready).toBe(true);
      // plenty of work: the initial state's key, many times over
      const q = new KeyQueue();
      const key = new IntBuf(256);
      local.canon.key(initialState(defaultConfig), key);
      for (let i = 0; i < 100_000; i++) q.push(key.a, 0, key.n);
      let delivered = 0, killed = false;
      const run = pool.run((size) => q.take(size), () => {
        delivered++;
        if (!killed && slot.pending.length > 0) { killed = true; void slot.worker.terminate(); }
      }, () => false);
      await expect(run).rejects.toThrow(/worker thread exited/);
      expect(killed).toBe(true);
      expect(delivered).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });
});
