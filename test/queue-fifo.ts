// The FIFO property of the explorer's frontier (src/explorer/queue.ts), shared by the queue test
// and the spilling test: pushes keys (from the middle of a larger array, as the merge does) and
// takes chunks in the given steps, and checks every key comes out once, in push order, unchanged.
import { expect } from 'vitest';
import type { KeyQueue } from '../src/explorer/queue.ts';

/**
 * The key of node `node`: `len` words. 'wide': distinct words, mostly beyond a byte; 'small': words
 * in -2..64 as the explorer's keys are (a segment's byte each), with the node's number as every
 * 13th word (beyond a byte from node 253 on), so a misplaced key still shows.
 */
export const keyOf = (node: number, len: number, words: 'wide' | 'small' = 'wide') =>
  Int32Array.from({ length: len }, (_, i) => (words === 'wide' ? node * 1000 + i : i % 13 === 0 ? node : ((node * 31 + i * 7) % 67) - 2));

/** Runs the steps on `q`, then drains it; returns how many keys were pushed. */
export function checkFifo(q: KeyQueue, steps: readonly { readonly push: readonly number[]; readonly take: number }[], words: 'wide' | 'small' = 'wide'): number {
  const lens: number[] = [];
  let next = 0;
  const check = (max: number) => {
    const t = q.take(max);
    if (lens.length === next) { expect(t).toBeUndefined(); return; }
    expect(t).toBeDefined();
    expect(t!.first).toBe(next);
    const n = t!.chunk.offsets.length - 1;
    expect(n).toBe(Math.min(max, lens.length - next));
    expect(t!.chunk.offsets[0]).toBe(0);
    for (let i = 0; i < n; i++) {
      const got = t!.chunk.enc.subarray(t!.chunk.offsets[i]!, t!.chunk.offsets[i + 1]!);
      expect(Array.from(got)).toEqual(Array.from(keyOf(next + i, lens[next + i]!, words)));
    }
    next += n;
  };
  for (const s of steps) {
    for (const len of s.push) {
      const src = new Int32Array(len + 5);
      src.set(keyOf(lens.length, len, words), 3);
      q.push(src, 3, len);
      lens.push(len);
    }
    check(s.take);
  }
  while (next < lens.length) check(1000);
  expect(q.take(1)).toBeUndefined();
  return lens.length;
}
