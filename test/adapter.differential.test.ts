// Differential tests: the fast adapter (src/adapter) against the reducer (src/machine/step.ts) on
// long fast-check sequences under every variant, on configurations larger than the default.
// Each step draws either an event enabled in the reducer's state (by kind first, then instance)
// or a random, often ill-formed or not-enabled event; both engines must give deep-equal errors
// or deep-equal observations, and the same canonical state at checkpoints and at the end.
// State and transition invariants evaluated on the adapter's state must equal the reducer's.
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { seedWideConfig, defaultOptions, type Config } from '../src/model/config.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import type { Event } from '../src/model/event.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { step } from '../src/machine/step.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';
import { canonicalState } from '../src/model/digest.ts';
import { checkInvariants, checkTransition } from '../src/invariants/invariants.ts';
import { fromState, initialEngine, toState } from '../src/adapter/convert.ts';
import { countersToObject } from '../src/adapter/counters.ts';
import { dmaResult, type Engine } from '../src/adapter/engine.ts';
import type { StepWatch } from '../src/adapter/watch.ts';
import type { DmaResult, Observation } from '../src/model/observation.ts';

/** Three devices in two stage-1 domains and a stage-2 one, narrow SSIDs (ENOSPC), an ASID that
 *  collides with a private context (ASID sharing), every option that widens the event set on.
 *  Each stage-1 domain mixes a stalling and a non-stalling master, and dom1 two SSID widths, which
 *  the kernel refuses to attach and the decoder refuses (DRV-ATTACH-STALL, DRV-ATTACH-SSID): built in code on purpose, to hold the two
 *  engines together on every Config the reducer runs, the impossible ones included. */
const wide: Config = {
  name: 'adapter-wide',
  smmu: { stallModel: 'configurable', btm: true, asidBits: 3 },
  domains: [{ name: 'dom0', stage: 1 }, { name: 'dom1', stage: 1 }, { name: 's2', stage: 2 }],
  devices: [
    { name: 'pci0', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 },
    { name: 'plat0', bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 20, domain: 0 },
    { name: 'pci1', bus: 'pci', ats: true, pri: false, stall: false, ssidBits: 2, domain: 1 },
    { name: 'plat1', bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 4, domain: 1 },
    { name: 's2dev', bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 4, domain: 2 },
  ],
  processes: [
    { name: 'p0', pages: 5, cpuAsid: 1, vaBase: 0x1000000n },
    { name: 'p1', pages: 4, cpuAsid: 3, vaBase: 0x2000000n },
    { name: 'p2', pages: 3, cpuAsid: 4, vaBase: 0x3000000n },
    { name: 'p3', pages: 6, cpuAsid: 5, vaBase: 0x4000000n },
  ],
  frames: 9,
  options: {
    ...defaultOptions, allocFailure: true, bindAfterExit: true, strictDisable: false, maxBondRefs: 3,
    dmaAccesses: ['read', 'write'], atsPrefetch: true, remap: true,
  },
};

/** STALL_MODEL forced, no BTM (upstream's TLB range invalidation), v6 allowed to run without BTM.
 *  The decoder refuses this system (INIT-PCI: PCIe functions behind a stall-forced SMMU); it is
 *  built in code to hold the two engines together on every Config the reducer accepts. */
const forcedNoBtm: Config = {
  name: 'adapter-forced-nobtm',
  smmu: { stallModel: 'forced', btm: false, asidBits: 8 },
  domains: [{ name: 'dom0', stage: 1 }, { name: 'dom1', stage: 1 }],
  devices: [
    { name: 'pci0', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 },
    { name: 'plat0', bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 20, domain: 0 },
    { name: 'pci1', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 1 },
  ],
  processes: [
    { name: 'p0', pages: 4, cpuAsid: 11, vaBase: 0x1000000n },
    { name: 'p1', pages: 4, cpuAsid: 12, vaBase: 0x2000000n },
    { name: 'p2', pages: 3, cpuAsid: 13, vaBase: 0x3000000n },
  ],
  frames: 6,
  options: { ...defaultOptions, enforceBtmRequirement: false, atsPrefetch: true, remap: true, dmaAccesses: ['read', 'write'] },
};

