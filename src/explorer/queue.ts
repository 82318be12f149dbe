// The BFS queue: the key encodings of the nodes not yet handed out for expansion, in node order.
// Nodes are numbered in the order they are found, so expanding them in number order is breadth-first
// search; chunks are taken from the front as soon as their nodes exist, without waiting for a
// level to end (several threads then never idle at a level boundary).
//
// Keys are stored in segments of consecutive nodes: pushes append to the open (last) segment, which
// is closed once it holds `segmentWords` words; takes read from the first. When the segments held
// in memory take more than `memBytes`, closed segments are written to a temporary file each (under
// os.tmpdir(), newest first: they are read last) and read back when the front reaches them, then
// deleted; close() removes the directory (explore() calls it in a finally, and an exit handler
// catches the rest). The order of nodes, and so BFS numbering, is the same whether or not anything
// was spilled (test/frontier-spill.test.ts).
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { makeSpillDir, removeSpillDir } from './spillDir.ts';
import { join } from 'node:path';
import type { Chunk } from './expand.ts';

/** A chunk of consecutive nodes, `first` being the number of its first node. */
export interface Taken {
  readonly first: number;
  readonly chunk: Chunk;
}

export interface QueueOptions {
  /** Bytes of key segments kept in memory before closed segments go to disk (default: never). */
  readonly memBytes?: number;
  /** Words per segment (default: memBytes / 32 within [2^12, 2^22]; 2^22 without a budget). */
  readonly segmentWords?: number;
  /** Directory under which the spill directory is made (default: os.tmpdir()). */
  readonly spillDir?: string;
}

/** Memory and disk used by a queue's keys. */
export interface QueueStats {
  /** Largest bytes of segments held in memory at once (allocated capacity). */
  readonly peakBytes: number;
  /** Bytes written to temporary files over the run. */
  readonly spilledBytes: number;
  readonly spilledSegments: number;
}

class Segment {
  /** Keys; null while on disk. */
  buf: Int32Array | null;
  /** starts[k] = where key k begins in buf; starts[n] = words. */
  starts: Uint32Array | null;
  n = 0;
  words = 0;
  file: string | null = null;
  constructor(readonly first: number, cap: number) {
    this.buf = new Int32Array(cap);
    this.starts = new Uint32Array(Math.max(16, cap >> 4));
  }
  bytes(): number { return this.buf === null ? 0 : this.buf.byteLength + this.starts!.byteLength; }
}

export class KeyQueue {
  private readonly segs: Segment[] = [];
  /** Index in segs of the segment holding node `taken`. */
  private head = 0;
  private readonly memBytes: number;
  private readonly segWords: number;
  private dir: string | null = null;
  private fileNo = 0;
  private memNow = 0;
  private peak = 0;
  private spilled = 0;
  private spilledSegs = 0;
  /** Nodes pushed so far. */
  created = 0;
  /** Next node to hand out. */
  taken = 0;

  private readonly spillBase: string | undefined;

  constructor(opts: QueueOptions = {}) {
    this.memBytes = opts.memBytes ?? Infinity;
    this.spillBase = opts.spillDir;
    this.segWords = opts.segmentWords ?? (Number.isFinite(this.memBytes) ? Math.min(1 << 22, Math.max(1 << 12, Math.floor(this.memBytes / 32))) : 1 << 22);
    this.open(0);
  }

  stats(): QueueStats { return { peakBytes: this.peak, spilledBytes: this.spilled, spilledSegments: this.spilledSegs }; }

  /** Append the key of node `created`: src[pos, pos + len). */
  push(src: Int32Array, pos: number, len: number): void {
    let s = this.segs[this.segs.length - 1]!;
    if (s.words + len > this.segWords && s.n > 0) { this.closeLast(); s = this.segs[this.segs.length - 1]!; }
    if (s.words + len > s.buf!.length) this.growBuf(s, s.words + len);
    if (s.n + 2 > s.starts!.length) this.growStarts(s);
    const b = s.buf!, w = s.words;
    for (let q = 0; q < len; q++) b[w + q] = src[pos + q]!;
    s.words = w + len;
    s.starts![++s.n] = s.words;
    this.created++;
  }

