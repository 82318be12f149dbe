// faults-resolvable violated, end to end (spec/explorer.md EXP-LIVE-COUNT). No shipped
// configuration violates it (the environment always offers the IOPF handler and then the response
// for every fault, spec/explorer.md EXP-POR-7), so this file injects a defect into the environment
// of both engines: the response to a fault the handler answered "invalid" is never offered (a
// driver that drops failure responses). Faults the handler answered "success" are still answered,
// so some states with pending faults can reach a fault-free state and some cannot: the explorer
// must find the latter.
//
// The defect is injected with vi.mock into the two lists of enabled events (the reducer's
// enabledEvents and the packed engine's EnabledOnStore): it lives in this file only, and the whole
// reporting path runs as in a real run: successor lists (in memory and spilled), the liveness
// fixpoint, the least bad node, the counterexample rebuilt on the reducer (verify.ts), with and
// without each reduction, both engines and the search of several variants at once. The oracle is
// independent of the explorer's search: a breadth-first search over reducer States, keyed by the
// explorer's key without symmetry so that the counts compare, then a backward fixpoint from the
// fault-free states.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it, vi } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import type { Config } from '../src/model/config.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import { initialState } from '../src/machine/initial.ts';
import { stepEnabled } from '../src/machine/step.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';
import { encodeState, IntBuf } from '../src/explorer/encode.ts';
import { explore, type ExploreResult } from '../src/explorer/explore.ts';
import { Canonicalizer, symmetryOf } from '../src/explorer/symmetry.ts';
import { exploreFamily } from '../src/explorer/familySearch.ts';
import { verifiedReport } from '../src/explorer/packed/verify.ts';
import { formatCounterexampleText } from '../src/explorer/format.ts';
import { toJson } from '../src/explorer/verdict.ts';
import { run as runExplore } from '../src/cli/commands/explore.ts';

vi.mock('../src/machine/enabled.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../src/machine/enabled.ts')>();
  return {
    ...orig,
    enabledEvents: (m: Parameters<typeof orig.enabledEvents>[0], s: Parameters<typeof orig.enabledEvents>[1]) =>
      orig.enabledEvents(m, s).filter((e) => !(e.kind === 'iopfRespond' && s.faults.some((f) => f.dev === e.dev && f.group === e.group && f.status === 'invalid'))),
  };
});

vi.mock('../src/explorer/packed/enabled.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../src/explorer/packed/enabled.ts')>();
  const { F_INVALID } = await import('../src/adapter/store.ts');
  type Engine = ConstructorParameters<typeof orig.EnabledOnStore>[0];
  class EnabledOnStore extends orig.EnabledOnStore {
    private readonly engine: Engine;
    constructor(eng: Engine) {
      super(eng);
      this.engine = eng;
    }
    override events() {
      const st = this.engine.st;
      return super.events().filter((e) => !(e.kind === 'iopfRespond' && st.faults[e.dev]!.some((f) => f.group === e.group && f.status === F_INVALID)));
    }
  }
  return { ...orig, EnabledOnStore };
});

function config(name: string): Config {
  const c = loadConfigFile(`spec/configs/${name}.json`);
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

interface Oracle {
  readonly states: number;
  readonly transitions: number;
  /** States with a pending fault from which no fault-free state is reachable. */
  readonly bad: number;
  /** States with a pending fault that can still reach a fault-free one. */
  readonly resolvable: number;
  /** Depth of the shallowest bad state, or -1. */
  readonly leastBadDepth: number;
}

/** The whole graph on the reducer (with the injected defect), no reduction of any kind. */
function oracle(cfg: Config, variant: VariantName): Oracle {
  const m = createModel(cfg, variant);
  // the explorer's plain key (without symmetry: fault groups numbered by content), so that the
  // counts compare; the replay check below uses the finer encodeState
  const canon = new Canonicalizer(cfg, symmetryOf(cfg, false));
  const keyOf = (s: State) => { const b = new IntBuf(256); canon.key(s, b); return Array.from(b.a.subarray(0, b.n)).join(','); };
  const index = new Map<string, number>();
  const states: State[] = [], depth: number[] = [], succ: number[][] = [];
  const add = (s: State, d: number) => {
    const k = keyOf(s);
    let i = index.get(k);
    if (i === undefined) { i = states.length; index.set(k, i); states.push(s); depth.push(d); succ.push([]); }
    return i;
  };
  add(initialState(cfg), 0);
  let transitions = 0;
  for (let i = 0; i < states.length; i++) {
    for (const e of enabledEvents(m, states[i]!)) {
      succ[i]!.push(add(stepEnabled(m, states[i]!, e).state, depth[i]! + 1));
      transitions++;
    }
  }
  const good = states.map((s) => s.faults.length === 0);
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < states.length; i++) if (!good[i] && succ[i]!.some((j) => good[j])) { good[i] = true; changed = true; }
  }
  let bad = 0, resolvable = 0, leastBadDepth = -1;
  for (let i = 0; i < states.length; i++) {
    if (states[i]!.faults.length === 0) continue;
    if (good[i]) resolvable++;
    else { bad++; if (leastBadDepth < 0 || depth[i]! < leastBadDepth) leastBadDepth = depth[i]!; }
  }
  return { states: states.length, transitions, bad, resolvable, leastBadDepth };
}

