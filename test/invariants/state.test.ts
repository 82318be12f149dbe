// spec/invariants.md, state invariants: each flags a hand-built bad state, accepts a good one,
// and (where a variant breaks it) a short script triggers it.
import { describe, expect, it } from 'vitest';
import { seedWideConfig, type Config } from '../../src/model/config.ts';
import { createModel } from '../../src/model/model.ts';
import type { State } from '../../src/model/state.ts';
import { checkInvariants, invariantNames } from '../../src/invariants/invariants.ts';
import {
  atsFaultIn, bind, dma, enable, exit, handle, munmap, respond, run, sharedDomain, touch, unbind, withOptions, withSmmu, stallForced,
} from '../rules/helpers.ts';
import { firstViolation, stateViolations } from './helpers.ts';

const m = createModel(seedWideConfig, 'v6-atc');
/** A busy, correct state: both devices bound to process 0, page 0 in TLB and ATC. */
const good = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), ...atsFaultIn, dma(1, 1, 0)]).state;

it('the reference good state violates nothing', () => {
  expect(good.tlb.length).toBeGreaterThan(0);
  expect(good.atc.length).toBeGreaterThan(0);
  expect(checkInvariants(m, good)).toEqual([]);
});

it('invariantNames lists every invariant of the spec', () => {
  expect([...invariantNames].sort()).toEqual([
    'asid-exclusive', 'cd-valid-while-bound', 'dma-isolation', 'faults-resolvable', 'handle-identity', 'no-bad-cd-while-bound',
    'no-freed-domain-access', 'no-kernel-bug', 'no-leak', 'no-stale-atc', 'no-stale-tlb', 'no-walk-after-exit', 'notifier-unique', 'pasid-in-range',
    'pasid-unique', 'refcount-sane', 'release-answers-invalid',
  ]);
});

describe('INV-HANDLE-IDENTITY: handle-identity (state part)', () => {
  it('flags two bonds for one (device, mm)', () => {
    const bad: State = { ...good, bonds: [good.bonds[0]!, good.bonds[0]!, ...good.bonds.slice(1)] };
    expect(stateViolations(m, bad)).toContain('handle-identity');
    expect(stateViolations(m, good)).not.toContain('handle-identity');
  });
});

describe('INV-PASID-UNIQUE: pasid-unique', () => {
  it('flags a PASID held by two mms, and a bond whose mm has no PASID', () => {
    const shared: State = { ...good, mms: [good.mms[0]!, { ...good.mms[1]!, pasid: good.mms[0]!.pasid }] };
    expect(stateViolations(m, shared)).toContain('pasid-unique');
    const none: State = { ...good, mms: [{ ...good.mms[0]!, pasid: 0 }, good.mms[1]!] };
    expect(stateViolations(m, none)).toContain('pasid-unique');
  });
});

describe('INV-PASID-RANGE: pasid-in-range', () => {
  it('flags a bond whose PASID is outside the device SSID range', () => {
    const narrow: Config = { ...seedWideConfig, devices: [seedWideConfig.devices[0]!, { ...seedWideConfig.devices[1]!, ssidBits: 1 }] };
    const mn = createModel(narrow, 'v6-atc');
    const s = run(narrow, 'v6-atc', [enable(0), enable(1), bind(0, 0), bind(1, 0)]).state;
    expect(stateViolations(mn, s)).toEqual([]);
    expect(stateViolations(mn, { ...s, mms: [{ ...s.mms[0]!, pasid: 2 }, s.mms[1]!] })).toContain('pasid-in-range');
  });
});

