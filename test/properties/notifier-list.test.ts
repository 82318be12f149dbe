// DRV-MN-ORDER on random reachable states of seed-wide (two stage-1 domains, so an mm can have two
// notifiers): the linked notifiers of a live mm hold positions 0..k-1 and an exited mm's hold 0;
// and the list order decides only the order of what a step shows, never the next state beyond the
// positions themselves nor which observations there are.
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { seedWideConfig } from '../../src/model/config.ts';
import { createModel } from '../../src/model/model.ts';
import type { State } from '../../src/model/state.ts';
import { enabledEvents } from '../../src/machine/enabled.ts';
import { initialState } from '../../src/machine/initial.ts';
import { step } from '../../src/machine/step.ts';
import { pick } from './walk.ts';

const choices = fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 40 });

function listProblems(s: State): string[] {
  const out: string[] = [];
  s.mms.forEach((m, mm) => {
    const ps = s.notifiers.filter((n) => n.mm === mm).map((n) => n.mmListPos).sort((a, b) => a - b);
    const want = m.alive ? ps.map((_, i) => i) : ps.map(() => 0);
    if (JSON.stringify(ps) !== JSON.stringify(want)) out.push(`mm ${mm} (${m.alive ? 'alive' : 'exited'}): positions ${ps.join(',')}`);
  });
  return out;
}

/** The state with every live mm's list reversed. */
const reversed = (s: State): State => ({
  ...s,
  notifiers: s.notifiers.map((n) => {
    if (!s.mms[n.mm]!.alive) return n;
    const k = s.notifiers.filter((x) => x.mm === n.mm).length;
    return { ...n, mmListPos: k - 1 - n.mmListPos };
  }),
});
const withoutPositions = (s: State) => ({ ...s, notifiers: s.notifiers.map((n) => ({ ...n, mmListPos: 0 })) });
const sortedJson = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).sort();

describe('DRV-MN-ORDER on random reachable states', () => {
  let twoLinked = 0;
  afterAll(() => {
    // the walks reach what the rule is about: a live mm with two notifiers
    expect(twoLinked).toBeGreaterThan(100);
  });
  for (const variant of ['v6', 'upstream', 'no-synchronize'] as const) {
    test.prop([choices], { numRuns: 300, seed: 7 })(`${variant}: positions well formed; the order changes only the order of observations`, (cs) => {
      const m = createModel(seedWideConfig, variant);
      // both devices SVA-enabled, and the walk never frees a domain nor disables SVA (which would
      // end it before an mm has two notifiers)
      let s = initialState(seedWideConfig);
      for (const dev of [0, 1]) { const r = step(m, s, { kind: 'enableSva', dev }); if (E.isLeft(r)) throw new Error('enableSva refused'); s = r.right.state; }
      for (const c of cs) {
        const enabled = enabledEvents(m, s).filter((e) => e.kind !== 'domainFree' && e.kind !== 'disableSva');
        if (enabled.length === 0) break;
        const e = pick(enabled, c);
        const a = step(m, s, e), b = step(m, reversed(s), e);
        if (E.isLeft(a) || E.isLeft(b)) throw new Error(`step refused: ${JSON.stringify(e)}`);
        expect(listProblems(a.right.state)).toEqual([]);
        expect(withoutPositions(b.right.state)).toEqual(withoutPositions(a.right.state));
        expect(sortedJson(b.right.observations)).toEqual(sortedJson(a.right.observations));
        s = a.right.state;
        if (s.notifiers.filter((n) => n.mm === 0 && s.mms[0]!.alive).length === 2) twoLinked++;
      }
    });
  }
});
