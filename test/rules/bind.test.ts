// spec/rules.md, bind(): DRV-BIND and its steps, PASID and ctx desc allocation.
import { describe, expect, it } from 'vitest';
import { seedWideConfig, type Config } from '../../src/model/config.ts';
import { canonicalState } from '../../src/model/digest.ts';
import { initialState } from '../../src/machine/initial.ts';
import { createModel } from '../../src/model/model.ts';

import { allocPasid, freePasid } from '../../src/driver/pasid.ts';

import { variants } from '../../src/model/variant.ts';
import {
  bind, cmds, enable, errnoOf, exit, notifierFree, ops, refusal, returns, run, sharedDomain, tps, twoDomains, unbind, warns, withOptions, legal,
} from './helpers.ts';
import { mmuNotifierRegisterBug } from '../../src/driver/sva.ts';
import { cdAt, lookupNotifier } from '../../src/model/queries.ts';

describe('DRV-BIND: iommu_sva_bind_device', () => {
  for (const variant of ['v6', 'upstream'] as const) {
    it(`${variant}: a first bind creates bond, notifier, ctx desc, PASID 1 and a live CD at SSID 1`, () => {
      const r = run(seedWideConfig, variant, [enable(0), bind(0, 0)]);
      expect(returns(r.last)).toEqual([{ tag: 'handle', dev: 0, mm: 0, pasid: 1 }]);
      expect(tps(r.last)).toEqual(['smmu_bind_alloc']);
      expect(r.state.bonds).toEqual([{ dev: 0, mm: 0, refs: 1, afterExit: false }]);
      expect(r.state.notifiers).toEqual([{ domain: 0, mm: 0, refs: 1, cleared: false, afterExit: false, mmListPos: 0 }]);
      expect(r.state.mms[0]).toMatchObject({ pasid: 1, pasidRefs: 1, ctxDescRefs: 1 });
      expect(cdAt(r.state, 0, 1)).toEqual({ v: true, epd0: false, r: true, s: false, a: true, aset: false, asid: 11, ttb0: 0 });
      // DRV-CD-WRITE: the install is synced twice, each time to every master of the domain (HW-CMD-CFGI)
      expect(cmds(r.last)).toEqual([
        { op: 'CMD_CFGI_CD', dev: 0, ssid: 1 }, { op: 'CMD_SYNC' }, { op: 'CMD_CFGI_CD', dev: 0, ssid: 1 }, { op: 'CMD_SYNC' },
      ]);
      // newest attached master first (list_add at the head of the domain's list)
      const shared = run(sharedDomain, variant, [enable(0), bind(0, 0)]);
      expect(cmds(shared.last)).toEqual([
        { op: 'CMD_CFGI_CD', dev: 1, ssid: 1 }, { op: 'CMD_CFGI_CD', dev: 0, ssid: 1 }, { op: 'CMD_SYNC' },
        { op: 'CMD_CFGI_CD', dev: 1, ssid: 1 }, { op: 'CMD_CFGI_CD', dev: 0, ssid: 1 }, { op: 'CMD_SYNC' },
      ]);
    });
  }
});

describe('DRV-BIND-STAGE: only a stage-1 domain can bind', () => {
  const stage2: Config = legal({ ...seedWideConfig, domains: [{ name: 'dom0', stage: 2 }], devices: [seedWideConfig.devices[0]!] });
  it('EINVAL on a stage-2 domain, checked before SVA is looked at, state unchanged', () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const m = createModel(stage2, variant);
      const s0 = initialState(stage2);
      const r = run(stage2, variant, [bind(0, 0)]);
      expect(errnoOf(r.last)).toBe('EINVAL');
      expect(canonicalState(r.state)).toBe(canonicalState(s0));
      const enabled = run(stage2, variant, [enable(0), bind(0, 0)]);
      expect(errnoOf(enabled.last)).toBe('EINVAL');
      expect(enabled.state.bonds).toEqual([]);
      expect(m.config).toBe(stage2);
    }
  });
});

describe('DRV-BIND-ENODEV: bind needs SVA enabled on the master', () => {
  it('ENODEV without enableSva, state unchanged', () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const r = run(seedWideConfig, variant, [bind(0, 0)]);
      expect(errnoOf(r.last)).toBe('ENODEV');
      expect(canonicalState(r.state)).toBe(canonicalState(initialState(seedWideConfig)));
    }
  });
});

