// npm run bench:expand -- [--base DIR] [--config FILE] [--variant NAME] [--rounds N]
//
// Time of the explorer's expansion step (decode, check, step, canonicalise, hash: src/explorer/
// expand.ts) over every state of a configuration, in chunks of 2048. Whole explore runs on this
// machine vary by 10% or more from minute to minute; with --base, this tree's Expander and the
// one in another checkout DIR run the same chunks alternately in ONE process, so a slow minute
// slows both, and the ratio is what is left (still about +-3%: V8's inlining decisions differ
// from run to run). The chunks come from DIR's explorer, so a change to keys or hashes in this
// tree does not change the work. DIR needs its dependencies: a `git worktree add DIR REV` has no
// node_modules; `ln -s "$PWD/node_modules" DIR/` gives it these.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configAndVariant } from '../src/cli/configArg.ts';
import { initialState } from '../src/machine/initial.ts';
import type { Chunk, ChunkResult, ExpanderSpec } from '../src/explorer/expand.ts';
import { Expander } from '../src/explorer/expand.ts';
import { IntBuf } from '../src/explorer/encode.ts';
import { KeyQueue } from '../src/explorer/queue.ts';
import { hash64, VisitedSet } from '../src/explorer/visited.ts';

interface AnyExpander { expand(c: Chunk, copy?: boolean): ChunkResult; readonly canon: { key(s: ReturnType<typeof initialState>, out: IntBuf): void } }

const command: CommandSpec = {
  name: 'bench:expand',
  invocation: 'npm run bench:expand --',
  about: [
    "Time of the explorer's expansion step over every state of a configuration; with --base, this tree",
    'and another checkout alternately in one process, and the ratio of the two. Exit 0; 2: bad input.',
  ],
  flags: {
    base: { type: 'string', value: 'DIR', help: 'a checkout to compare with (git worktree add DIR REV; ln -s "$PWD/node_modules" DIR/)' },
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    rounds: { type: 'string', value: 'N', help: 'rounds, at least 3; the first two are warm-up (default 8)' },
  },
};

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const target = configAndVariant(v, 'npm run bench:expand');
  if (E.isLeft(target)) return usageError(target.left);
  const { config, variant } = target.right;
  const rounds = intFlag(command, 'rounds', v.rounds, 8);
  if (E.isLeft(rounds)) return usageError(rounds.left);
  if (rounds.right < 3) return usageError(`npm run bench:expand: --rounds expects at least 3 (two are warm-up), got ${rounds.right}`);
  const spec: ExpanderSpec = { config: config, variant: variant, symmetry: true };

  const work: AnyExpander = new Expander(spec);
  let base: AnyExpander | undefined;
  if (typeof v.base === 'string') {
    const file = join(resolve(v.base), 'src/explorer/expand.ts');
    if (!existsSync(file)) return usageError(`npm run bench:expand: --base ${v.base}: no src/explorer/expand.ts there (expected a checkout of this repository)`);
    try {
      const mod = (await import(pathToFileURL(file).href)) as { Expander: new (s: ExpanderSpec) => AnyExpander };
      base = new mod.Expander(spec);
    } catch (err) {
      return usageError(`npm run bench:expand: cannot load ${file}: ${(err as Error).message.split('\n')[0]} (a git worktree needs node_modules: ln -s "$PWD/node_modules" ${v.base}/)`);
    }
  }

  // the whole space, breadth-first, with the base's expander when there is one
  const source = base ?? work;
  const queue = new KeyQueue();
  const init = new IntBuf(256);
  source.canon.key(initialState(spec.config), init);
  queue.push(init.a, 0, init.n);
  const visited = new VisitedSet();
  const h = new Uint32Array(2);
  hash64(init.a, 0, init.n, h);
  visited.insert(h[0]!, h[1]!);
  const chunks: Chunk[] = [];
  let transitions = 0;
  for (let t = queue.take(2048); t !== undefined; t = queue.take(2048)) {
    chunks.push({ enc: t.chunk.enc.slice(), offsets: t.chunk.offsets.slice() });
    const r = source.expand(t.chunk);
    for (let e = 0, pos = 0; e < r.edges.length; e += 5) {
      const len = r.edges[e + 4]!;
      transitions++;
      if (visited.insert(r.edges[e]!, r.edges[e + 1]!) < 0) queue.push(r.enc, pos, len);
      pos += len;
    }
  }
  process.stdout.write(`${spec.config.name}, ${spec.variant}: ${visited.size} states, ${transitions} transitions, ${chunks.length} chunks\n`);

  const pass = (x: AnyExpander): number => {
    const t0 = performance.now();
    // as the one-thread explorer calls it: results as views of the expander's buffers (an older base copies)
    for (const c of chunks) x.expand({ enc: c.enc.slice(), offsets: c.offsets }, false);
    return performance.now() - t0;
  };
  const sum = { work: 0, base: 0 };
  for (let round = 0; round < rounds.right; round++) {
    // alternate which goes first, so neither always runs in the other's wake
    const order: ['work' | 'base', AnyExpander][] = base === undefined ? [['work', work]] : round % 2 === 0 ? [['base', base], ['work', work]] : [['work', work], ['base', base]];
    const line: string[] = [];
    for (const [name, x] of order) {
      const ms = pass(x);
      if (round >= 2) sum[name] += ms;
      line.push(`${name === 'work' ? 'this tree' : 'base'} ${ms.toFixed(0)} ms`);
    }
    process.stdout.write(`round ${round + 1}${round < 2 ? ' (warm-up)' : ''}: ${line.join(', ')}\n`);
  }
  const n = rounds.right - 2;
  process.stdout.write(`this tree: ${(sum.work / n).toFixed(0)} ms per pass, ${Math.round(transitions / (sum.work / n / 1000))} transitions/s\n`);
  if (base !== undefined) process.stdout.write(`this tree / base: ${(sum.work / sum.base).toFixed(3)} of the time\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
