// Flag parsing for the CLI: node's util.parseArgs in strict mode, with its complaints turned
// into one-line messages (exit 2), never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

export function parseFlags(command: string, argv: string[], options: Options, maxPositionals = 0): E.Either<string, Parsed> {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    if (r.positionals.length > maxPositionals) {
      return E.left(`smmu-sva ${command}: unexpected argument "${r.positionals[maxPositionals]}"`);
    }
    return E.right({ values: r.values as Parsed['values'], positionals: r.positionals });
  } catch (err) {
    // parseArgs puts the remedy for a value starting with '-' (`--max-states -3` is "ambiguous";
    // write `--max-states=-3`) on a third line: keep it, on the same line. Its other complaints
    // add a hint about positionals that only misleads, so they keep their first line only.
    const e = err as Error & { code?: string };
    const lines = e.message.split('\n');
    return E.left(`smmu-sva ${command}: ${e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? lines.join(' ') : lines[0]}`);
  }
}

/** A non-negative integer flag value, or an error naming the flag. */
export function intFlag(command: string, name: string, v: string | boolean | undefined, dflt: number): E.Either<string, number> {
  if (v === undefined) return E.right(dflt);
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return E.left(`smmu-sva ${command}: --${name} expects a non-negative integer, got "${String(v)}"`);
  return E.right(Number(v));
}

/** Print a usage error and return exit code 2. */
export function usageError(msg: string | string[]): number {
  for (const line of Array.isArray(msg) ? msg : [msg]) process.stderr.write(`${line}\n`);
  return 2;
}