describe('DRV-BIND-REUSE: the same (device, mm) returns the same handle, refcounted', () => {
  for (const variant of ['v6', 'upstream'] as const) {
    it(`${variant}: second bind takes a bond reference only`, () => {
      const r = run(seedWideConfig, variant, [enable(0), bind(0, 0), bind(0, 0)]);
      expect(returns(r.last)).toEqual([{ tag: 'handle', dev: 0, mm: 0, pasid: 1 }]);
      expect(r.last.filter((o) => o.kind !== 'return')).toEqual([]); // no trace, no command
      expect(r.state.bonds).toEqual([{ dev: 0, mm: 0, refs: 2, afterExit: false }]);
      expect(r.state.notifiers[0]!.refs).toBe(1);
      expect(r.state.mms[0]!.pasidRefs).toBe(1);
    });
  }
});

describe('DRV-MN-REGISTER: binding an mm whose users are gone (options.bindAfterExit)', () => {
  const cfg = withOptions({ bindAfterExit: true });
  for (const variant of ['v6', 'upstream'] as const) {
    it(`${variant}: a fresh notifier on an exited mm hits the BUG_ON of __mmu_notifier_register; the state stays as before`, () => {
      const before = run(cfg, variant, [enable(0), exit(0)]);
      const r = run(cfg, variant, [bind(0, 0)], before.state);
      expect(r.last).toEqual([{ kind: 'bug', message: mmuNotifierRegisterBug }]);
      expect(canonicalState(r.state)).toBe(canonicalState(before.state));
      // no return value, no trace, no CD write: the task died inside the call
      expect(returns(r.last)).toEqual([]);
    });
  }
  it('upstream: a second device of the same domain finds the cleared notifier on the domain list and binds', () => {
    const shared = withOptions({ bindAfterExit: true }, sharedDomain);
    const r = run(shared, 'upstream', [enable(0), enable(1), bind(0, 0), exit(0), bind(1, 0)]);
    expect(returns(r.last)).toEqual([{ tag: 'handle', dev: 1, mm: 0, pasid: 1 }]);
    expect(r.state.notifiers).toEqual([{ domain: 0, mm: 0, refs: 2, cleared: true, afterExit: false, mmListPos: 0 }]);
    expect(cmds(r.last)).toEqual([]); // upstream writes the CD only when it creates the notifier
  });
  it('v6: the mm list was emptied by exit_mmap, so the second device of the domain needs a fresh notifier: BUG', () => {
    const shared = withOptions({ bindAfterExit: true }, sharedDomain);
    const r = run(shared, 'v6', [enable(0), enable(1), bind(0, 0), exit(0), bind(1, 0)]);
    expect(r.last).toEqual([{ kind: 'bug', message: mmuNotifierRegisterBug }]);
  });
  it('without options.bindAfterExit a bind on an exited mm is not an event', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), exit(0)]);
    expect(refusal(r.m, r.state, bind(0, 0))).toMatchObject({ tag: 'NotEnabled' });
  });
});

describe('DRV-MN-GET: one notifier per (domain, mm), refcounted per bond', () => {
  for (const variant of ['v6', 'upstream'] as const) {
    it(`${variant}: a second device of the same domain reuses the notifier`, () => {
      const r = run(sharedDomain, variant, [enable(0), enable(1), bind(0, 0), bind(1, 0)]);
      expect(r.state.notifiers).toEqual([{ domain: 0, mm: 0, refs: 2, cleared: false, afterExit: false, mmListPos: 0 }]);
      expect(r.state.mms[0]!.ctxDescRefs).toBe(1);
      expect(r.state.mms[0]!.pasidRefs).toBe(2);
    });
    it(`${variant}: a device of another domain gets its own notifier and ctx desc reference`, () => {
      const r = run(twoDomains, variant, [enable(0), enable(1), bind(0, 0), bind(1, 0)]);
      expect(r.state.notifiers.map((n) => [n.domain, n.mm, n.refs])).toEqual([[0, 0, 1], [1, 0, 1]]);
      expect(r.state.mms[0]!.ctxDescRefs).toBe(2);
      expect(cdAt(r.state, 1, 1)).toMatchObject({ v: true, asid: 11, ttb0: 0 });
    });
  }
});

describe('DRV-MN-LOOKUP: which notifier bind() reuses', () => {
  const cfg = withOptions({ bindAfterExit: true });
  it('v6 skips the notifiers exit_mmap() unlinked from the mm, upstream finds them on the domain list', () => {
    const r = run(cfg, 'v6', [enable(0), bind(0, 0), exit(0)]);
    expect(lookupNotifier({ traits: variants.v6 }, r.state, 0, 0)).toBe(-1);
    expect(lookupNotifier({ traits: variants.upstream }, r.state, 0, 0)).toBe(0);
    const alive = run(cfg, 'v6', [enable(0), bind(0, 0)]);
    expect(lookupNotifier({ traits: variants.v6 }, alive.state, 0, 0)).toBe(0);
  });
});

