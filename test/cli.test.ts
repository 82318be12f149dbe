// The smmu-sva command as a user runs it: exit codes, JSON output, one-line errors.
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { explore } from '../src/explorer/explore.ts';
import { loadConfigFile } from '../src/codecs/config.ts';
import { variantNames } from '../src/model/variant.ts';
import { seedTrace1 } from '../src/scenarios/seed.ts';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/smmu-sva.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('smmu-sva CLI', () => {
  it('variants --json lists the seven variants with their decision points and expected verdicts', () => {
    const r = cli('variants', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { name: string; decisionPoints: Record<string, unknown>; expectedVerdicts: Record<string, string[]> }[];
    expect(rows.map((x) => x.name)).toEqual([...variantNames]);
    expect(rows.find((x) => x.name === 'v6')!.expectedVerdicts.default).toContain('no-stale-atc');
    expect(rows.find((x) => x.name === 'upstream')!.expectedVerdicts.default).toEqual([]);
  });
  it('scenario seed-trace-1 under v6-atc prints the seed lines and exits 0', () => {
    const r = cli('scenario', 'seed-trace-1', '--variant', 'v6-atc');
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').map((l) => l.replace(/group=\d+/, 'group=N'))).toEqual(seedTrace1.seedLines.map((l) => l.replace(/group=\d+/, 'group=N')));
  });
  it('scenario seed-trace-1 under v6 reports the stale ATC and exits 1', () => {
    const r = cli('scenario', 'seed-trace-1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/VIOLATION no-stale-atc/);
  });
  it('user errors exit 2 with one message and no stack trace', () => {
    for (const args of [['bogus'], ['variants', '--nope'], ['scenario', 'nope'], ['scenario', 'seed-trace-1', '--variant', 'v7']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.err.length).toBeGreaterThan(0);
    }
  });
  it('a flag value that starts with a dash gets the remedy on the same line', () => {
    const r = cli('explore', '--max-states', '-3');
    expect(r.code).toBe(2);
    expect(r.err).toBe("smmu-sva explore: Option '--max-states' argument is ambiguous. Did you forget to specify the option argument for '--max-states'? To specify an option argument starting with a dash use '--max-states=-XYZ'.\n");
    expect(cli('explore', '--max-states=-3').err).toMatch(/--max-states expects a non-negative integer, got "-3"/);
  });
  it('an unknown flag is named, with the flags there are', () => {
    const r = cli('explore', '--max-state', '5');
    expect(r.code).toBe(2);
    expect(r.err).toBe('smmu-sva explore: unknown flag --max-state: expected one of --config, --variant, --json, --no-symmetry, --max-states, --workers, --format, --frontier-mem, --successors-mem, --engine, --progress, --no-por, --family (--help describes them)\n');
    expect(cli('tour', '--json').err).toBe('smmu-sva tour: unknown flag --json: it takes no flags (--help describes them)\n');
  });
  it('--format with --json is refused: the JSON has its own trace format', () => {
    const r = cli('explore', '--json', '--format', 'mermaid');
    expect(r.code).toBe(2);
    expect(r.err).toBe('smmu-sva explore: --format is for text output; --json prints each counterexample as JSON (leave out one of them)\n');
  });
  it('COMMAND --help and help COMMAND print every flag of the command on stdout and exit 0', async () => {
    const commands = ['tour', 'variants', 'scenario', 'explore', 'check-trace', 'conform', 'simulate'];
    const top = cli('--help');
    expect(top.code).toBe(0);
    for (const c of commands) expect(top.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    for (const c of commands) {
      const { spec } = (await import(`../src/cli/commands/${c === 'check-trace' ? 'checkTrace' : c}.ts`)) as { spec: { name: string; flags: Record<string, unknown> } };
      expect(spec.name).toBe(c);
      const r = cli(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(new RegExp(`^usage: smmu-sva ${c}`));
      // every flag the parser accepts, in the synopsis and in the table
      for (const f of Object.keys(spec.flags)) expect(r.out.match(new RegExp(`--${f}\\b`, 'g'))?.length, `${c} --${f}`).toBeGreaterThanOrEqual(2);
      expect(cli('help', c).out).toBe(r.out);
    }
    // help wins over other flags, but not after --
    expect(cli('explore', '--bogus', '-h').code).toBe(0);
    expect(cli('check-trace', '--', '--help').err).toMatch(/--help: cannot read|ENOENT/);
  }, 60_000);
  it('the top-level help lists every flag of every command, from the command\'s own flag table', async () => {
    const top = cli('--help').out.split('\n');
    for (const c of ['tour', 'variants', 'scenario', 'explore', 'check-trace', 'conform', 'simulate']) {
      const { spec } = (await import(`../src/cli/commands/${c === 'check-trace' ? 'checkTrace' : c}.ts`)) as { spec: { flags: Record<string, unknown> } };
      const at = top.findIndex((l) => l.startsWith(`  ${c} `));
      expect(at, c).toBeGreaterThan(0);
      // the summary line, then the synopsis: smmu-sva COMMAND [--flag ...]
      const synopsisLine = top[at + 1] ?? '';
      expect(synopsisLine.trim().startsWith(`smmu-sva ${c}`), synopsisLine).toBe(true);
      const own = cli(c, '--help').out;
      for (const f of Object.keys(spec.flags)) {
        expect(synopsisLine, `${c} --${f} in smmu-sva --help`).toMatch(new RegExp(`--${f}(?![\\w-])`));
        expect(own, `${c} --${f} in ${c} --help`).toMatch(new RegExp(`--${f}(?![\\w-])`));
      }
      // and no flag the command does not accept
      for (const m of synopsisLine.matchAll(/--([\w-]+)/g)) expect(Object.keys(spec.flags), `${c}: --${m[1]}`).toContain(m[1]);
    }
  }, 60_000);
});

describe('smmu-sva tour (npm start)', () => {
  it('walks through the seed trace, the stale-ATC story and both verdict tables, and exits 0', () => {
    const r = cli('tour');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/seed-trace-1 .* under v6\n/);
    expect(r.out).toMatch(/v6 violates dma-isolation: a shortest counterexample, 9 events/);
    expect(r.out).toMatch(/verdicts on default \(expected/);
    expect(r.out).toMatch(/ok {3}v6 {20}violates dma-isolation \(6\), no-stale-atc \(5\) {2}\(412902 states\)/);
    expect(r.out).toMatch(/verdicts on seed-wide \(bounded prefix\)/);
    expect(r.out).not.toMatch(/\bFAIL\b|\bDIFF\b/);
  }, 120_000);
});

describe('npm run bench:expand', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-expand.ts', ...args], { encoding: 'utf8' });
  it('times this tree against a base checkout (here: itself) on the same chunks', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--rounds', '3', '--base', '.');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tiny, v6: \d+ states, \d+ transitions, \d+ chunks\n/);
    expect(r.stdout).toMatch(/round 3: (this tree|base) \d+ ms, (this tree|base) \d+ ms\n/);
    expect(r.stdout).toMatch(/this tree \/ base: \d\.\d{3} of the time\n$/);
  }, 60_000);
  it('--help describes its flags', () => {
    const r = bench('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run bench:expand -- \[--base DIR\] \[--config FILE\] \[--variant NAME\] \[--rounds N\]\n/);
  });
  it('a base that is not a checkout exits 2 with one message', () => {
    const r = bench('--base', 'spec');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('npm run bench:expand: --base spec: no src/explorer/expand.ts there (expected a checkout of this repository)\n');
  });
});

describe('npm run bench:contention', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-contention.ts', ...args], { encoding: 'utf8' });
  it('times the expander in each arrangement on the same sample, every thread with the same edges', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--sample', '2000', '--chunks', '1', '--passes', '1', '--rounds', '1', '--traffic-mib', '16');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^tiny, v6, symmetry and partial-order reduction on: \d+ states \(the last found of the first 2000\), 1 timed pass\(es\) after one to warm up, 1 round\(s\)$/);
    const rows = lines.slice(3).map((l) => l.match(/^\| 1 \| (.+) \| (\d+\.\d\d(?: and \d+\.\d\d)?) \|$/)![1]);
    expect(rows).toEqual([
      'alone in this thread', 'alone in a worker', 'two workers at once', 'this thread beside a worker',
      'a worker fed as the pool feeds one', 'the same, this thread reading and writing 16 MiB at random',
    ]);
  }, 60_000);
  it('bad flags exit 2 with one message', () => {
    const word = bench('--passes', 'x');
    expect([word.status, word.stderr]).toEqual([2, 'npm run bench:contention: --passes expects a non-negative integer, got "x"\n']);
    const zero = bench('--rounds', '0');
    expect([zero.status, zero.stderr]).toEqual([2, 'npm run bench:contention: --sample, --chunks, --passes, --rounds and --traffic-mib expect at least 1\n']);
    const big = bench('--traffic-mib', '9000');
    expect([big.status, big.stderr]).toEqual([2, 'npm run bench:contention: --traffic-mib expects at most 8192 (the random index is 31 bits), got 9000\n']);
  });
});

describe('npm run bench:partition', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-partition.ts', ...args], { encoding: 'utf8' });
  it('counts every state explore finds, in one part and in two, level by level alike', async () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--max-states', '100000000');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(3, 5).map((l) => l.match(/^\| 1 \| (\d) \| (\d+) \| (\d+) \| (\d+) \|/)!);
    expect(rows.map((m) => m[1])).toEqual(['1', '2']);
    const config = loadConfigFile('spec/configs/tiny.json');
    if (E.isLeft(config)) throw new Error(config.left.join('; '));
    const x = await explore(config.right, 'v6', { symmetry: true, por: true, workers: 1, maxStates: 100_000_000 });
    for (const m of rows) expect([Number(m[2]), Number(m[3]), Number(m[4])]).toEqual([x.maxDepth, x.states, x.transitions]);
  }, 60_000);
  it('bad flags exit 2 with one message', () => {
    const word = bench('--rounds', 'x');
    expect([word.status, word.stderr]).toEqual([2, 'npm run bench:partition: --rounds expects a non-negative integer, got "x"\n']);
    const zero = bench('--max-states', '0');
    expect([zero.status, zero.stderr]).toEqual([2, 'npm run bench:partition: --max-states and --rounds expect at least 1\n']);
  });
});

