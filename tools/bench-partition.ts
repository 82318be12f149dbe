// npm run bench:partition -- [--config FILE] [--variant NAME] [--max-states N] [--rounds R] [--no-por] [--no-symmetry]
//
// A prototype of a parallel design for the explorer (docs/performance.md, "Two searches side by
// side, and a search split by fingerprint"). One breadth-first search is split over two threads by
// the fingerprint's low bit. Each thread owns the states of its half (its own visited set and
// frontier) and expands only those. Once per level the threads swap what they found for each
// other: the fingerprints first, then the keys of only the states new to their owner. No thread
// merges for the other, unlike the explorer's pool (src/explorer/pool.ts), whose threads each
// expand a state 45-58% more slowly than one thread alone over long runs.
//
// It counts states only: no parent links, no successor lists, no verdicts. It runs the packed
// expander of src/explorer (symmetry and partial-order reduction as `explore` has them) over whole
// levels, stopping after the first level at which N states (default 3,000,000) are known, with one
// thread (which then owns every state) and with two, alternated for R rounds (default 1). Both
// must find the same states level by level (exit 1 otherwise: a bug). Prints seconds, states/s,
// each thread's time, and the ratio. Exit 0; 1: the two disagree; 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { sequenceS } from 'fp-ts/lib/Apply.js';
import { isMainThread, MessageChannel, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configFromFlag, variantFromFlag } from '../src/cli/configArg.ts';
import { seedWideConfig, type Config } from '../src/model/config.ts';
import type { VariantName } from '../src/model/variant.ts';
import { makeExpander } from '../src/explorer/packed/expand.ts';
import { EDGE_WORDS, type ChunkResult } from '../src/explorer/expand.ts';
import { IntBuf } from '../src/explorer/encode.ts';
import { hash64 } from '../src/explorer/visited.ts';
import { CompactVisitedSet, TOUCH_BATCH } from '../src/explorer/packed/visited.ts';
import { initialState } from '../src/machine/initial.ts';

const command: CommandSpec = {
  name: 'bench:partition',
  invocation: 'npm run bench:partition --',
  about: [
    'A breadth-first count of states split by fingerprint over one thread and over two, each thread',
    'owning its part (visited set, frontier, expansion), the other part\'s successors sent to it once',
    'per level (fingerprints, then the keys of the new ones); seconds, states/s and the ratio.',
    'Exit 0; 1: the two disagree; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: spec/configs/seed-wide.json)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    'max-states': { type: 'string', value: 'N', help: 'stop after the first whole level with at least N states known (default 3000000)' },
    rounds: { type: 'string', value: 'R', help: 'rounds of one part then two (default 1)' },
    'no-por': { type: 'boolean', help: 'without partial-order reduction' },
    'no-symmetry': { type: 'boolean', help: 'without symmetry reduction' },
  },
};

const CHUNK = 1024;

interface PartJob {
  readonly config: Config;
  readonly variant: VariantName;
  readonly symmetry: boolean;
  readonly por: boolean;
  readonly part: number;
  readonly parts: number;
}

/** What a part reports after a level. */
interface LevelReport {
  readonly added: number;
  readonly transitions: number;
  readonly expandMs: number;
  /** Merging its own chunks' results: its own successors looked up, the others written to the outbox. */
  readonly mergeMs: number;
  /** The exchange, waits apart: the other part's fingerprints looked up, the keys it wants gathered, the keys received appended. */
  readonly exchangeMs: number;
  readonly waitMs: number;
}

/** The initial state's key and fingerprint, sent to the part that owns it. */
interface InitialState { readonly key: Int32Array; readonly hi: number; readonly lo: number }

type ToPart =
  | { readonly kind: 'start'; readonly peer: MessagePort | null; readonly init: InitialState | null }
  | { readonly kind: 'level' };

/** len words of a from at into b from to: a loop, not set(subarray()), which allocates a view per key. */
function copyWords(a: Int32Array, at: number, len: number, b: Int32Array, to: number): void {
  for (let k = 0; k < len; k++) b[to + k] = a[at + k]!;
}

