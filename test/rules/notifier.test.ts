// spec/rules.md, unbind() and the MMU notifier: DRV-UNBIND, DRV-MN-*.
import { describe, expect, it } from 'vitest';
import { seedWideConfig, type Config } from '../../src/model/config.ts';

import { release } from '../../src/driver/notifier.ts';
import { cdAt } from '../../src/model/queries.ts';
import {
  atsFaultIn, bind, callbacks, cmds, ctxOf, disable, dma, domainFree, enable, exit, munmap, notifierFree, ops, refusal,
  returns, run, sharedDomain, touch, traces, tps, twoDomains, unbind, withOptions, withSmmu,
} from './helpers.ts';

describe('DRV-UNBIND: iommu_sva_unbind_device', () => {
  it('drops a bond reference; the last one removes the bond and traces smmu_unbind_free', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), bind(0, 0), bind(0, 0), unbind(0, 0)]);
    expect(r.last).toEqual([{ kind: 'return', result: { tag: 'ok' } }]);
    expect(r.state.bonds).toEqual([{ dev: 0, mm: 0, refs: 1, afterExit: false }]);
    const r2 = run(seedWideConfig, 'v6-atc', [unbind(0, 0)], r.state);
    expect(traces(r2.last)).toEqual([{ tp: 'smmu_unbind_free', dev: 0, pasid: 1 }]);
    expect(returns(r2.last)).toEqual([{ tag: 'ok' }]);
    expect(r2.state.bonds).toEqual([]);
    expect(r2.state.mms[0]).toMatchObject({ pasid: 0, pasidRefs: 0 });
  });
  it('caller contract: refused while a fault of (device, PASID) is pending (the driver stops DMA first)', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), bind(0, 0), dma(0, 1, 0)]);
    expect(r.state.faults).toHaveLength(1);
    expect(refusal(r.m, r.state, unbind(0, 0))).toMatchObject({ tag: 'NotEnabled', reason: expect.stringContaining('caller contract') });
  });
  it('unbind of a pair that was never bound is not an event', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0)]);
    expect(refusal(r.m, r.state, unbind(0, 0))).toMatchObject({ tag: 'NotEnabled' });
  });
});

describe('DRV-MN-TEARDOWN: the last bond of a notifier clears the CD and invalidates', () => {
  it('v6-atc, not released: CD removed, TLBI by ASID and ATC invalidation of the whole PASID', () => {
    const r = run(seedWideConfig, 'v6-atc', [...atsFaultIn, unbind(0, 0)]);
    expect(cdAt(r.state, 0, 1)).toBeUndefined();
    expect(cmds(r.last)).toEqual([
      { op: 'CMD_CFGI_CD', dev: 0, ssid: 1 }, { op: 'CMD_SYNC' },
      { op: 'CMD_TLBI_NH_ASID', asid: 11 }, { op: 'CMD_SYNC' },
      { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: -1 }, { op: 'CMD_SYNC' },
    ]);
    expect(r.state.tlb).toEqual([]);
    expect(r.state.atc).toEqual([]);
  });
  it('v6: the ATC invalidation is a TODO', () => {
    const r = run(seedWideConfig, 'v6', [...atsFaultIn, unbind(0, 0)]);
    expect(ops(r.last)).not.toContain('CMD_ATC_INV');
    expect(r.state.atc).toHaveLength(1);
  });
  it('after release (cleared) the CD is cleared without a second TLBI', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), exit(0), unbind(1, 0)]);
    expect(ops(r.last)).toEqual(['CMD_CFGI_CD', 'CMD_SYNC']);
    expect(cdAt(r.state, 1, 1)).toBeUndefined();
  });
  it('a notifier that keeps a bond keeps the CD', () => {
    const r = run(sharedDomain, 'v6-atc', [enable(0), enable(1), bind(0, 0), bind(1, 0), unbind(0, 0)]);
    expect(ops(r.last)).toEqual([]);
    expect(r.state.notifiers[0]!.refs).toBe(1);
    expect(cdAt(r.state, 0, 1)).toMatchObject({ v: true });
  });
});