describe('npm run bench:pairs', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-pairs.ts', ...args], { encoding: 'utf8' });
  it('times the explore command with two threads and with one, alternately, each vCPU probed before each run', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--max-states', '3000', '--pairs', '2');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('tiny, v6, --max-states 3000: one thread against 2, 2 pair(s); probe: 300000000 iterations of tools/core-probe.mjs pinned to each vCPU');
    const rows = lines.slice(3, 7).map((l) => l.split(' | '));
    // pair 1 runs the two threads first, pair 2 one thread first
    expect(rows.map((c) => [c[0], c[1]])).toEqual([['| 1', '2'], ['| 1', '1'], ['| 2', '1'], ['| 2', '2']]);
    for (const c of rows) {
      // one probe per vCPU, or 'unavailable' where taskset cannot pin (not Linux, no util-linux)
      expect(c[2] === 'unavailable' || c[2]!.split(' / ').every((s) => /^\d+\.\d\d$/.test(s))).toBe(true);
      expect(Number(c[3])).toBeGreaterThan(0);
    }
    expect(lines.at(-1)).toMatch(/^one thread's wall time over 2 threads', per pair: \d+\.\d\dx, \d+\.\d\dx; median \d+\.\d\dx$/);
  }, 120_000);
  it('--variant all: the seven variants in one explore process each way, states over the wall time', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--variant', 'all', '--max-states', '2000', '--pairs', '1');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('tiny, all, --max-states 2000: one thread against 2, 1 pair(s); probe: 300000000 iterations of tools/core-probe.mjs pinned to each vCPU');
    expect(lines[1]).toBe('| pair | threads | probe before, s (vCPU 0 / 1 / ...) | wall, s | search, s | states/s (every variant, over the wall time) |');
    const rows = lines.slice(3, 5).map((l) => l.split(' | '));
    expect(rows.map((c) => [c[0], c[1], c[4]])).toEqual([['| 1', '2', '-'], ['| 1', '1', '-']]);
    expect(lines.at(-1)).toMatch(/^one thread's wall time over 2 threads', per pair: \d+\.\d\dx; median \d+\.\d\dx$/);
  }, 120_000);
  it('bad flags exit 2 with one message', () => {
    const one = bench('--workers', '1');
    expect([one.status, one.stderr]).toEqual([2, 'npm run bench:pairs: --workers expects at least 2 and --pairs at least 1\n']);
    const word = bench('--pairs', 'x');
    expect([word.status, word.stderr]).toEqual([2, 'npm run bench:pairs: --pairs expects a non-negative integer, got "x"\n']);
    const variant = bench('--variant', 'v7');
    expect(variant.status).toBe(2);
    expect(variant.stderr).toMatch(/^npm run bench:pairs: --variant: unknown variant "v7"/);
  });
});

