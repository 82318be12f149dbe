// npm run bench:contention -- [--config FILE] [--variant NAME] [--sample N] [--chunks C] [--passes P] [--rounds R] [--traffic-mib M]
//
// Is the packed expander slower when it shares the process with other work? (docs/performance.md,
// "Where the two-thread loss is not".) With two threads explore() expands a state more slowly
// than with one; this bench takes the explorer away and keeps only the expansion. It finds the
// first N states of the configuration breadth-first, keeps the last C chunks of 1024 of them, and
// times the packed expander over those same chunks, P passes after a pass to warm up, in
// microseconds per state:
//   - alone in this thread; alone in a worker thread;
//   - two workers at once; this thread beside a worker, both expanding;
//   - a worker fed as the pool feeds one (src/explorer/pool.ts): each chunk a fresh copy moved to
//     it, each result moved back and read here, four chunks queued;
//   - the same, with this thread reading and writing a table (1 GiB unless --traffic-mib) at random
//     between messages (the merge's kind of memory traffic).
// Each measurement counts the edges it produced; they must be the same in every thread and mode
// (exit 1 otherwise: a bug). Exit 0; 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { sequenceS } from 'fp-ts/lib/Apply.js';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configFromFlag, variantFromFlag } from '../src/cli/configArg.ts';
import { seedWideConfig, type Config } from '../src/model/config.ts';
import type { VariantName } from '../src/model/variant.ts';
import { makeExpander, type PackedExpander } from '../src/explorer/packed/expand.ts';
import { EDGE_WORDS, type Chunk } from '../src/explorer/expand.ts';
import { IntBuf } from '../src/explorer/encode.ts';
import { KeyQueue } from '../src/explorer/queue.ts';
import { hash64, VisitedSet } from '../src/explorer/visited.ts';
import { initialState } from '../src/machine/initial.ts';

const command: CommandSpec = {
  name: 'bench:contention',
  invocation: 'npm run bench:contention --',
  about: [
    'The packed expander over the same chunks alone, in a worker, two at once, fed as the pool feeds',
    'a worker, and beside random memory traffic, in microseconds per state. Exit 0; 1: the threads',
    'disagree on the edges; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: spec/configs/seed-wide.json)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    sample: { type: 'string', value: 'N', help: 'states found breadth-first before the sample is cut (default 400000)' },
    chunks: { type: 'string', value: 'C', help: 'chunks of 1024 states in the sample, the last found (default 100)' },
    passes: { type: 'string', value: 'P', help: 'timed passes over the sample per measurement (default 3)' },
    rounds: { type: 'string', value: 'R', help: 'rounds of all the measurements, alternated (default 2)' },
    'traffic-mib': { type: 'string', value: 'M', help: 'MiB of the table read and written at random in the last measurement (default 1024)' },
  },
};

const CHUNK = 1024;
/** Chunks a fed worker holds at once (the pool's WORKER_QUEUE). */
const QUEUED = 4;

interface Job {
  readonly config: Config;
  readonly variant: VariantName;
  readonly chunks: readonly Chunk[];
  readonly passes: number;
  /** 'expand': time the sample here; 'serve': expand chunks as they come, as a pool's worker. */
  readonly kind: 'expand' | 'serve';
}

/** Microseconds per state over the timed passes, and the edges they produced. */
interface Measured { readonly us: number; readonly edges: number }

function expanderFor(config: Config, variant: VariantName): PackedExpander {
  return makeExpander({ config, variant, symmetry: true, por: true, engine: 'packed' }) as PackedExpander;
}

/**
 * The last `chunks` chunks of the first `sample` states found breadth-first: the explorer's own
 * queue and visited set (src/explorer/queue.ts, visited.ts), as bench:expand uses them.
 */
