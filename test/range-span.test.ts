// DRV-MN-RANGE-SPAN: what a range invalidation from invalidate_range() covers, exact (the default)
// or as the kernel encodes it (options.rangeInvalidation "span", "span-plus-one"): the pages, the
// commands, the symmetry that stays sound, both engines, and the verdicts.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import { seedWideConfig, type Config, type RangeInvalidation } from '../src/model/config.ts';
import { rangeCover } from '../src/hardware/rangeSpan.ts';
import { symmetryOf } from '../src/explorer/symmetry.ts';
import { explore } from '../src/explorer/explore.ts';
import { variantNames } from '../src/model/variant.ts';
import { bind, cmds, dma, enable, munmap, run, touch, withOptions } from './rules/helpers.ts';

const withRange = (mode: RangeInvalidation, base: Config = seedWideConfig): Config => withOptions({ rangeInvalidation: mode }, base);

describe('DRV-MN-RANGE-SPAN: the pages a range invalidation covers', () => {
  it('the kernel comment\'s examples (arm_smmu_atc_inv_to_cmd): pages [8; 11] are their own span, [7; 10] needs [0; 15]', () => {
    expect(rangeCover('span', 0n, 8, 12)).toEqual({ tlbEnd: 12, atcStart: 8, atcEnd: 12 });
    expect(rangeCover('span', 0n, 7, 11)).toEqual({ tlbEnd: 11, atcStart: 0, atcEnd: 16 });
    expect(rangeCover('span', 0n, 5, 6)).toEqual({ tlbEnd: 6, atcStart: 5, atcEnd: 6 }); // one page: fls(0) = 0
  });
  it('span-plus-one (size = end - start + 1): one more TLB page, and the span holds the page at end', () => {
    expect(rangeCover('span-plus-one', 0n, 8, 12)).toEqual({ tlbEnd: 13, atcStart: 8, atcEnd: 16 });
    expect(rangeCover('span-plus-one', 0n, 5, 6)).toEqual({ tlbEnd: 7, atcStart: 4, atcEnd: 8 });
  });
  it('exact covers [start, end) whatever the VA', () => {
    expect(rangeCover('exact', 0x0000ffffb9d15000n, 0, 1)).toEqual({ tlbEnd: 1, atcStart: 0, atcEnd: 1 });
  });
  it('spans are computed on absolute pages: the seed\'s procB (VA 0x...b9d15000, an odd page) unmapping its page 0 invalidates [-1, 3) relative to its VMA', () => {
    expect(rangeCover('span-plus-one', 0x0000ffffb9d15000n, 0, 1)).toEqual({ tlbEnd: 2, atcStart: -1, atcEnd: 3 });
    expect(rangeCover('span', 0x0000ffffb9d15000n, 0, 1)).toEqual({ tlbEnd: 1, atcStart: 0, atcEnd: 1 });
    expect(rangeCover('span-plus-one', 0x0000ffff860e6000n, 1, 2)).toEqual({ tlbEnd: 3, atcStart: -6, atcEnd: 10 }); // 0xe7 ^ 0xe8 = 0x0f: 16 pages from 0xe0
  });
});

