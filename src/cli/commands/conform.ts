// smmu-sva conform --impl "COMMAND": check an implementation driven through the conformance
// protocol (spec/protocol.md) against the reference model. Exit 0 conformant, 1 divergence or
// misbehaviour, 2 bad input.
import * as E from 'fp-ts/lib/Either.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { killAll } from '../../conform/channel.ts';
import { conform } from '../../conform/runner.ts';
import { formatText, reportJson } from '../../conform/report.ts';
import { intFlag, parseFlags, usageError } from '../args.ts';
import { configFromFlag } from '../configArg.ts';
import { isVariantName, variantNames } from '../../model/variant.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const defaultVectors = `${root}generated/vectors`;
const defaultConfigs = `${root}spec/configs`;

const usage = 'usage: smmu-sva conform --impl "COMMAND" [--vectors DIR | --no-vectors] [--max-vectors N] [--configs DIR] [--random N] [--length N] [--variant NAME] [--config FILE] [--timeout MS] [--startup-timeout MS] [--seed N] [--window N] [--no-snapshots] [--json]';

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags('conform', argv, {
    impl: { type: 'string' },
    vectors: { type: 'string' },
    'no-vectors': { type: 'boolean' },
    'max-vectors': { type: 'string' },
    configs: { type: 'string' },
    random: { type: 'string' },
    length: { type: 'string' },
    variant: { type: 'string' },
    config: { type: 'string' },
    timeout: { type: 'string' },
    'startup-timeout': { type: 'string' },
    seed: { type: 'string' },
    window: { type: 'string' },
    'no-snapshots': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (E.isLeft(flags)) return usageError([flags.left, usage]);
  const v = flags.right.values;
  if (v.help) { process.stdout.write(`${usage}\n`); return 0; }
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
