// Page reversal (spec/explorer.md, "Symmetry reduction", Pages): when every process has the same
// number n >= 2 of pages, reversing every process's pages at once (p -> n - 1 - p, in page tables,
// TLB, ATC, faults and event arguments; munmap [start, end) -> [n - end, n - start)) maps the
// transition relation onto itself and keeps every invariant. Checked here against the reducer on
// states of random walks (the bisimulation, step by step), through both canonicalisers (the key of
// a state and of its reversal are equal), and by exhaustive exploration with and without symmetry
// reduction on a configuration small enough for both.
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import type { Config } from '../src/model/config.ts';
import { canonicalState } from '../src/model/digest.ts';
import type { Event } from '../src/model/event.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { step } from '../src/machine/step.ts';
import { variantNames } from '../src/model/variant.ts';
import { checkInvariants, checkTransition } from '../src/invariants/invariants.ts';
import { IntBuf } from '../src/explorer/encode.ts';
import { explore } from '../src/explorer/explore.ts';
import { Canonicalizer, symmetryOf } from '../src/explorer/symmetry.ts';
import { byTlbKey } from '../src/hardware/translate.ts';
import { walkStates } from './properties/walk.ts';

function config(name: string): Config {
  const c = loadConfigFile(`spec/configs/${name}.json`);
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

/** The page reversal of a state: sorted collections re-sorted by the reducer's own keys. */
function reverseState(s: State, n: number): State {
  const r = (p: number) => n - 1 - p;
  return {
    ...s,
    mms: s.mms.map((m) => ({ ...m, pages: [...m.pages].reverse() })),
    tlb: s.tlb.map((e) => ({ ...e, page: r(e.page) })).sort(byTlbKey),
    // stable: entries of one (dev, PASID, page) keep their order
    atc: s.atc.map((e) => ({ ...e, page: r(e.page) })).sort((a, b) => a.dev - b.dev || a.pasid - b.pasid || a.page - b.page),
    faults: s.faults.map((f) => ({ ...f, page: r(f.page) })),
  };
}

function reverseEvent(e: Event, n: number): Event {
  switch (e.kind) {
    case 'touch': case 'mmap': case 'dma': case 'atsTranslate': return { ...e, page: n - 1 - e.page };
    case 'munmap': return { ...e, start: n - e.end, end: n - e.start };
    default: return e;
  }
}

const names = (vs: readonly { invariant: string }[]) => vs.map((v) => v.invariant).sort();

describe('page reversal is a symmetry of the reducer', () => {
  for (const [name, variants] of [['seed-wide', ['v6', 'upstream', 'release-skips-tlbi']], ['seed-wide-rw', ['v6', 'no-synchronize']], ['range-inval', ['v6', 'release-clears-valid']]] as const) {
    it(`${name}: enabled events, successors and invariants commute with it (${variants.join(', ')})`, () => {
      const c = config(name);
      const n = c.processes[0]!.pages;
      for (const variant of variants) {
        const m = createModel(c, variant);
        for (const s of walkStates(c, variant, 150, 11)) {
          const rs = reverseState(s, n);
          expect(names(checkInvariants(m, rs))).toEqual(names(checkInvariants(m, s)));
          const ev = enabledEvents(m, s);
          const evRev = enabledEvents(m, rs).map((e) => JSON.stringify(e)).sort();
          expect(evRev).toEqual(ev.map((e) => JSON.stringify(reverseEvent(e, n))).sort());
          for (const e of ev) {
            const a = step(m, s, e), b = step(m, rs, reverseEvent(e, n));
            if (E.isLeft(a) || E.isLeft(b)) throw new Error('enabled event refused');
            expect(canonicalState(b.right.state)).toBe(canonicalState(reverseState(a.right.state, n)));
            expect(names(checkTransition(m, rs, reverseEvent(e, n), b.right.state, b.right.observations)))
              .toEqual(names(checkTransition(m, s, e, a.right.state, a.right.observations)));
          }
        }
      }
    });
  }

  it('the symmetry key of a state equals its reversal\'s (seed-wide, range-inval); without symmetry they differ', () => {
    for (const name of ['seed-wide', 'range-inval']) {
      const c = config(name);
      const n = c.processes[0]!.pages;
      const canon = new Canonicalizer(c, symmetryOf(c, true)), plain = new Canonicalizer(c, symmetryOf(c, false));
      const key = (k: Canonicalizer, s: State) => { const b = new IntBuf(8); k.key(s, b); return Array.from(b.a.subarray(0, b.n)).join(','); };
      let differ = 0;
      for (const s of walkStates(c, 'v6', 300, 5)) {
        expect(key(canon, reverseState(s, n)), name).toBe(key(canon, s));
        if (key(plain, reverseState(s, n)) !== key(plain, s)) differ++;
      }
      expect(differ, `${name}: walks reach states that are not their own reversal`).toBeGreaterThan(0);
    }
  });

  it('symmetryOf reverses pages only when every process has the same number (>= 2) of pages', () => {
    const rev = (c: Config) => symmetryOf(c, true).relabellings.some((r) => r.pageRev);
    expect(rev(config('seed-wide'))).toBe(true);
    expect(rev(config('range-inval'))).toBe(true);
    expect(rev(config('default'))).toBe(false); // one page each
    const c = config('seed-wide');
    expect(rev({ ...c, processes: [c.processes[0]!, { ...c.processes[1]!, pages: 3 }] })).toBe(false);
    expect(symmetryOf(c, false).relabellings.some((r) => r.pageRev)).toBe(false);
  });

  it('explore --json says what was relabelled (symmetryNotes), page reversal included', () => {
    const run = (...args: string[]) => JSON.parse(spawnSync(process.execPath, ['tools/smmu-sva.mjs', 'explore', '--variant', 'upstream', '--max-states', '500', '--json', ...args], { encoding: 'utf8' }).stdout) as { symmetryNotes: string[] };
    expect(run('--config', 'spec/configs/seed-wide.json').symmetryNotes).toContainEqual(expect.stringMatching(/^pages: reversed in every process at once \(page p <-> 1 - p/));
    expect(run().symmetryNotes).toContainEqual(expect.stringMatching(/^pages: NOT reversed/));
    expect(run('--no-symmetry').symmetryNotes).toEqual(['symmetry reduction off (--no-symmetry)']);
  });
});

describe('page reversal keeps every verdict (exhaustive, tiny with two pages)', () => {
  const base = config('tiny');
  const c: Config = { ...base, name: 'tiny-2p', processes: base.processes.map((p) => ({ ...p, pages: 2 })), frames: 2 };
  it('with and without symmetry reduction: the same violations, shortest lengths and faults-resolvable answer; fewer states; with partial-order reduction the same violated sets', async () => {
    let full = 0, reduced = 0;
    for (const v of variantNames) {
      const a = await explore(c, v, { symmetry: false, maxStates: 1e6, workers: 1 });
      const b = await explore(c, v, { symmetry: true, maxStates: 1e6, workers: 1 });
      expect(a.truncated || b.truncated).toBe(false);
      const vs = (r: typeof a) => r.violations.map((x) => `${x.invariant}:${x.length}`).sort();
      expect(vs(b), v).toEqual(vs(a));
      full += a.states; reduced += b.states;
      // with partial-order reduction too: the same violated set, no counterexample shorter (EXP-POR-7)
      const p = await explore(c, v, { symmetry: true, por: true, maxStates: 1e6, workers: 1 });
      expect(p.violations.map((x) => x.invariant).sort(), `${v} with POR`).toEqual(a.violations.map((x) => x.invariant).sort());
      for (const x of p.violations) expect(x.length).toBeGreaterThanOrEqual(a.violations.find((y) => y.invariant === x.invariant)!.length);
    }
    expect(reduced).toBeLessThan(full / 4);
  });
  it('the packed engine and the reducer engine give the same graph with page reversal (states, transitions, depth, violations, node hashes)', async () => {
    for (const v of variantNames) {
      for (const por of [false, true]) {
        const r = await explore(c, v, { symmetry: true, por, maxStates: 1e6, workers: 1, engine: 'reducer' });
        const p = await explore(c, v, { symmetry: true, por, maxStates: 1e6, workers: 1, engine: 'packed' });
        const sum = (x: typeof r) => ({ states: x.states, transitions: x.transitions, depth: x.maxDepth, violations: x.violations.map((f) => `${f.invariant}:${f.length}:${f.node}`) });
        expect(sum(p), `${v} por=${por}`).toEqual(sum(r));
        expect(Array.from(p.graph.hi)).toEqual(Array.from(r.graph.hi));
        expect(Array.from(p.graph.lo)).toEqual(Array.from(r.graph.lo));
      }
    }
  });
});