describe('DRV-BIND-BOND-ALLOC: kzalloc of the bond fails (options.allocFailure)', () => {
  const cfg = withOptions({ allocFailure: true });
  it('upstream: ENOMEM before anything is allocated', () => {
    const before = run(cfg, 'upstream', [enable(0)]);
    const r = run(cfg, 'upstream', [bind(0, 0, 'bond')], before.state);
    expect(errnoOf(r.last)).toBe('ENOMEM');
    expect(canonicalState(r.state)).toBe(canonicalState(before.state));
  });
  it('v6: ENOMEM after the notifier was got; the put of a fresh notifier goes through err_put_mn', () => {
    const r = run(cfg, 'v6', [enable(0), bind(0, 0, 'bond')]);
    expect(errnoOf(r.last)).toBe('ENOMEM');
    expect(r.state.bonds).toEqual([]);
    expect(r.state.notifiers).toEqual([]);
    expect(r.state.deferredFrees).toEqual([{ domain: 0, mm: 0, inDomainOps: true }]);
    expect(r.state.mms[0]).toMatchObject({ pasid: 0, pasidRefs: 0, ctxDescRefs: 1 });
  });
  it('a notifier allocation failure leaves nothing behind in either variant', () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const before = run(cfg, variant, [enable(0)]);
      const r = run(cfg, variant, [bind(0, 0, 'notifier')], before.state);
      expect(errnoOf(r.last)).toBe('ENOMEM');
      expect(canonicalState(r.state)).toBe(canonicalState(before.state));
    }
  });
});

describe('DRV-BIND-ERR-PUT: v6 error path refcount_dec() then mmu_notifier_put()', () => {
  const cfg = withOptions({ allocFailure: true });
  it('on a fresh notifier refcount_dec() hits 0: refcount_t WARN', () => {
    const r = run(cfg, 'v6', [enable(0), bind(0, 0, 'bond')]);
    expect(warns(r.last)).toEqual(['refcount_t: decrement hit 0; leaking memory.']);
  });
  it('on a reused notifier it only drops the reference bind took: no WARN', () => {
    const r = run(withOptions({ allocFailure: true }, sharedDomain), 'v6', [enable(0), enable(1), bind(1, 0), bind(0, 0, 'bond')]);
    expect(warns(r.last)).toEqual([]);
    expect(r.state.notifiers).toEqual([{ domain: 0, mm: 0, refs: 1, cleared: false, afterExit: false, mmListPos: 0 }]);
  });
  it('upstream never warns on the same failure', () => {
    const r = run(cfg, 'upstream', [enable(0), bind(0, 0, 'bond')]);
    expect(warns(r.last)).toEqual([]);
  });
});

describe('DRV-BIND-PASID: one PASID per mm inside the device SSID range, else ENOSPC', () => {
  const narrow: Config = { ...seedWideConfig, devices: [seedWideConfig.devices[0]!, { ...seedWideConfig.devices[1]!, ssidBits: 1 }] };
  it('a second mm does not fit a 1-bit SSID space: ENOSPC (v6 warns on its fresh notifier, upstream changes nothing)', () => {
    const v6 = run(narrow, 'v6', [enable(1), bind(1, 0), bind(1, 1)]);
    expect(errnoOf(v6.last)).toBe('ENOSPC');
    expect(warns(v6.last)).toHaveLength(1);
    expect(v6.state.mms[1]).toMatchObject({ pasid: 0, pasidRefs: 0 });
    const up0 = run(narrow, 'upstream', [enable(1), bind(1, 0)]);
    const up = run(narrow, 'upstream', [bind(1, 1)], up0.state);
    expect(errnoOf(up.last)).toBe('ENOSPC');
    expect(canonicalState(up.state)).toBe(canonicalState(up0.state));
  });
  it('an mm whose PASID lies outside the device range cannot bind it', () => {
    const r = run(narrow, 'upstream', [enable(0), enable(1), bind(0, 0), bind(0, 1), bind(1, 1)]);
    expect(r.state.mms[1]!.pasid).toBe(2);
    expect(errnoOf(r.last)).toBe('ENOSPC');
    expect(errnoOf(run(narrow, 'upstream', [bind(1, 0)], r.state).last)).toBeUndefined();
  });
});