function sampleChunks(config: Config, variant: VariantName, sample: number, chunks: number): Chunk[] {
  const ex = expanderFor(config, variant);
  const queue = new KeyQueue(), visited = new VisitedSet();
  const init = new IntBuf(256), h = new Uint32Array(2);
  ex.canon.key(initialState(config), init);
  hash64(init.a, 0, init.n, h);
  visited.insert(h[0]!, h[1]!);
  queue.push(init.a, 0, init.n);
  const last: Chunk[] = [];
  try {
    for (let t = queue.take(CHUNK); t !== undefined; t = queue.take(CHUNK)) {
      last.push({ enc: t.chunk.enc.slice(), offsets: t.chunk.offsets.slice() });
      if (last.length > chunks) last.shift();
      if (visited.size >= sample) continue; // the rest of the queue is only taken
      const r = ex.expand(t.chunk, false);
      for (let e = 0, at = 0; e < r.edges.length; e += EDGE_WORDS) {
        const len = r.edges[e + 4]!;
        if (visited.size < sample && visited.insert(r.edges[e]!, r.edges[e + 1]!) < 0) queue.push(r.enc, at, len);
        at += len;
      }
    }
  } finally {
    queue.close();
  }
  return last;
}

const statesIn = (c: Chunk) => c.offsets.length - 1;

/** A warm-up pass, then `passes` timed passes over the chunks. */
function timeExpansion(job: Job): Measured {
  const ex = expanderFor(job.config, job.variant);
  for (const c of job.chunks) ex.expand(c, true);
  let states = 0, edges = 0;
  const t0 = performance.now();
  for (let p = 0; p < job.passes; p++) for (const c of job.chunks) { edges += ex.expand(c, true).edges.length / EDGE_WORDS; states += statesIn(c); }
  return { us: (performance.now() - t0) * 1000 / states, edges };
}

/** A pool's worker: expands each chunk sent, moves the result back; on 'end', what it measured after the warm-up pass. */
function serve(job: Job): void {
  const ex = expanderFor(job.config, job.variant);
  let seen = 0, ms = 0, states = 0, edges = 0;
  parentPort!.on('message', (m: Chunk | 'end') => {
    if (m === 'end') { parentPort!.postMessage({ us: ms * 1000 / states, edges } satisfies Measured); return; }
    const t0 = performance.now();
    const r = ex.expand(m, true);
    if (seen++ >= job.chunks.length) { ms += performance.now() - t0; states += statesIn(m); edges += r.edges.length / EDGE_WORDS; }
    parentPort!.postMessage(r, [r.src.buffer as ArrayBuffer, r.edges.buffer as ArrayBuffer, r.enc.buffer as ArrayBuffer]);
  });
}

function startWorker(job: Job): Worker {
  // tools run from the sources: worker-boot.mjs registers tsx in the thread, then loads this file
  return new Worker(new URL('../src/explorer/worker-boot.mjs', import.meta.url), { argv: ['../../tools/bench-contention.ts'], workerData: job });
}

const answer = (w: Worker) => new Promise<Measured>((resolve, reject) => {
  w.once('message', resolve);
  w.once('error', reject);
});

/** A table of `mib` MiB read and written at random in slices of about 5 ms, between this thread's messages, until stopped. */
function memoryTraffic(mib: number): () => void {
  const a = new Uint32Array(mib << 18);
  for (let i = 0; i < a.length; i += 1024) a[i] = i;
  // indices below the largest power of two within the table, uniformly
  const mask = 2 ** (31 - Math.clz32(a.length)) - 1;
  let stopped = false, x = 1, acc = 0;
  const slice = () => {
    if (stopped) return;
    const t0 = performance.now();
    while (performance.now() - t0 < 5) {
      for (let i = 0; i < 10_000; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        acc = (acc + a[x & mask]!) >>> 0;
        a[(x >>> 7) & mask] = acc;
      }
    }
    setImmediate(slice);
  };
  setImmediate(slice);
  return () => { stopped = true; };
}

