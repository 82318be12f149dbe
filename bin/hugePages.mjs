// Transparent huge pages for `smmu-sva explore`. The explorer's visited set, parent links and
// frontier are large typed arrays probed at random, so on a long run the merge waits on TLB misses
// as much as on cache misses. On Linux with transparent huge pages in `madvise` mode (the default
// of many distributions), glibc 2.35 and later back its large allocations, which are where Node
// puts typed arrays, by huge pages only when the tunable `glibc.malloc.hugetlb=1` is set, and
// glibc reads its tunables once, when the process starts. So `explore` runs itself again with the
// tunable added to GLIBC_TUNABLES; nothing else changes (same arguments, same output, same exit
// code; signals sent to this process are passed on). Measured in docs/performance.md,
// "Huge pages for the explorer's tables". SMMU_SVA_HUGE_PAGES=0 turns it off; a GLIBC_TUNABLES
// that already names glibc.malloc.hugetlb is left as it is.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

export const HUGETLB_TUNABLE = 'glibc.malloc.hugetlb=1';
export const THP_MODE_FILE = '/sys/kernel/mm/transparent_hugepage/enabled';

/**
 * Whether to run again with the tunable: `explore` on Linux, THP in madvise mode (`thpMode` is the
 * text of THP_MODE_FILE, or undefined when it cannot be read), a glibc runtime (`glibc()` gives
 * its version as Node reports it, or undefined on musl and others; asked last, as it takes about
 * 10 ms) of 2.35 or later, and neither an opt-out nor a choice of the tunable already in `env`.
 */
export function wantsHugePages({ platform, command, env, thpMode, glibc }) {
  if (platform !== 'linux' || command !== 'explore') return false;
  if (env.SMMU_SVA_HUGE_PAGES === '0') return false;
  if ((env.GLIBC_TUNABLES ?? '').split(':').some((t) => t.startsWith('glibc.malloc.hugetlb='))) return false;
  if (thpMode === undefined || !thpMode.includes('[madvise]')) return false;
  const m = /^(\d+)\.(\d+)/.exec(glibc() ?? '');
  return m !== null && (Number(m[1]) > 2 || (Number(m[1]) === 2 && Number(m[2]) >= 35));
}

/** GLIBC_TUNABLES with the huge-page tunable added (tunables are colon-separated). */
export function withHugeTunable(tunables) {
  return tunables ? `${tunables}:${HUGETLB_TUNABLE}` : HUGETLB_TUNABLE;
}

/** What this process knows for wantsHugePages. */
export function hostFacts() {
  let thpMode;
  try { thpMode = readFileSync(THP_MODE_FILE, 'utf8'); } catch { thpMode = undefined; }
  const glibc = () => {
    try { return process.report.getReport().header.glibcVersionRuntime; } catch { return undefined; }
  };
  return { platform: process.platform, thpMode, glibc };
}

/** How long a signal waits before it is passed on (see rerunWithHugePages). */
const FORWARD_DELAY_MS = 200;

/**
 * Runs `process.execPath args` with the tunable added to the environment, stdio shared, and
 * resolves to its exit code (128 + n when it ended by signal n); undefined when it could not be
 * started (then the caller runs in this process). SIGINT, SIGTERM and SIGHUP sent to this process
 * are passed on after FORWARD_DELAY_MS if the child is still running: a terminal's Ctrl-C reaches
 * both processes (one process group), and a child that exits within the delay does not get the
 * signal twice (one still busy after it does, and explore's handler exits on the first anyway);
 * a signal sent to this process alone (kill PID) reaches the child late by that delay.
 */
export function rerunWithHugePages(args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...env, GLIBC_TUNABLES: withHugeTunable(env.GLIBC_TUNABLES) } });
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
