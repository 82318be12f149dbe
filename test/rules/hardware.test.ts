// spec/rules.md, the SMMU and the devices: HW-*, DEV-*, INIT-*.
import { describe, expect, it } from 'vitest';
import { seedWideConfig, type Config } from '../../src/model/config.ts';
import { initialState } from '../../src/machine/initial.ts';
import type { State } from '../../src/model/state.ts';
import { cdLegal, cdStallBit } from '../../src/hardware/cd.ts';
import { atcInvDomain, cfgiCd, tlbInvAsid, tlbInvRange } from '../../src/hardware/commands.ts';
import { atsTranslationRequest, translate, untranslatedAccess } from '../../src/hardware/translate.ts';
import { cdAt } from '../../src/model/queries.ts';
import {
  ats, atsFaultIn, bind, cmds, ctxOf, dma, dmaResults, domainFree, enable, exit, handle, hwEvents, refusal, respond, run,
  sharedDomain, touch, tps, traces, walks, withOptions, withSmmu, stallForced, legal,
} from './helpers.ts';

const forced = stallForced;

describe('INIT-STE: every device translates through its configured domain', () => {
  it('STE fields from the configuration and STALL_MODEL', () => {
    expect(initialState(seedWideConfig).ste).toEqual([
      { config: 'translate', domain: 0, s1stalld: true, eats: true },
      { config: 'translate', domain: 1, s1stalld: false, eats: false },
    ]);
    expect(initialState(forced).ste.map((e) => e.s1stalld)).toEqual([false, false]); // every master is stall_enabled when stall is forced
    // S1STALLD needs FEAT_STALLS, which an SMMU with STALL_MODEL 0b01 lacks
    expect(initialState(withSmmu({ stallModel: 'none' })).ste.map((e) => e.s1stalld)).toEqual([false, false]);
  });
});

describe('INIT-PRIVATE-ASID: each stage-1 domain has a private context at SSID 0 with the lowest free ASID', () => {
  it('ASIDs 1, 2 for two stage-1 domains; a stage-2 domain has no CD table', () => {
    const c: Config = { ...seedWideConfig, domains: [{ name: 'a', stage: 1 }, { name: 'b', stage: 2 }, { name: 'c', stage: 1 }] };
    const s = initialState(c);
    expect(s.domains.map((d) => d.privateAsid)).toEqual([1, 0, 2]);
    expect(s.domains[1]!.cds).toEqual([]);
    expect(cdAt(s, 2, 0)).toEqual({ v: true, epd0: false, r: true, s: false, a: true, aset: true, asid: 2, ttb0: -1 });
    expect(s.mms.every((m) => m.alive && m.pasid === 0 && m.pages.every((p) => p === -1))).toBe(true);
  });
});

describe('HW-CD-S: the S bit a CD gets', () => {
  it('forced -> 1, none -> 0, configurable -> 1 iff a device of the domain stalls', () => {
    expect(cdStallBit(forced, 0)).toBe(true);
    expect(cdStallBit(withSmmu({ stallModel: 'none' }), 0)).toBe(false);
    expect(cdStallBit(seedWideConfig, 1)).toBe(true);
    expect(cdStallBit(seedWideConfig, 0)).toBe(false);
    const pciOnly: Config = { ...seedWideConfig, devices: [seedWideConfig.devices[0]!] };
    expect(cdStallBit(pciOnly, 0)).toBe(false);
  });
});

