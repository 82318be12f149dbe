// Workloads: the file format (errors name the JSON path, nothing throws), the presets, the
// driver (a run replayed on the reducer ends in the same state, and the cheap transition monitor
// finds the same violations as checkTransition), determinism, and the simulate command.
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { run as simulate } from '../src/cli/commands/simulate.ts';
import { canonicalState } from '../src/model/digest.ts';
import type { Event } from '../src/model/event.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { step } from '../src/machine/step.ts';
import { checkInvariants, checkTransition } from '../src/invariants/invariants.ts';
import { toState } from '../src/adapter/convert.ts';
import { decodeWorkload, loadWorkloadFile, type Workload } from '../src/codecs/workload.ts';
import { presets } from '../src/workload/presets.ts';
import { syntheticConfig } from '../src/codecs/synthetic.ts';
import { decodeConfig, encodeConfig } from '../src/codecs/config.ts';
import type { Config } from '../src/model/config.ts';
import { Runner, runWorkload } from '../src/workload/driver.ts';

const presetWorkload = (name: string): Workload => {
  const r = decodeWorkload(presets.find((p) => p.name === name)!.workload, name);
  if (E.isLeft(r)) throw new Error(r.left.join('\n'));
  return r.right;
};

/** A preset with each stream shortened to `ops` ticks, its actions' times scaled to match. */
function shortened(name: string, ops: number): Workload {
  const w = presetWorkload(name);
  const scaled = (orig: number, x: number | undefined) => (x === undefined ? undefined : Math.floor((x * ops) / orig));
  return {
    ...w,
    phases: w.phases.map((p) => (p.kind !== 'stream' || p.ops <= ops ? p : {
      ...p,
      ops,
      at: p.at.map(({ op, action: a }) => ({
        op: scaled(p.ops, op)!,
        action: a.kind === 'exit' ? { ...a, unbindAfter: scaled(p.ops, a.unbindAfter) }
          : a.kind === 'unbind' ? { ...a, rebindAfter: scaled(p.ops, a.rebindAfter) } : a,
      })),
    })),
  };
}

const small = {
  name: 't',
  config: {
    name: 'c', smmu: { stallModel: 'configurable', btm: true, asidBits: 8 }, domains: [{ name: 'd', stage: 1 }],
    devices: [{ name: 'pci', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 }],
    processes: [{ name: 'p', pages: 8, cpuAsid: 11 }], frames: 8,
  },
  phases: [{ enableSva: ['pci'] }, { bind: [{ device: 'pci', process: 'p' }] }, { stream: { ops: 100 } }],
};

