// The frontier and the successor lists spilled to disk (src/explorer/queue.ts, successors.ts):
// with memory budgets small enough to force spilling, the queue hands out the same keys in the same
// order, the liveness fixpoint over spilled blocks gives the answer of liveness.ts, explore()
// gives exactly the same result (states, transitions, depth, node numbering and hashes, parents,
// violations and their counterexamples) for both engines and with workers,
// `smmu-sva explore --frontier-mem 0 --successors-mem 0` prints the same report, and the
// temporary files are gone afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import type { Config } from '../src/model/config.ts';
import { explore, type ExploreOptions, type ExploreResult, type MemorySplit } from '../src/explorer/explore.ts';
import { KeyQueue } from '../src/explorer/queue.ts';
import { checkFifo } from './queue-fifo.ts';
import { faultsResolvable } from '../src/explorer/liveness.ts';
import { SuccessorLists } from '../src/explorer/successors.ts';
import { report, toJson } from '../src/explorer/verdict.ts';

function config(name: string): Config {
  const c = loadConfigFile(`spec/configs/${name}.json`);
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

const scratch = mkdtempSync(join(tmpdir(), 'frontier-spill-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('KeyQueue with a memory budget', () => {
  test.prop([
    fc.array(fc.record({ push: fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }), take: fc.integer({ min: 1, max: 200 }) }), { minLength: 1, maxLength: 60 }),
    fc.integer({ min: 1, max: 2000 }),
    fc.constantFrom(0, 4096, 1 << 16),
    fc.constantFrom('wide' as const, 'small' as const),
  ])('hands out every key once, in push order, unchanged, while spilling segments to disk', (steps, segmentWords, memBytes, words) => {
    const q = new KeyQueue({ memBytes, segmentWords });
    try {
      checkFifo(q, steps, words);
    } finally {
      q.close();
    }
  });

  it('keeps words in -2..252 as a byte each and escapes every other word, in memory and on disk', () => {
    const edge = [-3, -2, -1, 0, 61, 252, 253, 254, 255, 256, -256, 65535, -(2 ** 31), 2 ** 31 - 1];
    for (const memBytes of [Infinity, 0]) {
      const q = new KeyQueue({ memBytes, segmentWords: 16 });
      try {
        const keys = [Int32Array.from(edge), Int32Array.from([1, 2, 3]), Int32Array.from(edge.slice().reverse())];
        for (const k of keys) q.push(k, 0, k.length);
        q.push(keys[1]!, 0, 3); // closes the segment before it, which a budget of 0 spills
        const t = q.take(3)!;
        expect(keys.map((_, i) => Array.from(t.chunk.enc.subarray(t.chunk.offsets[i]!, t.chunk.offsets[i + 1]!)))).toEqual(keys.map((k) => Array.from(k)));
        if (memBytes === 0) expect(q.stats().spilledBytes).toBeGreaterThan(0);
      } finally {
        q.close();
      }
    }
    // a byte per word: 1000 keys of 60 small words take about 60 KB of segments, not 240 KB
    const q = new KeyQueue();
    const key = Int32Array.from({ length: 60 }, (_, i) => (i % 64) - 2);
    for (let i = 0; i < 1000; i++) q.push(key, 0, 60);
    expect(q.stats().peakBytes).toBeLessThan(100_000);
  });

  // push() stores four words at a time when their bytes, OR-ed, stay below the escape byte: keys
  // of words at that boundary (253 is byte 255, the escape; -3 sets the sign bit) in any position
  test.prop([
    fc.array(fc.array(fc.oneof(fc.integer({ min: -4, max: 3 }), fc.integer({ min: 248, max: 258 }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 65535, -256)), { maxLength: 23 }), { minLength: 1, maxLength: 30 }),
    fc.constantFrom(Infinity, 0),
  ])('hands back keys of words at the byte boundary unchanged', (keys, memBytes) => {
    const q = new KeyQueue({ memBytes, segmentWords: 32 });
    try {
      for (const k of keys) { const src = Int32Array.from([7, ...k, 7]); q.push(src, 1, k.length); }
      const t = q.take(keys.length)!;
      expect(keys.map((_, i) => Array.from(t.chunk.enc.subarray(t.chunk.offsets[i]!, t.chunk.offsets[i + 1]!)))).toEqual(keys);
    } finally {
      q.close();
    }
  });

  it('spills when over budget, and close() removes the temporary directory', () => {
    const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('smmu-sva-frontier-')));
    const q = new KeyQueue({ memBytes: 0, segmentWords: 64 });
    const key = new Int32Array(10);
    for (let i = 0; i < 1000; i++) { key[0] = i; q.push(key, 0, 10); }
    const mine = readdirSync(tmpdir()).filter((f) => f.startsWith('smmu-sva-frontier-') && !before.has(f));
    expect(mine.length).toBe(1);
    expect(readdirSync(join(tmpdir(), mine[0]!)).length).toBeGreaterThan(100);
    expect(q.stats().spilledBytes).toBeGreaterThan(10_000); // 1000 keys of 10 words, a byte for each small word
    for (let i = 0; i < 1000; i += 7) expect(q.take(7)!.chunk.enc[0]).toBe(i);
    q.close();
    expect(readdirSync(tmpdir())).not.toContain(mine[0]);
  });
});

