// The BFS queue: the key encodings of the nodes not yet handed out for expansion, in node order.
// Nodes are numbered in the order they are found, so expanding them in number order is breadth-first
// search; chunks are taken from the front as soon as their nodes exist, without waiting for a
// level to end (several threads then never idle at a level boundary).
import type { Chunk } from './expand.ts';

/** A chunk of consecutive nodes, `first` being the number of its first node. */
export interface Taken {
  readonly first: number;
  readonly chunk: Chunk;
}

export class KeyQueue {
  private buf: Int32Array = new Int32Array(1 << 14);
  /** starts[k] = where node base + k begins in buf; starts[created - base] = end of the last key. */
  private starts: Uint32Array = new Uint32Array(1 << 12);
  /** First node still stored. */
  private base = 0;
  /** Nodes pushed so far. */
  created = 0;
  /** Next node to hand out. */
  taken = 0;

  /** Append the key of node `created`: src[pos, pos + len). */
  push(src: Int32Array, pos: number, len: number): void {
    if (this.starts[this.created - this.base]! + len > this.buf.length) this.makeRoom(len);
    const k = this.created - this.base;
    if (k + 2 > this.starts.length) this.starts = grow(this.starts, k + 2);
    const b = this.buf, s = this.starts[k]!;
    for (let q = 0; q < len; q++) b[s + q] = src[pos + q]!;
    this.starts[k + 1] = s + len;
    this.created++;
  }

  /** Hand out up to `max` nodes from the front, or undefined when none is waiting. */
  take(max: number): Taken | undefined {
    const n = Math.min(max, this.created - this.taken);
    if (n <= 0) return undefined;
    const first = this.taken, k0 = first - this.base, s0 = this.starts[k0]!;
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = this.starts[k0 + i]! - s0;
    const chunk: Chunk = { enc: this.buf.slice(s0, this.starts[k0 + n]!), offsets };
    this.taken += n;
    return { first, chunk };
  }

  /** Drop the keys already handed out, then grow the buffer if `len` more words still do not fit. */
  private makeRoom(len: number): void {
    const drop = this.taken - this.base, shift = this.starts[drop]!;
    const live = this.created - this.taken;
    if (shift > 0) {
      this.buf.copyWithin(0, shift, this.starts[live + drop]!);
      for (let i = 0; i <= live; i++) this.starts[i] = this.starts[drop + i]! - shift;
      this.base = this.taken;
    }
    const used = this.starts[live]!;
    if (used + len > this.buf.length || used * 2 > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < (used + len) * 2) cap *= 2;
      const b = new Int32Array(cap);
      b.set(this.buf.subarray(0, used));
      this.buf = b;
    }
  }
}

function grow(a: Uint32Array, n: number): Uint32Array {
  let cap = a.length * 2;
  while (cap < n) cap *= 2;
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
