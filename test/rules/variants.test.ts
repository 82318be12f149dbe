// spec/variants.md: each VariantTraits field is one decision point; each test shows both behaviours
// on one script, and the variant table of the spec must match the traits in the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedWideConfig } from '../../src/model/config.ts';

import { createModel } from '../../src/model/model.ts';
import { variantNames, variants, type VariantTraits } from '../../src/model/variant.ts';
import { cdAt } from '../../src/model/queries.ts';
import {
  atsFaultIn, bind, disable, dma, enable, errnoOf, exit, munmap, ops, run, touch, tps, unbind, warns, withOptions, withSmmu,
} from './helpers.ts';

describe('VariantTraits.atcInvalidation (DRV-MN-ATC-RANGE)', () => {
  it('true: CMD_ATC_INV on munmap, release and teardown; false: never', () => {
    for (const [variant, expected] of [['v6-atc', true], ['v6', false]] as const) {
      const mun = run(seedWideConfig, variant, [...atsFaultIn, munmap(0, 0, 1)]);
      const rel = run(seedWideConfig, variant, [...atsFaultIn, exit(0)]);
      const unb = run(seedWideConfig, variant, [...atsFaultIn, unbind(0, 0)]);
      for (const r of [mun, rel, unb]) expect(ops(r.last).includes('CMD_ATC_INV')).toBe(expected);
    }
  });
});

describe('VariantTraits.releaseCd (DRV-MN-RELEASE, DRV-CD-WRITE)', () => {
  it('quiesce keeps V and sets EPD0; clearValid removes the CD; quiesceClearSR sets EPD0 and clears S and R', () => {
    const cd = (variant: 'v6-atc' | 'release-clears-valid' | 'release-clears-sr') =>
      cdAt(run(seedWideConfig, variant, [enable(1), bind(1, 0), exit(0)]).state, 1, 1);
    expect(cd('v6-atc')).toMatchObject({ v: true, epd0: true, s: true, r: true });
    expect(cd('release-clears-valid')).toBeUndefined();
    expect(cd('release-clears-sr')).toMatchObject({ v: true, epd0: true, s: false, r: false });
  });
});

describe('VariantTraits.releaseTlbi (DRV-MN-RELEASE)', () => {
  it('true: CMD_TLBI_NH_ASID at release, TLB empty; false: the entry survives exit', () => {
    const script = [enable(1), bind(1, 0), touch(0, 0, 0), dma(1, 1, 0), exit(0)];
    const yes = run(seedWideConfig, 'v6-atc', script);
    expect(ops(yes.last)).toContain('CMD_TLBI_NH_ASID');
    expect(yes.state.tlb).toEqual([]);
    const no = run(seedWideConfig, 'release-skips-tlbi', script);
    expect(ops(no.last)).not.toContain('CMD_TLBI_NH_ASID');
    expect(no.state.tlb).toEqual([{ asid: 11, page: 0, frame: 0 }]);
  });
});

describe('VariantTraits.notifier (DRV-MN-GET, DRV-MN-PUT, DRV-MN-FREE, DRV-BIND-ERR-PUT)', () => {
  it('v6: deferred free through the domain ops and a WARN on the error path; upstream: neither', () => {
    const cfg = withOptions({ allocFailure: true });
    const v6 = run(cfg, 'v6', [enable(0), bind(0, 0, 'bond')]);
    expect(warns(v6.last)).toHaveLength(1);
    expect(v6.state.deferredFrees).toEqual([{ domain: 0, mm: 0, inDomainOps: true }]);
    const up = run(cfg, 'upstream', [enable(0), bind(0, 0, 'bond')]);
    expect(warns(up.last)).toEqual([]);
    expect(up.state.deferredFrees).toEqual([]);
  });
});

describe('VariantTraits.tlbRangeWithoutBtm (DRV-MN-TLB-RANGE)', () => {
  it('true: CMD_TLBI_NH_VA on munmap without BTM; false: none', () => {
    const noBtm = withSmmu({ btm: false }, withOptions({ enforceBtmRequirement: false }));
    const script = [enable(1), bind(1, 0), munmap(0, 0, 1)];
    expect(ops(run(noBtm, 'upstream', script).last)).toContain('CMD_TLBI_NH_VA');
    expect(ops(run(noBtm, 'v6-atc', script).last)).not.toContain('CMD_TLBI_NH_VA');
  });
});

describe('VariantTraits.requiresBtm (DRV-SVA-ENABLE)', () => {
  it('true: enable fails without BTM; false: it succeeds', () => {
    const noBtm = withSmmu({ btm: false });
    expect(errnoOf(run(noBtm, 'v6', [enable(0)]).last)).toBe('ENODEV');
    expect(errnoOf(run(noBtm, 'upstream', [enable(0)]).last)).toBeUndefined();
  });
});

describe('VariantTraits.disableChecksBonds (DRV-SVA-DISABLE)', () => {
  it('true: EBUSY with bonds; false: disabled anyway', () => {
    const lax = withOptions({ strictDisable: false });
    expect(errnoOf(run(lax, 'upstream', [enable(0), bind(0, 0), disable(0)]).last)).toBe('EBUSY');
    expect(errnoOf(run(lax, 'v6', [enable(0), bind(0, 0), disable(0)]).last)).toBeUndefined();
  });
});

