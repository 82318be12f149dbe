// npm run bench:por -- [--config FILE] [--variant NAME|all] [--max-states N] [--engine packed|reducer] [--no-symmetry]
//
// Partial-order reduction (spec/explorer.md, EXP-POR-*): one-thread explore() runs of each variant
// without and with the reduction, in one process, and per variant the states of each, the
// reduction factor, the nodes expanded with one event, seconds and states/s, and whether both
// found the same violations (faults-resolvable included) with the same counterexample lengths.
// With --max-states the runs are truncated prefixes: the factor then compares prefixes of equal
// size and says nothing about the whole space. Exit 0; 1: the violation sets differ (a bug);
// 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configFromFlag, variantFromFlag } from '../src/cli/configArg.ts';
import { explore, type ExploreResult } from '../src/explorer/explore.ts';
import { engineNames, type EngineName } from '../src/explorer/packed/expand.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';

const command: CommandSpec = {
  name: 'bench:por',
  invocation: 'npm run bench:por --',
  about: [
    'One-thread explore runs of each variant without and with partial-order reduction, in one process:',
    'states, reduction factor, nodes expanded with one event, seconds, states/s, and whether both found',
    'the same violations with the same counterexample lengths. Exit 0; 1: the violation sets differ; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'NAME|all', help: 'driver variant, or all (default all)' },
    'max-states': { type: 'string', value: 'N', help: 'stop each run after N distinct states (default: explore everything)' },
    engine: { type: 'string', value: 'packed|reducer', help: 'expansion step (default packed)' },
    'no-symmetry': { type: 'boolean', help: 'without symmetry reduction' },
  },
};

const found = (r: ExploreResult) => r.violations.map((f) => `${f.invariant}(${f.length})`).join(', ') || 'none';
const names = (r: ExploreResult) => r.violations.map((f) => f.invariant).join(',');

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `npm run bench:por: ${l}`));
  const all = v.variant === undefined || v.variant === 'all';
  const variant = all ? E.right('v6' as VariantName) : variantFromFlag(v.variant, 'v6');
  if (E.isLeft(variant)) return usageError(`npm run bench:por: --variant: ${variant.left} or all`);
  const maxStates = intFlag(command, 'max-states', v['max-states'], 50_000_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  if (maxStates.right < 1) return usageError('npm run bench:por: --max-states expects at least 1, got 0');
  const engine = (v.engine ?? 'packed') as EngineName;
  if (!engineNames.includes(engine)) return usageError(`npm run bench:por: --engine expects packed or reducer, got "${String(v.engine)}"`);
  const symmetry = !v['no-symmetry'];
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${config.right.name}, engine ${engine}${symmetry ? '' : ', no symmetry'}${maxStates.right < 50_000_000 ? `, --max-states ${maxStates.right}` : ''}`);
  let differ = false, sumFull = 0, sumPor = 0, secFull = 0, secPor = 0;
  for (const name of all ? variantNames : [variant.right]) {
    const full = await explore(config.right, name, { symmetry, maxStates: maxStates.right, workers: 1, engine });
    const por = await explore(config.right, name, { symmetry, maxStates: maxStates.right, workers: 1, engine, por: true });
    sumFull += full.states; sumPor += por.states; secFull += full.seconds; secPor += por.seconds;
    const truncated = full.truncated || por.truncated;
    const same = names(full) === names(por);
    const sameLengths = found(full) === found(por);
    if (!same && !truncated) differ = true;
    say(`  ${name}: ${full.states} -> ${por.states} states (${(full.states / por.states).toFixed(2)}x), depth ${full.maxDepth} -> ${por.maxDepth}, ${por.ampleNodes} expanded with one event; ` +
      `${full.seconds.toFixed(1)} s -> ${por.seconds.toFixed(1)} s (${Math.round(full.states / full.seconds)} -> ${Math.round(por.states / por.seconds)} states/s)` +
      `${truncated ? ', TRUNCATED (prefixes compared)' : ''}; violations ${found(full)}${same ? (sameLengths ? ' (same with POR)' : ` (with POR: ${found(por)}: lengths differ)`) : ` BUT WITH POR ${found(por)}`}`);
  }
  say(`  total: ${sumFull} -> ${sumPor} states (${(sumFull / sumPor).toFixed(2)}x), ${secFull.toFixed(1)} s -> ${secPor.toFixed(1)} s`);
  return differ ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