/** The part that owns a fingerprint: its low word modulo the parts (the visited table's home slot mixes both words). */
const partOf = (lo: number, parts: number) => (lo >>> 0) % parts;

/** Successors for the other part, as written: [hi, lo] per successor, the keys, and where each key starts. */
interface OutBuf { readonly fp: IntBuf; readonly keys: IntBuf; readonly at: IntBuf }

/**
 * Between the two parts, once per level, in this order on their port: the fingerprints of the
 * successors the other part owns; the positions among those that were new to their owner; the
 * keys of those, which alone travel.
 */
type PeerMessage =
  | { readonly kind: 'fp'; readonly fp: Uint32Array }
  | { readonly kind: 'want'; readonly idx: Uint32Array }
  | { readonly kind: 'keys'; readonly keys: Int32Array; readonly offs: Uint32Array };

/** One thread's part of the search. */
class Part {
  private readonly expander;
  private readonly visited = new CompactVisitedSet(1 << 20);
  private cur = { enc: new IntBuf(1 << 16), offs: new IntBuf(1 << 12) };
  private next = { enc: new IntBuf(1 << 16), offs: new IntBuf(1 << 12) };
  private readonly inbox: PeerMessage[] = [];
  private waiting: (() => void) | undefined;
  private peer: MessagePort | null = null;
  /** The outbox, reused from level to level (fresh buffers each level cost their pages' first touch). */
  private readonly out: OutBuf = { fp: new IntBuf(1 << 16), keys: new IntBuf(1 << 16), at: new IntBuf(1 << 15) };

  constructor(private readonly job: PartJob) {
    // keys, not Store images (EXP-FP-IMAGE): the parts send each other successor keys
    this.expander = makeExpander({ config: job.config, variant: job.variant, symmetry: job.symmetry, por: job.por, engine: 'packed', storeImage: false });
    this.cur.offs.push(0);
    this.next.offs.push(0);
  }

  start(peer: MessagePort | null, init: InitialState | null): void {
    this.peer = peer;
    peer?.on('message', (m: PeerMessage) => { this.inbox.push(m); const w = this.waiting; this.waiting = undefined; w?.(); });
    if (init !== null) {
      this.visited.insert(init.hi, init.lo);
      this.append(init.key, 0, init.key.length);
      this.swap();
    }
  }

  /** The key a[at, at + len) into the next level. */
  private append(a: Int32Array, at: number, len: number): void {
    const n = this.next;
    n.enc.ensure(len);
    copyWords(a, at, len, n.enc.a, n.enc.n);
    n.enc.n += len;
    n.offs.push(n.enc.n);
  }

  private swap(): void {
    const c = this.cur;
    this.cur = this.next;
    c.enc.reset(); c.offs.reset(); c.offs.push(0);
    this.next = c;
  }

  /** Own successors of the chunk being merged: [hi, lo, key start, key length] each (mergeResult). */
  private own = new Uint32Array(4 << 14);

  /**
   * Merge one result: the successors the other part owns into the outbox, then the own ones into
   * the visited set, reading ahead only for those (a read ahead for the other part's would miss in
   * this part's table for nothing).
   */
  private mergeResult(r: ChunkResult, out: OutBuf | null): number {
    const parts = this.job.parts, me = this.job.part, edges = r.edges, ne = edges.length / EDGE_WORDS;
    if (this.own.length < 4 * ne) this.own = new Uint32Array(8 * ne);
    const own = this.own;
    let nOwn = 0;
    for (let e = 0, at = 0; e < ne; e++) {
      const w = e * EDGE_WORDS, hi = edges[w]!, lo = edges[w + 1]!, len = edges[w + 4]!;
      if (parts === 1 || partOf(lo, parts) === me) {
        own[4 * nOwn] = hi; own[4 * nOwn + 1] = lo; own[4 * nOwn + 2] = at; own[4 * nOwn + 3] = len;
        nOwn++;
      } else {
        const o = out!;
        o.fp.ensure(2);
        o.fp.a[o.fp.n] = hi; o.fp.a[o.fp.n + 1] = lo;
        o.fp.n += 2;
        o.at.push(o.keys.n);
        o.keys.ensure(len);
        copyWords(r.enc, at, len, o.keys.a, o.keys.n);
        o.keys.n += len;
      }
      at += len;
    }
    let added = 0;
    for (let from = 0; from < nOwn; from += TOUCH_BATCH) {
      const to = Math.min(nOwn, from + TOUCH_BATCH);
      this.visited.touch(own, 4, from, to);
      for (let k = from; k < to; k++) {
        if (this.visited.insert(own[4 * k]!, own[4 * k + 1]!) < 0) { this.append(r.enc, own[4 * k + 2]!, own[4 * k + 3]!); added++; }
      }
    }
    return added;
  }

