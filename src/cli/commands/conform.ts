// smmu-sva conform --impl "COMMAND": check an implementation driven through the conformance
// protocol (spec/protocol.md) against the reference model. Exit 0 conformant, 1 divergence or
// misbehaviour, 2 bad input.
import * as E from 'fp-ts/lib/Either.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { killAll } from '../../conform/channel.ts';
import { conform } from '../../conform/runner.ts';
import { formatText, reportJson } from '../../conform/report.ts';
import { flagsOrExit, intFlag, synopsis, usageError, type CommandSpec } from '../args.ts';
import { configFromFlag } from '../configArg.ts';
import { isVariantName, variantNames } from '../../model/variant.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const defaultVectors = `${root}generated/vectors`;
const defaultConfigs = `${root}spec/configs`;

export const spec: CommandSpec = {
  name: 'conform',
  summary: 'check an implementation driven through the conformance protocol',
  about: [
    'Check an implementation driven through the conformance protocol (spec/protocol.md) against the',
    'reference model: the generated vectors, then random event sequences; the first divergence is reported',
    'with a shortest sequence. Exit 0 conformant, 1 divergence or misbehaviour, 2 bad input.',
  ],
  flags: {
    impl: { type: 'string', value: '"COMMAND"', required: true, help: 'the implementation to run (a shell command speaking the protocol)' },
    vectors: { type: 'string', value: 'DIR', help: 'test vectors to replay (default generated/vectors)' },
    'no-vectors': { type: 'boolean', help: 'replay no vectors' },
    'max-vectors': { type: 'string', value: 'N', help: 'replay at most N vectors (default all)' },
    configs: { type: 'string', value: 'DIR', help: 'where the configurations the vectors name are (default spec/configs)' },
    random: { type: 'string', value: 'N', help: 'random sequences (default 100)' },
    length: { type: 'string', value: 'N', help: 'events per random sequence, at most (default 40)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant of the random sequences (default v6-atc)' },
    config: { type: 'string', value: 'FILE', help: 'configuration of the random sequences (default: the built-in default)' },
    timeout: { type: 'string', value: 'MS', help: 'per reply (default 5000)' },
    'startup-timeout': { type: 'string', value: 'MS', help: 'more for the first reply (default 20000)' },
    seed: { type: 'string', value: 'N', help: 'seed of the random sequences (default 42)' },
    window: { type: 'string', value: 'N', help: 'requests sent before their replies are read (default 256)' },
    'no-snapshots': { type: 'boolean', help: 'replay paths from a reset even when the implementation offers snapshots' },
    json: { type: 'boolean', help: 'one JSON object with counts, timings and the failure' },
  },
};
const usage = synopsis(spec);

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv, [usage]);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  if (typeof v.impl !== 'string' || v.impl.trim() === '') return usageError(['smmu-sva conform: --impl "COMMAND" is required (the implementation to run)', usage]);
  const ints: Record<string, number> = {};
  for (const [name, dflt] of [['random', 100], ['length', 40], ['timeout', 5000], ['startup-timeout', 20000], ['seed', 42], ['window', 256], ['max-vectors', -1]] as const) {
    const r = intFlag('conform', name, v[name], dflt);
    if (E.isLeft(r)) return usageError(r.left);
    ints[name] = r.right;
  }
  if (ints.timeout! < 1) return usageError('smmu-sva conform: --timeout expects at least 1 (milliseconds)');
  if (ints.window! < 1) return usageError('smmu-sva conform: --window expects at least 1');
  if (ints.length! < 1) return usageError('smmu-sva conform: --length expects at least 1');
  if (ints.seed! > 0x7fffffff) return usageError('smmu-sva conform: --seed expects an integer below 2^31');
  let variant: (typeof variantNames)[number] | undefined;
  if (v.variant !== undefined) {
    if (typeof v.variant !== 'string' || !isVariantName(v.variant)) return usageError(`smmu-sva conform: unknown variant "${String(v.variant)}": expected one of ${variantNames.join(', ')}`);
    variant = v.variant;
  }
  const config = configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `smmu-sva conform: ${l}`));
  if (v.vectors !== undefined && v['no-vectors']) return usageError('smmu-sva conform: --vectors and --no-vectors exclude each other');
  let vectorsDir: string | undefined;
  if (typeof v.vectors === 'string') vectorsDir = v.vectors;
  else if (!v['no-vectors'] && existsSync(defaultVectors)) vectorsDir = defaultVectors;

  // an interrupted run leaves no implementation process behind
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { killAll(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  const r = await conform({
    command: v.impl,
    ...(vectorsDir !== undefined ? { vectorsDir } : {}),
    configsDir: typeof v.configs === 'string' ? v.configs : defaultConfigs,
    ...(ints['max-vectors']! >= 0 ? { maxVectors: ints['max-vectors']! } : {}),
    ...(variant ? { variant } : {}),
    config: config.right,
    randomRuns: ints.random!,
    maxLength: ints.length!,
    seed: ints.seed!,
    timeoutMs: ints.timeout!,
    startupMs: ints['startup-timeout']!,
    window: ints.window!,
    snapshots: !v['no-snapshots'],
  });
  if (E.isLeft(r)) return usageError(r.left.map((l) => `smmu-sva conform: ${l}`));
  const report = r.right;
  if (v.json) process.stdout.write(`${JSON.stringify(reportJson(report))}\n`);
  else process.stdout.write(`${formatText(report).join('\n')}\n`);
  return report.conformant ? 0 : 1;
}