describe('SuccessorLists', () => {
  test.prop([
    fc.integer({ min: 1, max: 120 }).chain((n) => fc.record({
      n: fc.constant(n),
      fault: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      succ: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 6 }), { minLength: n, maxLength: n }),
    })),
    fc.integer({ min: 1, max: 64 }),
    fc.constantFrom(0, 256, Infinity),
  ])('faultsResolvable over blocks in memory or on disk answers as liveness.ts on the full graph', ({ n, fault, succ }, blockWords, memBytes) => {
    const hasFault = Uint8Array.from(fault, (f) => (f ? 1 : 0));
    const edgeStart = new Uint32Array(n + 1);
    const targets: number[] = [];
    for (let i = 0; i < n; i++) { edgeStart[i] = targets.length; targets.push(...succ[i]!); }
    edgeStart[n] = targets.length;
    const lists = new SuccessorLists({ memBytes, blockWords });
    try {
      for (let i = 0; i < n; i++) {
        if (!hasFault[i]) continue;
        lists.begin(i, succ[i]!.length);
        for (const t of succ[i]!) lists.add(t);
        lists.end();
      }
      // the count, against a reachability search from each node
      const got = lists.faultsResolvable(n, hasFault);
      expect(got.first).toBe(faultsResolvable(n, hasFault, edgeStart, Uint32Array.from(targets)));
      let count = 0;
      for (let i = 0; i < n; i++) if (cannotResolve(i, hasFault, succ)) count++;
      expect(got.unresolvable).toBe(count);
    } finally {
      lists.close();
    }
  });
});

/** Whether node `start` reaches no fault-free node (depth-first search over `succ`). */
function cannotResolve(start: number, hasFault: Uint8Array, succ: readonly (readonly number[])[]): boolean {
  const seen = new Set([start]), todo = [start];
  while (todo.length > 0) {
    const i = todo.pop()!;
    if (!hasFault[i]) return false;
    for (const j of succ[i]!) if (!seen.has(j)) { seen.add(j); todo.push(j); }
  }
  return true;
}

/** Everything of a result but timing and memory figures. */
function essence(r: ExploreResult) {
  const rep = report(r);
  const j = toJson(rep) as Record<string, unknown>;
  delete j.seconds; delete j.statesPerSecond; delete j.time; delete j.bytesPerState; delete j.memory;
  return { json: j, parent: Array.from(r.graph.parent), eventIndex: Array.from(r.graph.eventIndex), hi: Array.from(r.graph.hi), lo: Array.from(r.graph.lo), found: r.violations };
}