describe('DRV-MN-PUT: the last reference unlinks the notifier and defers its free', () => {
  it('v6: the free goes through the domain ops (inDomainOps), upstream: static ops', () => {
    const v6 = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), unbind(0, 0)]);
    expect(v6.state.notifiers).toEqual([]);
    expect(v6.state.deferredFrees).toEqual([{ domain: 0, mm: 0, inDomainOps: true }]);
    const up = run(seedWideConfig, 'upstream', [enable(0), bind(0, 0), unbind(0, 0)]);
    expect(up.state.deferredFrees).toEqual([{ domain: 0, mm: 0, inDomainOps: false }]);
  });
});

describe('DRV-MN-FREE: the SRCU callback of mmu_notifier_put()', () => {
  it('v6 calls free_notifier through the domain and drops the ctx desc; upstream touches nothing', () => {
    const v6 = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), unbind(0, 0), notifierFree(0, 0)]);
    expect(callbacks(v6.last)).toEqual([{ kind: 'callback', op: 'free_notifier', domain: 0, mm: 0 }]);
    expect(v6.state.deferredFrees).toEqual([]);
    expect(v6.state.mms[0]!.ctxDescRefs).toBe(0);
    const up = run(seedWideConfig, 'upstream', [enable(0), bind(0, 0), unbind(0, 0), notifierFree(0, 0)]);
    expect(up.last).toEqual([]);
    expect(up.state.deferredFrees).toEqual([]);
  });
  it('is not an event when no free is pending', () => {
    const r = run(seedWideConfig, 'v6', [enable(0)]);
    expect(refusal(r.m, r.state, notifierFree(0, 0))).toMatchObject({ tag: 'NotEnabled' });
  });
});

describe('DRV-MN-SYNC: mmu_notifier_synchronize() in disable_sva', () => {
  it('v6 runs every pending free before disable returns; no-synchronize leaves them pending', () => {
    const script = [enable(0), bind(0, 0), unbind(0, 0), disable(0)];
    const v6 = run(seedWideConfig, 'v6', script);
    expect(callbacks(v6.last).map((c) => c.op)).toEqual(['free_notifier']);
    expect(v6.state.deferredFrees).toEqual([]);
    expect(returns(v6.last)).toEqual([{ tag: 'ok' }]);
    const ns = run(seedWideConfig, 'no-synchronize', script);
    expect(callbacks(ns.last)).toEqual([]);
    expect(ns.state.deferredFrees).toHaveLength(1);
  });
  it('no-synchronize: the late free runs on a freed domain', () => {
    const r = run(seedWideConfig, 'no-synchronize', [enable(0), bind(0, 0), unbind(0, 0), disable(0), domainFree(0), notifierFree(0, 0)]);
    expect(r.state.domains[0]!.freed).toBe(true);
    expect(callbacks(r.last)).toEqual([{ kind: 'callback', op: 'free_notifier', domain: 0, mm: 0 }]);
  });
});