describe('npm run bench:threads', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-threads.ts', ...args], { encoding: 'utf8' });
  it('--runs room: one thread grown against one with room made, the order swapped each round, the same states', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--max-states', '2000', '--rounds', '2', '--no-por', '--no-symmetry', '--runs', 'room');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tiny, v6, no partial-order reduction, no symmetry, --max-states 2000, 2 round\(s\)\n/);
    const names = r.stdout.trim().split('\n').slice(3).map((l) => l.split(' | ')[1]);
    expect(names).toEqual(['grown', 'room made', 'room made', 'grown']);
  }, 60_000);
  it('--runs image: one thread fingerprinting keys against one fingerprinting Store images, the order swapped each round, the same states', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--max-states', '2000', '--rounds', '2', '--no-por', '--no-symmetry', '--runs', 'image');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const names = r.stdout.trim().split('\n').slice(3).map((l) => l.split(' | ')[1]);
    expect(names).toEqual(['key', 'Store image', 'Store image', 'key']);
  }, 60_000);
  it('--runs kernel: one thread hashing in JavaScript against one hashing in WebAssembly, the order swapped each round, the same states', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--max-states', '2000', '--rounds', '2', '--runs', 'kernel');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const names = r.stdout.trim().split('\n').slice(3).map((l) => l.split(' | ')[1]);
    expect(names).toEqual(['hash in JavaScript', 'hash kernel', 'hash kernel', 'hash in JavaScript']);
  }, 60_000);
  it('bad flags exit 2 with one message', () => {
    const runs = bench('--runs', 'both');
    expect([runs.status, runs.stderr]).toEqual([2, 'npm run bench:threads: --runs expects threads, room, image or kernel, got "both"\n']);
    const image = bench('--runs', 'image');
    expect([image.status, image.stderr]).toEqual([2, 'npm run bench:threads: --runs image needs --no-symmetry (with symmetry reduction the fingerprint is always the key\'s)\n']);
  });
});

