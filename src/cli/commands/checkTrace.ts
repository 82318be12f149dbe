// smmu-sva check-trace FILE [--variant NAME] [--config FILE] [--json] [--strict] [--page-size N]
//   [--max-states N] [--verbose]: is an ftrace log something the model can emit?
// Exit 0 accepted, 1 rejected, 2 malformed input or bad usage, 3 rejected after the state set was cut
// to --max-states (incomplete) (spec/trace-checker.md).
import * as E from 'fp-ts/lib/Either.js';
import { checkTrace } from '../../trace/run.ts';
import { exitCode, flagsOrExit, intFlag, synopsis, usageError, type CommandSpec } from '../args.ts';
import { configFromFlag, variantFromFlag } from '../configArg.ts';

export const spec: CommandSpec = {
  name: 'check-trace',
  summary: 'check an ftrace log against the model',
  args: 'FILE|-',
  maxPositionals: 1,
  about: [
    'Is an ftrace log (FILE, or - for standard input) something the model can emit? The first line no run',
    'of the model explains is reported, with what the model could have emitted there and a witness for the',
    'lines before it (spec/trace-checker.md). Exit 0 accepted, 1 rejected, 2 malformed input or bad usage,',
    '3 incomplete: rejected after the state set was cut to --max-states (the rejection may be spurious).',
  ],
  flags: {
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: inferred from the trace)' },
    json: { type: 'boolean', help: 'one JSON object with the verdict' },
    strict: { type: 'boolean', help: 'other tracepoints are malformed lines instead of skipped' },
    'page-size': { type: 'string', value: 'N', help: 'page size for addresses with --config: a power of two, 1024 to 2^30 (default 4096)' },
    'max-states': { type: 'string', value: 'N', help: 'cap on the set of model states tracked per line (default 10000)' },
    verbose: { type: 'boolean', help: 'also the inferred configuration and, on acceptance, the witness' },
  },
};
const usage = synopsis(spec);

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv, [usage]);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const file = flags.right.positionals[0];
  if (file === undefined) return usageError(['smmu-sva check-trace: missing trace file (use - for standard input)', usage]);
  const variant = variantFromFlag(v.variant, 'v6');
  if (E.isLeft(variant)) return usageError(`smmu-sva check-trace: ${variant.left}`);
  const pageSize = intFlag('check-trace', 'page-size', v['page-size'], 4096);
  if (E.isLeft(pageSize)) return usageError(pageSize.left);
  const ps = pageSize.right;
  if (ps < 1024 || ps > 1 << 30 || (ps & (ps - 1)) !== 0) return usageError(`smmu-sva check-trace: --page-size expects a power of two between 1024 and 2^30, got ${ps}`);
  const maxStates = intFlag('check-trace', 'max-states', v['max-states'], 10000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  if (maxStates.right < 1) return usageError('smmu-sva check-trace: --max-states expects at least 1');
  let config;
  if (v.config !== undefined) {
    const c = configFromFlag(v.config);
    if (E.isLeft(c)) return usageError(c.left.map((l) => `smmu-sva check-trace: --config ${l}`));
    config = c.right;
  }

  const out = await checkTrace({ file, variant: variant.right, config, strict: v.strict === true, pageSize: BigInt(ps), checker: { maxStates: maxStates.right } });
  if (out.tag === 'ioError') return usageError(`smmu-sva check-trace: ${out.message}`);
  const { verdict, malformed } = out;
  if (v.json) {
    process.stdout.write(`${JSON.stringify({
      accepted: verdict?.accepted ?? false,
      firstUnexplainedLine: verdict?.firstUnexplainedLine ?? null,
      lines: out.lines,
      records: out.records,
      skipped: out.skipped,
      variant: variant.right,
      reason: malformed ? `malformed line ${malformed.line}: ${malformed.message}` : verdict!.reason,
      malformed,
      record: verdict?.record ?? null,
      expected: verdict?.expected ?? [],
      witness: verdict?.witness ?? [],
      truncatedAt: verdict?.truncatedAt ?? null,
      maxStatesSeen: verdict?.maxStatesSeen ?? 0,
      config: v.config === undefined ? 'inferred' : out.config.name,
    })}\n`);
  }
  if (malformed) {
    process.stderr.write(`${out.name}:${malformed.line}: malformed: ${malformed.message}\n`);
    return 2;
  }
  const vd = verdict!;
  const cut = vd.truncatedAt !== null ? ` (the state set was cut to --max-states ${maxStates.right} at line ${vd.truncatedAt}: a rejection may be spurious)` : '';
  if (vd.accepted) {
    if (!v.json) {
      process.stdout.write(`${out.name}: accepted under ${variant.right}: ${out.lines} lines, ${out.records} records, ${out.skipped} other tracepoints skipped\n`);
      if (v.verbose) {
        for (const n of out.inferenceNotes) process.stdout.write(`inferred: ${n}\n`);
        process.stdout.write('witness:\n');
        for (const w of vd.witness) process.stdout.write(`${w}\n`);
      }
    }
    return 0;
  }
  if (!v.json) {
    const where = vd.record === null ? `${out.name}:${vd.firstUnexplainedLine} (end of file)` : `${out.name}:${vd.firstUnexplainedLine}`;
    process.stdout.write(`${where}: rejected under ${variant.right}: ${vd.reason}${cut}\n`);
    if (vd.record !== null) process.stdout.write(`  ${vd.record}\n`);
    process.stdout.write(vd.expected.length > 0 ? 'the model could have emitted instead:\n' : 'the model could emit no record there\n');
    for (const e of vd.expected) process.stdout.write(`  ${e}\n`);
    process.stdout.write(`witness (one interleaving explaining lines before ${vd.firstUnexplainedLine}):\n`);
    for (const w of vd.witness) process.stdout.write(`${w}\n`);
    if (v.verbose) for (const n of out.inferenceNotes) process.stdout.write(`inferred: ${n}\n`);
  }
  return vd.truncatedAt !== null ? exitCode.incomplete : exitCode.found;
}