describe('DRV-MN-ORDER: the mm\'s notifier list, newest registered first', () => {
  const pos = (st: { notifiers: readonly { domain: number; mmListPos: number }[] }) => st.notifiers.map((n) => [n.domain, n.mmListPos]);
  it('a fresh notifier is linked at the head; the older ones move back', () => {
    const r = run(twoDomains, 'upstream', [enable(0), enable(1), bind(0, 0), bind(1, 0)]);
    expect(pos(r.state)).toEqual([[0, 1], [1, 0]]);
    const other = run(twoDomains, 'upstream', [enable(0), enable(1), bind(1, 0), bind(0, 0)]);
    expect(pos(other.state)).toEqual([[0, 0], [1, 1]]);
  });
  it('a reused notifier keeps its place (no registration)', () => {
    const r = run(sharedDomain, 'upstream', [enable(0), enable(1), bind(0, 0), bind(1, 0)]);
    expect(pos(r.state)).toEqual([[0, 0]]);
  });
  it('exit releases in list order, not domain order, and the commands follow that order', () => {
    const newestDom1 = run(twoDomains, 'upstream', [enable(0), enable(1), bind(0, 0), bind(1, 0), exit(0)]);
    expect(callbacks(newestDom1.last).map((c) => [c.op, c.domain])).toEqual([['release', 1], ['release', 0]]);
    expect(cmds(newestDom1.last)[0]).toEqual({ op: 'CMD_CFGI_CD', dev: 1, ssid: 1 });
    const newestDom0 = run(twoDomains, 'upstream', [enable(0), enable(1), bind(1, 0), bind(0, 0), exit(0)]);
    expect(callbacks(newestDom0.last).map((c) => [c.op, c.domain])).toEqual([['release', 0], ['release', 1]]);
    expect(cmds(newestDom0.last)[0]).toEqual({ op: 'CMD_CFGI_CD', dev: 0, ssid: 1 });
    // the final state does not depend on the order: only the positions differ before the exit
    expect(newestDom1.state).toEqual(newestDom0.state);
  });
  it('exit_mmap unlinks every notifier: all positions 0 afterwards', () => {
    const r = run(twoDomains, 'upstream', [enable(0), enable(1), bind(0, 0), bind(1, 0), exit(0)]);
    expect(pos(r.state)).toEqual([[0, 0], [1, 0]]);
  });
  it('the last put unlinks the notifier: the ones behind it move up, a new one goes to the head', () => {
    const base = [enable(0), enable(1), bind(0, 0), bind(1, 0)];
    expect(pos(run(twoDomains, 'upstream', [...base, unbind(1, 0)]).state)).toEqual([[0, 0]]);
    expect(pos(run(twoDomains, 'upstream', [...base, unbind(0, 0)]).state)).toEqual([[1, 0]]);
    expect(pos(run(twoDomains, 'upstream', [...base, unbind(1, 0), bind(1, 0)]).state)).toEqual([[0, 1], [1, 0]]);
    const v6 = run(twoDomains, 'v6', [...base, unbind(0, 0), bind(0, 0)]);
    expect(pos(v6.state)).toEqual([[0, 0], [1, 1]]);
    expect(v6.state.deferredFrees).toHaveLength(1);
  });
});

describe('DRV-MN-INVALIDATE: invalidate_range() on every unmap', () => {
  it('each notifier of the mm is called twice per munmap that cleared PTEs, each call traced', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), touch(0, 1, 0), munmap(0, 0, 2)]);
    expect(traces(r.last)).toEqual([
      { tp: 'smmu_mm_invalidate', mm: 0, pasid: 1, start: 0, end: 2 },
      { tp: 'smmu_mm_invalidate', mm: 0, pasid: 1, start: 0, end: 2 },
    ]);
    expect(callbacks(r.last).map((c) => c.op)).toEqual(['invalidate_range', 'invalidate_range']);
    const two = run(twoDomains, 'v6', [enable(0), enable(1), bind(0, 0), bind(1, 0), touch(0, 1, 0), munmap(0, 1, 2)]);
    expect(callbacks(two.last).map((c) => c.domain)).toEqual([1, 0, 1, 0]); // DRV-MN-ORDER: newest registered first
  });
  it('once per notifier when the range was not populated (only invalidate_range_end calls it)', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), munmap(0, 0, 2)]);
    expect(traces(r.last)).toEqual([{ tp: 'smmu_mm_invalidate', mm: 0, pasid: 1, start: 0, end: 2 }]);
    const two = run(twoDomains, 'v6', [enable(0), enable(1), bind(0, 0), bind(1, 0), munmap(0, 1, 2)]);
    expect(callbacks(two.last).map((c) => c.domain)).toEqual([1, 0]);
  });
  it('an mm without notifiers gets no callback', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), munmap(1, 0, 1)]);
    expect(r.last).toEqual([]);
  });
});

describe('DRV-MN-ATC-RANGE: invalidate_range() invalidates the ATC (series\' next patch)', () => {
  it('v6-atc: CMD_ATC_INV for the range on each ATS master, then CMD_SYNC; the entry is gone', () => {
    const r = run(seedWideConfig, 'v6-atc', [...atsFaultIn, munmap(0, 0, 1)]);
    expect(cmds(r.last)).toEqual([
      { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: 1 }, { op: 'CMD_SYNC' },
      { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: 1 }, { op: 'CMD_SYNC' },
    ]);
    expect(r.state.atc).toEqual([]);
  });
  it('v6: nothing (TODO), the ATC entry survives the unmap', () => {
    const r = run(seedWideConfig, 'v6', [...atsFaultIn, munmap(0, 0, 1)]);
    expect(cmds(r.last)).toEqual([]);
    expect(r.state.atc).toEqual([{ dev: 0, pasid: 1, page: 0, frame: 0 }]);
  });
});

