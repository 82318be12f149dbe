// Bad events: an unknown device, a PASID the device is not bound to, an event not enabled in the
// current state. step() returns a typed error, throws nothing and leaves the state as it was.
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { seedWideConfig } from '../src/model/config.ts';
import { canonicalState } from '../src/model/digest.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import type { Event } from '../src/model/event.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { step } from '../src/machine/step.ts';
import { variantNames } from '../src/model/variant.ts';
import { runScript } from '../src/scenarios/run.ts';
import { pick } from './properties/walk.ts';

const m = createModel(seedWideConfig, 'v6-atc');

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

function refused(s: State, e: Event) {
  const before = canonicalState(s);
  const r = step(m, deepFreeze(s), e);
  expect(canonicalState(s)).toBe(before);
  expect(E.isLeft(r)).toBe(true);
  return E.isLeft(r) ? r.left : undefined;
}

const bound = (() => {
  const r = runScript(seedWideConfig, 'v6-atc', [{ kind: 'enableSva', dev: 0 }, { kind: 'bind', dev: 0, mm: 0, fail: 'none' }]);
  return r.steps[r.steps.length - 1]!.state;
})();

describe('typed errors for bad events', () => {
  it('unknown device', () => {
    expect(refused(initialState(seedWideConfig), { kind: 'enableSva', dev: 7 })).toEqual({ tag: 'UnknownDevice', dev: 7 });
    expect(refused(bound, { kind: 'dma', dev: -1, pasid: 1, page: 0, write: true })).toEqual({ tag: 'UnknownDevice', dev: -1 });
  });
  it('unknown process and domain', () => {
    expect(refused(bound, { kind: 'exit', mm: 2 })).toEqual({ tag: 'UnknownProcess', mm: 2 });
    expect(refused(bound, { kind: 'domainFree', domain: 2 })).toEqual({ tag: 'UnknownDomain', domain: 2 });
  });
  it('wrong PASID: DMA on a PASID the device has no bond for', () => {
    const e = refused(bound, { kind: 'dma', dev: 0, pasid: 2, page: 0, write: true });
    expect(e).toMatchObject({ tag: 'NotEnabled', reason: 'the device has no bond with this PASID' });
    expect(refused(bound, { kind: 'dma', dev: 1, pasid: 1, page: 0, write: true })).toMatchObject({ tag: 'NotEnabled' });
  });
  it('event not enabled: unbind without a bond, respond to a fault never raised', () => {
    expect(refused(bound, { kind: 'unbind', dev: 1, mm: 0 })).toMatchObject({ tag: 'NotEnabled', event: { kind: 'unbind' } });
    expect(refused(bound, { kind: 'iopfRespond', dev: 0, group: 3 })).toMatchObject({ tag: 'NotEnabled', reason: 'no such fault group' });
  });
  it('bad argument values', () => {
    expect(refused(bound, { kind: 'touch', mm: 0, page: 0, frame: 9 })).toMatchObject({ tag: 'BadArgument', field: 'frame' });
    expect(refused(bound, { kind: 'munmap', mm: 0, start: 1, end: 1 })).toMatchObject({ tag: 'NotEnabled' });
  });
});

/** Any event shape with values in and out of range, including non-integers. */
const anyNumber = fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constant(0.5), fc.constant(Number.NaN), fc.constant(1e9));
const anyEvent: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constantFrom('enableSva', 'disableSva'), dev: anyNumber }),
  fc.record({ kind: fc.constant('bind'), dev: anyNumber, mm: anyNumber, fail: fc.constantFrom('none', 'bond', 'notifier') }),
  fc.record({ kind: fc.constant('unbind'), dev: anyNumber, mm: anyNumber }),
  fc.record({ kind: fc.constant('touch'), mm: anyNumber, page: anyNumber, frame: anyNumber }),
  fc.record({ kind: fc.constant('munmap'), mm: anyNumber, start: anyNumber, end: anyNumber }),
  fc.record({ kind: fc.constantFrom('mmap'), mm: anyNumber, page: anyNumber }),
  fc.record({ kind: fc.constant('exit'), mm: anyNumber }),
  fc.record({ kind: fc.constant('notifierFree'), domain: anyNumber, mm: anyNumber }),
  fc.record({ kind: fc.constant('domainFree'), domain: anyNumber }),
  fc.record({ kind: fc.constantFrom('dma', 'atsTranslate'), dev: anyNumber, pasid: anyNumber, page: anyNumber, write: fc.boolean() }),
  fc.record({ kind: fc.constant('iopfHandle'), dev: anyNumber, group: anyNumber, frame: anyNumber }),
  fc.record({ kind: fc.constant('iopfRespond'), dev: anyNumber, group: anyNumber }),
) as fc.Arbitrary<Event>;

describe('no event throws; a refused event leaves the state unchanged; an enabled one is accepted', () => {
  for (const variant of variantNames) {
    test.prop([fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 25 }), fc.array(anyEvent, { minLength: 1, maxLength: 5 })], { numRuns: 60, seed: 7 })(variant, (choices, probes) => {
      const model = createModel(seedWideConfig, variant);
      let s = deepFreeze(initialState(seedWideConfig));
      for (const c of choices) {
        const enabled = enabledEvents(model, s);
        if (enabled.length === 0) break;
        for (const probe of probes) {
          const before = canonicalState(s);
          const r = step(model, s, probe); // must not throw, must not mutate the frozen state
          expect(canonicalState(s)).toBe(before);
          if (E.isLeft(r)) expect(['UnknownDevice', 'UnknownProcess', 'UnknownDomain', 'BadArgument', 'NotEnabled']).toContain(r.left.tag);
        }
        const e = pick(enabled, c);
        const r = step(model, s, e);
        expect(E.isRight(r), JSON.stringify(e)).toBe(true);
        if (E.isRight(r)) s = deepFreeze(r.right.state);
      }
    });
  }
});

describe('malformed event objects from untyped callers', () => {
  it('an unknown kind or a non-object is a BadArgument, not an exception', () => {
    const s = initialState(seedWideConfig);
    for (const e of [null, 42, {}, { kind: 'reboot' }] as unknown as Event[]) {
      const r = step(m, s, e);
      expect(E.isLeft(r) && r.left).toMatchObject({ tag: 'BadArgument', field: 'kind' });
    }
  });
});

describe('events with missing or mistyped fields', () => {
  it('are a BadArgument naming the field', () => {
    const cases: [unknown, string][] = [
      [{ kind: 'dma', dev: 0, page: 0, write: true }, 'pasid'],
      [{ kind: 'dma', dev: 0, pasid: 1, page: 0 }, 'write'],
      [{ kind: 'munmap', mm: 0, start: '0', end: 1 }, 'start'],
      [{ kind: 'bind', dev: 0, mm: 0 }, 'fail'],
      [{ kind: 'iopfHandle', dev: 0, group: 0 }, 'frame'],
    ];
    for (const [e, field] of cases) {
      const r = step(m, bound, e as Event);
      expect(E.isLeft(r) && r.left, JSON.stringify(e)).toMatchObject({ tag: 'BadArgument', field });
    }
  });
});