  /** The next message from the other part, and the milliseconds spent waiting for it. */
  private async receive(): Promise<[PeerMessage, number]> {
    const t = performance.now();
    if (this.inbox.length === 0) await new Promise<void>((resolve) => { this.waiting = resolve; });
    return [this.inbox.shift()!, performance.now() - t];
  }

  /**
   * The level's exchange with the other part (PeerMessage): send the fingerprints of its
   * successors, answer its fingerprints with those new here, send the keys it wants, append the
   * keys received. Returns the states added and the milliseconds spent working and waiting.
   */
  private async exchange(out: OutBuf): Promise<{ added: number; exchangeMs: number; waitMs: number }> {
    const peer = this.peer!;
    out.at.push(out.keys.n);
    const fp = new Uint32Array(out.fp.a.buffer.slice(0, 4 * out.fp.n));
    peer.postMessage({ kind: 'fp', fp } satisfies PeerMessage, [fp.buffer as ArrayBuffer]);
    let exchangeMs = 0, waitMs = 0, added = 0;
    for (const step of ['fp', 'want', 'keys'] as const) {
      const [m, w] = await this.receive();
      waitMs += w;
      const t = performance.now();
      if (m.kind !== step) throw new Error(`bench:partition: expected the other part's ${step}, got ${m.kind}`);
      if (m.kind === 'fp') peer.postMessage(...this.answerFingerprints(m.fp));
      else if (m.kind === 'want') peer.postMessage(...this.gatherKeys(out, m.idx));
      else added = this.appendKeys(m.keys, m.offs);
      exchangeMs += performance.now() - t;
    }
    return { added, exchangeMs, waitMs };
  }

  /** The other part's fingerprints looked up (and recorded) here: the positions of those new here, whose keys it is to send. */
  private answerFingerprints(theirs: Uint32Array): [PeerMessage, ArrayBuffer[]] {
    const want = new IntBuf(1 << 12), count = theirs.length / 2;
    for (let from = 0; from < count; from += TOUCH_BATCH) {
      const to = Math.min(count, from + TOUCH_BATCH);
      this.visited.touch(theirs, 2, from, to);
      for (let e = from; e < to; e++) if (this.visited.insert(theirs[2 * e]!, theirs[2 * e + 1]!) < 0) want.push(e);
    }
    const idx = new Uint32Array(want.a.buffer, 0, want.n);
    return [{ kind: 'want', idx }, [idx.buffer as ArrayBuffer]];
  }

  /** The keys of the outbox entries the other part wants, in its order. */
  private gatherKeys(out: OutBuf, idx: Uint32Array): [PeerMessage, ArrayBuffer[]] {
    const keys = new IntBuf(1 << 16), offs = new Uint32Array(idx.length + 1);
    for (let k = 0; k < idx.length; k++) {
      const e = idx[k]!, from = out.at.a[e]!, len = out.at.a[e + 1]! - from;
      keys.ensure(len);
      copyWords(out.keys.a, from, len, keys.a, keys.n);
      keys.n += len;
      offs[k + 1] = keys.n;
    }
    const ka = new Int32Array(keys.a.buffer, 0, keys.n);
    return [{ kind: 'keys', keys: ka, offs }, [ka.buffer as ArrayBuffer, offs.buffer as ArrayBuffer]];
  }

