// smmu-sva variants [--json]: the driver variants, what each changes, and their expected verdicts.
import * as E from 'fp-ts/lib/Either.js';
import { loadExpectedVerdicts } from '../../codecs/expected.ts';
import { variantNames, variants } from '../../model/variant.ts';
import { flagsOrExit, usageError, type CommandSpec } from '../args.ts';

export const spec: CommandSpec = {
  name: 'variants',
  summary: 'list the driver variants and their expected verdicts',
  about: ['The driver variants, what each changes, and their expected verdicts (spec/expected-verdicts.json).', 'Exit 0; 2: bad input.'],
  flags: { json: { type: 'boolean', help: 'a JSON array instead of text' } },
};

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv);
  if (E.isLeft(flags)) return flags.left;
  const expected = loadExpectedVerdicts();
  if (E.isLeft(expected)) return usageError(expected.left);
  const byConfig = expected.right;
  const rows = variantNames.map((name) => ({
    name,
    summary: variants[name].summary,
    traits: variants[name],
    expected: Object.fromEntries(Object.entries(byConfig).flatMap(([cfg, v]) => (v[name] ? [[cfg, v[name]]] : []))),
  }));
  if (flags.right.values.json) {
    process.stdout.write(`${JSON.stringify(rows.map(({ name, summary, traits, expected: exp }) => {
      const { name: _n, summary: _s, ...decisionPoints } = traits;
      return { name, summary, decisionPoints, expectedVerdicts: exp };
    }))}\n`);
    return 0;
  }
  const width = Math.max(...variantNames.map((v) => v.length));
  for (const r of rows) {
    process.stdout.write(`${r.name.padEnd(width)}  ${r.summary}\n`);
    for (const [cfg, inv] of Object.entries(r.expected)) {
      process.stdout.write(`${''.padEnd(width)}    on ${cfg}: ${inv.length ? `violates ${inv.join(', ')}` : 'clean'}\n`);
    }
  }
  return 0;
}
