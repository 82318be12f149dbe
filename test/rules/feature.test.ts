// spec/rules.md, SVA feature, CD writes and the trace format: DRV-SVA-*, DRV-CD-WRITE, TRACE-FORMAT.
import { describe, expect, it } from 'vitest';
import { seedWideConfig, type Config } from '../../src/model/config.ts';
import { initialState } from '../../src/machine/initial.ts';
import type { State } from '../../src/model/state.ts';
import { writeCtxDesc } from '../../src/hardware/cd.ts';
import { formatRecord } from '../../src/trace/format.ts';
import { bind, ctxOf, disable, enable, errnoOf, ops, refusal, returns, run, stallForced, withOptions, withSmmu } from './helpers.ts';
import { cdAt } from '../../src/model/queries.ts';

describe('DRV-SVA-ENABLE: SVA needs a way to resolve I/O page faults (and BTM in v6)', () => {
  it('a PRI device and a stalling device can enable SVA', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), enable(1)]);
    expect(r.state.svaEnabled).toEqual([true, true]);
    expect(returns(r.last)).toEqual([{ tag: 'ok' }]);
  });
  it('v6 family (svaRequiresIopf): ENODEV for a device with neither PRI resolved through IOPF nor stall, and for a stalling device when STALL_MODEL is 0b01', () => {
    const plain: Config = { ...seedWideConfig, devices: [{ ...seedWideConfig.devices[0]!, pri: false }, seedWideConfig.devices[1]!] };
    expect(errnoOf(run(plain, 'v6', [enable(0)]).last)).toBe('ENODEV');
    const none = withSmmu({ stallModel: 'none' });
    const r = run(none, 'v6', [enable(1)]);
    expect(errnoOf(r.last)).toBe('ENODEV');
    expect(r.state.svaEnabled).toEqual([false, false]);
    // a PRI device whose page requests would be denied has no way to resolve faults
    expect(errnoOf(run(withOptions({ priHandling: 'deny' }), 'v6', [enable(0)]).last)).toBe('ENODEV');
    // under STALL_FORCE every master is stall_enabled: a platform device without "dma-can-stall" too
    expect(stallForced.devices[0]).toMatchObject({ bus: 'platform', pri: false, stall: false });
    expect(errnoOf(run(stallForced, 'v6', [enable(0)]).last)).toBeUndefined();
  });
  it('upstream (5.14, no IOPF requirement): any master with SSIDs enables SVA', () => {
    const plain: Config = { ...seedWideConfig, devices: [{ ...seedWideConfig.devices[0]!, pri: false }, seedWideConfig.devices[1]!] };
    expect(errnoOf(run(plain, 'upstream', [enable(0)]).last)).toBeUndefined();
    expect(errnoOf(run(withSmmu({ stallModel: 'none' }), 'upstream', [enable(1)]).last)).toBeUndefined();
  });
  it('without BTM: v6 refuses (ENODEV) unless options.enforceBtmRequirement=false; upstream accepts', () => {
    const noBtm = withSmmu({ btm: false });
    expect(errnoOf(run(noBtm, 'v6', [enable(0)]).last)).toBe('ENODEV');
    expect(errnoOf(run(withSmmu({ btm: false }, withOptions({ enforceBtmRequirement: false })), 'v6', [enable(0)]).last)).toBeUndefined();
    expect(errnoOf(run(noBtm, 'upstream', [enable(0)]).last)).toBeUndefined();
  });
  it('enabling twice returns EBUSY and changes nothing, in every variant (arm_smmu_dev_enable_feature)', () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const r = run(seedWideConfig, variant, [enable(0), bind(0, 0), enable(0)]);
      expect(returns(r.last)).toEqual([{ tag: 'error', errno: 'EBUSY' }]);
      expect(r.last).toHaveLength(1);
      expect(r.states[3]).toBe(r.states[2]);
    }
  });
  it('a master that cannot enable SVA gets ENODEV, not EBUSY, however often it asks (dev_has_feature is checked first)', () => {
    const noBtm = withSmmu({ btm: false });
    expect(run(noBtm, 'v6', [enable(0), enable(0)]).perStep.map((o) => errnoOf(o))).toEqual(['ENODEV', 'ENODEV']);
  });
});

describe('DRV-SVA-DISABLE: disable SVA on a master', () => {
  const lax = withOptions({ strictDisable: false });
  it('upstream: EBUSY while the master has bonds; ok once they are gone', () => {
    const r = run(lax, 'upstream', [enable(0), bind(0, 0), disable(0)]);
    expect(errnoOf(r.last)).toBe('EBUSY');
    expect(r.state.svaEnabled[0]).toBe(true);
  });
  it('v6: succeeds with bonds left (the driver broke the caller contract), SVA off', () => {
    const r = run(lax, 'v6', [enable(0), bind(0, 0), disable(0)]);
    expect(returns(r.last)).toEqual([{ tag: 'ok' }]);
    expect(r.state.svaEnabled[0]).toBe(false);
    expect(r.state.bonds).toHaveLength(1);
  });
  it('disabling while SVA is off returns EINVAL and changes nothing, in every variant (arm_smmu_dev_disable_feature)', () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const never = run(seedWideConfig, variant, [disable(0)]);
      expect(returns(never.last)).toEqual([{ tag: 'error', errno: 'EINVAL' }]);
      expect(never.state).toBe(never.states[0]);
      const twice = run(seedWideConfig, variant, [enable(0), disable(0), disable(0)]);
      expect(returns(twice.last)).toEqual([{ tag: 'error', errno: 'EINVAL' }]);
      expect(twice.states[3]).toBe(twice.states[2]);
    }
    // with bonds left behind by a lax caller (v6 turns SVA off anyway), a second disable is EINVAL too
    const lax = withOptions({ strictDisable: false });
    expect(errnoOf(run(lax, 'v6', [enable(0), bind(0, 0), disable(0), disable(0)]).last)).toBe('EINVAL');
  });
  it('options.strictDisable: disabling with bonds is not an event at all', () => {
    const r = run(seedWideConfig, 'upstream', [enable(0), bind(0, 0)]);
    expect(refusal(r.m, r.state, disable(0))).toMatchObject({ tag: 'NotEnabled', reason: expect.stringContaining('strictDisable') });
  });
});