describe('HW-CD-LEGAL: S=1 is ILLEGAL with STALL_MODEL 0b01, S=0 with 0b10, S=1 behind S1STALLD=1 with 0b00', () => {
  const cd = { v: true, epd0: false, r: true, s: true, a: true, aset: false, asid: 11, ttb0: 0 };
  it('legality per STALL_MODEL and STE.S1STALLD', () => {
    expect(cdLegal(seedWideConfig, cd, false)).toBe(true);
    expect(cdLegal(seedWideConfig, { ...cd, s: false }, false)).toBe(true);
    expect(cdLegal(seedWideConfig, { ...cd, s: false }, true)).toBe(true);
    // IHI 0070 G.b 5.5: STALL_MODEL 0b00, STE.S1STALLD == 1 and CD.S == 1
    expect(cdLegal(seedWideConfig, cd, true)).toBe(false);
    expect(cdLegal(forced, { ...cd, s: false }, false)).toBe(false);
    expect(cdLegal(forced, cd, false)).toBe(true);
    expect(cdLegal(withSmmu({ stallModel: 'none' }), cd, false)).toBe(false);
  });
  it('the driver never builds S=1 behind S1STALLD=1: a stalling domain holds only stall-enabled masters (DRV-ATTACH-STALL)', () => {
    const s = initialState(seedWideConfig);
    for (let dev = 0; dev < s.ste.length; dev++) {
      const cd = cdAt(s, s.ste[dev]!.domain, 0)!;
      expect(cdLegal(seedWideConfig, cd, s.ste[dev]!.s1stalld)).toBe(true);
    }
  });
  it('an ILLEGAL CD is treated like V=0: C_BAD_CD', () => {
    const r = run(forced, 'release-clears-sr', [enable(1), bind(1, 0), exit(0), dma(1, 1, 0)]);
    expect(hwEvents(r.last)).toEqual([{ type: 'C_BAD_CD', code: 0x0a, dev: 1, ssid: 1 }]);
  });
});

describe('HW-XLATE: STE, CD, TLB, then a walk', () => {
  it('a TLB hit translates even when EPD0=1 (no walk)', () => {
    const r = run(seedWideConfig, 'release-skips-tlbi', [enable(1), bind(1, 0), touch(0, 0, 0), dma(1, 1, 0), exit(0), dma(1, 1, 0)]);
    expect(cdAt(r.state, 1, 1)!.epd0).toBe(true);
    expect(dmaResults(r.last)).toEqual([{ tag: 'access', frame: 0, via: 'tlb' }]);
    expect(walks(r.last)).toEqual([]);
  });
  it('an aborting STE terminates the transaction silently', () => {
    const r = run(seedWideConfig, 'v6', [domainFree(1)]);
    const ctx = ctxOf(seedWideConfig, 'v6');
    expect(translate(ctx, r.state, 1, 1, 0).t).toEqual({ tag: 'abort' });
    expect(ctx.out).toEqual([]);
    expect(refusal(r.m, r.state, dma(1, 1, 0))).toMatchObject({ tag: 'NotEnabled' }); // no bond on a detached device
  });
});

describe('HW-WALK: a TLB miss with EPD0=0 walks TTB0 and fills the TLB', () => {
  it('walk observation names the process; the TLB entry is tagged by the CD ASID', () => {
    const r = run(seedWideConfig, 'v6', [enable(1), bind(1, 0), touch(0, 0, 2), dma(1, 1, 0)]);
    expect(walks(r.last)).toEqual([{ kind: 'walk', dev: 1, mm: 0, page: 0 }]);
    expect(dmaResults(r.last)).toEqual([{ tag: 'access', frame: 2, via: 'walk' }]);
    expect(r.state.tlb).toEqual([{ asid: 11, page: 0, frame: 2 }]);
  });
});

describe('HW-EPD0: with EPD0=1 a TLB miss is a translation fault, no walk', () => {
  it('a stalling master after release: F_TRANSLATION with stall and STAG, no walk', () => {
    const r = run(seedWideConfig, 'v6', [enable(1), bind(1, 0), exit(0), dma(1, 1, 0)]);
    expect(walks(r.last)).toEqual([]);
    expect(hwEvents(r.last)).toEqual([{ type: 'F_TRANSLATION', code: 0x10, dev: 1, ssid: 1, page: 0, write: true, stall: true, stag: 0 }]);
    expect(dmaResults(r.last)).toEqual([{ tag: 'stalled', stag: 0 }]);
  });
});

describe('HW-BAD-CD: a missing, invalid or ILLEGAL CD raises C_BAD_CD; never stalls', () => {
  it('release-clears-valid: DMA after exit is terminated with C_BAD_CD, no fault handed to the OS', () => {
    const r = run(seedWideConfig, 'release-clears-valid', [enable(1), bind(1, 0), exit(0), dma(1, 1, 0)]);
    expect(hwEvents(r.last)).toEqual([{ type: 'C_BAD_CD', code: 0x0a, dev: 1, ssid: 1 }]);
    expect(dmaResults(r.last)).toEqual([{ tag: 'aborted' }]);
    expect(tps(r.last)).toEqual([]);
    expect(r.state.faults).toEqual([]);
  });
});

