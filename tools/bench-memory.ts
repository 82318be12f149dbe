// npm run bench:memory -- [--config FILE] [--variant NAME] [--max-states N] [--engine packed|reducer]
//                         [--frontier-mem MiB] [--successors-mem MiB] [--no-symmetry]
//
// One one-thread explore() run and where its memory went: the result's split in bytes per state
// (ExploreResult.memory, spec/explorer.md "Memory"), and the process's resident set size and
// ArrayBuffer bytes sampled at every progress report (4 a second) and at the end, before and after
// a full GC (run it with node --expose-gc for the latter). Exit 0; 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configAndVariant } from '../src/cli/configArg.ts';
import { explore } from '../src/explorer/explore.ts';
import type { EngineName } from '../src/explorer/packed/expand.ts';

const command: CommandSpec = {
  name: 'bench:memory',
  invocation: 'npm run bench:memory --',
  about: [
    'One one-thread explore run: its memory split in bytes per state, and the process\'s peak',
    'resident set size and ArrayBuffer bytes (sampled 4 times a second). Exit 0; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    'max-states': { type: 'string', value: 'N', help: 'stop after N distinct states (default 50000000)' },
    engine: { type: 'string', value: 'packed|reducer', help: 'expansion engine (default packed)' },
    'frontier-mem': { type: 'string', value: 'MiB', help: 'frontier budget (default: explore()\'s)' },
    'successors-mem': { type: 'string', value: 'MiB', help: 'successor-list budget (default: explore()\'s)' },
    'no-symmetry': { type: 'boolean', help: 'without symmetry reduction' },
  },
};

const MiB = 2 ** 20;

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const target = configAndVariant(v, 'npm run bench:memory');
  if (E.isLeft(target)) return usageError(target.left);
  const { config, variant } = target.right;
  const maxStates = intFlag(command, 'max-states', v['max-states'], 50_000_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  const engine = String(v.engine ?? 'packed');
  if (engine !== 'packed' && engine !== 'reducer') return usageError(`npm run bench:memory: --engine expects packed or reducer, got "${engine}"`);
  const fm = v['frontier-mem'] === undefined ? undefined : intFlag(command, 'frontier-mem', v['frontier-mem'], 0);
  if (fm && E.isLeft(fm)) return usageError(fm.left);
  const sm = v['successors-mem'] === undefined ? undefined : intFlag(command, 'successors-mem', v['successors-mem'], 0);
  if (sm && E.isLeft(sm)) return usageError(sm.left);
  let peakRss = 0, peakAb = 0, atStates = 0;
  const sample = (states: number) => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) { peakRss = m.rss; atStates = states; }
    if (m.arrayBuffers > peakAb) peakAb = m.arrayBuffers;
  };
  const r = await explore(config, variant, {
    symmetry: !v['no-symmetry'], maxStates: maxStates.right, workers: 1, engine: engine as EngineName,
    frontierMemBytes: fm && E.isRight(fm) ? fm.right * MiB : undefined,
    successorMemBytes: sm && E.isRight(sm) ? sm.right * MiB : undefined,
    onProgress: (p) => sample(p.states),
  });
  sample(r.states);
  const end = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const afterGc = gc ? process.memoryUsage() : undefined;
  const out = {
    config: config.name, variant: variant, engine, states: r.states, transitions: r.transitions, maxDepth: r.maxDepth,
    truncated: r.truncated, seconds: Number(r.seconds.toFixed(1)), bytesPerState: r.bytesPerState, memory: r.memory,
    peakRssMiB: Math.round(peakRss / MiB), peakRssAtStates: atStates, peakArrayBuffersMiB: Math.round(peakAb / MiB),
    endRssMiB: Math.round(end.rss / MiB), endArrayBuffersMiB: Math.round(end.arrayBuffers / MiB),
    ...(afterGc ? { afterGcRssMiB: Math.round(afterGc.rss / MiB), afterGcArrayBuffersMiB: Math.round(afterGc.arrayBuffers / MiB), afterGcHeapUsedMiB: Math.round(afterGc.heapUsed / MiB) } : {}),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