describe('INV-NOTIFIER-UNIQUE: notifier-unique', () => {
  it('flags two notifiers for one (domain, mm)', () => {
    const bad: State = { ...good, notifiers: [good.notifiers[0]!, { ...good.notifiers[0]!, afterExit: true }] };
    expect(stateViolations(m, bad)).toContain('notifier-unique');
  });
  it('with options.bindAfterExit no variant registers a second notifier: the registration BUGs instead', () => {
    const cfg = withOptions({ bindAfterExit: true }, sharedDomain);
    const events = [enable(0), enable(1), bind(0, 0), exit(0), bind(1, 0)];
    for (const variant of ['v6', 'upstream'] as const) {
      const r = run(cfg, variant, events);
      expect(firstViolation(r, events, 'notifier-unique')).toBe(-1);
      expect(r.state.notifiers).toHaveLength(1);
    }
  });
});

describe('INV-ASID-EXCLUSIVE: asid-exclusive', () => {
  it('flags a process ASID also used by a private context, and a CD tagged with another context\'s ASID', () => {
    const clash: State = { ...good, domains: [{ ...good.domains[0]!, privateAsid: 11 }] };
    expect(stateViolations(m, clash)).toContain('asid-exclusive');
    const dom = good.domains[0]!;
    const wrongTag: State = { ...good, domains: [{ ...dom, cds: dom.cds.map((c) => (c.ssid === 1 ? { ...c, cd: { ...c.cd, asid: 12 } } : c)) }] };
    expect(stateViolations(m, wrongTag)).toContain('asid-exclusive');
  });
});

describe('INV-CD-VALID: cd-valid-while-bound', () => {
  it('flags a bond whose CD is gone, or ILLEGAL', () => {
    const dom = good.domains[0]!;
    const gone: State = { ...good, domains: [{ ...dom, cds: dom.cds.filter((c) => c.ssid !== 1) }] };
    expect(stateViolations(m, gone)).toContain('cd-valid-while-bound');
    const forced = stallForced;
    const illegal: State = { ...good, domains: [{ ...dom, cds: dom.cds.map((c) => ({ ...c, cd: { ...c.cd, s: false } })) }] };
    expect(stateViolations(createModel(forced, 'v6-atc'), illegal)).toContain('cd-valid-while-bound');
  });
  it('release-clears-valid: exit leaves a bound PASID with V=0', () => {
    const events = [enable(1), bind(1, 0), exit(0)];
    expect(firstViolation(run(seedWideConfig, 'release-clears-valid', events), events, 'cd-valid-while-bound')).toBe(2);
    expect(firstViolation(run(seedWideConfig, 'v6-atc', events), events, 'cd-valid-while-bound')).toBe(-1);
  });
  it('release-clears-sr: only with STALL_MODEL forced (S=0 is ILLEGAL there)', () => {
    const events = [enable(1), bind(1, 0), exit(0)];
    expect(firstViolation(run(stallForced, 'release-clears-sr', events), events, 'cd-valid-while-bound')).toBe(2);
    expect(firstViolation(run(seedWideConfig, 'release-clears-sr', events), events, 'cd-valid-while-bound')).toBe(-1);
  });
});

describe('INV-NO-STALE-TLB: no-stale-tlb', () => {
  it('flags a TLB entry that disagrees with its mm\'s page table', () => {
    expect(stateViolations(m, { ...good, tlb: [{ asid: 11, page: 0, frame: 2 }] })).toContain('no-stale-tlb');
    expect(stateViolations(m, { ...good, tlb: [{ asid: 11, page: 1, frame: 0 }] })).toContain('no-stale-tlb');
  });
  it('release-skips-tlbi: the TLB entry survives exit (no invalidate_range on exit)', () => {
    const events = [enable(1), bind(1, 0), touch(0, 0, 0), dma(1, 1, 0), exit(0)];
    expect(firstViolation(run(seedWideConfig, 'release-skips-tlbi', events), events, 'no-stale-tlb')).toBe(4);
    expect(firstViolation(run(seedWideConfig, 'v6-atc', events), events, 'no-stale-tlb')).toBe(-1);
  });
});