describe('HW-UNTRANSLATED: an untranslated transaction that faults', () => {
  it('stalls (S=1, STE.S1STALLD=0): recorded with its STAG and handed to the IOPF handler as dev_fault', () => {
    const r = run(seedWideConfig, 'v6', [enable(1), bind(1, 0), dma(1, 1, 1, false)]);
    expect(hwEvents(r.last)).toEqual([{ type: 'F_TRANSLATION', code: 0x10, dev: 1, ssid: 1, page: 1, write: false, stall: true, stag: 0 }]);
    expect(traces(r.last)).toEqual([{ tp: 'dev_fault', dev: 1, type: 2, reason: 0, mm: 0, page: 1, pasid: 1, group: 0, flags: 3, prot: 1 }]);
    expect(r.state.faults).toEqual([{ via: 'stall', dev: 1, group: 0, pasid: 1, page: 1, write: false, afterRelease: false, status: 'pending' }]);
  });
  it('the event is recorded before the driver reports the fault', () => {
    const r = run(seedWideConfig, 'v6', [enable(1), bind(1, 0), dma(1, 1, 1, false)]);
    expect(r.last.map((o) => o.kind)).toEqual(['walk', 'event', 'trace', 'dma']);
  });
});

describe('DRV-EVT-UNRECOV: a recorded fault that does not stall is reported as unrecoverable (dev_fault type=1)', () => {
  const s0 = run(seedWideConfig, 'v6', [enable(1), bind(1, 0)]).state;
  const dom = s0.domains[1]!;
  const s: State = { ...s0, domains: [s0.domains[0]!, { ...dom, cds: dom.cds.map((c) => (c.ssid === 1 ? { ...c, cd: { ...c.cd, s: false } } : c)) }] };
  it('terminated with R=1: F_TRANSLATION without stall, then dev_fault type=1 reason=5 (PTE_FETCH) group=0 flags=3', () => {
    const ctx = ctxOf(seedWideConfig, 'v6');
    const r = untranslatedAccess(ctx, s, 1, 1, 0, true);
    expect(r.result).toEqual({ tag: 'aborted' });
    expect(ctx.out.map((o) => o.kind)).toEqual(['walk', 'event', 'trace']);
    expect(hwEvents(ctx.out)).toEqual([{ type: 'F_TRANSLATION', code: 0x10, dev: 1, ssid: 1, page: 0, write: true, stall: false, stag: -1 }]);
    expect(traces(ctx.out)).toEqual([{ tp: 'dev_fault', dev: 1, type: 1, reason: 5, mm: 0, page: 0, pasid: 1, group: 0, flags: 3, prot: 2 }]);
    expect(r.s.faults).toEqual([]);
  });
  it('no fault handler without SVA on the master: recorded, not reported', () => {
    const off: State = { ...s, svaEnabled: [false, false] };
    const ctx = ctxOf(seedWideConfig, 'upstream');
    untranslatedAccess(ctx, off, 1, 1, 0, false);
    expect(hwEvents(ctx.out)).toHaveLength(1);
    expect(tps(ctx.out)).toEqual([]);
  });
  it('terminated with R=0 and S=0 (v5 release without forced stall): nothing recorded', () => {
    const r = run(seedWideConfig, 'release-clears-sr', [enable(1), bind(1, 0), exit(0), dma(1, 1, 0)]);
    expect(hwEvents(r.last)).toEqual([]);
    expect(dmaResults(r.last)).toEqual([{ tag: 'aborted' }]);
  });
});