describe('npm run bench:floor', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-floor.ts', ...args], { encoding: 'utf8' });
  it("times the semantics alone over the same steps as part 1's expansion, and bounds a design that keeps them", () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--states', '1000', '--prefill', '1000', '--rounds', '1');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tiny, v6, no symmetry, no partial-order reduction: \d+ states, \d+ expanded, \d+ transitions/);
    expect(r.stdout).toMatch(/\n {2}the semantics alone \(part 4, best of 1\): [\d.]+ ns per transition, of which the adapter's step and its monitor -?[\d.]+ ns \(the monitor's watch -?[\d.]+ ns of it\)/);
    expect(r.stdout).toMatch(/\n {2}a design that keeps these semantics, .*: [\d.]+ ns per transition before the merge's own work, at most \d+ discovered states\/s on this prefix, \d+ expanded states\/s\n/);
  }, 60_000);
  it('bad flags exit 2 with one message', () => {
    const zero = bench('--rounds', '0');
    expect([zero.status, zero.stderr]).toEqual([2, 'npm run bench:floor: --rounds expects at least 1, got 0\n']);
  });
});

describe('npm run bench:inplace', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-inplace.ts', ...args], { encoding: 'utf8' });
  it("finds explore's states level by level both ways: a key per successor, and a fingerprint from the Store's words", async () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--max-states', '100000000');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(3, 5).map((l) => l.match(/^\| 1 \| (key|inplace) \| (\d+) \| (\d+) \| (\d+) \| [\d.]+ \| \d+ \| ([\d ]+) \|$/)!);
    expect(rows.map((m) => m?.[1])).toEqual(['key', 'inplace']);
    const config = loadConfigFile('spec/configs/tiny.json');
    if (E.isLeft(config)) throw new Error(config.left.join('; '));
    const x = await explore(config.right, 'v6', { symmetry: false, por: false, workers: 1, maxStates: 100_000_000 });
    for (const m of rows) expect([Number(m[2]), Number(m[3]), Number(m[4]), m[5]]).toEqual([x.maxDepth, x.states, x.transitions, x.levels.join(' ')]);
  }, 60_000);
  it('bad flags exit 2 with one message', () => {
    const zero = bench('--max-states', '0');
    expect([zero.status, zero.stderr]).toEqual([2, 'npm run bench:inplace: --max-states and --rounds expect at least 1\n']);
    const variant = bench('--variant', 'v7');
    expect(variant.status).toBe(2);
    expect(variant.stderr).toMatch(/^npm run bench:inplace: --variant: unknown variant "v7"/);
  });
});

