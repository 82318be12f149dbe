// What the random phase reached: for each event kind, how many steps of each outcome. An outcome
// is "accepted" with the shape of the step's return value and DMA result (the observations that
// say how the event ended: "return:error:ENOMEM", "dma:fault"), or "refused" with the error tag
// and, for NotEnabled, the guard's reason with its numbers replaced by N.
import { eventKinds, type Event } from '../model/event.ts';
import { obsShape } from '../explorer/vectors.ts';
import type { Expected } from './oracle.ts';

export type OutcomeCounts = Record<string, Record<string, number>>;

export function outcomeOf(expected: Expected): string {
  if (expected.tag === 'refused') return `refused ${expected.error}${expected.detail ? `: ${expected.detail.replace(/\d+/g, 'N')}` : ''}`;
  const shapes = expected.observations.filter((o) => o.kind === 'return' || o.kind === 'dma').map(obsShape);
  return shapes.length ? `accepted ${[...new Set(shapes)].join(',')}` : 'accepted';
}

export class OutcomeCoverage {
  readonly counts: OutcomeCounts = {};

  add(e: Event, expected: Expected): void {
    const byOutcome = (this.counts[e.kind] ??= {});
    const o = outcomeOf(expected);
    byOutcome[o] = (byOutcome[o] ?? 0) + 1;
  }

  merge(other: OutcomeCounts): void {
    for (const [kind, byOutcome] of Object.entries(other)) {
      for (const [o, n] of Object.entries(byOutcome)) {
        const mine = (this.counts[kind] ??= {});
        mine[o] = (mine[o] ?? 0) + n;
      }
    }
  }

  /** Sorted by event kind (eventKinds order), then outcome. */
  sorted(): OutcomeCounts {
    const out: OutcomeCounts = {};
    for (const k of eventKinds) {
      const b = this.counts[k];
      if (b) out[k] = Object.fromEntries(Object.entries(b).sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0)));
    }
    return out;
  }

  /** Distinct (kind, outcome) pairs; refused ones among them. */
  totals(): { pairs: number; refusals: number; kinds: number } {
    let pairs = 0, refusals = 0;
    for (const b of Object.values(this.counts)) for (const o of Object.keys(b)) { pairs++; if (o.startsWith('refused')) refusals++; }
    return { pairs, refusals, kinds: Object.keys(this.counts).length };
  }
}