/** DRV-MN-RANGE-SPAN: kernel-encoded ranges (span-plus-one: v6 18/25 to 5.17), on processes of up to six pages. */
const wideSpans: Config = { ...wide, name: 'adapter-wide-spans', options: { ...wide.options, rangeInvalidation: 'span-plus-one' } };
const seedWideSpans: Config = { ...seedWideConfig, name: 'seed-wide-spans', options: { ...seedWideConfig.options, rangeInvalidation: 'span' } };

const configs: readonly Config[] = [seedWideConfig, wide, forcedNoBtm, wideSpans, seedWideSpans];

/** Kinds that end a lifetime (exit, domainFree) are drawn a quarter as often as the others. */
const terminal: ReadonlySet<string> = new Set(['exit', 'domainFree']);

/** Pick an enabled event: kind first (weighted over enabled kinds), then an instance. */
function pickEnabled(enabled: readonly Event[], c: number): Event {
  const kinds: Event['kind'][] = [];
  for (const e of enabled) {
    if (kinds.includes(e.kind)) continue;
    kinds.push(e.kind);
    if (!terminal.has(e.kind)) kinds.push(e.kind, e.kind, e.kind);
  }
  const kind = kinds[c % kinds.length]!;
  const group = enabled.filter((e) => e.kind === kind);
  return group[Math.floor(c / kinds.length) % group.length]!;
}

/** A random event, mostly well-typed with values around the valid ranges, sometimes ill-typed. */
function randomEvent(config: Config, c: number): Event {
  let x = c;
  const take = (n: number) => { const v = x % n; x = Math.floor(x / n); return v; };
  const around = (n: number) => take(n + 2) - 1; // -1 .. n
  const kinds = ['enableSva', 'disableSva', 'bind', 'unbind', 'touch', 'munmap', 'mmap', 'exit', 'notifierFree', 'domainFree', 'dma', 'atsTranslate', 'iopfHandle', 'iopfRespond', 'bogus'] as const;
  const kind = kinds[take(kinds.length)]!;
  const dev = around(config.devices.length), mm = around(config.processes.length), domain = around(config.domains.length);
  const page = around(7), frame = take(config.frames + 3) - 2, pasid = take(config.processes.length + 3), group = take(4);
  const write = take(9) === 0 ? (1 as unknown as boolean) : take(2) === 0;
  const fails = ['none', 'none', 'bond', 'notifier', 'oops'] as const;
  const ev: Record<string, unknown> = (() => {
    switch (kind) {
      case 'enableSva': case 'disableSva': return { kind, dev };
      case 'bind': return { kind, dev, mm, fail: fails[take(fails.length)] };
      case 'unbind': return { kind, dev, mm };
      case 'touch': return { kind, mm, page, frame };
      case 'munmap': return { kind, mm, start: around(6), end: around(7) };
      case 'mmap': return { kind, mm, page };
      case 'exit': return { kind, mm };
      case 'notifierFree': return { kind, domain, mm };
      case 'domainFree': return { kind, domain };
      case 'dma': case 'atsTranslate': return { kind, dev, pasid, page, write };
      case 'iopfHandle': return { kind, dev, group, frame };
      case 'iopfRespond': return { kind, dev, group };
      case 'bogus': return { kind, dev };
    }
  })();
  return ev as unknown as Event;
}

interface Run {
  steps: number;
  /** Times the run reached a state with nothing enabled and started over from the initial state. */
  restarts: number;
  refused: number;
  kinds: Set<string>;
}

/**
 * Drive both engines with the same events; assert equality at every step (observations or error),
 * states every `stateEvery` steps and at the end, invariants every `invEvery` steps.
 */