const liveness = (r: ExploreResult) => r.violations.filter((f) => f.kind === 'liveness');
const figures = (r: ExploreResult) => ({
  variant: r.variant, states: r.states, transitions: r.transitions, maxDepth: r.maxDepth,
  violations: r.violations.map((f) => `${f.kind}:${f.invariant}(${f.length})${f.kind === 'liveness' ? ` unresolvable ${f.unresolvable}` : ''}`),
});

/** Every counterexample replays on the reducer; the liveness one ends in a state that really cannot resolve its faults. */
function checkReplay(cfg: Config, r: ExploreResult): void {
  const report = verifiedReport(r);
  const i = r.violations.findIndex((f) => f.kind === 'liveness');
  expect(i, `${r.variant}: no faults-resolvable violation`).toBeGreaterThanOrEqual(0);
  const f = r.violations[i]!, cx = report.counterexamples[i]!;
  expect(cx.steps.length).toBe(f.length);
  expect(cx.state.faults.length).toBeGreaterThan(0);
  expect(cx.detail).toMatch(/^no state without a pending fault is reachable from here; pending: .*; \d+ of the \d+ states explored cannot reach one$/);
  if (f.kind === 'liveness') expect(cx.detail).toContain(`; ${f.unresolvable} of the ${r.states} states explored`);
  // from the replayed state, no fault-free state within reach (the reducer, with the defect)
  const m = createModel(cfg, r.variant);
  const seen = new Set<string>(), todo: State[] = [cx.state];
  const keyOf = (s: State) => { const b = new IntBuf(256); encodeState(s, b); return Array.from(b.a.subarray(0, b.n)).join(','); };
  while (todo.length > 0) {
    const s = todo.pop()!;
    expect(s.faults.length).toBeGreaterThan(0);
    for (const e of enabledEvents(m, s)) {
      const t = stepEnabled(m, s, e).state, k = keyOf(t);
      if (!seen.has(k)) { seen.add(k); todo.push(t); }
    }
  }
}