/** A worker fed chunk by chunk, each a fresh copy moved to it, each result moved back and read. */
async function fedWorker(job: Job, trafficMib: number): Promise<Measured> {
  const w = startWorker({ ...job, kind: 'serve' });
  const total = job.chunks.length * (job.passes + 1);
  // sum: the results are read here, as the merge reads them
  let sent = 0, got = 0, sum = 0;
  const send = () => {
    const c = job.chunks[sent++ % job.chunks.length]!;
    const enc = new Int32Array(c.enc), offsets = new Uint32Array(c.offsets);
    w.postMessage({ enc, offsets } satisfies Chunk, [enc.buffer, offsets.buffer]);
  };
  const stop = trafficMib > 0 ? memoryTraffic(trafficMib) : () => {};
  try {
    return await new Promise<Measured>((resolve, reject) => {
      w.on('error', reject);
      w.on('message', (m: Measured | { edges: Uint32Array; enc: Int32Array }) => {
        if ('us' in m) { resolve(m); return; }
        // every edge word and every cache line of the keys
        for (let i = 0; i < m.edges.length; i++) sum = (sum + m.edges[i]!) | 0;
        for (let i = 0; i < m.enc.length; i += 16) sum = (sum + m.enc[i]!) | 0;
        if (++got < total) { if (sent < total) send(); } else w.postMessage('end');
      });
      while (sent < Math.min(QUEUED, total)) send();
    });
  } finally {
    stop();
    await w.terminate();
  }
}

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = v.config === undefined ? E.right(seedWideConfig) : configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `npm run bench:contention: ${l}`));
  const variant = variantFromFlag(v.variant, 'v6');
  if (E.isLeft(variant)) return usageError(`npm run bench:contention: --variant: ${variant.left}`);
  const num = (name: 'sample' | 'chunks' | 'passes' | 'rounds' | 'traffic-mib', dflt: number) => intFlag(command, name, v[name], dflt);
  const ints = sequenceS(E.Apply)({ sample: num('sample', 400_000), chunks: num('chunks', 100), passes: num('passes', 3), rounds: num('rounds', 2), trafficMib: num('traffic-mib', 1024) });
  if (E.isLeft(ints)) return usageError(ints.left);
  const { sample, chunks, passes, rounds, trafficMib } = ints.right;
  if (Math.min(sample, chunks, passes, rounds, trafficMib) < 1) return usageError('npm run bench:contention: --sample, --chunks, --passes, --rounds and --traffic-mib expect at least 1');
  if (trafficMib > 8192) return usageError(`npm run bench:contention: --traffic-mib expects at most 8192 (the random index is 31 bits), got ${trafficMib}`);

  const say = (s: string) => process.stdout.write(`${s}\n`);
  const sampleSet = sampleChunks(config.right, variant.right, sample, chunks);
  const states = sampleSet.reduce((n, c) => n + statesIn(c), 0);
  const job: Job = { config: config.right, variant: variant.right, chunks: sampleSet, passes, kind: 'expand' };
  say(`${config.right.name}, ${variant.right}, symmetry and partial-order reduction on: ${states} states (the last found of the first ${sample}), ${passes} timed pass(es) after one to warm up, ${rounds} round(s)`);
  say('| round | measurement | us per state |');
  say('| --- | --- | --- |');
  const f = (m: Measured) => m.us.toFixed(2);
  const modes: [string, () => Promise<Measured[]>][] = [
    ['alone in this thread', async () => [timeExpansion(job)]],
    ['alone in a worker', async () => [await answer(startWorker(job))]],
    ['two workers at once', async () => Promise.all([answer(startWorker(job)), answer(startWorker(job))])],
    ['this thread beside a worker', async () => {
      const other = answer(startWorker(job));
      // let the worker load before this thread starts (about 0.25 s under tsx)
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const here = timeExpansion(job);
      return [here, await other];
    }],
    ['a worker fed as the pool feeds one', async () => [await fedWorker(job, 0)]],
    [`the same, this thread reading and writing ${trafficMib} MiB at random`, async () => [await fedWorker(job, trafficMib)]],
  ];
  let edges: number | undefined;
  let differ = false;
  for (let round = 1; round <= rounds; round++) {
    for (const [name, measure] of modes) {
      const ms = await measure();
      say(`| ${round} | ${name} | ${ms.map(f).join(' and ')} |`);
      for (const m of ms) {
        edges ??= m.edges;
        if (m.edges !== edges) { differ = true; say(`  ${m.edges} edges against ${edges}: the threads disagree`); }
      }
    }
  }
  return differ ? 1 : 0;
}

if (isMainThread) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`npm run bench:contention: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
} else {
  const job = workerData as Job;
  if (job.kind === 'serve') serve(job);
  else parentPort!.postMessage(timeExpansion(job));
}