function differential(config: Config, variant: VariantName, choices: readonly number[], stateEvery: number, invEvery: number): Run {
  const m = createModel(config, variant);
  let s: State = initialState(config);
  let eng: Engine = initialEngine(m, 'collect');
  const run: Run = { steps: 0, restarts: 0, refused: 0, kinds: new Set() };
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i]!;
    let e: Event;
    if (c % 8 === 7) {
      e = randomEvent(config, Math.floor(c / 8));
    } else {
      const en = enabledEvents(m, s);
      // nothing left to happen, or a dead world: every process gone and nothing bound, or every
      // device detached; no deferred free pending
      const dead = ((s.mms.every((x) => !x.alive) && s.bonds.length === 0) || s.ste.every((x) => x.config === 'abort')) && s.deferredFrees.length === 0;
      if (en.length === 0 || dead) {
        expect(canonicalState(toState(eng)), 'state at a dead end').toBe(canonicalState(s));
        s = initialState(config);
        eng = initialEngine(m, 'collect');
        run.restarts++;
        continue;
      }
      e = pickEnabled(en, Math.floor(c / 8));
    }
    const checkInv = (run.steps + 1) % invEvery === 0;
    const mineBefore = checkInv ? toState(eng) : undefined;
    const r = step(m, s, e);
    const err = eng.step(e);
    run.steps++;
    if (E.isLeft(r)) {
      run.refused++;
      expect(err, `step ${i} ${JSON.stringify(e)}`).toEqual(r.left);
      continue;
    }
    expect(err, `step ${i} ${JSON.stringify(e)} refused by the adapter`).toBeUndefined();
    run.kinds.add(e.kind);
    expect(eng.observations, `step ${i} ${JSON.stringify(e)}`).toEqual(r.right.observations);
    const before = s;
    s = r.right.state;
    if (run.steps % stateEvery === 0) expect(canonicalState(toState(eng)), `state after step ${i}`).toBe(canonicalState(s));
    if (mineBefore) {
      const mine = toState(eng);
      expect(checkInvariants(m, mine)).toEqual(checkInvariants(m, s));
      // transition invariants over the adapter's own before/after states and observations
      expect(checkTransition(m, mineBefore, e, mine, eng.observations)).toEqual(checkTransition(m, before, e, s, r.right.observations));
    }
  }
  expect(canonicalState(toState(eng)), 'final state').toBe(canonicalState(s));
  return run;
}

describe('adapter vs reducer on long random sequences (every variant)', () => {
  for (const config of configs) {
    for (const variant of variantNames) {
      it(`${config.name} / ${variant}`, () => {
        let steps = 0, refused = 0, restarts = 0;
        const kinds = new Set<string>();
        fc.assert(
          fc.property(fc.array(fc.nat({ max: 0x3fffffff }), { minLength: 1500, maxLength: 2500 }), (cs) => {
            const r = differential(config, variant, cs, 25, 97);
            steps += r.steps; refused += r.refused; restarts += r.restarts;
            r.kinds.forEach((k) => kinds.add(k));
          }),
          { numRuns: 3, seed: 4242 },
        );
        // the sequences are long and mix in refused events: make sure they did
        expect(steps).toBeGreaterThan(3000);
        expect(refused).toBeGreaterThan(50);
        expect(kinds.has('dma') && kinds.has('exit') && kinds.has('unbind')).toBe(true);
        console.info(`${config.name} / ${variant}: ${steps} steps (${refused} refused, ${restarts} restarts), kinds: ${[...kinds].sort().join(' ')}`);
      });
    }
  }
});

describe('invariants on the adapter state equal the reducer\'s at every step', () => {
  for (const variant of ['v6', 'release-clears-valid', 'release-skips-tlbi', 'no-synchronize', 'release-clears-sr'] as const) {
    it(`${variant} on ${forcedNoBtm.name} and default`, () => {
      for (const config of [seedWideConfig, forcedNoBtm]) {
        fc.assert(fc.property(fc.array(fc.nat({ max: 0x3fffffff }), { minLength: 100, maxLength: 200 }), (cs) => {
          differential(config, variant, cs, 1, 1);
        }), { numRuns: 10, seed: 7 });
      }
    });
  }
});

