// The exhaustive explorer: encoding, symmetry, shortest counterexamples, liveness, workers, CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import type { Config } from '../src/model/config.ts';
import { canonicalState } from '../src/model/digest.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { step } from '../src/machine/step.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';
import { checkInvariants, checkTransition } from '../src/invariants/invariants.ts';
import { counterexample, pathTo } from '../src/explorer/counterexample.ts';
import { decodeState, encodeState, IntBuf } from '../src/explorer/encode.ts';
import { explore, RESERVE_MAX, visitedCapacity } from '../src/explorer/explore.ts';
import { exploreFamily } from '../src/explorer/familySearch.ts';
import { CoreGrants } from '../src/explorer/pool.ts';
import { faultsResolvable } from '../src/explorer/liveness.ts';
import { shortestStory, staleAtcStory } from '../src/explorer/story.ts';
import { Canonicalizer, symmetryOf } from '../src/explorer/symmetry.ts';
import { walkStates } from './properties/walk.ts';

function config(name: string): Config {
  const c = loadConfigFile(`spec/configs/${name}.json`);
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/smmu-sva.mjs', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** An independent breadth-first search (string keys, no symmetry): least depth of each violation. */
function naiveFirstViolations(c: Config, variant: VariantName): Map<string, number> {
  const m = createModel(c, variant);
  const s0 = initialState(c);
  const seen = new Set([canonicalState(s0)]);
  const first = new Map<string, number>();
  let frontier = [s0];
  for (let depth = 0; frontier.length; depth++) {
    const next: State[] = [];
    for (const s of frontier) {
      for (const v of checkInvariants(m, s)) if (!first.has(v.invariant) || first.get(v.invariant)! > depth) first.set(v.invariant, depth);
      for (const e of enabledEvents(m, s)) {
        const r = step(m, s, e);
        if (E.isLeft(r)) throw new Error('refused');
        for (const v of checkTransition(m, s, e, r.right.state, r.right.observations)) if (!first.has(v.invariant)) first.set(v.invariant, depth + 1);
        const k = canonicalState(r.right.state);
        if (!seen.has(k)) { seen.add(k); next.push(r.right.state); }
      }
    }
    frontier = next;
  }
  return first;
}

describe('explorer encoding', () => {
  it('decode(encode(s)) gives back s on states of random walks', () => {
    const c = config('default');
    for (const s of walkStates(c, 'v6', 300)) {
      const b = new IntBuf(8);
      encodeState(s, b);
      expect(canonicalState(decodeState(c, b.a, 0))).toBe(canonicalState(s));
    }
  });
  it('the symmetry key is the same for a state and its frame/process relabelling, and differs for different states', () => {
    const c = config('small');
    const canon = new Canonicalizer(c, symmetryOf(c, true));
    const key = (s: State) => { const b = new IntBuf(8); canon.key(s, b); return Array.from(b.a.subarray(0, b.n)).join(','); };
    const swap = (s: State): State => ({
      ...s,
      // swap the two processes (and their CPU ASIDs 11 <-> 12) everywhere
      mms: [s.mms[1]!, s.mms[0]!],
      bonds: s.bonds.map((b) => ({ ...b, mm: 1 - b.mm })).sort((a, b) => a.dev - b.dev || a.mm - b.mm),
      notifiers: s.notifiers.map((n) => ({ ...n, mm: 1 - n.mm })).sort((a, b) => a.domain - b.domain || a.mm - b.mm),
      deferredFrees: s.deferredFrees.map((f) => ({ ...f, mm: 1 - f.mm })).sort((a, b) => a.domain - b.domain || a.mm - b.mm),
      tlb: s.tlb.map((e) => ({ ...e, asid: e.asid === 11 ? 12 : e.asid === 12 ? 11 : e.asid })).sort((a, b) => a.asid - b.asid || a.page - b.page),
      domains: s.domains.map((d) => ({ ...d, cds: d.cds.map(({ ssid, cd }) => ({ ssid, cd: { ...cd, asid: cd.asid === 11 ? 12 : cd.asid === 12 ? 11 : cd.asid, ttb0: cd.ttb0 >= 0 ? 1 - cd.ttb0 : cd.ttb0 } })) })),
    });
    const states = walkStates(c, 'v6', 200, 3);
    for (const s of states) expect(key(swap(s))).toBe(key(s));
    const distinct = new Set(states.map(canonicalState));
    const keys = new Set(states.map(key));
    expect(keys.size).toBeLessThanOrEqual(distinct.size);
    expect(keys.size).toBeGreaterThan(1);
  });
});

describe('explorer search', () => {
  it('first violations are at the least depth an independent BFS finds, and counterexamples replay to them', async () => {
    const c = config('tiny-alloc');
    for (const variant of ['v6', 'release-clears-valid', 'no-synchronize'] as const) {
      const naive = naiveFirstViolations(c, variant);
      const r = await explore(c, variant, { symmetry: true, maxStates: 1e6, workers: 1 });
      const got = new Map(r.violations.filter((v) => v.kind !== 'liveness').map((v) => [v.invariant, v.length]));
      expect(got).toEqual(naive);
      for (const f of r.violations) {
        expect(pathTo(r, f.node).length - 1 + (f.kind === 'transition' ? 1 : 0)).toBe(f.length);
        const cx = counterexample(r, f);
        expect(cx.steps.length).toBe(f.length);
        // the printed trace is a real run of the reducer ending in the violation
        const m = createModel(c, variant);
        let s = initialState(c);
        const violated = new Set<string>();
        for (const st of cx.steps) {
          const next = step(m, s, st.event);
          if (E.isLeft(next)) throw new Error('counterexample event refused');
          expect(next.right.observations).toEqual(st.observations);
          for (const v of checkTransition(m, s, st.event, next.right.state, next.right.observations)) violated.add(v.invariant);
          s = next.right.state;
        }
        for (const v of checkInvariants(m, s)) violated.add(v.invariant);
        if (f.kind !== 'liveness') expect(violated).toContain(f.invariant);
      }
    }
  });

  it('symmetry reduction keeps every verdict and explores fewer states', async () => {
    const c = config('ssid-widths');
    let reduced = 0, full = 0;
    for (const variant of variantNames) {
      const a = await explore(c, variant, { symmetry: true, maxStates: 1e7, workers: 1 });
      const b = await explore(c, variant, { symmetry: false, maxStates: 1e7, workers: 1 });
      expect(a.violations.map((v) => [v.invariant, v.length])).toEqual(b.violations.map((v) => [v.invariant, v.length]));
      expect(a.states).toBeLessThan(b.states);
      reduced += a.states; full += b.states;
    }
    console.log(`symmetry reduction on ssid-widths: ${full} -> ${reduced} states (factor ${(full / reduced).toFixed(2)})`);
  });

  it('two and three threads give the same graph numbering and verdicts as one thread', async () => {
    const c = config('ssid-widths');
    const a = await explore(c, 'v6', { symmetry: true, maxStates: 1e7, workers: 1 });
    for (const run of [{ workers: 2 }, { workers: 3, chunkSize: 64 }]) {
      const b = await explore(c, 'v6', { symmetry: true, maxStates: 1e7, ...run });
      expect([b.states, b.transitions, b.maxDepth]).toEqual([a.states, a.transitions, a.maxDepth]);
      expect(b.violations).toEqual(a.violations);
      expect(Array.from(b.graph.parent)).toEqual(Array.from(a.graph.parent));
      expect(Array.from(b.graph.eventIndex)).toEqual(Array.from(a.graph.eventIndex));
      expect(Array.from(b.graph.hi)).toEqual(Array.from(a.graph.hi));
    }
  });

  it('exploreVariants as a library call (no onResult, no engine named) resolves with each variant\'s one-thread result, in order', () => {
    // until 2026-12-05 the results were delivered by `onResult?.(results[delivered++])`, whose
    // increment is skipped without an onResult: the call spun forever on its first result, with
    // the event loop blocked, so it runs in a child process that a timeout can stop
    const src = (f: string) => JSON.stringify(pathToFileURL(resolve(f)).href);
    const script = [
      "import { readFileSync } from 'node:fs';",
      `import { decodeConfig } from ${src('src/codecs/config.ts')};`,
      `import { explore } from ${src('src/explorer/explore.ts')};`,
      `import { exploreVariants } from ${src('src/explorer/variants.ts')};`,
      `const c = decodeConfig(JSON.parse(readFileSync(${JSON.stringify(resolve('spec/configs/tiny.json'))}, 'utf8'))).right;`,
      "const names = ['upstream', 'v6', 'release-clears-sr'];",
      "const fig = (r) => [r.variant, r.states, r.transitions, r.maxDepth, r.violations.map((v) => v.invariant).join(',')].join(' ');",
      "const rs = await exploreVariants(c, names, { symmetry: true, maxStates: 1e6, threads: 2 });",
      "const ones = [];",
      "for (const n of names) ones.push(await explore(c, n, { symmetry: true, maxStates: 1e6, workers: 1 }));",
      "process.stdout.write(JSON.stringify({ parallel: rs.map(fig), one: ones.map(fig) }));",
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'smmu-sva-variants-'));
    const file = join(dir, 'call.mts');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.signal, `killed after 60 s (the call did not resolve); stderr: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { parallel: string[]; one: string[] };
    expect(out.parallel).toEqual(out.one);
    expect(out.one.map((l) => l.split(' ')[0])).toEqual(['upstream', 'v6', 'release-clears-sr']);
  }, 90_000);

  it('cores handed over before or during the run (CoreGrants, as explore --variant all does) change nothing but the threads', async () => {
    // a few seconds of work, so that a worker loads (about 0.25 s) and takes chunks
    const c = config('default');
    const a = await explore(c, 'v6', { symmetry: true, maxStates: 200_000, workers: 1, por: true });
    const before = new CoreGrants();
    before.give();
    const during = new CoreGrants();
    let progress = 0;
    for (const run of [{ moreCores: before }, { moreCores: during, onProgress: () => { if (progress++ === 0) during.give(); } }]) {
      const b = await explore(c, 'v6', { symmetry: true, maxStates: 200_000, workers: 1, por: true, chunkSize: 97, ...run });
      expect([b.states, b.transitions, b.maxDepth, b.ampleNodes]).toEqual([a.states, a.transitions, a.maxDepth, a.ampleNodes]);
      expect(b.violations).toEqual(a.violations);
      expect(Array.from(b.graph.parent)).toEqual(Array.from(a.graph.parent));
      expect(Array.from(b.graph.eventIndex)).toEqual(Array.from(a.graph.eventIndex));
      // the core became a worker thread that expanded chunks
      expect(b.time.chunksWorkers).toBeGreaterThan(0);
    }
    expect(progress).toBeGreaterThan(1);
    expect(a.time.chunksWorkers).toBe(0);
    // a core given after the search has ended is ignored
    during.give();
  }, 120_000);

  it('--max-states truncates and says so', async () => {
    const r = await explore(config('default'), 'upstream', { symmetry: true, maxStates: 500, workers: 1 });
    expect(r.truncated).toBe(true);
    expect(r.states).toBe(500);
  });

  it('room made for the bound at the start (reserveStates) changes only the memory: the same graph, on both engines and in a family search', async () => {
    const c = config('default');
    for (const engine of ['packed', 'reducer'] as const) {
      const grown = await explore(c, 'v6', { symmetry: true, por: true, maxStates: 30_000, workers: 1, engine });
      const made = await explore(c, 'v6', { symmetry: true, por: true, maxStates: 30_000, reserveStates: 30_000, workers: 1, engine });
      expect(made.truncated).toBe(true);
      expect([made.memory.visitedRoom, grown.memory.visitedRoom]).toEqual([30_000, 1 << 12]);
      expect([made.states, made.transitions, made.maxDepth, made.levels, made.violations]).toEqual([grown.states, grown.transitions, grown.maxDepth, grown.levels, grown.violations]);
      for (const k of ['parent', 'eventIndex', 'hi', 'lo'] as const) expect(Array.from(made.graph[k])).toEqual(Array.from(grown.graph[k]));
    }
    // a run that ends below its room counts the room it made; one that fills it keeps the packed
    // visited set's bound (at most 16 bytes per state)
    const small = config('tiny');
    const roomy = await explore(small, 'upstream', { symmetry: true, maxStates: 1_000_000, reserveStates: 1_000_000, workers: 1 });
    const plain = await explore(small, 'upstream', { symmetry: true, maxStates: 1_000_000, workers: 1 });
    expect(roomy.states).toBe(plain.states);
    expect(roomy.memory.visited * roomy.states).toBeGreaterThanOrEqual(8 * 1_000_000);
    expect(plain.memory.visited * plain.states).toBeLessThan(8 * 1_000_000);
    const full = await explore(c, 'v6', { symmetry: true, maxStates: 50_000, reserveStates: 50_000, workers: 1 });
    expect(full.states).toBe(50_000);
    expect(full.memory.visited).toBeLessThanOrEqual(16);
    // the room never exceeds the bound, nor RESERVE_MAX
    expect(visitedCapacity({ maxStates: 10, reserveStates: 1e9 })).toBe(1 << 12);
    expect(visitedCapacity({ maxStates: 1e9, reserveStates: 1e9 })).toBe(RESERVE_MAX);
    expect(visitedCapacity({ maxStates: 1e9, reserveStates: 100_000 })).toBe(100_000);
    expect(visitedCapacity({ maxStates: 1e9 })).toBe(1 << 12);
    // several variants in one search (EXP-FAM) take the same room
    const fam = ['v6', 'v6-atc'] as const;
    const a = await exploreFamily(c, fam, { symmetry: true, por: true, maxStates: 30_000 });
    const b = await exploreFamily(c, fam, { symmetry: true, por: true, maxStates: 30_000, reserveStates: 30_000 });
    expect(b.map((r) => [r.states, r.transitions, r.violations, Array.from(r.graph.parent)])).toEqual(a.map((r) => [r.states, r.transitions, r.violations, Array.from(r.graph.parent)]));
    expect(b[0]!.memory.visited).toBeGreaterThan(a[0]!.memory.visited);
    expect(b.map((r) => r.memory.visitedRoom)).toEqual([30_000, 30_000]);
  }, 60_000);

  it('workers that expand a good share of the chunks give the graph of one thread: their results, and this thread\'s, wait in the buffers they were expanded in until merged, and only then go back', async () => {
    // with two workers (three threads) a result can come in while an earlier chunk is still out;
    // small chunks make that common. The run is long enough (about 230k states) for the workers
    // to load and take chunks, which the shorter runs above may not.
    const c = config('default');
    const a = await explore(c, 'v6', { symmetry: true, por: true, maxStates: 1e7, workers: 1 });
    const b = await explore(c, 'v6', { symmetry: true, por: true, maxStates: 1e7, workers: 3, chunkSize: 64 });
    expect(b.time.chunksWorkers).toBeGreaterThan(b.time.chunksHere / 4);
    expect([b.states, b.transitions, b.maxDepth, b.violations]).toEqual([a.states, a.transitions, a.maxDepth, a.violations]);
    expect(Array.from(b.graph.parent)).toEqual(Array.from(a.graph.parent));
    expect(Array.from(b.graph.eventIndex)).toEqual(Array.from(a.graph.eventIndex));
    expect(Array.from(b.graph.hi)).toEqual(Array.from(a.graph.hi));
    expect(Array.from(b.graph.lo)).toEqual(Array.from(a.graph.lo));
  });

  it('a truncated run does not depend on chunk size or thread count: it stops after the state whose successors hit the bound', async () => {
    const c = config('default');
    const runs = [
      { workers: 1 }, { workers: 1, chunkSize: 7 }, { workers: 2 }, { workers: 2, chunkSize: 100 },
    ];
    const results = [];
    for (const run of runs) results.push(await explore(c, 'v6', { symmetry: true, maxStates: 20_000, ...run }));
    for (const r of results) {
      expect(r.truncated).toBe(true);
      expect([r.states, r.transitions, r.maxDepth, r.violations]).toEqual([results[0]!.states, results[0]!.transitions, results[0]!.maxDepth, results[0]!.violations]);
      expect(Array.from(r.graph.parent)).toEqual(Array.from(results[0]!.graph.parent));
    }
  });
});

describe('the seed\'s stale-ATC story', () => {
  it('v6 on the built-in default: bind, device fault-in through ATS/PRI, munmap, another process gets the frame, DMA through the stale ATC', () => {
    const c = config('default');
    const cx = shortestStory(c, 'v6', staleAtcStory);
    expect(cx).toBeDefined();
    const kinds = cx!.steps.map((s) => s.event.kind);
    expect(kinds).toEqual(['enableSva', 'bind', 'dma', 'iopfHandle', 'iopfRespond', 'dma', 'munmap', 'touch', 'dma']);
    const obs = cx!.steps.flatMap((s) => s.observations);
    expect(obs).toContainEqual(expect.objectContaining({ kind: 'dma', result: { tag: 'pageRequest', prgi: 0 } }));
    expect(obs.some((o) => o.kind === 'cmd' && o.cmd.op === 'CMD_ATC_INV')).toBe(false);
    expect(cx!.steps.at(-1)!.observations).toContainEqual(expect.objectContaining({ kind: 'dma', result: expect.objectContaining({ via: 'atc' }) }));
    expect(cx!.detail).toMatch(/now belongs to process 1/);
  });
  it('v6-atc: the same search finds no such run (default and small)', () => {
    expect(shortestStory(config('default'), 'v6-atc', staleAtcStory)).toBeUndefined();
    expect(shortestStory(config('small'), 'v6-atc', staleAtcStory)).toBeUndefined();
  });
});

describe('ENV-SRCU-BOUND', () => {
  it('no bind needing a fresh notifier is offered while the previous one\'s SRCU free is pending', () => {
    const c = config('tiny');
    const m = createModel(c, 'v6');
    let s = initialState(c);
    const run = (e: Parameters<typeof step>[2]) => { const r = step(m, s, e); if (E.isLeft(r)) throw new Error('refused'); s = r.right.state; };
    run({ kind: 'enableSva', dev: 0 });
    run({ kind: 'bind', dev: 0, mm: 0, fail: 'none' });
    run({ kind: 'unbind', dev: 0, mm: 0 });
    expect(s.deferredFrees).toHaveLength(1);
    const bindsOfDev0 = () => enabledEvents(m, s).filter((e) => e.kind === 'bind' && e.dev === 0);
    expect(bindsOfDev0()).toEqual([]);
    // the other device is in another domain: its fresh notifier is another (domain, mm) pair
    expect(enabledEvents(m, s).filter((e) => e.kind === 'bind' && e.dev === 1).length).toBeGreaterThan(0);
    run({ kind: 'notifierFree', domain: 0, mm: 0 });
    expect(bindsOfDev0().length).toBeGreaterThan(0);
  });
});

describe('faults-resolvable', () => {
  it('finds the least node that cannot reach a fault-free node, through back edges', () => {
    // 0 -> 1 -> 2 -> 1 (cycle with faults), 0 -> 3 (fault) -> 4 (no fault) -> 3
    const hasFault = Uint8Array.from([0, 1, 1, 1, 0]);
    const edgeStart = Uint32Array.from([0, 2, 3, 4, 5, 6]);
    const targets = Uint32Array.from([1, 3, 2, 1, 4, 3]);
    expect(faultsResolvable(5, hasFault, edgeStart, targets)).toBe(1);
    const fixed = Uint32Array.from([1, 3, 2, 4, 4, 3]); // 2 -> 4 instead: everything resolvable
    expect(faultsResolvable(5, hasFault, edgeStart, fixed)).toBe(-1);
  });
});

describe('smmu-sva explore', () => {
  it('prints the v6 counterexample as numbered events and exits 1', () => {
    const r = cli('explore', '--config', 'spec/configs/small.json', '--variant', 'v6');
    expect(r.code).toBe(1);
    // partial-order reduction is on by default: the counterexample is not promised to be the shortest
    expect(r.out).toMatch(/v6 violates no-stale-atc: a counterexample \(partial-order reduction: may be longer than the shortest; --no-por gives the shortest\), 5 events/);
    expect(cli('explore', '--config', 'spec/configs/small.json', '--variant', 'v6', '--no-por').out).toMatch(/v6 violates no-stale-atc: a shortest counterexample, 5 events/);
    expect(r.out).toMatch(/ {2}1\. enableSva 0000:00:03\.0/);
    expect(r.out).toMatch(/=> dma-isolation violated: .*through the ATC/);
  });
  it('--json gives one object per variant; --format mermaid a sequence diagram', () => {
    const j = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream', '--json');
    expect(j.code).toBe(0);
    const o = JSON.parse(j.out) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(expect.arrayContaining(['variant', 'config', 'states', 'transitions', 'maxDepth', 'levels', 'seconds', 'statesPerSecond', 'bytesPerState', 'violations']));
    expect(o.violations).toEqual([]);
    // one level per depth, the initial state alone at depth 0, summing to the states
    const levels = o.levels as number[];
    expect(levels).toHaveLength((o.maxDepth as number) + 1);
    expect(levels[0]).toBe(1);
    expect(levels.reduce((a, b) => a + b, 0)).toBe(o.states);
    expect(levels.every((n) => n > 0)).toBe(true);
    const m = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'release-clears-valid', '--format', 'mermaid');
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/```mermaid\nsequenceDiagram/);
    expect(m.out).toMatch(/participant S as SMMU/);
  });
  it('--max-states given makes room for its bound at the start, one variant or several side by side; left out, none is made', () => {
    const visitedBytes = (out: string) => out.trim().split('\n').map((l) => {
      const o = JSON.parse(l) as { states: number; memory: { visited: number; visitedRoom: number } };
      expect(o.memory.visitedRoom).toBe(o.memory.visited * o.states >= 8e6 ? 1_000_000 : 1 << 12);
      return o.memory.visited * o.states;
    });
    const one = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream', '--json', '--max-states', '1000000');
    const none = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream', '--json');
    expect([one.code, none.code]).toEqual([0, 0]);
    expect(visitedBytes(one.out)[0]).toBeGreaterThanOrEqual(8e6);
    expect(visitedBytes(none.out)[0]).toBeLessThan(8e6);
    const text = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream', '--max-states', '1000000');
    expect(text.out).toMatch(/\d+ bytes\/state \(with the room made at the start for 1000000 states, --max-states\)/);
    expect(cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream').out).not.toMatch(/room made/);
    const lanes = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'upstream,v6', '--json', '--workers', '2', '--family', 'off', '--max-states', '1000000');
    expect(visitedBytes(lanes.out)).toHaveLength(2);
    for (const b of visitedBytes(lanes.out)) expect(b).toBeGreaterThanOrEqual(8e6);
  }, 60_000);
  it('--variant all --workers 2 (variants side by side) prints exactly what one thread prints, timing aside', () => {
    const strip = (out: string) => out.trim().split('\n').map((l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      delete o.seconds; delete o.statesPerSecond; delete o.time;
      return o;
    });
    const one = cli('explore', '--config', 'spec/configs/ssid-widths.json', '--variant', 'all', '--json');
    const two = cli('explore', '--config', 'spec/configs/ssid-widths.json', '--variant', 'all', '--json', '--workers', '2');
    expect(two.code).toBe(one.code);
    expect(strip(two.out).map((o) => o.variant)).toEqual([...variantNames]);
    expect(strip(two.out)).toEqual(strip(one.out));
  }, 60_000);
  it('--variant with a comma-separated list explores those variants, in that order, with the verdict table', () => {
    const r = cli('explore', '--config', 'spec/configs/small.json', '--variant', 'release-clears-valid,upstream', '--workers', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/verdicts on small/);
    const rows = r.out.split('\n').filter((l) => /^ {2}(ok|FAIL|open) /.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([['ok', 'release-clears-valid'], ['ok', 'upstream']]);
    const bad = cli('explore', '--variant', 'v6,v7');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/item 2 of "v6,v7": unknown variant "v7"/);
    const twice = cli('explore', '--variant', 'v6,upstream,v6');
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/item 3 .*"v6" named twice/);
  }, 60_000);
  it('bad input exits 2 with one message naming the problem', () => {
    const v = cli('explore', '--variant', 'v7');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/unknown variant "v7"/);
    const c = cli('explore', '--config', 'package.json');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/package\.json: \$.*expected/);
    expect(c.err).not.toMatch(/\n\s+at /);
    expect(cli('explore', '--workers', 'two').code).toBe(2);
    expect(cli('explore', '--format', 'svg').code).toBe(2);
  });
});