describe('npm run bench:key-words', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-key-words.ts', ...args], { encoding: 'utf8' });
  it('counts the words of the keys it finds, then times the frontier on them in five rounds', () => {
    const r = bench('3000');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const keys = Number(r.stdout.match(/^keys (\d+) words\/key [\d.]+ in a byte of the frontier [\d.]+$/m)?.[1]);
    expect(keys).toBeGreaterThanOrEqual(3000);
    expect(r.stdout.match(/^round \d: push [\d.]+ ns\/key, take [\d.]+ ns\/key$/gm)).toHaveLength(5);
  }, 60_000);
  it('a bad count exits 2 with one message', () => {
    const bad = bench('0');
    expect([bad.status, bad.stderr]).toEqual([2, 'npm run bench:key-words: max-keys expects a positive integer, got 0\n']);
  });
});

describe('npm run bench:family', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-family.ts', ...args], { encoding: 'utf8' });
  it('explores the variants and counts the states they share', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--variant', 'v6-atc,release-clears-valid,v6');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('tiny: v6-atc, release-clears-valid, v6, 2 at a time');
    const per = lines.slice(1, 4).map((l) => l.match(/^ {2}(\S+): (\d+) states, \d+ transitions, [\d.]+ s; (\d+) shared with no other variant/)!);
    expect(per.map((m) => m[1])).toEqual(['v6-atc', 'release-clears-valid', 'v6']);
    const total = lines[4]!.match(/^ {2}together: (\d+) states in [\d.]+ s of search; (\d+) distinct \([\d.]+x fewer\); (\d+) reached by every one$/)!;
    const states = per.map((m) => Number(m[2])), only = per.map((m) => Number(m[3]));
    const [sum, union, all] = [Number(total[1]), Number(total[2]), Number(total[3])];
    expect(sum).toBe(states.reduce((a, b) => a + b));
    // every state is in one variant, in two, or in all three
    expect(union).toBeLessThanOrEqual(sum);
    expect(union).toBeGreaterThanOrEqual(Math.max(...states));
    for (const [i, o] of only.entries()) expect(o).toBeLessThanOrEqual(states[i]! - all);
    expect(all).toBeGreaterThan(0);
  }, 60_000);
  it('bad flags exit 2 with one message; a truncated run exits 3', () => {
    const one = bench('--variant', 'v6');
    expect([one.status, one.stderr]).toEqual([2, 'npm run bench:family: --variant expects at least two different variants\n']);
    const bad = bench('--variant', 'v6,v7');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^npm run bench:family: --variant: item 2 of "v6,v7": unknown variant "v7": expected one of v6, v6-atc, .*, several separated by commas, or all\n$/);
    expect(bench('--workers', '0').status).toBe(2);
    expect(bench('--config', 'spec/configs/tiny.json', '--variant', 'v6,upstream', '--max-states', '50').status).toBe(3);
  }, 60_000);
});