describe('faults-resolvable violated (a defect injected into both engines\' environment)', () => {
  const cfg = config('tiny');
  const truth = new Map(variantNames.map((v) => [v, oracle(cfg, v)] as const));

  it('the injected defect leaves some faulting states resolvable and makes others not, for every variant', () => {
    for (const v of variantNames) {
      const o = truth.get(v)!;
      expect(o.bad, v).toBeGreaterThan(0);
      expect(o.resolvable, v).toBeGreaterThan(0);
    }
  });

  for (const engine of ['packed', 'reducer'] as const) {
    it(`${engine} engine, no reduction: the graph the oracle sees, and faults-resolvable at the shallowest bad state`, async () => {
      for (const v of variantNames) {
        const o = truth.get(v)!;
        const r = await explore(cfg, v, { symmetry: false, por: false, maxStates: 1e7, workers: 1, engine });
        expect([r.states, r.transitions], v).toEqual([o.states, o.transitions]);
        expect(liveness(r).map((f) => [f.length, f.unresolvable]), v).toEqual([[o.leastBadDepth, o.bad]]);
        checkReplay(cfg, r);
      }
    });
  }

  it('with each reduction, both engines alike: faults-resolvable still found, never shorter than the shortest', async () => {
    for (const v of variantNames) {
      const o = truth.get(v)!;
      for (const [symmetry, por] of [[true, false], [false, true], [true, true]] as const) {
        const packed = await explore(cfg, v, { symmetry, por, maxStates: 1e7, workers: 1, engine: 'packed' });
        const reducer = await explore(cfg, v, { symmetry, por, maxStates: 1e7, workers: 1, engine: 'reducer' });
        expect(figures(packed), `${v} symmetry ${symmetry} por ${por}`).toEqual(figures(reducer));
        const [f] = liveness(packed);
        expect(f, `${v} symmetry ${symmetry} por ${por}`).toBeDefined();
        // symmetry keeps depths (EXP-SYM): the shallowest bad class is as deep as the shallowest bad state
        if (!por) expect(f!.length).toBe(o.leastBadDepth);
        else expect(f!.length).toBeGreaterThanOrEqual(o.leastBadDepth);
        checkReplay(cfg, packed);
      }
    }
  });

  it('the report a user reads: the path to the state and what is pending there', async () => {
    const r = await explore(cfg, 'v6', { symmetry: true, por: false, maxStates: 1e7, workers: 1, engine: 'packed' });
    const text = formatCounterexampleText(cfg, 'v6', verifiedReport(r).counterexamples.find((cx) => cx.invariant === 'faults-resolvable')!);
    const o = truth.get('v6')!;
    const lines = text.split('\n');
    expect(lines[0]).toBe(`v6 violates faults-resolvable: a shortest counterexample, ${o.leastBadDepth} events`);
    // the shallowest such state: the device's page request on a page munmap removed, not yet handled
    // --json: the count as a field of the violation too
    const json = toJson(verifiedReport(r)) as { violations: { invariant: string; unresolvable?: number }[] };
    expect(json.violations.map((v) => [v.invariant, v.unresolvable])).toEqual(r.violations.map((f) => [f.invariant, f.kind === 'liveness' ? o.bad : undefined]));
    expect(lines.at(-1)).toBe(`  => faults-resolvable violated: no state without a pending fault is reachable from here; pending: page request PRGI 0 of device 0 (PASID 1 page 0, pending); ${o.bad} of the ${o.states} states explored cannot reach one`);
  });

  it('smmu-sva explore in this process: the violation printed, and a FAIL row in the verdict table (exit 1)', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
    let one: number, all: number;
    try {
      one = await runExplore(['--config', 'spec/configs/tiny.json', '--variant', 'upstream', '--workers', '1', '--no-por']);
      out.push('\n--\n');
      all = await runExplore(['--config', 'spec/configs/tiny.json', '--variant', 'all', '--workers', '1']);
    } finally {
      spy.mockRestore();
    }
    const [first, second] = out.join('').split('\n--\n') as [string, string];
    expect(one).toBe(1);
    const o = truth.get('upstream')!;
    expect(first).toContain(`upstream violates faults-resolvable: a shortest counterexample, ${o.leastBadDepth} events`);
    expect(first).toContain(`${o.bad} of the ${o.states} states explored cannot reach one`);
    // every variant: faults-resolvable is not in spec/expected-verdicts.json, so each row fails
    expect(all).toBe(1);
    const rows = second.split('\n').filter((l) => /^ {2}(ok|FAIL|open) /.test(l));
    expect(rows).toHaveLength(variantNames.length);
    for (const l of rows) expect(l).toMatch(/^ {2}FAIL .*faults-resolvable \(\d+\)/);
  });

  it('the successor lists spilled to disk: the same answer', async () => {
    for (const v of ['v6', 'upstream'] as const) {
      const mem = await explore(cfg, v, { symmetry: true, por: true, maxStates: 1e7, workers: 1, engine: 'packed' });
      const disk = await explore(cfg, v, { symmetry: true, por: true, maxStates: 1e7, workers: 1, engine: 'packed', successorMemBytes: 0, successorBlockWords: 64 });
      expect(disk.memory.successorsSpilledBytes).toBeGreaterThan(0);
      expect(figures(disk)).toEqual(figures(mem));
      expect(liveness(disk).map((f) => f.node)).toEqual(liveness(mem).map((f) => f.node));
    }
  });

  it('several variants in one search: each variant\'s own faults-resolvable answer', async () => {
    for (const [symmetry, por] of [[false, false], [true, true]] as const) {
      const fam = await exploreFamily(cfg, variantNames, { symmetry, por, maxStates: 1e7 });
      for (const r of fam) {
        const own = await explore(cfg, r.variant, { symmetry, por, maxStates: 1e7, workers: 1, engine: 'packed' });
        expect(figures(r)).toEqual(figures(own));
        expect(liveness(r)).toHaveLength(1);
        checkReplay(cfg, r);
      }
    }
  });
});