describe('fromState / toState', () => {
  it('round-trips reachable states and continues identically from a loaded state', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 0x3fffffff }), { minLength: 10, maxLength: 80 }), fc.constantFrom(...variantNames), (cs, variant) => {
      const m = createModel(wide, variant);
      let s = initialState(wide);
      for (const c of cs) {
        const en = enabledEvents(m, s);
        if (en.length === 0) break;
        const r = step(m, s, pickEnabled(en, c));
        if (E.isRight(r)) s = r.right.state;
      }
      const loaded = fromState(m, s);
      expect(E.isRight(loaded)).toBe(true);
      const eng = (loaded as E.Right<Engine>).right;
      expect(canonicalState(toState(eng))).toBe(canonicalState(s));
      for (const e of enabledEvents(m, s)) {
        const copy = (fromState(m, s) as E.Right<Engine>).right;
        expect(copy.step(e)).toBeUndefined();
        const r = step(m, s, e) as E.Right<{ state: State; observations: unknown[] }>;
        expect(copy.observations).toEqual(r.right.observations);
        expect(canonicalState(toState(copy))).toBe(canonicalState(r.right.state));
      }
    }), { numRuns: 60, seed: 11 });
  });

  it('refuses a state it cannot represent, naming the problem', () => {
    const s = initialState(seedWideConfig);
    const twoTlb: State = { ...s, tlb: [{ asid: 11, page: 0, frame: 0 }, { asid: 11, page: 0, frame: 1 }] };
    const r = fromState(createModel(seedWideConfig, 'v6'), twoTlb);
    expect(E.isLeft(r) && r.left).toMatch(/two TLB entries/);
    const short: State = { ...s, mms: s.mms.slice(1) };
    expect(E.isLeft(fromState(createModel(seedWideConfig, 'v6'), short))).toBe(true);
  });
});

