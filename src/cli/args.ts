// Flag parsing and help for the CLI and the tools: each command declares its flags once, with a
// line of help each (CommandSpec); node's util.parseArgs checks argv against them in strict mode,
// and its complaints become one-line messages (exit 2), never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';

/**
 * Exit codes, the same for every command and tool: 0 success (no violation, accepted,
 * conformant); 1 something was found (a violation, a verdict not as expected, a rejected trace,
 * a divergence); 2 bad input or usage; 3 incomplete (a bound such as --max-states was hit before
 * the question could be decided, and nothing was found in the part explored); 70 an internal
 * error (a bug in this program, not in the input).
 */
export const exitCode = { ok: 0, found: 1, usage: 2, incomplete: 3, internal: 70 } as const;

/** One flag of a command: its type, the name of its value in the help (string flags), what it does. */
export interface Flag {
  readonly type: 'string' | 'boolean';
  readonly value?: string;
  readonly help: string;
  /** Shown without brackets in the synopsis. */
  readonly required?: boolean;
}

/**
 * A command's flags and help. parseFlags() checks argv against `flags`; `COMMAND --help` prints
 * helpText(), built from the same table, so the two cannot drift apart.
 */
export interface CommandSpec {
  readonly name: string;
  /**
   * How it is run (default `smmu-sva <name>`): the synopsis starts with it, and messages with it
   * minus a trailing ` --` (`npm run gen -- [--check]`, `npm run gen: ...`).
   */
  readonly invocation?: string;
  /** One line on what it does, for the list of commands in `smmu-sva --help` (src/cli/main.ts). */
  readonly summary?: string;
  /** Positional arguments in the synopsis (`FILE|-`), and how many are allowed (default 0). */
  readonly args?: string;
  readonly maxPositionals?: number;
  /** What it does and its exit codes, line by line. */
  readonly about: readonly string[];
  readonly flags: Readonly<Record<string, Flag>>;
}

export interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

/** How messages name the command: `smmu-sva explore`, `npm run gen`. */
export const progOf = (spec: CommandSpec) => (spec.invocation ?? `smmu-sva ${spec.name}`).replace(/ --$/, '');

const flagWithValue = (name: string, f: Flag) => `--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;

/** `smmu-sva explore [--config FILE] ...`: how the command is run, with every flag of its table. */
export function invocationLine(spec: CommandSpec): string {
  const parts = Object.entries(spec.flags).map(([n, f]) => (f.required ? flagWithValue(n, f) : `[${flagWithValue(n, f)}]`));
  return [spec.invocation ?? `smmu-sva ${spec.name}`, ...(spec.args ? [spec.args] : []), ...parts].join(' ');
}

/** `usage: smmu-sva explore [--config FILE] ...` */
export function synopsis(spec: CommandSpec): string {
  return `usage: ${invocationLine(spec)}`;
}

/** What `COMMAND --help` prints: the synopsis, what the command does, and one line per flag. */
export function helpText(spec: CommandSpec): string {
  const rows: [string, string][] = [...Object.entries(spec.flags).map(([n, f]): [string, string] => [flagWithValue(n, f), f.help]), ['-h, --help', 'print this help and exit 0']];
  const w = Math.max(...rows.map(([l]) => l.length));
  return [synopsis(spec), '', ...spec.about, '', 'flags:', ...rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`)].join('\n');
}

/** Does argv ask for help (`--help` or `-h` before any `--`)? */
function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

function parseFlags(spec: CommandSpec, argv: string[]): E.Either<string, Parsed> {
  const prog = progOf(spec), maxPositionals = spec.maxPositionals ?? 0;
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [n, f] of Object.entries(spec.flags)) options[n] = { type: f.type };
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    if (r.positionals.length > maxPositionals) {
      return E.left(`${prog}: unexpected argument "${r.positionals[maxPositionals]}"${maxPositionals === 0 ? ' (it takes flags only)' : ''}`);
    }
    return E.right({ values: r.values as Parsed['values'], positionals: r.positionals });
  } catch (err) {
    const e = err as Error & { code?: string };
    const lines = e.message.split('\n');
    // an unknown flag: name it and the ones there are (node's own message suggests a positional
    // argument starting with '-', which only misleads)
    const unknown = /^Unknown option '([^']*)'/.exec(lines[0] ?? '');
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
      const known = Object.keys(spec.flags).map((n) => `--${n}`);
      const expected = known.length > 0 ? `expected one of ${known.join(', ')}` : 'it takes no flags';
      return E.left(`${prog}: unknown flag ${unknown[1]}: ${expected} (--help describes them)`);
    }
    // parseArgs puts the remedy for a value starting with '-' (`--max-states -3` is "ambiguous";
    // write `--max-states=-3`) on a third line: keep it, on the same line. Its other complaints
    // keep their first line only.
    return E.left(`${prog}: ${e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? lines.join(' ') : lines[0]}`);
  }
}

/**
 * A command's flags, or the exit code to return at once: `--help` (or `-h`, before any `--`)
 * prints the help on stdout (0); a bad flag prints its message, then `after` (a usage line), on
 * stderr (2). Every command and tool starts with this, so each handles its own --help.
 */
export function flagsOrExit(spec: CommandSpec, argv: string[], after: readonly string[] = []): E.Either<number, Parsed> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${helpText(spec)}\n`);
    return E.left(0);
  }
  const r = parseFlags(spec, argv);
  return E.isLeft(r) ? E.left(usageError([r.left, ...after])) : r;
}

/** A non-negative integer flag value, or an error naming the flag. */
export function intFlag(command: string | CommandSpec, name: string, v: string | boolean | undefined, dflt: number): E.Either<string, number> {
  if (v === undefined) return E.right(dflt);
  const prog = typeof command === 'string' ? `smmu-sva ${command}` : progOf(command);
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return E.left(`${prog}: --${name} expects a non-negative integer, got "${String(v)}"`);
  return E.right(Number(v));
}

/** Print a usage error and return exit code 2. */
export function usageError(msg: string | string[]): number {
  for (const line of Array.isArray(msg) ? msg : [msg]) process.stderr.write(`${line}\n`);
  return 2;
}
