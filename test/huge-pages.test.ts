// `smmu-sva explore` runs itself again with glibc's huge-page tunable (bin/hugePages.mjs) and V8's
// heap flags (bin/heapFlags.mjs), through bin/runAgain.mjs: when it does, what reaches the child,
// and that the command's output and exit code do not change.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HUGETLB_TUNABLE, hostFacts, wantsHugePages as want, withHugeTunable } from '../bin/hugePages.mjs';
import { EXPLORE_HEAP_FLAGS, wantsHeapFlags } from '../bin/heapFlags.mjs';
import { explorePlan, RUN_AGAIN_MARK } from '../bin/runAgain.mjs';

type Facts = Parameters<typeof want>[0];
const MADVISE = 'always [madvise] never\n';
const base: Facts = { platform: 'linux', command: 'explore', env: {}, thpMode: MADVISE, glibc: () => '2.36' };

/** Runs `code` as an ES module in a fresh node, from the repository root. */
const node = (code: string, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env });

/**
 * `smmu-sva explore` run with the environment `envOf('1')` and `envOf('0')` (a setting on and off):
 * the same exit code, stderr, and --json result but for what depends on timing and allocation, on
 * a small search and on a bad flag.
 */
function sameWithAndWithout(envOf: (flag: string) => NodeJS.ProcessEnv): void {
  const run = (flag: string, ...args: string[]) => spawnSync(process.execPath, ['tools/smmu-sva.mjs', 'explore', ...args],
    { encoding: 'utf8', env: { ...process.env, ...envOf(flag) }, timeout: 50_000 });
  const untimed = (s: string) => s === '' ? s : JSON.stringify(JSON.parse(s, (k, v: unknown) => ['seconds', 'statesPerSecond', 'time', 'memory', 'bytesPerState'].includes(k) ? undefined : v));
  for (const args of [['--config', 'spec/configs/small.json', '--variant', 'v6', '--json'], ['--max-states', '-3']]) {
    const on = run('1', ...args), off = run('0', ...args);
    expect(on.status, args.join(' ')).toBe(off.status);
    expect(untimed(on.stdout)).toBe(untimed(off.stdout));
    expect(on.stderr).toBe(off.stderr);
  }
}

