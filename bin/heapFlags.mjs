// V8 heap flags for `smmu-sva explore`. With worker threads, the merging thread holds each chunk's
// buffers for a few tens of milliseconds, long enough to be promoted, and V8 counts an old
// ArrayBuffer's memory against the old generation: it ran a mark-compact every few hundred
// milliseconds on a heap of 10-25 MB. A larger initial old generation makes them rarer (239 to 87
// over 5M states of seed-wide v6 with two threads); the whole of v6 with two threads took 392 s
// against 412-414 s, the merging thread's time outside its measured parts 17 s against 38-47 s
// (docs/performance.md, "A larger initial old generation for explore"). V8 reads the flag when an
// isolate is made, so `explore` runs itself again with it (bin/runAgain.mjs).
// SMMU_SVA_HEAP_FLAGS=0 turns it off; a choice of the flag on the command line is left as it is.
// (Node 20 refuses the flag in NODE_OPTIONS, exit 9, so the NODE_OPTIONS test below only matters on a
// Node that allows it.)

/** The flags `explore` adds: an initial old generation of 512 MB (as measured). */
export const EXPLORE_HEAP_FLAGS = ['--initial-old-space-size=512'];

const NAMES_FLAG = /--initial[-_]old[-_]space[-_]size/;

/** Whether to run again with EXPLORE_HEAP_FLAGS: `explore`, no opt-out, no choice already made. */
export function wantsHeapFlags({ command, env, execArgv }) {
  if (command !== 'explore') return false;
  if (env.SMMU_SVA_HEAP_FLAGS === '0') return false;
  return !execArgv.some((a) => NAMES_FLAG.test(a)) && !NAMES_FLAG.test(env.NODE_OPTIONS ?? '');
}