  /** The keys of the states new here that the other part found, into the next level. */
  private appendKeys(keys: Int32Array, offs: Uint32Array): number {
    for (let k = 0; k + 1 < offs.length; k++) this.append(keys, offs[k]!, offs[k + 1]! - offs[k]!);
    return offs.length - 1;
  }

  async level(): Promise<LevelReport> {
    const cur = this.cur, n = cur.offs.n - 1;
    const out = this.peer === null ? null : this.out;
    if (out !== null) { out.fp.reset(); out.keys.reset(); out.at.reset(); }
    let added = 0, transitions = 0, expandMs = 0, mergeMs = 0, exchangeMs = 0, waitMs = 0;
    for (let i = 0; i < n; i += CHUNK) {
      const j = Math.min(n, i + CHUNK), base = cur.offs.a[i]!;
      const offsets = new Uint32Array(j - i + 1);
      for (let k = i; k <= j; k++) offsets[k - i] = cur.offs.a[k]! - base;
      const t0 = performance.now();
      const r = this.expander.expand({ enc: cur.enc.a.subarray(base, cur.offs.a[j]!), offsets }, false);
      const t1 = performance.now();
      transitions += r.edges.length / EDGE_WORDS;
      added += this.mergeResult(r, out);
      expandMs += t1 - t0;
      mergeMs += performance.now() - t1;
    }
    if (out !== null) {
      const x = await this.exchange(out);
      added += x.added; exchangeMs = x.exchangeMs; waitMs = x.waitMs;
    }
    this.swap();
    return { added, transitions, expandMs, mergeMs, exchangeMs, waitMs };
  }
}

interface Run {
  readonly seconds: number;
  readonly levels: readonly number[];
  readonly transitions: number;
  readonly expandMs: readonly number[];
  readonly mergeMs: readonly number[];
  readonly exchangeMs: readonly number[];
  readonly waitMs: readonly number[];
}

function startPart(job: PartJob): Worker {
  // tools run from the sources: worker-boot.mjs registers tsx in the thread, then loads this file
  return new Worker(new URL('../src/explorer/worker-boot.mjs', import.meta.url), { argv: ['../../tools/bench-partition.ts'], workerData: job });
}

