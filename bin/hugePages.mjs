// Transparent huge pages for `smmu-sva explore`. The explorer's visited set, parent links and
// frontier are large typed arrays probed at random, so on a long run the merge waits on TLB misses
// as much as on cache misses. On Linux with transparent huge pages in `madvise` mode (the default
// of many distributions), glibc 2.35 and later back its large allocations, which are where Node
// puts typed arrays, by huge pages only when the tunable `glibc.malloc.hugetlb=1` is set, and
// glibc reads its tunables once, when the process starts. So `explore` runs itself again with the
// tunable added to GLIBC_TUNABLES (bin/runAgain.mjs); nothing else changes (same arguments, same
// output, same exit code; signals sent to this process are passed on). Measured in docs/performance.md,
// "Huge pages for the explorer's tables". SMMU_SVA_HUGE_PAGES=0 turns it off; a GLIBC_TUNABLES
// that already names glibc.malloc.hugetlb is left as it is.
import { readFileSync } from 'node:fs';

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