describe('DRV-PASID-ALLOC: lowest free PASID in [1, 2^ssid_bits - 1]', () => {
  it('first mm gets 1, second 2; after the first is freed it is handed out again', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), bind(0, 0), bind(0, 1)]);
    expect(r.state.mms.map((m) => m.pasid)).toEqual([1, 2]);
    const again = run(seedWideConfig, 'v6-atc', [unbind(0, 0), bind(0, 0)], r.state);
    expect(again.state.mms.map((m) => m.pasid)).toEqual([1, 2]);
    const s = initialState(seedWideConfig);
    expect(allocPasid(s, 1, 3, 7)!.mms[1]).toMatchObject({ pasid: 3, pasidRefs: 1 });
    expect(allocPasid(s, 1, 3, 2)).toBeUndefined();
  });
  it('an mm that has a PASID takes a reference on it', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), enable(1), bind(0, 0), bind(1, 0)]);
    expect(r.state.mms[0]).toMatchObject({ pasid: 1, pasidRefs: 2 });
  });
});

describe('DRV-PASID-FREE: the PASID is freed with its last bond', () => {
  it('drops one reference per unbind; mm->pasid cleared at zero', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), enable(1), bind(0, 0), bind(1, 0), unbind(0, 0)]);
    expect(r.state.mms[0]).toMatchObject({ pasid: 1, pasidRefs: 1 });
    const r2 = run(seedWideConfig, 'v6-atc', [unbind(1, 0)], r.state);
    expect(r2.state.mms[0]).toMatchObject({ pasid: 0, pasidRefs: 0 });
    expect(freePasid(r.state, 0).mms[0]).toMatchObject({ pasid: 0, pasidRefs: 0 });
  });
});

describe('DRV-BIND-CD: where bind writes the CD', () => {
  it('v6 writes the CD on every new bond (a live CD only gets its ASID rewritten)', () => {
    const r = run(sharedDomain, 'v6', [enable(0), enable(1), bind(0, 0), bind(1, 0)]);
    expect(ops(r.last)).toEqual(['CMD_CFGI_CD', 'CMD_CFGI_CD', 'CMD_SYNC']); // case (3): one sync
    expect(cdAt(r.state, 0, 1)).toMatchObject({ v: true, epd0: false, asid: 11 });
  });
  it('upstream writes it only when the (domain, mm) notifier is created', () => {
    const r = run(sharedDomain, 'upstream', [enable(0), enable(1), bind(0, 0), bind(1, 0)]);
    expect(ops(r.last)).toEqual([]);
    expect(tps(r.last)).toEqual(['smmu_bind_alloc']);
  });
});

describe('DRV-CD-ALLOC: one ctx desc per mm, holding its CPU ASID', () => {
  it('each notifier holds a ctx desc reference', () => {
    const r = run(twoDomains, 'v6', [enable(0), enable(1), bind(0, 0)]);
    expect(r.state.mms[0]!.ctxDescRefs).toBe(1);
    expect(run(twoDomains, 'v6', [bind(1, 0)], r.state).state.mms[0]!.ctxDescRefs).toBe(2);
  });
});

/** Two-bit ASIDs, three processes holding 1, 2 and 3: once two are shared, no ASID is free for a private domain. */
const asidsFull: Config = {
  ...seedWideConfig,
  smmu: { ...seedWideConfig.smmu, asidBits: 2 },
  processes: [
    { name: 'a', pages: 1, cpuAsid: 1, vaBase: 0x1000n },
    { name: 'b', pages: 1, cpuAsid: 2, vaBase: 0x2000n },
    { name: 'c', pages: 1, cpuAsid: 3, vaBase: 0x3000n },
  ],
};