describe('HW-ATS-TR: an ATS Translation Request', () => {
  it('success fills the ATC; a fault completes R=W=0 with no event, and a PRI device sends a page request', () => {
    const ok = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), touch(0, 0, 1), ats(0, 1, 0)]);
    expect(dmaResults(ok.last)).toEqual([{ tag: 'translated', frame: 1, via: 'walk' }]);
    expect(ok.state.atc).toEqual([{ dev: 0, pasid: 1, page: 0, frame: 1 }]);
    const miss = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), ats(0, 1, 1)]);
    expect(hwEvents(miss.last)).toEqual([]);
    expect(dmaResults(miss.last)).toEqual([{ tag: 'pageRequest', prgi: 0 }]);
    expect(miss.state.faults[0]).toMatchObject({ via: 'pri', dev: 0, group: 0, page: 1 });
  });
  it('without PRI a failed translation is just R=W=0 (noAccess)', () => {
    // upstream: v6 refuses SVA on an ATS device without PRI, and an ATS device cannot stall (INIT-PCI)
    const noPri: Config = legal({ ...seedWideConfig, devices: [{ ...seedWideConfig.devices[0]!, pri: false }, seedWideConfig.devices[1]!] });
    const r = run(noPri, 'upstream', [enable(0), bind(0, 0), ats(0, 1, 0)]);
    expect(dmaResults(r.last)).toEqual([{ tag: 'noAccess' }]);
    expect(r.state.faults).toEqual([]);
    expect(r.last.filter((o) => o.kind === 'trace' || o.kind === 'event')).toEqual([]);
  });
  it('a bad CD completes with Completer Abort and records nothing (SMMU_CR2.REC_CFG_ATS is 0)', () => {
    const r = run(seedWideConfig, 'release-clears-valid', [enable(0), bind(0, 0), exit(0), ats(0, 1, 0)]);
    expect(dmaResults(r.last)).toEqual([{ tag: 'completerAbort' }]);
    expect(hwEvents(r.last)).toEqual([]);
  });
  it('an aborting STE (Config 0b000) completes with Unsupported Request and records nothing', () => {
    // not reachable through events (a detached device sends nothing), so called directly
    const r = run(seedWideConfig, 'v6', [domainFree(0)]);
    const ctx = ctxOf(seedWideConfig, 'v6');
    expect(r.state.ste[0]!.config).toBe('abort');
    expect(atsTranslationRequest(ctx, r.state, 0, 1, 0, false).result).toEqual({ tag: 'unsupportedRequest' });
    expect(ctx.out).toEqual([]);
  });
});

describe('DEV-DMA: a device transaction', () => {
  it('with ATS: an ATC hit goes straight to memory; a miss sends a Translation Request and fills the ATC', () => {
    const r = run(seedWideConfig, 'v6', atsFaultIn);
    expect(dmaResults(r.last)).toEqual([{ tag: 'access', frame: 0, via: 'walk' }]);
    expect(r.state.atc).toEqual([{ dev: 0, pasid: 1, page: 0, frame: 0 }]);
    const again = run(seedWideConfig, 'v6', [dma(0, 1, 0)], r.state);
    expect(again.last).toEqual([{ kind: 'dma', dev: 0, pasid: 1, page: 0, write: true, result: { tag: 'access', frame: 0, via: 'atc' } }]);
  });
  it('refused on a PASID the device has no bond for, and while the device waits for a fault on that page', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), bind(0, 0), dma(0, 1, 0)]);
    expect(refusal(r.m, r.state, dma(0, 1, 0))).toMatchObject({ tag: 'NotEnabled', reason: 'the device waits for its fault on this page' });
    expect(refusal(r.m, r.state, dma(0, 2, 0))).toMatchObject({ tag: 'NotEnabled' });
  });
});

describe('DEV-ATS-TR: a standalone Translation Request (ATC prefetch)', () => {
  it('observed as a dma record with the translation result; refused without ATS', () => {
    const r = run(seedWideConfig, 'v6', [enable(0), enable(1), bind(0, 0), bind(1, 0), touch(0, 0, 0), ats(0, 1, 0)]);
    expect(r.last.filter((o) => o.kind === 'dma')).toEqual([{ kind: 'dma', dev: 0, pasid: 1, page: 0, write: false, result: { tag: 'translated', frame: 0, via: 'walk' } }]);
    expect(refusal(r.m, r.state, ats(1, 1, 0))).toMatchObject({ tag: 'NotEnabled', reason: 'ATS not enabled for this device' });
  });
});

describe('HW-CMD-ATC-INV: CMD_ATC_INV to every ATS master of the domain, newest attached first, then one CMD_SYNC', () => {
  it('shared-domain: device 1 before device 0', () => {
    const ctx = ctxOf(sharedDomain, 'upstream');
    atcInvDomain(ctx, initialState(sharedDomain), 0, 1, 0, 1);
    expect(cmds(ctx.out)).toEqual([
      { op: 'CMD_ATC_INV', dev: 1, ssid: 1, start: 0, end: 1 }, { op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: 1 }, { op: 'CMD_SYNC' },
    ]);
  });
});