describe('huge pages for explore (bin/hugePages.mjs)', () => {
  it('asks for them only for explore on Linux with THP in madvise mode and glibc 2.35 or later', () => {
    expect(want(base)).toBe(true);
    expect(want({ ...base, glibc: () => '2.35' })).toBe(true);
    expect(want({ ...base, glibc: () => '3.0' })).toBe(true);
    expect(want({ ...base, command: 'conform' })).toBe(false);
    expect(want({ ...base, command: undefined })).toBe(false);
    expect(want({ ...base, platform: 'darwin' })).toBe(false);
    expect(want({ ...base, thpMode: 'always madvise [never]\n' })).toBe(false);
    expect(want({ ...base, thpMode: '[always] madvise never\n' })).toBe(false); // every mapping already may use them
    expect(want({ ...base, thpMode: undefined })).toBe(false);
    expect(want({ ...base, glibc: () => '2.34' })).toBe(false); // the tunable came with 2.35
    expect(want({ ...base, glibc: () => undefined })).toBe(false); // musl and others
    expect(want({ ...base, env: { SMMU_SVA_HUGE_PAGES: '0' } })).toBe(false);
    expect(want({ ...base, env: { SMMU_SVA_HUGE_PAGES: '1' } })).toBe(true);
    // a choice already made, either way, is left as it is (and the child does not run itself again)
    expect(want({ ...base, env: { GLIBC_TUNABLES: HUGETLB_TUNABLE } })).toBe(false);
    expect(want({ ...base, env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0' } })).toBe(false);
    expect(want({ ...base, env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' } })).toBe(true);
  });
  it('asks for the glibc version last (it costs a process report)', () => {
    let asked = 0;
    const glibc = () => { asked++; return '2.36'; };
    want({ ...base, glibc, command: 'conform' });
    want({ ...base, glibc, thpMode: undefined });
    want({ ...base, glibc, env: { SMMU_SVA_HUGE_PAGES: '0' } });
    expect(asked).toBe(0);
    want({ ...base, glibc });
    expect(asked).toBe(1);
  });
  it('adds the tunable to those already set', () => {
    expect(withHugeTunable(undefined)).toBe('glibc.malloc.hugetlb=1');
    expect(withHugeTunable('')).toBe('glibc.malloc.hugetlb=1');
    expect(withHugeTunable('glibc.malloc.arena_max=2')).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });
  it('reads this host', () => {
    const f = hostFacts();
    expect(f.platform).toBe(process.platform);
    if (process.platform === 'linux') expect(typeof f.glibc()).toMatch(/string|undefined/);
  });
  it('runs the child with the arguments and the environment given, and returns its exit code', () => {
    const r = node(`import { runAgain } from './bin/runAgain.mjs';
      process.exitCode = await runAgain(['--initial-old-space-size=64', '-e', 'process.stdout.write(process.execArgv[0] + " " + process.env.GLIBC_TUNABLES + " " + process.env.MARK); process.exitCode = 7'],
        { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.arena_max=2', MARK: 'kept' });`);
    expect(r.stdout).toBe('--initial-old-space-size=64 glibc.malloc.arena_max=2 kept');
    expect(r.status).toBe(7);
  });
  it('a child ended by a signal gives 128 + its number', () => {
    const r = node(`import { runAgain } from './bin/runAgain.mjs';
      process.exitCode = await runAgain(['-e', 'process.kill(process.pid, "SIGKILL")']);`);
    expect(r.status).toBe(137);
  });
  // only where explore runs itself again (Linux, THP in madvise mode, glibc 2.35+): elsewhere both runs are one
  it.runIf(want({ ...hostFacts(), command: 'explore', env: {} }))('explore prints the same and exits alike with and without it', () => {
    sameWithAndWithout((flag) => ({ SMMU_SVA_HUGE_PAGES: flag }));
  }, 60_000);
});

describe('V8 heap flags for explore (bin/heapFlags.mjs) and the plan (bin/runAgain.mjs)', () => {
  const argv = ['tools/smmu-sva.mjs', 'explore', '--variant', 'v6'];
  it('asks for the flags for explore only, unless turned off or already chosen', () => {
    const h = { command: 'explore', env: {}, execArgv: [] as string[] };
    expect(wantsHeapFlags(h)).toBe(true);
    expect(wantsHeapFlags({ ...h, command: 'conform' })).toBe(false);
    expect(wantsHeapFlags({ ...h, command: undefined })).toBe(false);
    expect(wantsHeapFlags({ ...h, env: { SMMU_SVA_HEAP_FLAGS: '0' } })).toBe(false);
    expect(wantsHeapFlags({ ...h, env: { SMMU_SVA_HEAP_FLAGS: '1' } })).toBe(true);
    expect(wantsHeapFlags({ ...h, execArgv: ['--initial-old-space-size=128'] })).toBe(false);
    expect(wantsHeapFlags({ ...h, execArgv: ['--initial_old_space_size=128'] })).toBe(false);
    expect(wantsHeapFlags({ ...h, env: { NODE_OPTIONS: '--max-old-space-size=4096 --initial-old-space-size=64' } })).toBe(false);
    expect(wantsHeapFlags({ ...h, execArgv: ['--max-old-space-size=4096'] })).toBe(true);
  });
  it('the plan puts the flags before this process\'s own and adds the tunable where wanted; the child would not run again', () => {
    const facts = { platform: 'linux', thpMode: MADVISE, glibc: () => '2.36' };
    const env = { MARK: 'kept' };
    const both = explorePlan({ argv, execArgv: ['--import', 'x'], env, facts })!;
    expect(both.args).toEqual([...EXPLORE_HEAP_FLAGS, '--import', 'x', ...argv]);
    expect(both.env).toEqual({ MARK: 'kept', GLIBC_TUNABLES: HUGETLB_TUNABLE, [RUN_AGAIN_MARK]: '1' });
    // the child's own plan: nothing left to do, for either reason (what it has, and the mark)
    const childArgs = both.args.slice(0, -argv.length);
    expect(explorePlan({ argv, execArgv: childArgs, env: both.env, facts })).toBeUndefined();
    expect(explorePlan({ argv, execArgv: childArgs, env: { ...both.env, [RUN_AGAIN_MARK]: undefined }, facts })).toBeUndefined();
    expect(explorePlan({ argv, execArgv: [], env: { [RUN_AGAIN_MARK]: '1' }, facts })).toBeUndefined();
    // flags only (no huge pages here), the environment otherwise untouched
    const flagsOnly = explorePlan({ argv, execArgv: [], env, facts: { ...facts, platform: 'darwin' } })!;
    expect(flagsOnly.args).toEqual([...EXPLORE_HEAP_FLAGS, ...argv]);
    expect(flagsOnly.env).toEqual({ MARK: 'kept', [RUN_AGAIN_MARK]: '1' });
    // huge pages only
    const tunableOnly = explorePlan({ argv, execArgv: [], env: { SMMU_SVA_HEAP_FLAGS: '0' }, facts })!;
    expect(tunableOnly.args).toEqual(argv);
    expect(tunableOnly.env.GLIBC_TUNABLES).toBe(HUGETLB_TUNABLE);
    // neither; and never for another command
    expect(explorePlan({ argv, execArgv: [], env: { SMMU_SVA_HEAP_FLAGS: '0', SMMU_SVA_HUGE_PAGES: '0' }, facts })).toBeUndefined();
    expect(explorePlan({ argv: ['tools/smmu-sva.mjs', 'conform'], execArgv: [], env: {}, facts })).toBeUndefined();
  });
  it('explore prints the same and exits alike with and without the flags', () => {
    sameWithAndWithout((flag) => ({ SMMU_SVA_HEAP_FLAGS: flag, SMMU_SVA_HUGE_PAGES: '0' }));
  }, 60_000);
});