  /** Hand out up to `max` nodes from the front, or undefined when none is waiting. */
  take(max: number): Taken | undefined {
    const n = Math.min(max, this.created - this.taken);
    if (n <= 0) return undefined;
    const first = this.taken;
    // the words first, to size the chunk
    let words = 0;
    for (let left = n, i = this.head, node = first; left > 0; i++) {
      const s = this.resident(i);
      const k0 = node - s.first, k1 = Math.min(s.n, k0 + left);
      words += s.starts![k1]! - s.starts![k0]!;
      left -= k1 - k0; node += k1 - k0;
    }
    const enc = new Int32Array(words);
    const offsets = new Uint32Array(n + 1);
    let w = 0, j = 0;
    for (let left = n, node = first; left > 0;) {
      const s = this.resident(this.head);
      const k0 = node - s.first, k1 = Math.min(s.n, k0 + left);
      const st = s.starts!, s0 = st[k0]!;
      enc.set(s.buf!.subarray(s0, st[k1]!), w);
      for (let k = k0; k < k1; k++) offsets[j++] = w + st[k]! - s0;
      w += st[k1]! - s0;
      left -= k1 - k0; node += k1 - k0;
      // a segment read to its end is dropped, unless it is the open one
      if (k1 === s.n && this.head < this.segs.length - 1) this.drop(this.head++);
    }
    offsets[n] = w;
    this.taken += n;
    return { first, chunk: { enc, offsets } };
  }

  /** Remove the temporary files, if any. Idempotent. */
  close(): void {
    if (this.dir === null) return;
    removeSpillDir(this.dir);
    this.dir = null;
  }

  private open(first: number): void {
    // the first segment grows from 64 KiB (small runs stay small); later ones are made full-size
    // at once rather than grown by copying
    const s = new Segment(first, this.segs.length === 0 ? Math.min(this.segWords, 1 << 14) : this.segWords);
    this.segs.push(s);
    this.account(s.bytes());
  }

  private account(delta: number): void {
    this.memNow += delta;
    if (this.memNow > this.peak) this.peak = this.memNow;
  }

  private growBuf(s: Segment, need: number): void {
    let cap = s.buf!.length * 2;
    while (cap < need) cap *= 2;
    const b = new Int32Array(cap);
    b.set(s.buf!.subarray(0, s.words));
    this.account((cap - s.buf!.length) * 4);
    s.buf = b;
  }

  private growStarts(s: Segment): void {
    const a = new Uint32Array(s.starts!.length * 2);
    a.set(s.starts!);
    this.account(s.starts!.byteLength);
    s.starts = a;
  }

  /** Close the open segment, start a new one, and spill closed segments while over budget. */
  private closeLast(): void {
    this.open(this.created);
    if (this.memNow <= this.memBytes) return;
    // newest closed segment first (it is read last); never the head nor the open one
    for (let i = this.segs.length - 2; i > this.head && this.memNow > this.memBytes; i--) {
      const s = this.segs[i]!;
      if (s.buf !== null) this.spill(s);
    }
  }

  private spill(s: Segment): void {
    if (this.dir === null) this.dir = makeSpillDir(this.spillBase, 'smmu-sva-frontier-');
    const file = join(this.dir, `seg-${this.fileNo++}.bin`);
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, new Uint8Array(s.starts!.buffer, 0, (s.n + 1) * 4));
      writeSync(fd, new Uint8Array(s.buf!.buffer, 0, s.words * 4));
    } finally {
      closeSync(fd);
    }
    this.spilled += (s.n + 1 + s.words) * 4;
    this.spilledSegs++;
    this.account(-s.bytes());
    s.buf = null; s.starts = null; s.file = file;
  }

  /** Segment i, read back from disk if it was spilled. */
  private resident(i: number): Segment {
    const s = this.segs[i]!;
    if (s.buf !== null) return s;
    const fd = openSync(s.file!, 'r');
    try {
      const starts = new Uint32Array(s.n + 1), buf = new Int32Array(Math.max(1, s.words));
      readAll(fd, new Uint8Array(starts.buffer), 0);
      readAll(fd, new Uint8Array(buf.buffer, 0, s.words * 4), starts.byteLength);
      s.starts = starts; s.buf = buf;
    } finally {
      closeSync(fd);
    }
    unlinkSync(s.file!);
    s.file = null;
    this.account(s.bytes());
    return s;
  }

  private drop(i: number): void {
    const s = this.segs[i]!;
    this.account(-s.bytes());
    s.buf = null; s.starts = null;
    // keep segs short: forget every segment before the head now and then
    if (i > 1024) { this.segs.splice(0, i + 1); this.head -= i + 1; }
  }
}

function readAll(fd: number, into: Uint8Array, position: number): void {
  for (let off = 0; off < into.length;) {
    const r = readSync(fd, into, off, into.length - off, position + off);
    if (r === 0) throw new Error('frontier spill file shorter than written');
    off += r;
  }
}
