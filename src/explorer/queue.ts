// The BFS queue: the key encodings of the nodes not yet handed out for expansion, in node order.
// Nodes are numbered in the order they are found, so expanding them in number order is breadth-first
// search; chunks are taken from the front as soon as their nodes exist, without waiting for a
// level to end (several threads then never idle at a level boundary).
//
// Keys are stored in segments of consecutive nodes: pushes append to the open (last) segment, which
// is closed once it holds `segmentWords` words; takes read from the first. A segment keeps a key's
// words as bytes (ESCAPE below) and a take decodes them back into 32-bit words. When the segments held
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

/**
 * A key word w in -2..252 is the byte w + 2; any other word is the byte 255 and then w's four bytes,
 * least significant first. The frontier's keys are mostly such small words (`npm run
 * bench:key-words`: on seed-wide v6, 71.6 words per key, all in -2..61), so a segment holds about a
 * byte per word. Segments are always bytes and chunks are always decoded into 32-bit words, so the
 * merge and the expander each see one array type.
 */
const ESCAPE = 255;

/** Whether a segment holds key word `w` in one byte (w + 2); otherwise in five (ESCAPE and w). */
export function wordFitsAByte(w: number): boolean {
  const u = w + 2;
  return u >= 0 && u < ESCAPE;
}

/** The arrays of a full-size segment read to its end, kept for the next segment opened. */
interface Spare {
  readonly buf: Uint8Array;
  readonly starts: Uint32Array;
  readonly wstarts: Uint32Array;
}

class Segment {
  /** Keys as bytes; null while on disk. */
  buf: Uint8Array | null;
  /** starts[k] = the byte where key k begins in buf; starts[n] = bytes in use. */
  starts: Uint32Array | null;
  /** wstarts[k] = words of the keys before key k; wstarts[n] = words. */
  wstarts: Uint32Array | null;
  n = 0;
  words = 0;
  file: string | null = null;
  constructor(readonly first: number, cap: number, spare?: Spare) {
    if (spare !== undefined) {
      // a dropped segment's arrays: only the first start of each is read before it is written
      this.buf = spare.buf; this.starts = spare.starts; this.wstarts = spare.wstarts;
      this.starts[0] = 0; this.wstarts[0] = 0;
      return;
    }
    this.buf = new Uint8Array(cap);
    this.starts = new Uint32Array(Math.max(16, cap >> 6));
    this.wstarts = new Uint32Array(this.starts.length);
  }
  bytes(): number { return this.buf === null ? 0 : this.buf.byteLength + this.starts!.byteLength + this.wstarts!.byteLength; }
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
    if (s.n + 2 > s.starts!.length) this.growStarts(s);
    let o = s.starts![s.n]!;
    if (o + 5 * len > s.buf!.length) {
      const need = o + encodedBytes(src, pos, len);
      if (need > s.buf!.length) this.growBuf(s, need);
    }
    const b = s.buf!, end = pos + len;
    let q = pos;
    // four words at a time while the four fit a byte: their bytes OR-ed stay below ESCAPE only if
    // each is in 0..254 (a word below -2 sets the sign bit); otherwise those four one by one
    for (; q + 4 <= end; q += 4) {
      const u0 = src[q]! + 2, u1 = src[q + 1]! + 2, u2 = src[q + 2]! + 2, u3 = src[q + 3]! + 2;
      if (((u0 | u1 | u2 | u3) >>> 0) < ESCAPE) { b[o] = u0; b[o + 1] = u1; b[o + 2] = u2; b[o + 3] = u3; o += 4; }
      else o = putWords(b, o, src, q, q + 4);
    }
    o = putWords(b, o, src, q, end);
    s.words += len;
    s.n++;
    s.starts![s.n] = o;
    s.wstarts![s.n] = s.words;
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
      words += s.wstarts![k1]! - s.wstarts![k0]!;
      left -= k1 - k0; node += k1 - k0;
    }
    const enc = new Int32Array(words);
    const offsets = new Uint32Array(n + 1);
    let w = 0, j = 0;
    for (let left = n, node = first; left > 0;) {
      const s = this.resident(this.head);
      const k0 = node - s.first, k1 = Math.min(s.n, k0 + left);
      const ws = s.wstarts!, ws0 = ws[k0]!;
      for (let k = k0; k < k1; k++) offsets[j++] = w + ws[k]! - ws0;
      w = decodeKeys(s.buf!, s.starts![k0]!, s.starts![k1]!, enc, w, ws[k1]! - ws0);
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
    // the first segment grows from 16 KiB (small runs stay small); later ones are made full-size
    // at once (a byte per word and an eighth more for escaped words) rather than grown by copying,
    // or given the arrays of the last full-size segment dropped (counted as held meanwhile), so
    // that a long search does not write every segment into fresh memory
    const spare = this.spare;
    this.spare = undefined;
    const s = new Segment(first, this.segs.length === 0 ? Math.min(this.segWords, 1 << 14) : this.fullBytes(), spare);
    this.segs.push(s);
    if (spare === undefined) this.account(s.bytes());
  }

  /** Bytes of a segment after the first. */
  private fullBytes(): number {
    return this.segWords + (this.segWords >> 3);
  }

  /** Arrays of a dropped full-size segment, for the next one (open). */
  private spare: Spare | undefined;

  private account(delta: number): void {
    this.memNow += delta;
    if (this.memNow > this.peak) this.peak = this.memNow;
  }

  private growBuf(s: Segment, need: number): void {
    let cap = s.buf!.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(s.buf!.subarray(0, s.starts![s.n]!));
    this.account(cap - s.buf!.length);
    s.buf = b;
  }

  private growStarts(s: Segment): void {
    const a = new Uint32Array(s.starts!.length * 2), ws = new Uint32Array(a.length);
    a.set(s.starts!);
    ws.set(s.wstarts!);
    this.account(2 * s.starts!.byteLength);
    s.starts = a;
    s.wstarts = ws;
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
      writeAll(fd, new Uint8Array(s.starts!.buffer, 0, (s.n + 1) * 4));
      writeAll(fd, new Uint8Array(s.wstarts!.buffer, 0, (s.n + 1) * 4));
      writeAll(fd, s.buf!.subarray(0, s.starts![s.n]!));
    } finally {
      closeSync(fd);
    }
    this.spilled += 2 * (s.n + 1) * 4 + s.starts![s.n]!;
    this.spilledSegs++;
    this.account(-s.bytes());
    s.buf = null; s.starts = null; s.wstarts = null; s.file = file;
  }

  /** Segment i, read back from disk if it was spilled. */
  private resident(i: number): Segment {
    const s = this.segs[i]!;
    if (s.buf !== null) return s;
    const fd = openSync(s.file!, 'r');
    try {
      const starts = new Uint32Array(s.n + 1), wstarts = new Uint32Array(s.n + 1);
      readAll(fd, new Uint8Array(starts.buffer), 0);
      readAll(fd, new Uint8Array(wstarts.buffer), starts.byteLength);
      const buf = new Uint8Array(Math.max(1, starts[s.n]!));
      readAll(fd, buf.subarray(0, starts[s.n]!), 2 * starts.byteLength);
      s.starts = starts; s.wstarts = wstarts; s.buf = buf;
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
    if (this.spare === undefined && s.buf !== null && s.buf.length === this.fullBytes()) this.spare = { buf: s.buf, starts: s.starts!, wstarts: s.wstarts! };
    else this.account(-s.bytes());
    s.buf = null; s.starts = null; s.wstarts = null;
    // keep segs short: forget every segment before the head now and then
    if (i > 1024) { this.segs.splice(0, i + 1); this.head -= i + 1; }
  }
}