describe('INV-NO-STALE-ATC: no-stale-atc', () => {
  it('flags an ATC entry that disagrees with its PASID\'s mm', () => {
    expect(stateViolations(m, { ...good, atc: [{ dev: 0, pasid: 1, page: 0, frame: 1 }] })).toContain('no-stale-atc');
    expect(stateViolations(m, { ...good, atc: [{ dev: 0, pasid: 2, page: 0, frame: 0 }] })).toContain('no-stale-atc');
  });
  it('v6: munmap leaves the ATC entry (invalidate_range is a TODO)', () => {
    const events = [...atsFaultIn, munmap(0, 0, 1)];
    expect(firstViolation(run(seedWideConfig, 'v6', events), events, 'no-stale-atc')).toBe(6);
    expect(firstViolation(run(seedWideConfig, 'v6-atc', events), events, 'no-stale-atc')).toBe(-1);
  });
});

describe('INV-REFCOUNT: refcount-sane (state part)', () => {
  it('flags refcounts that do not match their holders', () => {
    expect(stateViolations(m, { ...good, bonds: good.bonds.map((b) => ({ ...b, refs: 0 })) })).toContain('refcount-sane');
    expect(stateViolations(m, { ...good, notifiers: good.notifiers.map((n) => ({ ...n, refs: 2 })) })).toContain('refcount-sane');
    expect(stateViolations(m, { ...good, mms: [{ ...good.mms[0]!, pasidRefs: 3 }, good.mms[1]!] })).toContain('refcount-sane');
    expect(stateViolations(m, { ...good, mms: [{ ...good.mms[0]!, ctxDescRefs: 3 }, good.mms[1]!] })).toContain('refcount-sane');
  });
});

describe('INV-NO-LEAK: no-leak', () => {
  const done = run(seedWideConfig, 'v6-atc', [...atsFaultIn, unbind(0, 0), { kind: 'notifierFree', domain: 0, mm: 0 }]).state;
  it('a quiescent state after unbind and the deferred free holds nothing', () => {
    expect(checkInvariants(m, done)).toEqual([]);
  });
  it('flags a notifier, PASID, ctx desc or CD left with no bond and no pending free, and a frame mapped twice', () => {
    expect(stateViolations(m, { ...done, notifiers: [{ domain: 0, mm: 0, refs: 0, cleared: false, afterExit: false, mmListPos: 0 }] })).toContain('no-leak');
    expect(stateViolations(m, { ...done, mms: [{ ...done.mms[0]!, pasid: 1 }, done.mms[1]!] })).toContain('no-leak');
    const dom = done.domains[0]!;
    expect(stateViolations(m, { ...done, domains: [{ ...dom, cds: [...dom.cds, { ssid: 1, cd: dom.cds[0]!.cd }] }] })).toContain('no-leak');
    expect(stateViolations(m, { ...good, mms: [good.mms[0]!, { ...good.mms[1]!, pages: [0, -1] }] })).toContain('no-leak');
  });
  it('is not checked while a deferred free is pending', () => {
    const pending = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), unbind(0, 0)]).state;
    expect(stateViolations(createModel(seedWideConfig, 'v6'), pending)).toEqual([]);
  });
});

describe('INV-RELEASE-INVALID: release-answers-invalid (state part)', () => {
  it('flags a fault reported after exit whose handler chose Success', () => {
    const s = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), exit(0), dma(1, 1, 0), handle(1, 0, -1)]).state;
    expect(s.faults[0]).toMatchObject({ afterRelease: true, status: 'invalid' });
    expect(stateViolations(m, s)).toEqual([]);
    expect(stateViolations(m, { ...s, faults: [{ ...s.faults[0]!, status: 'success' }] })).toContain('release-answers-invalid');
  });
  it('the seed\'s second trace is fine: a Success decided before exit may be sent after release', () => {
    const events = [enable(0), bind(0, 0), dma(0, 1, 0), handle(0, 0, 0), exit(0), respond(0, 0)];
    expect(firstViolation(run(seedWideConfig, 'v6-atc', events), events, 'release-answers-invalid')).toBe(-1);
  });
});