describe('workload format', () => {
  it('decodes a minimal workload with defaults', () => {
    const r = decodeWorkload(small);
    expect(E.isRight(r)).toBe(true);
    const w = (r as E.Right<Workload>).right;
    expect(w.variant).toBe('v6-atc');
    expect(w.phases[2]).toMatchObject({ kind: 'stream', ops: 100, jobs: 'bonds', pattern: 'sequential' });
  });

  const bad: [string, unknown, RegExp][] = [
    ['unknown variant', { ...small, variant: 'v7' }, /\$\.variant: expected one of v6/],
    ['negative seed', { ...small, seed: -1 }, /\$\.seed: expected a non-negative integer/],
    ['unknown phase', { ...small, phases: [{ frobnicate: 1 }] }, /\$\.phases\[0\]: expected a phase/],
    ['unknown device name', { ...small, phases: [{ enableSva: ['nope'] }] }, /\$\.phases\[0\]\.enableSva\[0\]: expected a device name or index/],
    ['page range past the process', { ...small, phases: [{ touch: { processes: ['p'], end: 9 } }] }, /\$\.phases\[0\]\.touch\.end: expected at most 8/],
    ['action after the stream', { ...small, phases: [{ stream: { ops: 10, at: [{ op: 10, action: { exit: { process: 'p' } } }] } }] }, /\$\.phases\[0\]\.stream\.at\[0\]\.op: expected an op below 10/],
    ['bad inline config', { ...small, config: { ...small.config, smmu: { ...small.config.smmu, asidBits: 40 } } }, /\$\.config\.smmu\.asidBits: expected an integer in \[2, 16\]/],
    ['bad stream field', { ...small, phases: [{ stream: { ops: 5, pattern: 'zigzag' } }] }, /\$\.phases\[0\]\.stream\.pattern: expected "sequential" or "random"/],
    ['bad action', { ...small, phases: [{ stream: { ops: 5, at: [{ op: 1, action: { explode: {} } }] } }] }, /\$\.phases\[0\]\.stream\.at\[0\]\.action: expected an action/],
    ['bad synthetic config', { ...small, config: { synthetic: { devices: 0, processes: 1, pages: 1 } } }, /\$\.config\.synthetic\.devices: expected a positive integer/],
    ['synthetic: stalling and non-stalling devices in one domain', { ...small, config: { synthetic: { devices: 2, pciDevices: 1, domains: 1, processes: 1, pages: 1 } } },
      /\$\.config\.synthetic\.domains: expected at least 2 domains when there are both PCIe devices \(1\) and stalling platform devices \(1\) under stallModel "configurable".*got 1/],
    ['inline config: stalling and non-stalling devices in one domain', { ...small, config: { ...small.config, devices: [...small.config.devices,
      { name: 'plat', bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 20, domain: 0 }] } }, /\$\.config\.devices\[1\]\.domain: the kernel refuses to attach a stalling master/],
    ['missing phases', { name: 'x', config: small.config }, /\$\.phases: expected/],
  ];
  for (const [what, input, msg] of bad) {
    it(`names the JSON path: ${what}`, () => {
      const r = decodeWorkload(input, 'w.json');
      expect(E.isLeft(r)).toBe(true);
      const lines = (r as E.Left<string[]>).left;
      expect(lines.join('\n')).toMatch(msg);
      for (const l of lines) expect(l.startsWith('w.json: ')).toBe(true);
    });
  }

  it('files: unreadable, not JSON, config file relative to the workload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wl-'));
    expect((loadWorkloadFile(join(dir, 'missing.json')) as E.Left<string[]>).left[0]).toMatch(/missing\.json: cannot read \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.json'), '{"name": ');
    expect((loadWorkloadFile(join(dir, 'bad.json')) as E.Left<string[]>).left[0]).toMatch(/bad\.json: not valid JSON/);
    writeFileSync(join(dir, 'c.json'), JSON.stringify(small.config));
    writeFileSync(join(dir, 'w.json'), JSON.stringify({ ...small, config: 'c.json' }));
    expect(E.isRight(loadWorkloadFile(join(dir, 'w.json')))).toBe(true);
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.record({ name: fc.string(), config: fc.jsonValue(), phases: fc.array(fc.jsonValue()) })), (v) => {
      const r = decodeWorkload(v);
      if (E.isLeft(r)) expect(r.left.length).toBeGreaterThan(0);
    }), { numRuns: 500, seed: 3 });
  });

  it('every preset decodes', () => {
    for (const p of presets) expect(E.isRight(decodeWorkload(p.workload, p.name)), p.name).toBe(true);
  });
});

/** Stage-1 domains holding both a stalling and a non-stalling master (the kernel refuses them). */
const mixedDomains = (c: Config): number[] => c.domains.flatMap((d, i) => {
  const stalls = new Set(c.devices.filter((x) => x.domain === i).map((x) => x.stall));
  return c.smmu.stallModel === 'configurable' && d.stage === 1 && stalls.size > 1 ? [i] : [];
});

