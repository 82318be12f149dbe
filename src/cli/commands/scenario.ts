// smmu-sva scenario NAME [--variant NAME] [--verbose] [--json]: run a scripted event sequence,
// print its trace records as ftrace lines, check every invariant after every step.
import * as E from 'fp-ts/lib/Either.js';
import { scenarios } from '../../scenarios/seed.ts';
import { runScript } from '../../scenarios/run.ts';
import { describeEvent, describeObservation } from '../../trace/describe.ts';
import { formatRecord } from '../../trace/format.ts';
import { flagsOrExit, usageError, type CommandSpec } from '../args.ts';
import { variantFromFlag } from '../configArg.ts';

export const spec: CommandSpec = {
  name: 'scenario',
  summary: `run a scripted scenario (${scenarios.map((s) => s.name).join(', ')}) and print its ftrace lines`,
  args: 'NAME',
  maxPositionals: 1,
  about: [
    `Run a scripted event sequence (NAME: ${scenarios.map((s) => s.name).join(', ')}), print its trace records as`,
    'ftrace lines and check every invariant after every step. Exit 0; 1 when an invariant is violated or',
    'the model refuses a step; 2: bad input.',
  ],
  flags: {
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    verbose: { type: 'boolean', help: 'every event with every observation and violation, not only the ftrace lines' },
    json: { type: 'boolean', help: 'one JSON object: lines, violations, refused' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv);
  if (E.isLeft(flags)) return flags.left;
  const names = scenarios.map((s) => s.name);
  const name = flags.right.positionals[0];
  const sc = scenarios.find((s) => s.name === name);
  if (!sc) return usageError(`smmu-sva scenario: ${name === undefined ? 'missing scenario name' : `unknown scenario "${name}"`}: expected one of ${names.join(', ')}`);
  const variant = variantFromFlag(flags.right.values.variant, 'v6');
  if (E.isLeft(variant)) return usageError(`smmu-sva scenario: ${variant.left}`);
  const r = runScript(sc.config, variant.right, sc.events);
  const lines = r.steps.flatMap((st) => st.observations.flatMap((o) => (o.kind === 'trace' ? [formatRecord(sc.config, o.record)] : [])));
  const violations = r.steps.flatMap((st) => st.violations.map((v) => ({ step: st.index + 1, ...v })));
  if (flags.right.values.json) {
    process.stdout.write(`${JSON.stringify({ scenario: sc.name, variant: variant.right, lines, violations, refused: r.refused ?? null })}\n`);
  } else if (flags.right.values.verbose) {
    process.stdout.write(`# ${sc.name}: ${sc.summary} (variant ${variant.right})\n`);
    for (const st of r.steps) {
      process.stdout.write(`${String(st.index + 1).padStart(3)}. ${describeEvent(sc.config, st.event)}\n`);
      for (const o of st.observations) process.stdout.write(`       ${describeObservation(sc.config, o)}\n`);
      for (const v of st.violations) process.stdout.write(`       VIOLATION ${v.invariant}: ${v.detail}\n`);
    }
  } else {
    for (const l of lines) process.stdout.write(`${l}\n`);
    for (const v of violations) process.stderr.write(`step ${v.step}: VIOLATION ${v.invariant}: ${v.detail}\n`);
  }
  if (r.refused) {
    process.stderr.write(`step ${r.refused.index + 1} (${describeEvent(sc.config, r.refused.event)}) refused: ${r.refused.message}\n`);
    return 1;
  }
  return violations.length > 0 ? 1 : 0;
}