describe('explore() with the frontier spilled', () => {
  const spill: Partial<ExploreOptions> = { frontierMemBytes: 0, frontierSegmentWords: 256, successorMemBytes: 0, successorBlockWords: 512 };
  for (const engine of ['reducer', 'packed'] as const) {
    it(`${engine}: the same result as in memory (tiny, all variants that violate; ssid-widths cut at 15000 states)`, async () => {
      for (const [name, variant, maxStates] of [['tiny', 'v6', 1e9], ['tiny', 'upstream', 1e9], ['ssid-widths', 'v6', 15_000]] as const) {
        const base: ExploreOptions = { symmetry: true, maxStates, workers: 1, engine };
        const mem = await explore(config(name), variant, base);
        const disk = await explore(config(name), variant, { ...base, ...spill });
        expect(mem.memory.frontierSpilledBytes).toBe(0);
        expect(disk.memory.frontierSpilledBytes, `${name} ${variant}`).toBeGreaterThan(0);
        expect(mem.memory.successorsSpilledBytes).toBe(0);
        if (disk.memory.storedTransitions > 1024) expect(disk.memory.successorsSpilledBytes, `${name} ${variant}`).toBeGreaterThan(0);
        expect(disk.memory.livenessSweeps).toBe(mem.memory.livenessSweeps);
        if (maxStates > 1e6) expect(mem.memory.livenessSweeps).toBeGreaterThan(0);
        expect(essence(disk)).toEqual(essence(mem));
      }
    }, 120_000);
  }
  it('a run that throws midway leaves no temporary file behind', async () => {
    const tmp = mkdtempSync(join(scratch, 'throw-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp; // os.tmpdir() reads it at each call
    try {
      let calls = 0;
      let sawFiles = false;
      const run = explore(config('small'), 'v6', {
        ...spill, symmetry: true, maxStates: 1e9, workers: 1, engine: 'packed',
        onProgress: () => {
          sawFiles ||= readdirSync(tmp).some((f) => f.startsWith('smmu-sva-'));
          if (++calls === 3) throw new Error('stop here');
        },
      });
      await expect(run).rejects.toThrow('stop here');
      expect(sawFiles).toBe(true);
      expect(readdirSync(tmp).filter((f) => f.startsWith('smmu-sva-'))).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = saved;
    }
  }, 120_000);
  it('with two workers too', async () => {
    const base: ExploreOptions = { symmetry: true, maxStates: 8000, workers: 1, engine: 'packed' };
    const mem = await explore(config('ssid-widths'), 'v6-atc', base);
    const disk = await explore(config('ssid-widths'), 'v6-atc', { ...base, ...spill, workers: 2 });
    expect(disk.memory.frontierSpilledBytes).toBeGreaterThan(0);
    expect(essence(disk)).toEqual(essence(mem));
  }, 120_000);
});

describe('smmu-sva explore --frontier-mem', () => {
  const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => spawnSync(process.execPath, ['tools/smmu-sva.mjs', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const strip = (out: string) => out.split('\n').filter(Boolean).map((l) => {
    const j = JSON.parse(l) as Record<string, unknown>;
    delete j.seconds; delete j.statesPerSecond; delete j.time;
    return j;
  });
  it('--frontier-mem 0 --successors-mem 0 spill, print the same report and leave no file behind', () => {
    const tmp = mkdtempSync(join(scratch, 'tmp-'));
    for (const engine of ['reducer', 'packed']) {
      // --no-por: the whole graph, so that both budgets of 0 spill megabytes
      const args = ['explore', '--config', 'spec/configs/small.json', '--json', '--engine', engine, '--no-por'];
      const mem = cli({ TMPDIR: tmp }, ...args);
      const disk = cli({ TMPDIR: tmp }, ...args, '--frontier-mem', '0', '--successors-mem', '0');
      expect(disk.status).toBe(mem.status);
      const [a, b] = [strip(mem.stdout), strip(disk.stdout)];
      const memA = a[0]!.memory as MemorySplit, memB = b[0]!.memory as MemorySplit;
      expect(memA.frontierSpilledBytes).toBe(0);
      expect(memB.frontierSpilledBytes).toBeGreaterThan(1_000_000);
      expect(memB.frontierPeakBytes).toBeLessThan(memA.frontierPeakBytes);
      expect(memB.successorsSpilledBytes).toBeGreaterThan(1_000_000);
      expect(memB.successors).toBeLessThan(memA.successors);
      for (const k of ['visited', 'parents', 'faultFlags', 'expandedStates', 'faultStates', 'storedTransitions', 'livenessSweeps'] as const) expect(memB[k]).toBe(memA[k]);
      for (const j of [...a, ...b]) { delete j.memory; delete j.bytesPerState; }
      expect(b).toEqual(a);
      // text output: identical but for the timing and the bytes per state (successor lists on disk) in the summary line
      const untimed = (s: string) => s.replace(/, [\d.]+ s \(\d+ states\/s\), \d+ bytes\/state/, '');
      expect(untimed(cli({ TMPDIR: tmp }, 'explore', '--config', 'spec/configs/small.json', '--engine', engine, '--frontier-mem', '0', '--successors-mem', '0').stdout))
        .toBe(untimed(cli({ TMPDIR: tmp }, 'explore', '--config', 'spec/configs/small.json', '--engine', engine).stdout));
    }
    expect(readdirSync(tmp).filter((f) => f.startsWith('smmu-sva-'))).toEqual([]);
  }, 180_000);
  it('an interrupted run (SIGINT, SIGTERM) exits 130 or 143 and leaves no spill file behind, variant workers included', async () => {
    // the last case: two variants in one search (--family all), spill directories of its frontier
    // and of its per-variant successor lists (made as they spill: at least two)
    const cases = [['SIGINT', 130, []], ['SIGTERM', 143, []], ['SIGINT', 130, ['--variant', 'all', '--workers', '2', '--family', 'off']],
      ['SIGTERM', 143, ['--variant', 'v6-atc,release-clears-sr', '--family', 'all']]] as const;
    for (const [sig, code, more] of cases) {
      const family = more.join(' ').includes('--family all');
      const tmp = mkdtempSync(join(scratch, 'sig-'));
      const child = spawn(process.execPath, ['tools/smmu-sva.mjs', 'explore', '--config', 'spec/configs/seed-wide.json', '--json', '--frontier-mem', '0', '--successors-mem', '0', ...more], { env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
      // the spill directories, under the run's own directory
      const spills = () => readdirSync(tmp, { recursive: true }).map(String).filter((f) => /^smmu-sva-(frontier|successors)-/.test(f.split('/').pop()!));
      const want = family ? 2 : more.length ? 4 : 2; // two per variant explored at once
      for (let i = 0; i < 600 && spills().length < want; i++) await new Promise((r) => setTimeout(r, 100));
      if (family) expect(spills().length, `${sig} ${more.join(' ')}`).toBeGreaterThanOrEqual(want);
      else expect(spills().length, `${sig} ${more.join(' ')}`).toBe(want);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      child.kill(sig);
      expect(await exited).toBe(code);
      expect(readdirSync(tmp).filter((f) => f.startsWith('smmu-sva-'))).toEqual([]);
    }
  }, 180_000);
  it('a bad value names the flag and exits 2', () => {
    for (const flag of ['--frontier-mem', '--successors-mem']) {
      const r = cli({}, 'explore', flag, 'lots');
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`smmu-sva explore: ${flag} expects a non-negative integer, got "lots"\n`);
    }
  });
});