describe('DRV-MN-RANGE-SPAN in the reducer: upstream unmapping procB\'s page 0 with both pages in the ATC and the TLB', () => {
  const events = [enable(0), bind(0, 1), touch(1, 0, 0), touch(1, 1, 1), dma(0, 1, 0), dma(0, 1, 1), munmap(1, 0, 1)];
  it('exact and span: CMD_TLBI_NH_VA page 0 and CMD_ATC_INV [0, 1), twice; page 1 stays cached', () => {
    for (const mode of ['exact', 'span'] as const) {
      const r = run(withRange(mode), 'upstream', events);
      expect(cmds(r.last), mode).toEqual([
        { op: 'CMD_TLBI_NH_VA', asid: 12, page: 0 }, { op: 'CMD_SYNC' }, { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: 1 }, { op: 'CMD_SYNC' },
      ].concat([{ op: 'CMD_TLBI_NH_VA', asid: 12, page: 0 }, { op: 'CMD_SYNC' }, { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: 1 }, { op: 'CMD_SYNC' }] as never[]));
      expect(r.state.atc, mode).toEqual([{ dev: 0, pasid: 1, page: 1, frame: 1 }]);
      expect(r.state.tlb, mode).toEqual([{ asid: 12, page: 1, frame: 1 }]);
    }
  });
  it('span-plus-one (v6 18/25 to 5.17): a second CMD_TLBI_NH_VA for page 1 and CMD_ATC_INV [-1, 3); nothing of procB stays cached', () => {
    const r = run(withRange('span-plus-one'), 'upstream', events);
    const once = [
      { op: 'CMD_TLBI_NH_VA', asid: 12, page: 0 }, { op: 'CMD_TLBI_NH_VA', asid: 12, page: 1 }, { op: 'CMD_SYNC' },
      { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: -1, end: 3 }, { op: 'CMD_SYNC' },
    ];
    expect(cmds(r.last)).toEqual([...once, ...once]);
    expect(r.state.atc).toEqual([]);
    expect(r.state.tlb).toEqual([]);
  });
  it('v6 sends neither (no ATC invalidation, FEAT_BTM): the mode changes nothing', () => {
    const a = run(withRange('exact'), 'v6', events), b = run(withRange('span-plus-one'), 'v6', events);
    expect(cmds(b.last)).toEqual(cmds(a.last));
    expect(b.state).toEqual(a.state);
  });
});

describe('DRV-MN-RANGE-SPAN and symmetry reduction', () => {
  it('a kernel-encoded range keeps devices and frames relabelled but not processes (their VAs differ) and never reverses pages', () => {
    for (const mode of ['span', 'span-plus-one'] as const) {
      const sym = symmetryOf(withRange(mode), true);
      expect(sym.enabled).toBe(true);
      expect(sym.processClasses).toEqual([[0], [1]]);
      expect(sym.relabellings.some((r) => r.pageRev || r.proc.some((p, i) => p !== i))).toBe(false);
      expect(sym.notes).toContainEqual(expect.stringMatching(/^processes: NOT relabelled \(options.rangeInvalidation/));
      expect(sym.notes).toContainEqual(expect.stringMatching(/^pages: NOT reversed \(options.rangeInvalidation/));
    }
    expect(symmetryOf(withRange('exact'), true).relabellings.some((r) => r.pageRev)).toBe(true);
  });
});

describe('DRV-MN-RANGE-SPAN, exhaustive (tiny with two pages per process)', () => {
  const base = loadConfigFile('spec/configs/tiny.json');
  if (E.isLeft(base)) throw new Error(base.left.join('\n'));
  const tiny2: Config = { ...base.right, name: 'tiny-2p', processes: base.right.processes.map((p) => ({ ...p, pages: 2 })), frames: 2 };
  it('both engines give the same graph under span-plus-one, and every variant\'s violated set is the exact mode\'s (over-invalidation only drops entries)', async () => {
    for (const v of variantNames) {
      const exact = await explore(withRange('exact', tiny2), v, { symmetry: true, maxStates: 1e6, workers: 1 });
      const p = await explore(withRange('span-plus-one', tiny2), v, { symmetry: true, maxStates: 1e6, workers: 1, engine: 'packed' });
      const r = await explore(withRange('span-plus-one', tiny2), v, { symmetry: true, maxStates: 1e6, workers: 1, engine: 'reducer' });
      expect(p.truncated || r.truncated || exact.truncated).toBe(false);
      expect([p.states, p.transitions, p.maxDepth], v).toEqual([r.states, r.transitions, r.maxDepth]);
      expect(p.violations.map((x) => `${x.invariant}:${x.length}`), v).toEqual(r.violations.map((x) => `${x.invariant}:${x.length}`));
      expect(Buffer.from(p.graph.lo.slice().buffer).equals(Buffer.from(r.graph.lo.slice().buffer)), v).toBe(true);
      expect(p.violations.map((x) => x.invariant).sort(), v).toEqual(exact.violations.map((x) => x.invariant).sort());
    }
  }, 120_000);
});