/** One search split over `parts` threads, to the first whole level with maxStates states known. */
async function search(config: Config, variant: VariantName, symmetry: boolean, por: boolean, parts: number, maxStates: number): Promise<Run> {
  const init = new IntBuf(256), h = new Uint32Array(2);
  makeExpander({ config, variant, symmetry, por, engine: 'packed' }).canon.key(initialState(config), init);
  hash64(init.a, 0, init.n, h);
  const owner = partOf(h[1]!, parts);
  const workers = Array.from({ length: parts }, (_, part) => startPart({ config, variant, symmetry, por, part, parts }));
  const ch = parts === 2 ? new MessageChannel() : undefined;
  const ports = [ch?.port1 ?? null, ch?.port2 ?? null];
  // one listener each for the whole search: the next answer of worker p resolves waiting[p]
  const waiting: ({ resolve: (r: LevelReport | 'ready') => void; reject: (e: unknown) => void } | undefined)[] = workers.map(() => undefined);
  workers.forEach((w, p) => {
    w.on('message', (m: LevelReport | 'ready') => { const x = waiting[p]; waiting[p] = undefined; x?.resolve(m); });
    w.on('error', (e) => { const x = waiting[p]; waiting[p] = undefined; x?.reject(e); });
  });
  const reply = (w: Worker) => new Promise<LevelReport | 'ready'>((resolve, reject) => { waiting[workers.indexOf(w)] = { resolve, reject }; });
  try {
    const ready = workers.map(reply);
    workers.forEach((w, p) => {
      const peer = ports[p]!;
      const mine = p === owner ? { key: init.a.slice(0, init.n), hi: h[0]!, lo: h[1]! } : null;
      w.postMessage({ kind: 'start', peer, init: mine } satisfies ToPart, peer === null ? [] : [peer]);
    });
    await Promise.all(ready);
    const levels = [1];
    let known = 1, transitions = 0;
    const expandMs = workers.map(() => 0), mergeMs = workers.map(() => 0), exchangeMs = workers.map(() => 0), waitMs = workers.map(() => 0);
    const t0 = performance.now();
    while (known < maxStates) {
      const reports = await Promise.all(workers.map((w) => { const r = reply(w); w.postMessage({ kind: 'level' } satisfies ToPart); return r; })) as LevelReport[];
      const added = reports.reduce((s, r) => s + r.added, 0);
      transitions += reports.reduce((s, r) => s + r.transitions, 0);
      reports.forEach((r, p) => { expandMs[p]! += r.expandMs; mergeMs[p]! += r.mergeMs; exchangeMs[p]! += r.exchangeMs; waitMs[p]! += r.waitMs; });
      if (added === 0) break;
      levels.push(added);
      known += added;
    }
    return { seconds: (performance.now() - t0) / 1000, levels, transitions, expandMs, mergeMs, exchangeMs, waitMs };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = v.config === undefined ? E.right(seedWideConfig) : configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `npm run bench:partition: ${l}`));
  const variant = variantFromFlag(v.variant, 'v6');
  if (E.isLeft(variant)) return usageError(`npm run bench:partition: --variant: ${variant.left}`);
  const ints = sequenceS(E.Apply)({ maxStates: intFlag(command, 'max-states', v['max-states'], 3_000_000), rounds: intFlag(command, 'rounds', v.rounds, 1) });
  if (E.isLeft(ints)) return usageError(ints.left);
  const { maxStates, rounds } = ints.right;
  if (Math.min(maxStates, rounds) < 1) return usageError('npm run bench:partition: --max-states and --rounds expect at least 1');
  const symmetry = v['no-symmetry'] !== true, por = v['no-por'] !== true;
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${config.right.name}, ${variant.right}, symmetry ${symmetry ? 'on' : 'off'}, partial-order reduction ${por ? 'on' : 'off'}, whole levels until ${maxStates} states`);
  say('| round | threads | levels | states | transitions | s | states/s | expansion s per thread | merge s per thread | exchange s per thread | wait s per thread |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const s = (ms: readonly number[]) => ms.map((x) => (x / 1000).toFixed(1)).join(', ');
  let reference: readonly number[] | undefined;
  let differ = false;
  for (let round = 1; round <= rounds; round++) {
    const seconds: number[] = [];
    for (const parts of [1, 2]) {
      const r = await search(config.right, variant.right, symmetry, por, parts, maxStates);
      const states = r.levels.reduce((a, b) => a + b, 0);
      seconds.push(r.seconds);
      say(`| ${round} | ${parts} | ${r.levels.length - 1} | ${states} | ${r.transitions} | ${r.seconds.toFixed(2)} | ${Math.round(states / r.seconds)} | ${s(r.expandMs)} | ${s(r.mergeMs)} | ${s(r.exchangeMs)} | ${s(r.waitMs)} |`);
      reference ??= r.levels;
      if (r.levels.join() !== reference.join()) { differ = true; say(`  levels ${r.levels.join(' ')} against ${reference.join(' ')}: the parts disagree`); }
    }
    say(`  round ${round}: two threads ${(seconds[0]! / seconds[1]!).toFixed(2)}x one`);
  }
  return differ ? 1 : 0;
}

if (isMainThread) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`npm run bench:partition: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
} else {
  const part = new Part(workerData as PartJob);
  parentPort!.on('message', (m: ToPart) => {
    if (m.kind === 'start') { part.start(m.peer, m.init); parentPort!.postMessage('ready'); return; }
    void part.level().then((r) => parentPort!.postMessage(r));
  });
}