/** Writes src[from, to) into b from byte o on, a byte each or ESCAPE and four; returns the byte after them. */
function putWords(b: Uint8Array, o: number, src: Int32Array, from: number, to: number): number {
  for (let q = from; q < to; q++) {
    const v = src[q]!;
    if (wordFitsAByte(v)) b[o++] = v + 2;
    else { b[o] = ESCAPE; b[o + 1] = v; b[o + 2] = v >> 8; b[o + 3] = v >> 16; b[o + 4] = v >> 24; o += 5; }
  }
  return o;
}

/** Bytes of src[pos, pos + len) as a segment holds them (ESCAPE). */
function encodedBytes(src: Int32Array, pos: number, len: number): number {
  let n = len;
  for (let q = 0; q < len; q++) if (!wordFitsAByte(src[pos + q]!)) n += 4;
  return n;
}

/** Decode the key bytes buf[from, to), `words` words, into enc from enc[w] on (ESCAPE); returns the word after them. */
function decodeKeys(buf: Uint8Array, from: number, to: number, enc: Int32Array, w: number, words: number): number {
  // no word escaped (as many bytes as words): a byte each, without looking for ESCAPE
  if (to - from === words) {
    for (let o = from; o < to; o++) enc[w++] = buf[o]! - 2;
    return w;
  }
  for (let o = from; o < to;) {
    const u = buf[o++]!;
    if (u !== ESCAPE) enc[w++] = u - 2;
    else { enc[w++] = buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24); o += 4; }
  }
  return w;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
}

function readAll(fd: number, into: Uint8Array, position: number): void {
  for (let off = 0; off < into.length;) {
    const r = readSync(fd, into, off, into.length - off, position + off);
    if (r === 0) throw new Error('frontier spill file shorter than written');
    off += r;
  }
}