describe('DRV-CD-WRITE: the cases of __arm_smmu_write_ctx_desc', () => {
  const cfg = seedWideConfig;
  const base = initialState(cfg);
  const live = { v: true, epd0: true, r: true, s: false, a: true, aset: false, asid: 11, ttb0: 0 };
  const withCd: State = { ...base, domains: [{ ...base.domains[0]!, cds: [...base.domains[0]!.cds, { ssid: 1, cd: live }] }, base.domains[1]!] };
  const write = (s: State, w: Parameters<typeof writeCtxDesc>[4]) => {
    const ctx = ctxOf(cfg, 'v6');
    const next = writeCtxDesc(ctx, s, 0, 1, w);
    return { cd: cdAt(next, 0, 1), ops: ops(ctx.out) };
  };
  it('(1)/(2) install on a free SSID: V=1, EPD0=0, R=1, A=1, ASET=0, S per HW-CD-S, ASID and TTB0; synced before and after word 0', () => {
    expect(write(base, { tag: 'install', asid: 12, ttb0: 1 })).toEqual({
      cd: { v: true, epd0: false, r: true, s: false, a: true, aset: false, asid: 12, ttb0: 1 },
      ops: ['CMD_CFGI_CD', 'CMD_SYNC', 'CMD_CFGI_CD', 'CMD_SYNC'],
    });
  });
  it('(3) on a live CD syncs once', () => {
    expect(write(withCd, { tag: 'install', asid: 12, ttb0: 1 }).ops).toEqual(['CMD_CFGI_CD', 'CMD_SYNC']);
  });
  it('(3) install on a live CD only rewrites the ASID (EPD0 of a quiesced CD is kept)', () => {
    expect(write(withCd, { tag: 'install', asid: 12, ttb0: 1 }).cd).toEqual({ ...live, asid: 12 });
  });
  it('(4) quiesce: EPD0=1, V kept', () => {
    const s: State = { ...withCd, domains: [{ ...withCd.domains[0]!, cds: [withCd.domains[0]!.cds[0]!, { ssid: 1, cd: { ...live, epd0: false } }] }, withCd.domains[1]!] };
    expect(write(s, { tag: 'quiesce' }).cd).toEqual(live);
    expect(write(base, { tag: 'quiesce' }).cd).toBeUndefined();
  });
  it('v5 quiesce also clears S and R; the naive release and (5) remove clear the whole CD, synced once', () => {
    expect(write({ ...withCd, domains: [{ ...withCd.domains[0]!, cds: [withCd.domains[0]!.cds[0]!, { ssid: 1, cd: { ...live, s: true } }] }, withCd.domains[1]!] }, { tag: 'quiesceClearSR' }).cd).toEqual({ ...live, s: false, r: false });
    expect(write(withCd, { tag: 'clearValid' }).cd).toBeUndefined();
    expect(write(withCd, { tag: 'remove' })).toEqual({ cd: undefined, ops: ['CMD_CFGI_CD', 'CMD_SYNC'] });
  });
});

describe('TRACE-FORMAT: trace records in the kernel ftrace text', () => {
  const cfg: Config = seedWideConfig;
  it('the seed\'s lines, byte for byte, for the seed\'s values', () => {
    expect(formatRecord(cfg, { tp: 'smmu_bind_alloc', dev: 0, pasid: 1 })).toBe('smmu_bind_alloc: dev=0000:00:03.0 pasid=1');
    expect(formatRecord(cfg, { tp: 'smmu_unbind_free', dev: 0, pasid: 1 })).toBe('smmu_unbind_free: dev=0000:00:03.0 pasid=1');
    expect(formatRecord(cfg, { tp: 'dev_fault', dev: 0, type: 2, reason: 0, mm: 0, page: 0, pasid: 1, group: 74, flags: 3, prot: 2 }))
      .toBe('dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=74 flags=3 prot=2');
    expect(formatRecord(cfg, { tp: 'dev_page_response', dev: 0, code: 1, pasid: 1, group: 383 }))
      .toBe('dev_page_response: IOMMU:0000:00:03.0 code=1 pasid=1 group=383');
    expect(formatRecord(cfg, { tp: 'smmu_mm_invalidate', mm: 0, pasid: 1, start: 0, end: 2 }))
      .toBe('smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000');
    expect(formatRecord(cfg, { tp: 'smmu_mm_release', mm: 1, pasid: 1 })).toBe('smmu_mm_release: pasid=1');
  });
});