describe('observation modes', () => {
  it('count, off and stream see the same run as collect', () => {
    const m = createModel(wide, 'v6');
    const modes = {
      collect: initialEngine(m, 'collect'),
      count: initialEngine(m, 'count'),
      off: initialEngine(m, 'off'),
      stream: initialEngine(m, 'collect'),
    };
    const streamed: unknown[] = [];
    modes.stream.setMode('stream', (o) => streamed.push(o));
    const collected: unknown[] = [];
    let s = initialState(wide);
    let x = 12345;
    for (let i = 0; i < 3000; i++) {
      const en = enabledEvents(m, s);
      if (en.length === 0) break;
      x = (x * 1103515245 + 12345) & 0x3fffffff;
      const e = pickEnabled(en, x);
      s = (step(m, s, e) as E.Right<{ state: State }>).right.state;
      for (const eng of Object.values(modes)) expect(eng.step(e)).toBeUndefined();
      collected.push(...modes.collect.observations);
    }
    expect(streamed).toEqual(collected);
    const states = Object.values(modes).map((eng) => canonicalState(toState(eng)));
    expect(new Set(states).size).toBe(1);
    // counters agree with the collected observations
    const counted = countersToObject(modes.count.counts);
    expect(counted).toEqual(countersToObject(modes.collect.counts));
    expect(countersToObject(modes.off.counts)).toEqual({});
    const dmaObs = collected.filter((o) => (o as { kind: string }).kind === 'dma').length;
    const dmaCounted = Object.entries(counted).filter(([k]) => k.startsWith('dma.')).reduce((a, [, v]) => a + v, 0);
    expect(dmaCounted).toBe(dmaObs);
    const cmds = collected.filter((o) => (o as { kind: string }).kind === 'cmd').length;
    expect(Object.entries(counted).filter(([k]) => k.startsWith('cmd.')).reduce((a, [, v]) => a + v, 0)).toBe(cmds);
  });

  it("watch() tells a monitor, in order, what it reads of the stream: DMA results, C_BAD_CD, walks, WARN, BUG, bond allocations, page responses, callbacks", () => {
    /** What a watch hears, and what mode 'stream' emits projected to the same words; other observations are not watched. */
    type Heard = readonly (string | number)[];
    /** A DMA result as the watch can tell it: its tag, and for an access or a translation how and to which frame. */
    const dmaWords = (r: DmaResult): Heard => (r.tag === 'access' || r.tag === 'translated' ? [r.tag, r.via, r.frame] : [r.tag, '', -1]);
    const project = (o: Observation): Heard | undefined => {
      switch (o.kind) {
        case 'dma': return ['dma', o.dev, o.pasid, o.page, ...dmaWords(o.result)];
        case 'event': return o.event.type === 'C_BAD_CD' ? ['badCd', o.event.dev, o.event.ssid] : undefined;
        case 'walk': return ['walk', o.mm];
        case 'warn': return ['warn'];
        case 'bug': return ['bug'];
        case 'trace':
          if (o.record.tp === 'smmu_bind_alloc') return ['bindAlloc'];
          return o.record.tp === 'dev_page_response' ? ['pageResponse', o.record.dev, o.record.code, o.record.group] : undefined;
        case 'callback': return ['callback', o.domain];
        default: return undefined;
      }
    };
    const seen = new Set<string>();
    let x = 2468;
    // walks from the initial state until nothing is enabled (a BUG stops the kernel) or 400 steps
    const runs = [wide, seedWideConfig].flatMap((config) => ['v6', 'release-clears-valid'].flatMap((v) => Array.from({ length: 10 }, (_, i) => [config, i, v as VariantName] as const)));
    for (const [config, walk, variant] of runs) {
      const m = createModel(config, variant);
      const streamed = initialEngine(m, 'off'), watched = initialEngine(m, walk % 2 === 0 ? 'count' : 'collect');
      const expected: Heard[] = [], heard: Heard[] = [];
      streamed.setMode('stream', (o) => { const h = project(o); if (h) expected.push(h); });
      const watch: StepWatch = {
        dma: (dev, pasid, page, code, frame) => heard.push(['dma', dev, pasid, page, ...dmaWords(dmaResult(code, frame))]),
        badCd: (dev, ssid) => heard.push(['badCd', dev, ssid]),
        walk: (mm) => heard.push(['walk', mm]),
        warn: () => heard.push(['warn']),
        bug: () => heard.push(['bug']),
        bindAlloc: () => heard.push(['bindAlloc']),
        pageResponse: (dev, code, group) => heard.push(['pageResponse', dev, code, group]),
        callback: (domain) => heard.push(['callback', domain]),
      };
      watched.watch(watch);
      let s = initialState(config);
      for (let i = 0; i < 400; i++) {
        const en = enabledEvents(m, s);
        if (en.length === 0) break;
        x = (x * 1103515245 + 12345) & 0x3fffffff;
        const e = pickEnabled(en, x);
        s = (step(m, s, e) as E.Right<{ state: State }>).right.state;
        expect(streamed.step(e)).toBeUndefined();
        expect(watched.step(e)).toBeUndefined();
        expect(heard).toEqual(expected);
      }
      for (const h of heard) seen.add(h[0] === 'dma' ? `dma ${h[4]} ${h[5]}`.trim() : String(h[0]));
      // watch() is mode 'off' otherwise: no counters
      expect(countersToObject(watched.counts)).toEqual({});
    }
    // every kind of call was heard, so no hook is checked vacuously
    expect([...seen].sort()).toEqual([
      'badCd', 'bindAlloc', 'bug', 'callback', 'dma aborted', 'dma access atc', 'dma access tlb', 'dma access walk',
      'dma completerAbort', 'dma pageRequest', 'dma stalled', 'pageResponse', 'walk', 'warn',
    ]);
  });

  it('the dma() fast path answers like step() and refuses with the same error', () => {
    const m = createModel(seedWideConfig, 'v6-atc');
    const a = initialEngine(m, 'collect');
    const b = initialEngine(m, 'collect');
    const script: Event[] = [
      { kind: 'enableSva', dev: 0 }, { kind: 'bind', dev: 0, mm: 0, fail: 'none' }, { kind: 'touch', mm: 0, page: 0, frame: 2 },
    ];
    for (const e of script) { a.step(e); b.step(e); }
    const pasid = toState(a).mms[0]!.pasid;
    for (const [dev, p, page, write] of [[0, pasid, 0, true], [0, pasid, 0, false], [0, pasid, 1, true], [1, pasid, 0, true], [0, 9, 0, true], [0, pasid, 5, true], [7, pasid, 0, true]] as const) {
      const code = a.dma(dev, p, page, write);
      const err = b.step({ kind: 'dma', dev, pasid: p, page, write });
      if (err) {
        expect(code).toBe(-1);
        expect(a.lastError).toEqual(err);
      } else {
        expect(code).toBeGreaterThanOrEqual(0);
        expect(a.observations).toEqual(b.observations);
      }
    }
    expect(canonicalState(toState(a))).toBe(canonicalState(toState(b)));
  });
});