describe('npm run bench:traits', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-traits.ts', ...args], { encoding: 'utf8' });
  it('counts the traits each step reads; a variant differing in one trait takes the same way exactly the edges that do not read it', () => {
    const r = bench('--config', 'spec/configs/tiny.json', '--variant', 'release-clears-valid', '--max-states', '200');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^tiny, release-clears-valid: 200 states expanded, \d+ edges; \d+ states whose enabled events or ample choice read a trait$/);
    expect(lines[1]).toMatch(/^ {2}edges reading each trait: (\w+ \d+\.\d%)(, \w+ \d+\.\d%)*$/);
    const same = new Map(lines.slice(2).map((l) => { const m = l.match(/^ {2}taken the same way by (\S+): (\d+\.\d)%$/)!; return [m[1]!, Number(m[2])]; }));
    expect([...same.keys()].sort()).toEqual(['no-synchronize', 'release-clears-sr', 'release-skips-tlbi', 'upstream', 'v6', 'v6-atc']);
    // release-clears-sr differs from release-clears-valid in releaseCd only: exactly the edges that read it differ
    const releaseCd = Number(lines[1]!.match(/releaseCd (\d+\.\d)%/)![1]);
    expect(same.get('release-clears-sr')).toBeCloseTo(100 - releaseCd, 1);
    expect(same.get('v6-atc')).toBeCloseTo(100 - releaseCd, 1);
    for (const p of same.values()) expect(p).toBeLessThan(100);
  }, 60_000);
  it('bad flags exit 2 with one message', () => {
    expect(bench('--variant', 'v7').stderr).toMatch(/^npm run bench:traits: unknown variant "v7": expected one of v6, /);
    expect(bench('--max-states', '0').status).toBe(2);
  });
});

describe('npm run bench:family-search', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/bench-family-search.ts', ...args], { encoding: 'utf8' });
  // the tool checks every variant against its own explore and exits 1 on a difference;
  // stall-forced is where expanding a stepped successor rather than the state decoded from its
  // canonical key (as explore does) changed the ample choices, and every variant's figures
  for (const [config, por] of [['stall-forced', true], ['tiny', false]] as const) {
    it(`one search for all seven variants gives each variant's own figures on ${config}${por ? '' : ' (--no-por)'}, with fewer steps`, () => {
      const r = bench('--config', `spec/configs/${config}.json`, ...(por ? [] : ['--no-por']));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines.slice(1, 8).map((l) => l.match(/^ {2}(\S+): \d+ states, \d+ transitions, depth \d+, /)?.[1])).toEqual([...variantNames]);
      expect(r.stdout).not.toMatch(/BUT ITS OWN SEARCH/);
      const [, distinct, summed] = lines[8]!.match(/^ {2}states: (\d+) distinct against (\d+) in the separate searches/)!.map(Number);
      expect(distinct).toBeLessThan(summed!);
      const [, steps, separate] = lines[9]!.match(/steps run: (\d+) against (\d+)/)!.map(Number);
      expect(steps).toBeLessThan(separate!);
    }, 60_000);
  }
  it('bad flags exit 2; too many states exits 3', () => {
    expect(bench('--variant', 'v6,v7').status).toBe(2);
    expect(bench('--config', 'spec/configs/tiny.json', '--max-states', '10').status).toBe(3);
  }, 60_000);
});

