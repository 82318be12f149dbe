// npm run bench:packed -- [--config FILE] [--variant NAME] [--max-states N] [--rounds N] [--no-symmetry] [--engines LIST]
//
// Whole one-thread explore() runs of the reducer engine and the packed engine (src/explorer/
// packed/), alternately in ONE process (a slow minute slows both), and states/s of each. The
// first round of each engine is a warm-up and is not counted. Exit 0; 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configAndVariant } from '../src/cli/configArg.ts';
import { explore } from '../src/explorer/explore.ts';
import type { EngineName } from '../src/explorer/packed/expand.ts';

const command: CommandSpec = {
  name: 'bench:packed',
  invocation: 'npm run bench:packed --',
  about: [
    'One-thread explore runs of the reducer and the packed engine, alternately in one process, and',
    'the states/s of each (the first round of each is a warm-up). Exit 0; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    'max-states': { type: 'string', value: 'N', help: 'stop each run after N distinct states (default: explore everything)' },
    rounds: { type: 'string', value: 'N', help: 'rounds per engine, at least 2 (default 3)' },
    'no-symmetry': { type: 'boolean', help: 'without symmetry reduction' },
    engines: { type: 'string', value: 'LIST', help: 'comma-separated engines to run (default packed,reducer)' },
  },
};

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const target = configAndVariant(v, 'npm run bench:packed');
  if (E.isLeft(target)) return usageError(target.left);
  const { config, variant } = target.right;
  const maxStates = intFlag(command, 'max-states', v['max-states'], 50_000_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  const rounds = intFlag(command, 'rounds', v.rounds, 3);
  if (E.isLeft(rounds)) return usageError(rounds.left);
  if (rounds.right < 2) return usageError(`npm run bench:packed: --rounds expects at least 2 (one is warm-up), got ${rounds.right}`);
  const engines = String(v.engines ?? 'packed,reducer').split(',') as EngineName[];
  if (engines.some((e) => e !== 'packed' && e !== 'reducer')) return usageError(`npm run bench:packed: --engines expects a list of packed and reducer, got "${String(v.engines)}"`);
  const symmetry = !v['no-symmetry'];
  const rates = new Map<EngineName, number[]>(engines.map((e) => [e, []]));
  for (let round = 0; round < rounds.right; round++) {
    for (const engine of engines) {
      const r = await explore(config, variant, { symmetry, maxStates: maxStates.right, workers: 1, engine });
      const rate = r.states / r.seconds;
      if (round > 0) rates.get(engine)!.push(rate);
      process.stdout.write(`round ${round}${round === 0 ? ' (warm-up)' : ''} ${engine}: ${r.states} states, ${r.transitions} transitions, depth ${r.maxDepth}, ${r.seconds.toFixed(2)} s, ${Math.round(rate)} states/s, ${Math.round(r.transitions / r.seconds)} transitions/s, ${r.bytesPerState} bytes/state${r.truncated ? ' (truncated)' : ''}\n`);
    }
  }
  for (const [engine, rs] of rates) {
    const sorted = [...rs].sort((a, b) => a - b);
    process.stdout.write(`${engine}: median ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} states/s over ${rs.length} rounds (${config.name}, ${variant}${symmetry ? '' : ', no symmetry'})\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
