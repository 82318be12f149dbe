// smmu-sva: the command-line entry point. Each subcommand lives in src/cli/commands/ and exports
// run(argv) returning the exit code, and its flags and help as `spec`; user errors print one
// message and exit 2, never a stack trace. `smmu-sva COMMAND --help` (or `smmu-sva help COMMAND`)
// prints the command's help, built from the same flag table its parser uses.
import { exitCode, helpText, type CommandSpec } from './args.ts';

type Command = { readonly summary: string; readonly load: () => Promise<{ spec: CommandSpec; run: (argv: string[]) => Promise<number> }> };

const commands: Record<string, Command> = {
  tour: { summary: 'a guided run of the model on the default configuration (npm start)', load: () => import('./commands/tour.ts') },
  variants: { summary: 'list the driver variants and their expected verdicts [--json]', load: () => import('./commands/variants.ts') },
  scenario: { summary: 'run a scripted scenario (seed-trace-1, seed-trace-2) and print its ftrace lines', load: () => import('./commands/scenario.ts') },
  explore: { summary: 'exhaustive exploration with verdicts and shortest counterexamples [--config FILE] [--variant NAME|all] [--json] [--no-symmetry] [--max-states N] [--workers N] [--format text|mermaid]', load: () => import('./commands/explore.ts') },
  'check-trace': { summary: 'check an ftrace log against the model: FILE|- [--variant NAME] [--config FILE] [--json] [--strict] [--page-size N]', load: () => import('./commands/checkTrace.ts') },
  conform: { summary: 'check an implementation driven through the conformance protocol (--impl "COMMAND")', load: () => import('./commands/conform.ts') },
  simulate: { summary: 'run a DMA workload on the fast adapter and print its totals (--workload FILE | --preset NAME) [--trace FILE] [--json]', load: () => import('./commands/simulate.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return ['usage: smmu-sva COMMAND [flags]', '', 'commands:', ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`), '', 'smmu-sva COMMAND --help (or smmu-sva help COMMAND) describes its flags and exit codes.',
    'Exit codes of every command: 0 success; 1 a violation, rejection or divergence found; 2 bad input;',
    '3 incomplete (a bound such as --max-states hit before a verdict); 70 internal error.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [first, ...afterFirst] = argv;
  const helpFor = first === 'help' ? afterFirst[0] : undefined;
  if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && helpFor === undefined)) {
    process.stdout.write(`${usage()}\n`);
    return first === undefined ? 2 : 0;
  }
  const name = helpFor ?? first;
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`smmu-sva: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  const mod = await cmd.load();
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
