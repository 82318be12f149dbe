// `smmu-sva explore` runs itself again in a new Node process when the process it was started in
// lacks what only a process start can set: glibc's huge-page tunable (bin/hugePages.mjs) and V8's
// heap sizes (bin/heapFlags.mjs). explorePlan() says whether and how; runAgain() does it. Same
// arguments, output and exit code; signals are passed on.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { EXPLORE_HEAP_FLAGS, wantsHeapFlags } from './heapFlags.mjs';
import { wantsHugePages, withHugeTunable } from './hugePages.mjs';

/** Set in the environment of a process run again: it never runs itself again (no chain of processes). */
export const RUN_AGAIN_MARK = 'SMMU_SVA_RUN_AGAIN';

/**
 * How to run `argv` (process.argv without the node executable: the script, the command, its
 * arguments) again, or undefined to run it here: V8's heap flags first, then this process's own
 * execArgv; the huge-page tunable added to the environment, and RUN_AGAIN_MARK. `facts` are
 * hostFacts(); the child then has both, and the mark, and does not run itself again.
 */
export function explorePlan({ argv, execArgv, env, facts }) {
  if (env[RUN_AGAIN_MARK] === '1') return undefined;
  const command = argv[1];
  const hugePages = wantsHugePages({ ...facts, command, env });
  const heapFlags = wantsHeapFlags({ command, env, execArgv });
  if (!hugePages && !heapFlags) return undefined;
  return {
    args: [...(heapFlags ? EXPLORE_HEAP_FLAGS : []), ...execArgv, ...argv],
    env: { ...env, ...(hugePages ? { GLIBC_TUNABLES: withHugeTunable(env.GLIBC_TUNABLES) } : {}), [RUN_AGAIN_MARK]: '1' },
  };
}

/** How long a signal waits before it is passed on (see runAgain). */
const FORWARD_DELAY_MS = 200;

/**
 * Runs `process.execPath args` with the environment `env`, stdio shared, and
 * resolves to its exit code (128 + n when it ended by signal n); undefined when it could not be
 * started (then the caller runs in this process). SIGINT, SIGTERM and SIGHUP sent to this process
 * are passed on after FORWARD_DELAY_MS if the child is still running: a terminal's Ctrl-C reaches
 * both processes (one process group), and a child that exits within the delay does not get the
 * signal twice (one still busy after it does, and explore's handler exits on the first anyway);
 * a signal sent to this process alone (kill PID) reaches the child late by that delay.
 */
export function runAgain(args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const forward = (sig) => {
      setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill(sig); }, FORWARD_DELAY_MS);
    };
    for (const sig of signals) process.on(sig, forward);
    const done = (code) => {
      for (const sig of signals) process.off(sig, forward);
      resolve(code);
    };
    let started = false;
    child.once('spawn', () => { started = true; });
    // an error before 'spawn' means it never ran; later ones (a failed kill) change nothing
    child.once('error', () => { if (!started) done(undefined); });
    child.once('exit', (code, signal) => {
      const n = signal === null ? undefined : constants.signals[signal];
      done(code ?? (n === undefined ? 1 : 128 + n));
    });
  });
}