describe('configurations the kernel accepts', () => {
  it('every preset\'s configuration passes the configuration decoder (semantic checks included), no domain mixes stall', () => {
    for (const p of presets) {
      const c = presetWorkload(p.name).config;
      const r = decodeConfig(encodeConfig(c), p.name);
      expect(E.isLeft(r) ? r.left : [], p.name).toEqual([]);
      expect(mixedDomains(c), p.name).toEqual([]);
    }
  });

  it('presets keep their intent: shared notifiers among PCIe functions, a domain of its own for the stalling device', () => {
    const dom = (w: Workload, dev: string) => w.config.devices.find((d) => d.name === dev)!.domain;
    const shared = presetWorkload('shared-process');
    expect(shared.config.devices).toHaveLength(3);
    expect(dom(shared, '0000:00:03.0')).toBe(dom(shared, '0000:00:04.0'));
    expect(dom(shared, 'dma-plat')).not.toBe(dom(shared, '0000:00:03.0'));
    // unbind-rebind: the function that unbinds shares its domain (and notifier) with a device still bound
    const rebind = presetWorkload('unbind-rebind');
    expect(dom(rebind, '0000:00:03.0')).toBe(dom(rebind, '0000:00:04.0'));
    for (const name of ['pri-stream', 'stall-stream', 'exit-mid-stream', 'stale-atc', 'disable-race', 'hit-stream']) {
      const w = presetWorkload(name);
      expect(dom(w, 'dma-plat'), name).not.toBe(dom(w, '0000:00:03.0'));
    }
  });

  it('PRI fault-in presets set priHandling "iopf"; the others follow the variant (upstream denies)', () => {
    const iopf = ['pri-stream', 'shared-process', 'exit-mid-stream', 'unbind-rebind'];
    for (const p of presets) expect(presetWorkload(p.name).config.options.priHandling, p.name).toBe(iopf.includes(p.name) ? 'iopf' : 'variant');
    // under upstream, pri-stream still faults pages in through PRI ...
    const w = { ...shortened('pri-stream', 4000), variant: 'upstream' as const };
    const up = runWorkload(w);
    expect(up.faults.pri).toBeGreaterThan(0);
    expect(up.pageResponses.success).toBe(up.faults.pri);
    expect(up.violations).toEqual({});
    // ... and with the variant's own handling every page request is denied (mainline arm_smmu_handle_ppr)
    const denied = runWorkload({ ...w, config: { ...w.config, options: { ...w.config.options, priHandling: 'variant' } } });
    expect(denied.faults.pri).toBeGreaterThan(0);
    expect(denied.faults.handled).toBe(0);
    expect(denied.pageResponses.success).toBe(0);
    expect(denied.commands['CMD_PRI_RESP.2']).toBe(denied.faults.pri); // Response Failure (DRV-PRI-DENY)
    expect(denied.violations).toEqual({});
  });

  describe('synthetic configurations', () => {
    const build = (s: Parameters<typeof syntheticConfig>[0]) => {
      const r = syntheticConfig(s, '$.config.synthetic');
      if (E.isLeft(r)) throw new Error(r.left.join('\n'));
      return r.right;
    };
    const domainsOf = (c: Config, stall: boolean) => [...new Set(c.devices.filter((d) => d.stall === stall).map((d) => d.domain))].sort((a, b) => a - b);

    it('PCIe devices round-robin over the first domains, platform devices over the rest', () => {
      const c = build({ devices: 64, pciDevices: 48, domains: 4, processes: 8, pages: 4 });
      expect(domainsOf(c, false)).toEqual([0, 1, 2]);
      expect(domainsOf(c, true)).toEqual([3]);
      expect(c.devices.slice(0, 4).map((d) => d.domain)).toEqual([0, 1, 2, 0]);
      const few = build({ devices: 10, pciDevices: 1, domains: 4, processes: 1, pages: 1 });
      expect(domainsOf(few, false)).toEqual([0]);
      expect(domainsOf(few, true)).toEqual([1, 2, 3]);
      const most = build({ devices: 10, pciDevices: 9, domains: 3, processes: 1, pages: 1 });
      expect(domainsOf(most, false)).toEqual([0, 1]);
      expect(domainsOf(most, true)).toEqual([2]);
      for (const x of [c, few, most]) {
        expect(mixedDomains(x)).toEqual([]);
        expect(E.isRight(decodeConfig(encodeConfig(x)))).toBe(true);
      }
    });

    it('domains defaults to 2 when both kinds must be separated, else 1; an explicit 1 is an error naming the path', () => {
      const c = build({ devices: 3, pciDevices: 2, processes: 2, pages: 4 });
      expect(c.domains).toHaveLength(2);
      expect(c.devices.map((d) => d.domain)).toEqual([0, 0, 1]);
      expect(c.processes.map((p) => p.cpuAsid)).toEqual([3, 4]);
      expect(build({ devices: 3, processes: 2, pages: 4 }).domains).toHaveLength(1);
      expect(build({ devices: 3, pciDevices: 0, processes: 2, pages: 4 }).domains).toHaveLength(1);
      const r = syntheticConfig({ devices: 3, pciDevices: 2, domains: 1, processes: 2, pages: 4 }, '$.config.synthetic');
      expect(E.isLeft(r) && r.left).toEqual([expect.stringMatching(/^\$\.config\.synthetic\.domains: expected at least 2 domains .*got 1; omit domains for 2/)]);
    });

    it('stallModel "none": devices of both kinds may share a domain (round-robin over all)', () => {
      const c = build({ devices: 4, pciDevices: 2, processes: 1, pages: 1, stallModel: 'none' });
      expect(c.domains).toHaveLength(1);
      const d = build({ devices: 4, pciDevices: 2, domains: 2, processes: 1, pages: 1, stallModel: 'none' });
      expect(d.devices.map((x) => x.domain)).toEqual([0, 1, 0, 1]);
      expect(E.isRight(decodeConfig(encodeConfig(d)))).toBe(true);
    });

    it('stallModel "forced": platform devices only (INIT-PCI, IHI 0070 6.3.1), round-robin over the domains', () => {
      const c = build({ devices: 4, domains: 2, processes: 1, pages: 1, stallModel: 'forced' });
      expect(c.devices.map((x) => [x.bus, x.ats, x.domain])).toEqual([['platform', false, 0], ['platform', false, 1], ['platform', false, 0], ['platform', false, 1]]);
      const r = syntheticConfig({ devices: 4, pciDevices: 2, processes: 1, pages: 1, stallModel: 'forced' }, '$.config.synthetic');
      expect(E.isLeft(r) && r.left).toEqual([expect.stringMatching(/^\$\.config\.synthetic\.pciDevices: expected 0 with stallModel "forced" \(IHI 0070 6\.3\.1.*got 2;/)]);
    });

    it('priHandling passes through to the options', () => {
      expect(build({ devices: 1, processes: 1, pages: 1 }).options.priHandling).toBe('variant');
      expect(build({ devices: 1, processes: 1, pages: 1, priHandling: 'iopf' }).options.priHandling).toBe('iopf');
    });
  });
});

describe('workload driver', () => {
  /** Run a workload, replay the applied events on the reducer, compare. */
  function replayOnReducer(w: Workload) {
    const events: [Event, boolean][] = [];
    const runner = new Runner(w, { onEvent: (e, refused) => events.push([e, refused]), checkEvery: 0 });
    const report = runner.run();
    const m = createModel(w.config, w.variant);
    let s: State = initialState(w.config);
    const transition = new Map<string, number>();
    const state = new Map<string, number>();
    for (const [e, refused] of events) {
      const r = step(m, s, e);
      expect(E.isLeft(r), `reducer and adapter disagree on refusing ${JSON.stringify(e)}`).toBe(refused);
      if (E.isLeft(r)) continue;
      for (const v of checkTransition(m, s, e, r.right.state, r.right.observations)) transition.set(v.invariant, (transition.get(v.invariant) ?? 0) + 1);
      s = r.right.state;
    }
    for (const v of checkInvariants(m, s)) state.set(v.invariant, (state.get(v.invariant) ?? 0) + 1);
    expect(canonicalState(toState(runner.engine))).toBe(canonicalState(s));
    expect(Object.fromEntries(runner.monitor.counts)).toEqual(Object.fromEntries(transition));
    return { report, events: events.length };
  }

  it('correct variant: the presets run clean, and the reducer replay agrees', () => {
    for (const name of ['pri-stream', 'stall-stream', 'shared-process', 'exit-mid-stream', 'unbind-rebind']) {
      const { report, events } = replayOnReducer(shortened(name, 4000));
      expect(report.violations, name).toEqual({});
      expect(report.refused.count, name).toBe(0);
      expect(events).toBeGreaterThan(4000);
    }
  });

  it('buggy variants: the monitor finds what checkTransition finds on the reducer replay', () => {
    const cases: [string, string, string, RegExp][] = [
      ['exit-mid-stream', 'release-skips-tlbi', 'dma-isolation', /^device \d+ PASID \d+ page \d+ reached frame \d+ through the (TLB|ATC), but /],
      // exit-mid-stream's device is PCI with ATS: a bad CD shows as a Translation Request's Completer Abort (HW-BAD-CD)
      ['exit-mid-stream', 'release-clears-valid', 'no-bad-cd-while-bound', /^ATS Translation Request of device \d+ SSID \d+ completed with Completer Abort \(bad CD\), which is still bound$/],
      ['exit-mid-stream', 'v6', 'dma-isolation', /reached frame/],
      ['stale-atc', 'v6', 'dma-isolation', /through the ATC, but /],
      ['disable-race', 'no-synchronize', 'no-freed-domain-access', /of the notifier \(domain \d+, process \d+\) ran on freed domain \d+$/],
    ];
    for (const [name, variant, invariant, detail] of cases) {
      const { report } = replayOnReducer({ ...shortened(name, 3000), variant: variant as Workload['variant'] });
      expect(report.violations[invariant], `${name} / ${variant}`).toBeGreaterThan(0);
      // the monitor's words for it (src/adapter/monitor.ts detail())
      expect(report.examples.find((x) => x.invariant === invariant)?.detail, `${name} / ${variant}`).toMatch(detail);
    }
  });

  it('the same workload gives the same report', () => {
    const w = shortened('shared-process', 20000);
    const a = runWorkload(w), b = runWorkload(w);
    const { seconds: _a, ...ra } = a;
    const { seconds: _b, ...rb } = b;
    expect(ra).toEqual(rb);
    const c = runWorkload({ ...w, seed: w.seed + 1 });
    expect(c.counters).not.toEqual(a.counters);
  });
});

describe('smmu-sva simulate', () => {
  /** Run the command in this process, capturing its output. */
  async function inProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const out: string[] = [], err: string[] = [];
    const so = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    const se = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
    try {
      const status = await simulate(args);
      return { status, stdout: out.join(''), stderr: err.join('') };
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
  }
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/cli.ts', 'simulate', ...args], { encoding: 'utf8' });

  it('prints JSON totals and writes an ftrace file; a buggy variant exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const trace = join(dir, 't.txt');
    const r = cli(['--preset', 'stale-atc', '--json', '--trace', trace]);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(report.violations['no-stale-atc']).toBeGreaterThan(0);
    expect(report.dmaOps).toBe(20000);
    const lines = readFileSync(trace, 'utf8').split('\n');
    expect(lines[0]).toBe('# tracer: nop');
    expect(lines.some((l) => /^\s+smmu-sva-1\s+\[000\] \.+\s+\d+\.\d{6}: smmu_bind_alloc: dev=0000:00:03\.0 pasid=1$/.test(l))).toBe(true);
    const ok = await inProcess(['--preset', 'pri-stream', '--variant', 'upstream']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/invariant violations: none/);
  });

  it('bad flags and files exit 2 with a message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'w.json'), JSON.stringify({ ...small, variant: 'nope' }));
    for (const [args, msg] of [
      [['--preset', 'nope'], /unknown preset "nope"/],
      [['--bogus'], /unknown flag --bogus: expected one of --workload, --preset,/],
      [['--preset', 'pri-stream', '--variant', 'v9'], /unknown variant "v9"/],
      [['--workload', join(dir, 'w.json')], /w\.json: \$\.variant: expected one of/],
      [['--workload', join(dir, 'none.json')], /none\.json: cannot read/],
      [['--preset', 'pri-stream', '--workload', 'x'], /not both/],
      [['--preset', 'pri-stream', '--seed', 'x'], /--seed expects a non-negative integer/],
    ] as const) {
      const r = await inProcess([...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});