describe('DRV-ASID-SHARE: a private domain holding the CPU ASID moves to a fresh one', () => {
  const clash: Config = { ...seedWideConfig, processes: [{ ...seedWideConfig.processes[0]!, cpuAsid: 1 }, seedWideConfig.processes[1]!] };
  it('the private CD at SSID 0 is rewritten with the lowest free ASID and the old ASID invalidated', () => {
    expect(initialState(clash).domains[0]!.privateAsid).toBe(1);
    const r = run(clash, 'v6-atc', [enable(0), bind(0, 0)]);
    expect(r.state.domains[0]!.privateAsid).toBe(3); // 2 is dom1's
    expect(cdAt(r.state, 0, 0)).toMatchObject({ v: true, asid: 3, ttb0: -1 });
    expect(cdAt(r.state, 0, 1)).toMatchObject({ asid: 1, ttb0: 0 });
    // the private CD is live: case (3), one sync
    expect(cmds(r.last).slice(0, 4)).toEqual([
      { op: 'CMD_CFGI_CD', dev: 0, ssid: 0 }, { op: 'CMD_SYNC' },
      { op: 'CMD_TLBI_NH_ASID', asid: 1 }, { op: 'CMD_SYNC' },
    ]);
    expect(cdAt(r.state, 0, 0)).toMatchObject({ a: true, aset: true });
  });
  it('ENOSPC when no ASID is free for the private domain', () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const before = run(asidsFull, variant, [enable(0), bind(0, 1), bind(0, 2)]);
      const r = run(asidsFull, variant, [bind(0, 0)], before.state);
      expect(errnoOf(r.last)).toBe('ENOSPC');
      expect(canonicalState(r.state)).toBe(canonicalState(before.state));
    }
  });
});

describe('DRV-MN-GET: which allocation a failed notifier kzalloc comes after (notifierAlloc)', () => {
  const clash: Config = withOptions({ allocFailure: true }, { ...seedWideConfig, processes: [{ ...seedWideConfig.processes[0]!, cpuAsid: 1 }, seedWideConfig.processes[1]!] });
  it('upstream (ctxDescFirst): the ctx desc came first, so the private ASID it moved stays moved; the ctx desc and the PASID are dropped', () => {
    const r = run(clash, 'upstream', [enable(0), bind(0, 0, 'notifier')]);
    expect(errnoOf(r.last)).toBe('ENOMEM');
    expect(cmds(r.last)).toEqual([
      { op: 'CMD_CFGI_CD', dev: 0, ssid: 0 }, { op: 'CMD_SYNC' },
      { op: 'CMD_TLBI_NH_ASID', asid: 1 }, { op: 'CMD_SYNC' },
    ]);
    expect(r.state.domains[0]!.privateAsid).toBe(3);
    expect(r.state.mms[0]).toMatchObject({ ctxDescRefs: 0, pasid: 0, pasidRefs: 0 });
    expect(r.state.notifiers).toEqual([]);
    expect(r.state.bonds).toEqual([]);
  });
  it('v6 (notifierFirst): the kzalloc fails before anything else; no command, nothing changes', () => {
    const before = run(clash, 'v6', [enable(0)]);
    const r = run(clash, 'v6', [bind(0, 0, 'notifier')], before.state);
    expect(errnoOf(r.last)).toBe('ENOMEM');
    expect(cmds(r.last)).toEqual([]);
    expect(canonicalState(r.state)).toBe(canonicalState(before.state));
  });
  it('with no ASID free, upstream fails in the ctx desc (ENOSPC) before its kzalloc; v6 in the kzalloc (ENOMEM)', () => {
    const full = withOptions({ allocFailure: true }, asidsFull);
    for (const [variant, errno] of [['v6', 'ENOMEM'], ['upstream', 'ENOSPC']] as const) {
      const before = run(full, variant, [enable(0), bind(0, 1), bind(0, 2)]);
      const r = run(full, variant, [bind(0, 0, 'notifier')], before.state);
      expect(errnoOf(r.last), variant).toBe(errno);
      expect(canonicalState(r.state)).toBe(canonicalState(before.state));
    }
  });
  it('upstream on an exited mm (bindAfterExit): the kzalloc fails before __mmu_notifier_register, so ENOMEM, not the BUG', () => {
    const c = withOptions({ allocFailure: true, bindAfterExit: true });
    const r = run(c, 'upstream', [enable(0), exit(0), bind(0, 0, 'notifier')]);
    expect(errnoOf(r.last)).toBe('ENOMEM');
    expect(r.last.some((o) => o.kind === 'bug')).toBe(false);
    expect(run(c, 'upstream', [enable(0), exit(0), bind(0, 0)]).last.some((o) => o.kind === 'bug')).toBe(true);
  });
});

describe('DRV-CD-FREE: the last ctx desc reference releases the ASID', () => {
  it('upstream drops it at put, v6 in the deferred free', () => {
    const up = run(seedWideConfig, 'upstream', [enable(0), bind(0, 0), unbind(0, 0)]);
    expect(up.state.mms[0]!.ctxDescRefs).toBe(0);
    const v6 = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), unbind(0, 0)]);
    expect(v6.state.mms[0]!.ctxDescRefs).toBe(1);
    expect(run(seedWideConfig, 'v6', [notifierFree(0, 0)], v6.state).state.mms[0]!.ctxDescRefs).toBe(0);
  });
});