describe('HW-CMD-CFGI: a CD write is followed by CMD_CFGI_CD per master of the domain, then CMD_SYNC', () => {
  it('only translating masters of the domain get it, newest attached first (list_add at the head of the domain\'s list)', () => {
    const s = initialState(sharedDomain);
    const ctx = ctxOf(sharedDomain, 'v6');
    cfgiCd(ctx, s, 0, 3);
    expect(cmds(ctx.out)).toEqual([{ op: 'CMD_CFGI_CD', dev: 1, ssid: 3 }, { op: 'CMD_CFGI_CD', dev: 0, ssid: 3 }, { op: 'CMD_SYNC' }]);
    const detached: State = { ...s, ste: [s.ste[0]!, { ...s.ste[1]!, config: 'abort' }] };
    const ctx2 = ctxOf(sharedDomain, 'v6');
    cfgiCd(ctx2, detached, 0, 3);
    expect(cmds(ctx2.out)).toEqual([{ op: 'CMD_CFGI_CD', dev: 0, ssid: 3 }, { op: 'CMD_SYNC' }]);
  });
});

const tlbState: State = {
  ...initialState(seedWideConfig),
  tlb: [{ asid: 11, page: 0, frame: 0 }, { asid: 11, page: 1, frame: 1 }, { asid: 12, page: 0, frame: 2 }],
  atc: [{ dev: 0, pasid: 1, page: 0, frame: 0 }, { dev: 0, pasid: 1, page: 1, frame: 1 }, { dev: 0, pasid: 2, page: 0, frame: 2 }],
};

describe('HW-CMD-TLBI-ASID: CMD_TLBI_NH_ASID drops every TLB entry of the ASID', () => {
  it('other ASIDs untouched', () => {
    const ctx = ctxOf(seedWideConfig, 'v6');
    expect(tlbInvAsid(ctx, tlbState, 11).tlb).toEqual([{ asid: 12, page: 0, frame: 2 }]);
    expect(cmds(ctx.out)).toEqual([{ op: 'CMD_TLBI_NH_ASID', asid: 11 }, { op: 'CMD_SYNC' }]);
  });
});

describe('HW-CMD-TLBI-VA: CMD_TLBI_NH_VA per page of the range', () => {
  it('drops [start, end) of the ASID only', () => {
    const ctx = ctxOf(seedWideConfig, 'v6');
    expect(tlbInvRange(ctx, tlbState, 11, 1, 2).tlb).toEqual([{ asid: 11, page: 0, frame: 0 }, { asid: 12, page: 0, frame: 2 }]);
    expect(cmds(ctx.out)).toEqual([{ op: 'CMD_TLBI_NH_VA', asid: 11, page: 1 }, { op: 'CMD_SYNC' }]);
  });
});

describe('HW-CMD-ATC-INV: CMD_ATC_INV to every ATS master of the domain', () => {
  it('a range, or the whole PASID (end < 0); nothing at all without an ATS master', () => {
    const ctx = ctxOf(seedWideConfig, 'v6-atc');
    expect(atcInvDomain(ctx, tlbState, 0, 1, 0, 1).atc).toEqual([{ dev: 0, pasid: 1, page: 1, frame: 1 }, { dev: 0, pasid: 2, page: 0, frame: 2 }]);
    expect(cmds(ctx.out)).toEqual([{ op: 'CMD_ATC_INV', dev: 0, ssid: 1, start: 0, end: 1 }, { op: 'CMD_SYNC' }]);
    expect(atcInvDomain(ctxOf(seedWideConfig, 'v6-atc'), tlbState, 0, 1, 0, -1).atc).toEqual([{ dev: 0, pasid: 2, page: 0, frame: 2 }]);
    const noAts: State = { ...tlbState, ste: tlbState.ste.map((e) => ({ ...e, eats: false })) };
    const ctx3 = ctxOf(seedWideConfig, 'v6-atc');
    expect(atcInvDomain(ctx3, noAts, 0, 1, 0, -1)).toBe(noAts);
    expect(ctx3.out).toEqual([]);
  });
});

describe('seed trace 2 flow through the hardware rules (HW-ATS-TR after release)', () => {
  it('after release a Translation Request faults (EPD0) and the page request is answered Invalid', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), bind(0, 0), exit(0), dma(0, 1, 0), handle(0, 0, -1), respond(0, 0)]);
    expect(tps(r.perStep[3]!)).toEqual(['dev_fault']);
    expect(traces(r.last)).toEqual([{ tp: 'dev_page_response', dev: 0, code: 1, pasid: 1, group: 0 }]);
  });
});