describe('exit codes, the same for every command (src/cli/args.ts exitCode)', () => {
  it('explore --progress writes timestamped progress lines to stderr and leaves --json output alone', () => {
    const r = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream', '--json', '--progress');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).variant).toBe('upstream');
    const lines = r.err.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^smmu-sva explore: \d+ s: upstream: \d+ states, \d+ states\/s, depth \d+, frontier \d+, peak RSS \d+ MiB$/);
    expect(cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream', '--json').err).toBe('');
  });
  it('a truncated explore that found nothing is incomplete (3), with one variant and with all; a violation found before the cut is 1', () => {
    const one = cli('explore', '--variant', 'upstream', '--max-states', '1000');
    expect(one.code, one.err).toBe(3);
    expect(one.out).toMatch(/incomplete: stopped at --max-states 1000; exit 3/);
    const all = cli('explore', '--variant', 'all', '--max-states', '1000');
    expect(all.code, all.err).toBe(3);
    expect(all.out).toMatch(/verdict cannot be confirmed \(exit 3, incomplete\)/);
    expect(cli('explore', '--config', 'spec/configs/small.json', '--variant', 'v6', '--max-states', '2000').code).toBe(1);
    expect(cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream').code).toBe(0);
  }, 60_000);
  it('check-trace: a rejection after the state set was cut to --max-states is incomplete (3)', () => {
    const r = cli('check-trace', 'test/fixtures/traces/seed2.bare.txt', '--variant', 'upstream', '--max-states', '1');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/a rejection may be spurious/);
    expect(cli('check-trace', 'test/fixtures/traces/invalid/double-bind.txt').code).toBe(1);
  });
  it('every command\'s --help states its exit codes; the top-level help lists them all', () => {
    expect(cli('--help').out).toMatch(/Exit codes of every command: 0 success; 1 .*; 2 bad input;\n3 incomplete .*; 70 internal error/);
    for (const c of ['tour', 'variants', 'scenario', 'explore', 'check-trace', 'conform', 'simulate']) {
      expect(cli(c, '--help').out, c).toMatch(/Exit 0/);
    }
    expect(cli('explore', '--help').out).toMatch(/3: incomplete/);
    expect(cli('check-trace', '--help').out).toMatch(/3 incomplete/);
  });
  it('where Node forbids code generation from strings, explore falls back to the reducer engine with a note; asking for the packed engine exits 2', () => {
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', 'tools/smmu-sva.mjs', 'explore', '--json', ...args], { encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const dflt = run('--variant', 'upstream');
    expect(dflt.code).toBe(0);
    expect(dflt.err).toMatch(/^smmu-sva explore: the packed engine compiles .*: exploring with --engine reducer instead \(same results, slower\)\n$/);
    const got = JSON.parse(dflt.out) as { engine: string; states: number; violations: unknown[] };
    const packed = JSON.parse(cli('explore', '--json', '--variant', 'upstream').out) as { engine: string; states: number; violations: unknown[] };
    expect([got.engine, packed.engine]).toEqual(['reducer', 'packed']);
    expect(got.states).toBe(packed.states);
    const asked = run('--variant', 'upstream', '--engine', 'packed');
    expect(asked.code).toBe(2);
    expect(asked.err).toMatch(/^smmu-sva explore: --engine packed: .*code generation from strings.*; use --engine reducer/);
    expect(asked.err).not.toMatch(/\n\s+at /);
  });
});
