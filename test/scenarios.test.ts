// The seed's two traces (review thread, 5 May 2020) replayed as scripted scenarios.
import { describe, expect, it } from 'vitest';
import { seedTrace1, seedTrace2 } from '../src/scenarios/seed.ts';
import { runScript } from '../src/scenarios/run.ts';
import { formatRecord } from '../src/trace/format.ts';
import type { VariantName } from '../src/model/variant.ts';

/** Group numbers are allocated by the hardware/driver; the seed's values differ from the model's. */
const normalise = (l: string) => l.replace(/group=\d+/, 'group=N');

function traceLines(sc: typeof seedTrace1, variant: VariantName): { lines: string[]; violations: string[]; refused: boolean } {
  const r = runScript(sc.config, variant, sc.events);
  return {
    lines: r.steps.flatMap((st) => st.observations.flatMap((o) => (o.kind === 'trace' ? [formatRecord(sc.config, o.record)] : []))),
    violations: r.steps.flatMap((st) => st.violations.map((v) => v.invariant)),
    refused: r.refused !== undefined,
  };
}

describe('TRACE-FORMAT: seed scenarios print the seed lines in order', () => {
  for (const sc of [seedTrace1, seedTrace2]) {
    for (const variant of ['v6', 'v6-atc', 'upstream'] as const) {
      it(`${sc.name} under ${variant}`, () => {
        const r = traceLines(sc, variant);
        expect(r.refused).toBe(false);
        expect(r.lines.map(normalise)).toEqual(sc.seedLines.map(normalise));
      });
    }
  }
});

describe('seed scenarios and invariants', () => {
  it('seed-trace-1 under v6 leaves stale ATC entries after munmap (the missing ATC invalidation)', () => {
    expect(new Set(traceLines(seedTrace1, 'v6').violations)).toEqual(new Set(['no-stale-atc']));
  });
  it('seed-trace-1 under v6-atc and upstream violates nothing', () => {
    expect(traceLines(seedTrace1, 'v6-atc').violations).toEqual([]);
    expect(traceLines(seedTrace1, 'upstream').violations).toEqual([]);
  });
  it('seed-trace-2: the response after release is Success for a fault reported before exit, then Invalid', () => {
    for (const variant of ['v6', 'v6-atc', 'upstream'] as const) {
      const r = traceLines(seedTrace2, variant);
      expect(r.violations).toEqual([]);
      expect(r.lines.filter((l) => l.startsWith('dev_page_response')).map((l) => /code=(\d)/.exec(l)![1])).toEqual(['0', '1']);
    }
  });
});
