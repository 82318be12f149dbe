// spec/rules.md, process memory: MEM-TOUCH, MEM-MUNMAP, MEM-BTM, MEM-MMAP, MEM-EXIT.
import { describe, expect, it } from 'vitest';
import { seedWideConfig } from '../../src/model/config.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED, stateWith } from '../../src/model/state.ts';
import { munmap as munmapMem } from '../../src/process/memory.ts';
import {
  bind, callbacks, ctxOf, dma, enable, exit, mmap, munmap, ops, refusal, run, touch, tps, twoDomains, withOptions, withSmmu,
} from './helpers.ts';

describe('MEM-TOUCH: the CPU faults a page in with a frame the allocator picks', () => {
  it('maps the page to the chosen free frame, nothing observable', () => {
    const r = run(seedWideConfig, 'v6', [touch(0, 1, 2)]);
    expect(r.state.mms[0]!.pages).toEqual([PTE_UNMAPPED, 2]);
    expect(r.last).toEqual([]);
  });
  it('refused for a used frame, a mapped page, or an exited process', () => {
    const r = run(seedWideConfig, 'v6', [touch(0, 0, 0)]);
    expect(refusal(r.m, r.state, touch(1, 0, 0))).toMatchObject({ tag: 'NotEnabled', reason: 'frame is not free' });
    expect(refusal(r.m, r.state, touch(0, 0, 1))).toMatchObject({ tag: 'NotEnabled' });
    const e = run(seedWideConfig, 'v6', [exit(1)]);
    expect(refusal(e.m, e.state, touch(1, 0, 0))).toMatchObject({ tag: 'NotEnabled', reason: 'the process exited' });
  });
});

describe('MEM-MUNMAP: zap the range, free its frames, notify', () => {
  it('pages leave the VMA and their frames become free for anyone', () => {
    const r = run(seedWideConfig, 'v6', [touch(0, 0, 0), touch(0, 1, 1), munmap(0, 0, 1)]);
    expect(r.state.mms[0]!.pages).toEqual([PTE_NOT_IN_VMA, 1]);
    const reuse = run(seedWideConfig, 'v6', [touch(1, 0, 0)], r.state);
    expect(reuse.state.mms[1]!.pages[0]).toBe(0);
  });
  it('invalidate_range is called twice per notifier when PTEs were cleared (the seed\'s first trace shows every range twice)', () => {
    const r = run(twoDomains, 'v6', [enable(0), enable(1), bind(0, 0), bind(1, 0), touch(0, 0, 0), munmap(0, 0, 2)]);
    expect(tps(r.last)).toEqual(['smmu_mm_invalidate', 'smmu_mm_invalidate', 'smmu_mm_invalidate', 'smmu_mm_invalidate']);
  });
  it('once per notifier for a range with no populated page: the TLB flush has nothing to flush', () => {
    const r = run(twoDomains, 'v6', [enable(0), enable(1), bind(0, 0), bind(1, 0), munmap(0, 0, 2)]);
    expect(tps(r.last)).toEqual(['smmu_mm_invalidate', 'smmu_mm_invalidate']);
  });
  it('refused on an exited process or a range with no page in a VMA', () => {
    const r = run(seedWideConfig, 'v6', [munmap(0, 0, 2)]);
    expect(refusal(r.m, r.state, munmap(0, 0, 1))).toMatchObject({ tag: 'NotEnabled' });
  });
});

describe('MEM-BTM: with BTM the CPU\'s TLBI reaches the SMMU TLB', () => {
  const script = [enable(1), bind(1, 0), touch(0, 0, 0), touch(0, 1, 1), dma(1, 1, 0), dma(1, 1, 1), munmap(0, 0, 1)];
  it('BTM on: the unmapped page leaves the SMMU TLB, other pages stay, no SMMU command', () => {
    const r = run(seedWideConfig, 'v6', script);
    expect(r.states[r.states.length - 2]!.tlb).toHaveLength(2);
    expect(r.state.tlb).toEqual([{ asid: 11, page: 1, frame: 1 }]);
    expect(ops(r.last)).toEqual([]);
  });
  it('BTM off: the SMMU TLB keeps the entry unless the driver invalidates', () => {
    const noBtm = withSmmu({ btm: false }, withOptions({ enforceBtmRequirement: false }));
    const r = run(noBtm, 'v6', script);
    expect(r.state.tlb).toHaveLength(2);
  });
  it('BTM on but not enabled by the driver (upstream: SMMU_CR2.PTM=1): the broadcast alone removes nothing', () => {
    // the notifiers taken away so that only the broadcast could remove the entry
    const before = run(seedWideConfig, 'upstream', script.slice(0, -1)).state;
    const lone = stateWith(before, { notifiers: [] });
    expect(munmapMem(ctxOf(seedWideConfig, 'upstream'), lone, 0, 0, 1).tlb).toHaveLength(2);
    expect(munmapMem(ctxOf(seedWideConfig, 'v6'), lone, 0, 0, 1).tlb).toEqual([{ asid: 11, page: 1, frame: 1 }]);
  });
});

describe('MEM-MMAP: a VA page comes back into a VMA, unpopulated', () => {
  it('NOT_IN_VMA becomes UNMAPPED; refused for a page already in a VMA', () => {
    const r = run(seedWideConfig, 'v6', [munmap(0, 0, 1), mmap(0, 0)]);
    expect(r.state.mms[0]!.pages).toEqual([PTE_UNMAPPED, PTE_UNMAPPED]);
    expect(refusal(r.m, r.state, mmap(0, 0))).toMatchObject({ tag: 'NotEnabled', reason: 'page already in a VMA' });
  });
});

describe('MEM-EXIT: exit_mmap()', () => {
  it('release() on every notifier of the mm, then the memory goes with no TLBI and no invalidate_range', () => {
    const r = run(twoDomains, 'release-skips-tlbi', [enable(0), enable(1), bind(0, 0), bind(1, 0), touch(0, 0, 0), dma(1, 1, 0), exit(0)]);
    expect(tps(r.last)).toEqual(['smmu_mm_release', 'smmu_mm_release']);
    expect(callbacks(r.last).map((c) => [c.op, c.domain])).toEqual([['release', 1], ['release', 0]]); // DRV-MN-ORDER
    expect(ops(r.last)).not.toContain('CMD_TLBI_NH_ASID');
    expect(ops(r.last)).not.toContain('CMD_TLBI_NH_VA');
    expect(r.state.mms[0]).toMatchObject({ alive: false, pages: [PTE_NOT_IN_VMA, PTE_NOT_IN_VMA] });
    expect(r.state.tlb).toEqual([{ asid: 11, page: 0, frame: 0 }]); // BTM does not cover exit
    expect(r.state.notifiers.every((n) => n.cleared)).toBe(true);
  });
  it('exit keeps the PASID and the bonds (unbind comes later); a second exit is not an event', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), exit(0)]);
    expect(r.state.mms[0]).toMatchObject({ pasid: 1, pasidRefs: 1 });
    expect(r.state.bonds).toHaveLength(1);
    expect(refusal(r.m, r.state, exit(0))).toMatchObject({ tag: 'NotEnabled' });
  });
});
