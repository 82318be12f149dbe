// PROTO-DIGEST: the canonical state encoding as spec/protocol.md describes it, re-implemented
// here from the text (not from src/model/digest.ts), checked against canonicalState on random
// reachable states of several variants, and the sort orders the text promises checked directly.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSequence, probeEvents } from '../src/conform/sequence.ts';
import { choiceArb } from '../src/conform/random.ts';
import { expectStep } from '../src/conform/oracle.ts';
import { seedWideConfig } from '../src/model/config.ts';
import { canonicalState, stateDigest } from '../src/model/digest.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import type { VariantName } from '../src/model/variant.ts';

const bit = (x: boolean) => (x ? '1' : '0');

/** spec/protocol.md, "PROTO-DIGEST", table and notes, transcribed. */
function fromDoc(s: State): string {
  const list = (xs: string[]) => xs.join(';');
  return [
    `ste:${list(s.ste.map((e) => [e.config === 'translate' ? 't' : 'a', e.domain, bit(e.s1stalld), bit(e.eats)].join(',')))}`,
    `dom:${list(s.domains.map((d) => `${bit(d.freed)},${d.privateAsid},[${list(d.cds.map((c) => `${c.ssid}:${[c.cd.v, c.cd.epd0, c.cd.r, c.cd.s, c.cd.a, c.cd.aset].map(bit).join('')},${c.cd.asid},${c.cd.ttb0}`))}]`))}`,
    `tlb:${list(s.tlb.map((e) => [e.asid, e.page, e.frame].join(',')))}`,
    `atc:${list(s.atc.map((e) => [e.dev, e.pasid, e.page, e.frame].join(',')))}`,
    `flt:${list(s.faults.map((f) => [f.via, f.dev, f.group, f.pasid, f.page, bit(f.write), bit(f.afterRelease), f.status].join(',')))}`,
    `sva:${s.svaEnabled.map(bit).join('')}`,
    `bond:${list(s.bonds.map((b) => [b.dev, b.mm, b.refs, bit(b.afterExit)].join(',')))}`,
    `mn:${list(s.notifiers.map((n) => [n.domain, n.mm, n.refs, bit(n.cleared), bit(n.afterExit), n.mmListPos].join(',')))}`,
    `free:${list(s.deferredFrees.map((f) => [f.domain, f.mm, bit(f.inDomainOps)].join(',')))}`,
    `mm:${list(s.mms.map((m) => `${bit(m.alive)},${m.pasid},${m.pasidRefs},${m.ctxDescRefs},[${m.pages.join(',')}]`))}`,
  ].join('|');
}

const sortedBy = <T>(xs: readonly T[], key: (x: T) => number[]) =>
  xs.every((x, i) => i === 0 || compareKeys(key(xs[i - 1]!), key(x)) <= 0);
function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function statesOf(variant: VariantName, choices: { c: number; probe: boolean }[]): State[] {
  const m = createModel(seedWideConfig, variant);
  let s = initialState(seedWideConfig);
  const out = [s];
  for (const step of planSequence(m, probeEvents(seedWideConfig), choices)) {
    s = expectStep(m, s, step.event).next;
    out.push(s);
  }
  return out;
}

describe('PROTO-DIGEST: the canonical encoding of spec/protocol.md', () => {
  it('the documented initial state and digest of the default configuration', () => {
    const s = initialState(seedWideConfig);
    expect(canonicalState(s)).toBe('ste:t,0,1,1;t,1,0,0|dom:0,1,[0:101011,1,-1];0,2,[0:101111,2,-1]|tlb:|atc:|flt:|sva:00|bond:|mn:|free:|mm:1,0,0,0,[-1,-1];1,0,0,0,[-1,-1]');
    expect(stateDigest(s)).toBe('94ba08e8507d72e2');
    expect(stateDigest(s)).toBe(createHash('sha256').update(fromDoc(s), 'utf8').digest('hex').slice(0, 16));
  });

  for (const variant of ['v6-atc', 'upstream', 'v6'] as const) {
    it(`the text's encoding and sort orders hold on random reachable states (${variant})`, () => {
      fc.assert(fc.property(fc.array(choiceArb, { maxLength: 30, size: 'max' }), (choices) => {
        for (const s of statesOf(variant, choices)) {
          expect(fromDoc(s)).toBe(canonicalState(s));
          expect(sortedBy(s.tlb, (e) => [e.asid, e.page])).toBe(true);
          expect(sortedBy(s.atc, (e) => [e.dev, e.pasid, e.page])).toBe(true);
          expect(sortedBy(s.faults, (f) => [f.dev, f.group])).toBe(true);
          expect(sortedBy(s.bonds, (b) => [b.dev, b.mm])).toBe(true);
          expect(sortedBy(s.notifiers, (n) => [n.domain, n.mm, n.afterExit ? 1 : 0])).toBe(true);
          expect(sortedBy(s.deferredFrees, (f) => [f.domain, f.mm])).toBe(true);
          for (const d of s.domains) expect(sortedBy(d.cds, (c) => [c.ssid])).toBe(true);
        }
      }), { numRuns: 150, seed: 1 });
    });
  }
});