describe('DRV-MN-TLB-RANGE: without FEAT_BTM, upstream invalidates the SMMU TLB range itself', () => {
  const noBtm = withSmmu({ btm: false }, withOptions({ enforceBtmRequirement: false }));
  const script = [enable(1), bind(1, 0), touch(0, 0, 0), dma(1, 1, 0), munmap(0, 0, 1)];
  it('upstream: CMD_TLBI_NH_VA per page, CMD_SYNC; the TLB entry is gone', () => {
    const r = run(noBtm, 'upstream', script);
    expect(cmds(r.last).filter((c) => c.op === 'CMD_TLBI_NH_VA')).toEqual([
      { op: 'CMD_TLBI_NH_VA', asid: 11, page: 0 }, { op: 'CMD_TLBI_NH_VA', asid: 11, page: 0 },
    ]);
    expect(r.state.tlb).toEqual([]);
  });
  it('v6 (BTM requirement waived): no TLBI, the entry stays stale', () => {
    const r = run(noBtm, 'v6-atc', script);
    expect(ops(r.last)).not.toContain('CMD_TLBI_NH_VA');
    expect(r.state.tlb).toEqual([{ asid: 11, page: 0, frame: 0 }]);
  });
  it('upstream sends the same TLBI_NH_VA on an SMMU with BTM: mainline never enables it (MEM-BTM)', () => {
    const r = run(seedWideConfig, 'upstream', script);
    expect(cmds(r.last).filter((c) => c.op === 'CMD_TLBI_NH_VA')).toEqual([
      { op: 'CMD_TLBI_NH_VA', asid: 11, page: 0 }, { op: 'CMD_TLBI_NH_VA', asid: 11, page: 0 },
    ]);
    expect(r.state.tlb).toEqual([]);
  });
  it('v6-atc on an SMMU with BTM sends none: the CPU TLBI reached the SMMU (the series enables BTM)', () => {
    const r = run(seedWideConfig, 'v6-atc', script);
    expect(ops(r.last)).not.toContain('CMD_TLBI_NH_VA');
    expect(r.state.tlb).toEqual([]);
  });
});

describe('DRV-MN-RELEASE: release() when the mm exits', () => {
  it('v6-atc: trace, CD quiesced (V=1, EPD0=1), TLBI by ASID, ATC invalidated, notifier cleared', () => {
    const r = run(seedWideConfig, 'v6-atc', [...atsFaultIn, exit(0)]);
    expect(tps(r.last)).toEqual(['smmu_mm_release']);
    expect(traces(r.last)[0]).toEqual({ tp: 'smmu_mm_release', mm: 0, pasid: 1 });
    expect(cdAt(r.state, 0, 1)).toEqual({ v: true, epd0: true, r: true, s: false, a: true, aset: false, asid: 11, ttb0: 0 });
    expect(cmds(r.last)).toEqual([
      { op: 'CMD_CFGI_CD', dev: 0, ssid: 1 }, { op: 'CMD_SYNC' },
      { op: 'CMD_TLBI_NH_ASID', asid: 11 }, { op: 'CMD_SYNC' },
      { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: -1 }, { op: 'CMD_SYNC' },
    ]);
    expect(r.state.notifiers[0]!.cleared).toBe(true);
    expect(r.state.tlb).toEqual([]);
    expect(r.state.atc).toEqual([]);
  });
  it('a cleared notifier returns early: no trace, no CD write', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), bind(0, 0), exit(0)]);
    const ctx = ctxOf(seedWideConfig, 'v6-atc');
    const s = release(ctx, r.state, 0);
    expect(s).toBe(r.state);
    expect(ctx.out).toEqual([{ kind: 'callback', op: 'release', domain: 0, mm: 0 }]);
  });
});