/** Every event of `events` accepted by both, with the same observations and state after each. */
function sameStepByStep(config: Config, variant: VariantName, events: readonly Event[]): void {
  const m = createModel(config, variant);
  let s = initialState(config);
  const eng = initialEngine(m, 'collect');
  for (const e of events) {
    const r = step(m, s, e);
    if (E.isLeft(r)) throw new Error(`refused: ${JSON.stringify(e)}`);
    expect(eng.step(e)).toBeUndefined();
    expect(eng.observations, JSON.stringify(e)).toEqual(r.right.observations);
    s = r.right.state;
    expect(canonicalState(toState(eng)), JSON.stringify(e)).toBe(canonicalState(s));
  }
}

describe('DRV-MN-ORDER: the adapter walks an mm\'s notifiers in list order, as the reducer', () => {
  const binds = (first: number, second: number): Event[] => [
    { kind: 'enableSva', dev: 0 }, { kind: 'enableSva', dev: 1 },
    { kind: 'bind', dev: first, mm: 0, fail: 'none' }, { kind: 'bind', dev: second, mm: 0, fail: 'none' },
    { kind: 'touch', mm: 0, page: 0, frame: 0 },
  ];
  for (const variant of ['v6-atc', 'upstream'] as const) {
    it(`${variant}: exit and munmap after bind(0), bind(1) and after bind(1), bind(0), then unbind and bind again`, () => {
      for (const [a, b] of [[0, 1], [1, 0]] as const) {
        const tail: Event[] = [
          { kind: 'munmap', mm: 0, start: 0, end: 1 }, { kind: 'unbind', dev: a, mm: 0 }, { kind: 'bind', dev: a, mm: 0, fail: 'none' },
          { kind: 'munmap', mm: 0, start: 1, end: 2 }, { kind: 'exit', mm: 0 },
        ];
        sameStepByStep(seedWideConfig, variant, [...binds(a, b), ...tail]);
      }
    });
  }
});

describe('DRV-MN-GET notifierAlloc: a failed notifier kzalloc, adapter as the reducer', () => {
  const clash: Config = { ...seedWideConfig, options: { ...seedWideConfig.options, allocFailure: true, bindAfterExit: true }, processes: [{ ...seedWideConfig.processes[0]!, cpuAsid: 1 }, seedWideConfig.processes[1]!] };
  const scripts: Event[][] = [
    [{ kind: 'enableSva', dev: 0 }, { kind: 'bind', dev: 0, mm: 0, fail: 'notifier' }, { kind: 'bind', dev: 0, mm: 0, fail: 'none' }],
    [{ kind: 'enableSva', dev: 0 }, { kind: 'exit', mm: 0 }, { kind: 'bind', dev: 0, mm: 0, fail: 'notifier' }],
  ];
  for (const variant of ['v6', 'upstream'] as const) {
    it(`${variant}: with an ASID to move, and on an exited mm`, () => {
      for (const script of scripts) sameStepByStep(clash, variant, script);
    });
  }
});