describe('VariantTraits.synchronizeOnDisable (DRV-MN-SYNC)', () => {
  it('true: pending frees run in disable; false: they stay pending', () => {
    const script = [enable(0), bind(0, 0), unbind(0, 0), disable(0)];
    expect(run(seedWideConfig, 'v6', script).state.deferredFrees).toEqual([]);
    expect(run(seedWideConfig, 'no-synchronize', script).state.deferredFrees).toHaveLength(1);
  });
});

describe('VariantTraits.priHandling (DRV-PRI-DENY, DRV-IOPF-REPORT)', () => {
  it('iopf: a page request becomes a pending fault traced dev_fault; deny: CMD_PRI_RESP Response Failure (code 2) at once, nothing reported', () => {
    const script = [enable(0), bind(0, 0), dma(0, 1, 0)];
    const iopf = run(seedWideConfig, 'v6-atc', script);
    expect(tps(iopf.last)).toEqual(['dev_fault']);
    expect(iopf.state.faults).toHaveLength(1);
    const deny = run(seedWideConfig, 'upstream', script);
    expect(deny.last).toEqual([
      { kind: 'walk', dev: 0, mm: 0, page: 0 },
      { kind: 'cmd', cmd: { op: 'CMD_PRI_RESP', dev: 0, ssid: 1, prgi: 0, code: 2 } },
      { kind: 'dma', dev: 0, pasid: 1, page: 0, write: true, result: { tag: 'pageRequest', prgi: 0 } },
    ]);
    expect(deny.state.faults).toEqual([]);
  });
  it('options.priHandling overrides the variant', () => {
    const script = [enable(0), bind(0, 0), dma(0, 1, 0)];
    expect(run(withOptions({ priHandling: 'iopf' }), 'upstream', script).state.faults).toHaveLength(1);
    expect(createModel(withOptions({ priHandling: 'deny' }), 'v6').traits.priHandling).toBe('deny');
    expect(createModel(seedWideConfig, 'v6').traits).toBe(variants.v6);
  });
});

describe('VariantTraits.svaRequiresIopf (DRV-SVA-ENABLE)', () => {
  it('true: a master that cannot resolve faults cannot enable SVA; false (5.14): any master with SSIDs can', () => {
    const plain = { ...seedWideConfig, devices: [{ ...seedWideConfig.devices[0]!, ats: false, pri: false }, seedWideConfig.devices[1]!] };
    expect(errnoOf(run(plain, 'v6-atc', [enable(0)]).last)).toBe('ENODEV');
    expect(errnoOf(run(plain, 'upstream', [enable(0)]).last)).toBeUndefined();
  });
});

/** The decision-point table of spec/variants.md: one row per variant, one column per trait. */
function specTable(): Map<string, Record<string, string>> {
  const text = readFileSync(new URL('../../spec/variants.md', import.meta.url), 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| variant | atcInvalidation'));
  if (start < 0) throw new Error('spec/variants.md: no decision-point table (header "| variant | atcInvalidation ...")');
  const cells = (l: string) => l.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, ''));
  const header = cells(lines[start]!);
  const rows = new Map<string, Record<string, string>>();
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    const c = cells(lines[i]!);
    rows.set(c[0]!, Object.fromEntries(header.map((h, j) => [h, c[j]!])));
  }
  return rows;
}

describe('spec/variants.md decision-point table matches src/model/variant.ts', () => {
  const fields = Object.keys(variants.v6).filter((k) => k !== 'name' && k !== 'summary') as (keyof VariantTraits)[];
  it('one row per variant, every trait value as in the code', () => {
    const table = specTable();
    expect([...table.keys()].sort()).toEqual([...variantNames].sort());
    for (const v of variantNames) {
      for (const f of fields) expect(`${v}.${f}=${table.get(v)![f]}`).toBe(`${v}.${f}=${String(variants[v][f])}`);
    }
  });
});

describe('spec/variants.md headline verdicts are in spec/expected-verdicts.json (default configuration)', () => {
  const headline: Record<string, string[]> = {
    v6: ['no-stale-atc'],
    'v6-atc': [],
    upstream: [],
    'release-clears-valid': ['no-bad-cd-while-bound'],
    'release-clears-sr': [],
    'release-skips-tlbi': ['no-stale-tlb'],
    'no-synchronize': ['no-freed-domain-access'],
  };
  it('every headline invariant is expected; clean variants expect nothing', () => {
    const json = JSON.parse(readFileSync(new URL('../../spec/expected-verdicts.json', import.meta.url), 'utf8')) as {
      configs: Record<string, Record<string, string[]>>;
    };
    const expected = json.configs.default!;
    for (const v of variantNames) {
      const set = expected[v]!;
      for (const inv of headline[v]!) expect(set, `${v}`).toContain(inv);
      if (headline[v]!.length === 0) expect(set, `${v}`).toEqual([]);
    }
  });
});
