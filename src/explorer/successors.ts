// The successor lists kept for faults-resolvable (liveness.ts), only for the nodes with pending
// faults (a fault-free node is good from the start, so its successors are never read), as
// records [node, count, target x count] in node order, packed into blocks of words. Blocks stay
// in memory up to a budget; beyond it every full block is appended to a temporary file (under
// os.tmpdir(), removed by close(), which explore() calls in a finally, or at exit).
//
// faults-resolvable is then the same least fixpoint as liveness.ts (good = no pending fault OR some
// successor good), by sweeps in decreasing BFS index as there: the first over these blocks from
// last to first (records of a block from last to first), each later one over a copy of the
// records of the nodes still not good (see faultsResolvable).
// Its answer, the lowest-numbered node that cannot reach a fault-free node, does not depend on
// where the blocks are (test/frontier-spill.test.ts).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { makeSpillDir, removeSpillDir } from './spillDir.ts';
import { join } from 'node:path';

export interface SuccessorOptions {
  /** Bytes of blocks kept in memory before full blocks go to disk (default: never). */
  readonly memBytes?: number;
  /** Words per block (default: memBytes / 32 within [2^12, 2^20]; 2^20 without a budget; a longer
   *  record gets a block of its own size). */
  readonly blockWords?: number;
  /** Directory under which the spill directory is made (default: os.tmpdir()). */
  readonly spillDir?: string;
}

interface Block {
  /** null once written to the file. */
  words: Uint32Array | null;
  used: number;
  /** Byte offset in the file, when spilled. */
  at: number;
}


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

  private readonly spillBase: string | undefined;

  constructor(opts: SuccessorOptions = {}) {
    this.memBytes = opts.memBytes ?? Infinity;
    this.spillBase = opts.spillDir;
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
   * `first`: the lowest-numbered of nodes 0..n-1 that cannot reach a node without pending faults,
   * or -1; `unresolvable`: how many nodes cannot. hasFault[i] for every node; the lists of every
   * node with a fault must have been stored.
   * The first sweep reads these lists backwards and copies the records of the nodes still not
   * good, in the order met (decreasing node index), to a new SuccessorLists (same budget, so on
   * disk beyond it); each later sweep reads the previous copy forwards, which is again decreasing
   * node order, and copies what is still not good. Same sweeps, same answer as liveness.ts; later
   * sweeps read only what is left.
   */
  faultsResolvable(n: number, hasFault: Uint8Array): { first: number; unresolvable: number } {
    const good = this.goodNodes(n, hasFault);
    return { first: good.indexOf(0), unresolvable: countNotGood(good) };
  }

  /**
   * The fixpoint faultsResolvable() computes: good[i] = 1 iff node i can reach a node without
   * pending faults. For a caller that picks the bad node itself (familySearch.ts: the one of least
   * depth in its variant's own search).
   */
  goodNodes(n: number, hasFault: Uint8Array): Uint8Array {
    const good = new Uint8Array(n);
    for (let i = 0; i < n; i++) good[i] = hasFault[i] ? 0 : 1;
    this.sweeps = 0;
    let from: SuccessorLists = this;
    try {
      for (let changed = true; changed;) {
        this.sweeps++;
        const rest = new SuccessorLists({ memBytes: this.memBytes, blockWords: this.blockWords, spillDir: this.spillBase });
        try {
          changed = from.sweep(good, from === this, rest);
        } catch (err) {
          rest.close();
          throw err;
        }
        if (from !== this) from.close();
        from = rest;
      }
    } finally {
      if (from !== this) from.close();
    }
    return good;
  }

  private readBuf = new Uint32Array(0);
  private recs = new Uint32Array(1 << 12);

  /**
   * One sweep over the records, blocks and records backwards (`backwards`) or forwards; a node
   * still not good after its record is read is copied to `rest`. Returns whether a node became good.
   */
  private sweep(good: Uint8Array, backwards: boolean, rest: SuccessorLists): boolean {
    let changed = false;
    const nb = this.blocks.length;
    for (let k = 0; k < nb; k++) {
      const b = this.blocks[backwards ? nb - 1 - k : k]!;
      let w = b.words;
      if (w === null) {
        if (this.readBuf.length < b.used) this.readBuf = new Uint32Array(b.used);
        readAll(this.fd, new Uint8Array(this.readBuf.buffer, 0, b.used * 4), b.at);
        w = this.readBuf;
      }
      let nr = 0;
      for (let o = 0; o < b.used; o += 2 + w[o + 1]!) {
        if (nr === this.recs.length) { const g = new Uint32Array(nr * 2); g.set(this.recs); this.recs = g; }
        this.recs[nr++] = o;
      }
      const recs = this.recs;
      for (let j = 0; j < nr; j++) {
        const o = recs[backwards ? nr - 1 - j : j]!, node = w[o]!;
        if (good[node]) continue;
        const cnt = w[o + 1]!, end = o + 2 + cnt;
        let e = o + 2;
        for (; e < end; e++) if (good[w[e]!]) break;
        if (e < end) { good[node] = 1; changed = true; continue; }
        rest.begin(node, cnt);
        for (e = o + 2; e < end; e++) rest.add(w[e]!);
        rest.end();
      }
    }
    return changed;
  }

  /** Remove the temporary file, if any. Idempotent. */
  close(): void {
    if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; }
    if (this.dir === null) return;
    removeSpillDir(this.dir);
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
      this.dir = makeSpillDir(this.spillBase, 'smmu-sva-successors-');
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

/** How many nodes of a goodNodes() answer cannot reach a node without pending faults (EXP-LIVE-COUNT). */
export function countNotGood(good: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < good.length; i++) if (!good[i]) n++;
  return n;
}