describe('DRV-DOMAIN-FREE: detach and free a domain', () => {
  it('STEs abort (ATS off), CD table dropped, private ASID released', () => {
    const r = run(sharedDomain, 'v6', [domainFree(0)]);
    expect(r.state.ste.map((e) => [e.config, e.eats])).toEqual([['abort', false], ['abort', false]]);
    expect(r.state.domains[0]).toEqual({ freed: true, privateAsid: 0, cds: [] });
    const other = run(seedWideConfig, 'v6', [domainFree(1)]);
    expect(other.state.ste.map((e) => e.config)).toEqual(['translate', 'abort']);
  });
  it('HW-CMD-ATC-INV-MASTER: detach disables ATS and invalidates the whole ATC of each ATS master, every PASID', () => {
    const lax = withOptions({ strictDisable: false });
    const r = run(lax, 'v6', [...atsFaultIn, disable(0), domainFree(0)]);
    // then free_io_pgtable_ops() flushes the domain's TLB context: its private ASID (1)
    expect(cmds(r.last)).toEqual([
      { op: 'CMD_ATC_INV', dev: 0, ssid: 0, start: 0, end: -1 }, { op: 'CMD_SYNC' },
      { op: 'CMD_TLBI_NH_ASID', asid: 1 }, { op: 'CMD_SYNC' },
    ]);
    expect(r.state.atc).toEqual([]);
    // a domain without ATS masters: only its TLB context is flushed
    expect(cmds(run(seedWideConfig, 'v6', [domainFree(1)]).last)).toEqual([{ op: 'CMD_TLBI_NH_ASID', asid: 2 }, { op: 'CMD_SYNC' }]);
  });
  it('arm_smmu_tlb_inv_context: the TLBI of the private ASID drops that ASID\'s TLB entries; a domain no device ever attached was never finalised and sends nothing', () => {
    const c: Config = { ...seedWideConfig, domains: [...seedWideConfig.domains, { name: 'empty', stage: 1 }] };
    const r = run(c, 'upstream', [domainFree(2)]);
    expect(cmds(r.last)).toEqual([]);
    expect(r.state.domains[2]!.freed).toBe(true);
    const withEntry = { ...r.states[0]!, tlb: [{ asid: 2, page: 0, frame: 0 }, { asid: 11, page: 0, frame: 1 }] };
    const f = run(seedWideConfig, 'upstream', [domainFree(1)], withEntry);
    expect(f.state.tlb).toEqual([{ asid: 11, page: 0, frame: 1 }]);
  });
  it('HW-CMD-TLBI-S12-VMALL: a stage-2 domain\'s TLB context goes by VMID: CMD_TLBI_S12_VMALL of the lowest free VMID at its first attach (VMID 0 reserved); none for a stage-2 domain never attached', () => {
    // devices 0 and 1 attach (in configuration order) to stage-2 domains b and a: b is finalised first
    const c: Config = {
      ...seedWideConfig,
      domains: [{ name: 'a', stage: 2 }, { name: 'b', stage: 2 }, { name: 'never', stage: 2 }],
      devices: [{ ...seedWideConfig.devices[0]!, domain: 1 }, { ...seedWideConfig.devices[1]!, domain: 0 }],
    };
    expect(cmds(run(c, 'upstream', [domainFree(1)]).last)).toEqual([
      { op: 'CMD_ATC_INV', dev: 0, ssid: 0, start: 0, end: -1 }, { op: 'CMD_SYNC' },
      { op: 'CMD_TLBI_S12_VMALL', vmid: 1 }, { op: 'CMD_SYNC' },
    ]);
    expect(cmds(run(c, 'v6', [domainFree(0)]).last)).toEqual([{ op: 'CMD_TLBI_S12_VMALL', vmid: 2 }, { op: 'CMD_SYNC' }]);
    expect(cmds(run(c, 'v6', [domainFree(2)]).last)).toEqual([]);
    // a VMID freed with its domain is not reused: no domain is created later
    expect(cmds(run(c, 'v6', [domainFree(1), domainFree(0)]).last)).toEqual([{ op: 'CMD_TLBI_S12_VMALL', vmid: 2 }, { op: 'CMD_SYNC' }]);
  });
  it('caller contract: SVA disabled on every device of the domain first; bonds gone under strictDisable', () => {
    const r = run(seedWideConfig, 'v6', [enable(0)]);
    expect(refusal(r.m, r.state, domainFree(0))).toMatchObject({ tag: 'NotEnabled' });
    const lax = withOptions({ strictDisable: false });
    const b = run(lax, 'v6', [enable(0), bind(0, 0), disable(0), domainFree(0)]);
    expect(b.state.domains[0]!.freed).toBe(true);
    const strict = run(seedWideConfig, 'v6', [enable(0), bind(0, 0)]);
    expect(refusal(strict.m, strict.state, disable(0))).toMatchObject({ tag: 'NotEnabled' });
  });
});
