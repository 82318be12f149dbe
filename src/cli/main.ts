// smmu-sva: the command-line entry point. Each subcommand lives in src/cli/commands/ and exports
// run(argv) returning the exit code, and its flags and help as `spec`; user errors print one
// message and exit 2, never a stack trace. `smmu-sva COMMAND --help` (or `smmu-sva help COMMAND`)
// prints the command's help, built from the same flag table its parser uses; the list of commands
// in `smmu-sva --help` is built from those tables too (each command's summary and every flag), so
// neither can drift from what the parser accepts.
import { exitCode, helpText, invocationLine, type CommandSpec } from './args.ts';

type Command = () => Promise<{ spec: CommandSpec; run: (argv: string[]) => Promise<number> }>;

// Loaded on demand: a command imports only what it runs.
const commands: Record<string, Command> = {
  tour: () => import('./commands/tour.ts'),
  variants: () => import('./commands/variants.ts'),
  scenario: () => import('./commands/scenario.ts'),
  explore: () => import('./commands/explore.ts'),
  'check-trace': () => import('./commands/checkTrace.ts'),
  conform: () => import('./commands/conform.ts'),
  simulate: () => import('./commands/simulate.ts'),
};

/** The top-level help: each command's summary and synopsis, from its own CommandSpec. */
async function usage(): Promise<string> {
  const specs = await Promise.all(Object.values(commands).map(async (load) => (await load()).spec));
  const width = Math.max(...specs.map((s) => s.name.length));
  const rows = specs.flatMap((s) => [`  ${s.name.padEnd(width)}  ${s.summary ?? s.about[0] ?? ''}`, `  ${''.padEnd(width)}  ${invocationLine(s)}`]);
  return ['usage: smmu-sva COMMAND [flags]', '', 'commands:', ...rows, '', 'smmu-sva COMMAND --help (or smmu-sva help COMMAND) describes its flags and exit codes.',
    'Exit codes of every command: 0 success; 1 a violation, rejection or divergence found; 2 bad input;',
    '3 incomplete (a bound such as --max-states hit before a verdict); 70 internal error.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [first, ...afterFirst] = argv;
  const helpFor = first === 'help' ? afterFirst[0] : undefined;
  if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && helpFor === undefined)) {
    process.stdout.write(`${await usage()}\n`);
    return first === undefined ? 2 : 0;
  }
  const name = helpFor ?? first;
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`smmu-sva: unknown command "${name}"\n${await usage()}\n`);
    return 2;
  }
  const mod = await cmd();
  if (helpFor !== undefined) {
    process.stdout.write(`${helpText(mod.spec)}\n`);
    return 0;
  }
  // COMMAND --help is the command's own (flagsOrExit in src/cli/args.ts)
  return mod.run(afterFirst);
}

// Output piped into a reader that stops early (`smmu-sva variants | head`): stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); else throw err; });

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    // An internal error: a bug in the model, not in the user's input.
    process.stderr.write(`smmu-sva: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = exitCode.internal;
  },
);
