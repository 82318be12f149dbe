// smmu-sva conform --impl "COMMAND": check an implementation driven through the conformance
// protocol (spec/protocol.md) against the reference model. Exit 0 conformant, 1 divergence or
// misbehaviour, 2 bad input.
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../codecs/config.ts';
import { fileURLToPath } from 'node:url';
import { killAll } from '../../conform/channel.ts';
import { conform, type RandomTarget } from '../../conform/runner.ts';
import { derivedConfigs } from '../../conform/derived.ts';
import { formatText, reportJson } from '../../conform/report.ts';
import { flagsOrExit, intFlag, synopsis, usageError, type CommandSpec } from '../args.ts';
import { configFromFlag } from '../configArg.ts';
import { isVariantName, variantNames, type VariantName } from '../../model/variant.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const defaultVectors = `${root}generated/vectors`;
const defaultConfigs = `${root}spec/configs`;

const DEFAULT_RUNS = 50;
const DEFAULT_LENGTH = 100;

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
    random: { type: 'string', value: 'N', help: `random sequences per (configuration, variant) pair (default ${DEFAULT_RUNS})` },
    budget: { type: 'string', value: 'TIME', help: 'run random sequences for this long instead of a count, e.g. 30s, 2m, 500ms' },
    length: { type: 'string', value: 'N', help: `events per random sequence, at most (default ${DEFAULT_LENGTH})` },
    variant: { type: 'string', value: 'NAME', help: 'only this driver variant: its vectors and random sequences (default every variant)' },
    config: { type: 'string', value: 'FILE', help: 'configuration of the random sequences (default every configuration of --configs, and 4 derived from the default: src/conform/derived.ts)' },
    timeout: { type: 'string', value: 'MS', help: 'per reply (default 5000)' },
    'startup-timeout': { type: 'string', value: 'MS', help: 'more for the first reply (default 20000)' },
    seed: { type: 'string', value: 'N', help: 'seed of the random sequences (default 42)' },
    window: { type: 'string', value: 'N', help: 'requests sent before their replies are read (default 256)' },
    'no-snapshots': { type: 'boolean', help: 'replay paths from a reset even when the implementation offers snapshots' },
    json: { type: 'boolean', help: 'one JSON object with counts, timings and the failure' },
  },
};
const usage = synopsis(spec);

/** "30s", "2m", "500ms", "1.5s": milliseconds, or undefined when not a duration. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
  return n > 0 ? n : undefined;
}

/** Every configuration of `dir` (*.json, by name) as random-phase pairs with each variant. */
function shippedTargets(dir: string, only: VariantName | undefined): E.Either<string[], RandomTarget[]> {
  if (!existsSync(dir)) return E.right([]);
  const out: RandomTarget[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const c = loadConfigFile(join(dir, f));
    if (E.isLeft(c)) return E.left(c.left.map((l) => `--configs: ${l}`));
    for (const variant of variantNames) if (only === undefined || only === variant) out.push({ config: c.right, variant });
  }
  return E.right(out);
}

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv, [usage]);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  if (typeof v.impl !== 'string' || v.impl.trim() === '') return usageError(['smmu-sva conform: --impl "COMMAND" is required (the implementation to run)', usage]);
  const ints: Record<string, number> = {};
  for (const [name, dflt] of [['random', DEFAULT_RUNS], ['length', DEFAULT_LENGTH], ['timeout', 5000], ['startup-timeout', 20000], ['seed', 42], ['window', 256], ['max-vectors', -1]] as const) {
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
  let budgetMs: number | undefined;
  if (v.budget !== undefined) {
    if (v.random !== undefined) return usageError('smmu-sva conform: --random and --budget exclude each other (a count of sequences, or a time)');
    budgetMs = typeof v.budget === 'string' ? parseDuration(v.budget) : undefined;
    if (budgetMs === undefined) return usageError(`smmu-sva conform: --budget expects a duration such as 30s, 2m or 500ms, got "${String(v.budget)}"`);
  }
  const configsDir = typeof v.configs === 'string' ? v.configs : defaultConfigs;
  // the random phase: the given configuration, else every configuration of --configs; the given variant, else every one
  let randomTargets: RandomTarget[];
  if (v.config !== undefined) randomTargets = (variant ? [variant] : [...variantNames]).map((vn) => ({ config: config.right, variant: vn }));
  else {
    const t = shippedTargets(configsDir, variant);
    if (E.isLeft(t)) return usageError(t.left.map((l) => `smmu-sva conform: ${l}`));
    randomTargets = t.right.length ? t.right : (variant ? [variant] : [...variantNames]).map((vn) => ({ config: config.right, variant: vn }));
    // and the derived configurations: the options and shapes no shipped configuration has
    for (const c of derivedConfigs) for (const vn of variantNames) if (variant === undefined || variant === vn) randomTargets.push({ config: c, variant: vn });
  }
  if (v.vectors !== undefined && v['no-vectors']) return usageError('smmu-sva conform: --vectors and --no-vectors exclude each other');
  let vectorsDir: string | undefined;
  if (typeof v.vectors === 'string') vectorsDir = v.vectors;
  else if (!v['no-vectors'] && existsSync(defaultVectors)) vectorsDir = defaultVectors;

  // an interrupted run leaves no implementation process behind
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { killAll(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  const r = await conform({
    command: v.impl,
    ...(vectorsDir !== undefined ? { vectorsDir } : {}),
    configsDir,
    ...(ints['max-vectors']! >= 0 ? { maxVectors: ints['max-vectors']! } : {}),
    ...(variant ? { variant } : {}),
    config: config.right,
    randomRuns: ints.random!,
    randomTargets,
    ...(budgetMs !== undefined ? { budgetMs } : {}),
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
