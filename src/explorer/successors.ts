// The successor lists kept for faults-resolvable (liveness.ts), only for the nodes with pending
// faults (a fault-free node is good from the start, so its successors are never read), as
// records [node, count, target x count] in node order, packed into blocks of words. Blocks stay
// in memory up to a budget; beyond it every full block is appended to a temporary file (under
// os.tmpdir(), removed by close(), which explore() calls in a finally, or at exit).
//
// faults-resolvable is then the same least fixpoint as liveness.ts (good = no pending fault OR some
// successor good), by backward sweeps: blocks from last to first, records of a block from last to
// first, so nodes in decreasing BFS index as there; a block on disk is read back once per sweep.
// Its answer, the lowest-numbered node that cannot reach a fault-free node, does not depend on
// where the blocks are (test/frontier-spill.test.ts).
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SuccessorOptions {
  /** Bytes of blocks kept in memory before full blocks go to disk (default: never). */
  readonly memBytes?: number;
  /** Words per block (default: memBytes / 32 within [2^12, 2^20]; 2^20 without a budget; a longer
   *  record gets a block of its own size). */
  readonly blockWords?: number;
}

interface Block {
  /** null once written to the file. */
  words: Uint32Array | null;
  used: number;
  /** Byte offset in the file, when spilled. */
  at: number;
}

const liveDirs = new Set<string>();
let exitHook = false;

export class SuccessorLists {
  private readonly blocks: Block[] = [];
  private cur: Block;
  private readonly memBytes: number;
  private readonly blockWords: number;
  private memNow = 0;
  private peak = 0;
  private dir: string | null = null;
  private fd = -1;
  private fileBytes = 0;
  /** Position of the current record's count word in cur.words, and the targets added to it. */
  private countAt = -1;
  private added = 0;
  /** Transitions stored. */
  stored = 0;
  /** Sweeps of the last faultsResolvable() (for the report). */
  sweeps = 0;

  constructor(opts: SuccessorOptions = {}) {
    this.memBytes = opts.memBytes ?? Infinity;
    this.blockWords = opts.blockWords ?? (Number.isFinite(this.memBytes) ? Math.min(1 << 20, Math.max(1 << 12, Math.floor(this.memBytes / 32))) : 1 << 20);
    this.cur = this.newBlock(Math.min(this.blockWords, 1 << 12));
  }

  /** Largest bytes in memory at once; bytes written to disk. */
  peakBytes(): number { return this.peak; }
  spilledBytes(): number { return this.fileBytes; }

  /** Start the list of `node`, which has at most `max` successors. */
  begin(node: number, max: number): void {
    let b = this.cur;
    const need = max + 2;
    if (b.used + need > b.words!.length) {
      if (b.used > 0 && b.words!.length >= this.blockWords) b = this.cur = this.nextBlock(need);
      else this.growCur(b.used + need);
      b = this.cur;
    }
    const w = b.words!;
    w[b.used] = node;
    this.countAt = b.used + 1;
    w[this.countAt] = 0;
    b.used += 2;
    this.added = 0;
  }

  add(target: number): void {
    const b = this.cur;
    b.words![b.used++] = target;
    this.added++;
    this.stored++;
  }

  end(): void {
    this.cur.words![this.countAt] = this.added;
  }

  /**
   * The lowest-numbered of nodes 0..n-1 that cannot reach a node without pending faults, or -1.
   * hasFault[i] for every node; the lists of every node with a fault must have been stored.
   */
  faultsResolvable(n: number, hasFault: Uint8Array): number {
    const good = new Uint8Array(n);
    for (let i = 0; i < n; i++) good[i] = hasFault[i] ? 0 : 1;
    let buf = new Uint32Array(0);
    let recs = new Uint32Array(1 << 12);
    this.sweeps = 0;
    for (let changed = true; changed;) {
      changed = false;
      this.sweeps++;
      for (let bi = this.blocks.length - 1; bi >= 0; bi--) {
        const b = this.blocks[bi]!;
        let w = b.words;
        if (w === null) {
          if (buf.length < b.used) buf = new Uint32Array(b.used);
          readAll(this.fd, new Uint8Array(buf.buffer, 0, b.used * 4), b.at);
          w = buf;
        }
        // record starts, forward; then the records backwards
        let nr = 0;
        for (let o = 0; o < b.used; o += 2 + w[o + 1]!) {
          if (nr === recs.length) { const g = new Uint32Array(recs.length * 2); g.set(recs); recs = g; }
          recs[nr++] = o;
        }
        for (let r = nr - 1; r >= 0; r--) {
          const o = recs[r]!, node = w[o]!;
          if (good[node]) continue;
          const end = o + 2 + w[o + 1]!;
          for (let e = o + 2; e < end; e++) {
            if (good[w[e]!]) { good[node] = 1; changed = true; break; }
          }
        }
      }
    }
    for (let i = 0; i < n; i++) if (!good[i]) return i;
    return -1;
  }

  /** Remove the temporary file, if any. Idempotent. */
  close(): void {
    if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; }
    if (this.dir === null) return;
    rmSync(this.dir, { recursive: true, force: true });
    liveDirs.delete(this.dir);
    this.dir = null;
  }

  private newBlock(words: number): Block {
    const b: Block = { words: new Uint32Array(words), used: 0, at: -1 };
    this.blocks.push(b);
    this.account(words * 4);
    return b;
  }

  private account(delta: number): void {
    this.memNow += delta;
    if (this.memNow > this.peak) this.peak = this.memNow;
  }

  /** Grow the current block (it is the last and still below blockWords) to hold `need` words. */
  private growCur(need: number): void {
    const b = this.cur;
    let cap = b.words!.length * 2;
    while (cap < need) cap *= 2;
    cap = Math.max(need, Math.min(cap, this.blockWords));
    const w = new Uint32Array(cap);
    w.set(b.words!.subarray(0, b.used));
    this.account((cap - b.words!.length) * 4);
    b.words = w;
  }

  /** The current block is full: spill full blocks while over budget, start a new one. */
  private nextBlock(need: number): Block {
    const next = this.newBlock(Math.max(this.blockWords, need));
    if (this.memNow > this.memBytes) {
      for (let i = 0; i < this.blocks.length - 1 && this.memNow > this.memBytes; i++) {
        const b = this.blocks[i]!;
        if (b.words !== null) this.spill(b);
      }
    }
    return next;
  }

  private spill(b: Block): void {
    if (this.dir === null) {
      this.dir = mkdtempSync(join(tmpdir(), 'smmu-sva-successors-'));
      liveDirs.add(this.dir);
      if (!exitHook) { exitHook = true; process.once('exit', () => { for (const d of liveDirs) rmSync(d, { recursive: true, force: true }); }); }
      this.fd = openSync(join(this.dir, 'lists.bin'), 'w+');
    }
    const bytes = new Uint8Array(b.words!.buffer, 0, b.used * 4);
    for (let off = 0; off < bytes.length;) off += writeSync(this.fd, bytes, off, bytes.length - off, this.fileBytes + off);
    b.at = this.fileBytes;
    this.fileBytes += bytes.length;
    this.account(-b.words!.byteLength);
    b.words = null;
  }
}

function readAll(fd: number, into: Uint8Array, position: number): void {
  for (let off = 0; off < into.length;) {
    const r = readSync(fd, into, off, into.length - off, position + off);
    if (r === 0) throw new Error('successor spill file shorter than written');
    off += r;
  }
}
