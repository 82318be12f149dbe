// The trace checker: the seed's traces in three layouts under v6 and upstream, hand-written
// invalid traces rejected at the right line, traces generated from the model accepted, and the
// pruned checker loses none of the traces the model emits (random runs, kernel-like group numbers).
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultOptions, type Config } from '../src/model/config.ts';
import type { Event } from '../src/model/event.ts';
import { enabledEvents } from '../src/model/enabled.ts';
import { initialState } from '../src/model/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { TraceRecord } from '../src/model/observation.ts';
import { step } from '../src/model/step.ts';
import type { VariantName } from '../src/model/variant.ts';
import { seedConfig, seedTrace1, seedTrace2 } from '../src/scenarios/seed.ts';
import { linearMap } from '../src/trace/addressMap.ts';
import { TraceChecker } from '../src/trace/check.ts';
import type { ConcreteRecord } from '../src/trace/parse.ts';
import { checkTrace, type CheckOutcome } from '../src/trace/run.ts';
import { pick } from './properties/walk.ts';

const dir = 'test/fixtures/traces';

async function check(file: string, variant: VariantName = 'v6', extra: { config?: Config; stdin?: string; strict?: boolean } = {}) {
  const out = await checkTrace({
    file, variant, config: extra.config, strict: extra.strict ?? false, pageSize: 4096n,
    stdin: extra.stdin === undefined ? undefined : Readable.from([extra.stdin]),
  });
  expect(out.tag).toBe('checked');
  return out as Extract<CheckOutcome, { tag: 'checked' }>;
}

describe("the seed's traces are accepted", () => {
  for (const seed of ['seed1', 'seed2']) {
    for (const layout of ['bare', 'tracefs', 'trace-cmd']) {
      for (const variant of ['v6', 'upstream'] as const) {
        it(`${seed} (${layout}) under ${variant}`, async () => {
          const r = await check(`${dir}/${seed}.${layout}.txt`, variant);
          expect(r.malformed).toBeNull();
          expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
          expect(r.verdict!.firstUnexplainedLine).toBeNull();
          expect(r.records).toBe(seed === 'seed1' ? 10 : 7);
          expect(r.skipped).toBe(layout === 'tracefs' ? 1 : 0);
        });
      }
    }
  }
  it('the bare lines are exactly the seed thread\'s lines', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const [file, sc] of [['seed1', seedTrace1], ['seed2', seedTrace2]] as const) {
      const text = await readFile(`${dir}/${file}.bare.txt`, 'utf8');
      expect(text.trim().split('\n').map((l) => l.trim())).toEqual(sc.seedLines);
    }
  });
  it('with the seed configuration given (--config), both traces are accepted, including from standard input', async () => {
    for (const f of ['seed1.tracefs.txt', 'seed2.trace-cmd.txt']) {
      const { readFile } = await import('node:fs/promises');
      const r = await check('-', 'v6', { config: seedConfig, stdin: await readFile(`${dir}/${f}`, 'utf8') });
      expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
    }
  });
  it('the two seed traces one after the other are accepted (the slot is recycled for the second job)', async () => {
    const { readFile } = await import('node:fs/promises');
    const both = (await readFile(`${dir}/seed1.bare.txt`, 'utf8')) + (await readFile(`${dir}/seed2.bare.txt`, 'utf8'));
    const r = await check('-', 'upstream', { stdin: both });
    expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
  });
  it('--strict makes another tracepoint a malformed line', async () => {
    const r = await check(`${dir}/seed1.tracefs.txt`, 'v6', { strict: true });
    expect(r.malformed).toMatchObject({ line: 15, field: 'sched_switch' });
  });
});

describe('invalid traces are rejected at the first line no interleaving explains', () => {
  const cases: [string, number, RegExp, RegExp | null][] = [
    ['success-after-release', 4, /code=0/, /code=1 pasid=1 group=5/],
    ['response-without-fault', 3, /no outstanding fault in group 75/, /dev_page_response: IOMMU:0000:00:03.0 code=0 pasid=1 group=74/],
    ['unbind-without-bond', 2, /no bond holds pasid 2/, /smmu_unbind_free: dev=0000:00:03.0 pasid=1/],
    ['double-bind', 4, /already exists/, /smmu_unbind_free/],
    ['double-release', 3, /already exited/, null],
    ['half-munmap', 3, /not finished/, /smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000/],
    ['ends-inside-step', 3, /ends inside a model step/, /smmu_mm_invalidate/],
  ];
  for (const [name, line, reason, expected] of cases) {
    for (const variant of ['v6', 'upstream'] as const) {
      it(`${name} under ${variant}: line ${line}`, async () => {
        const r = await check(`${dir}/invalid/${name}.txt`, variant);
        const v = r.verdict!;
        expect(v.accepted).toBe(false);
        expect(v.firstUnexplainedLine).toBe(line);
        expect(v.reason).toMatch(reason);
        if (expected) expect(v.expected.join('\n')).toMatch(expected);
        expect(v.witness.length).toBeGreaterThan(0);
      });
    }
  }
  it('a second page request for a page the handler already mapped (the walk now succeeds) is rejected', async () => {
    const t = [
      'smmu_bind_alloc: dev=0000:00:03.0 pasid=1',
      'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=9 flags=3 prot=2',
      'dev_page_response: IOMMU:0000:00:03.0 code=0 pasid=1 group=9',
      'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=10 flags=3 prot=2',
      'dev_page_response: IOMMU:0000:00:03.0 code=1 pasid=1 group=10',
    ].join('\n');
    const r = await check('-', 'v6', { stdin: t });
    expect(r.verdict!.firstUnexplainedLine).toBe(4);
    expect(r.verdict!.expected.join('\n')).not.toMatch(/dev_fault: .* addr=0x0000ffff860e6000/);
  });
  it('Invalid for a page never touched is explained by an munmap before the bind (unlogged)', async () => {
    const t = [
      'smmu_bind_alloc: dev=0000:00:03.0 pasid=1',
      'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=9 flags=3 prot=2',
      'dev_page_response: IOMMU:0000:00:03.0 code=1 pasid=1 group=9',
      'smmu_unbind_free: dev=0000:00:03.0 pasid=1',
    ].join('\n');
    const r = await check('-', 'v6', { stdin: t });
    expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
    expect(r.verdict!.witness.join('\n')).toMatch(/munmapped page 0 before its first bind/);
  });
});

// ---------------------------------------------------------------- generated traces

/** Concrete records of a model run, with kernel-like group numbers and PASIDs (offset). */
function concretize(config: Config, recs: readonly TraceRecord[], seed: number): ConcreteRecord[] {
  let g = seed % 400;
  const groups = new Map<string, number>();
  const va = (mm: number, page: number) => config.processes[mm]!.vaBase + BigInt(page) * 4096n;
  const dev = (d: number) => config.devices[d]!.name;
  return recs.map((r): ConcreteRecord => {
    const pasid = r.pasid + 40;
    switch (r.tp) {
      case 'smmu_bind_alloc':
      case 'smmu_unbind_free': return { tp: r.tp, dev: dev(r.dev), pasid };
      case 'smmu_mm_release': return { tp: r.tp, pasid };
      case 'smmu_mm_invalidate': return { tp: r.tp, pasid, start: va(r.mm, r.start), end: va(r.mm, r.end) };
      case 'dev_fault': {
        g = (g + 37) % 512;
        groups.set(`${r.dev},${r.group}`, g);
        return { tp: r.tp, dev: dev(r.dev), type: r.type, reason: r.reason, addr: va(r.mm, r.page) + 0x123n, pasid, group: g, flags: r.flags, prot: r.prot };
      }
      case 'dev_page_response': {
        const k = `${r.dev},${r.group}`;
        const cg = groups.get(k)!;
        groups.delete(k);
        return { tp: r.tp, dev: dev(r.dev), code: r.code, pasid, group: cg };
      }
    }
  });
}

function randomRun(config: Config, variant: VariantName, choices: readonly number[]): TraceRecord[] {
  const m = createModel(config, variant);
  let s = initialState(config);
  const recs: TraceRecord[] = [];
  for (const c of choices) {
    const en = enabledEvents(m, s);
    if (en.length === 0) break;
    const e: Event = pick(en, c);
    const r = step(m, s, e);
    if (E.isLeft(r)) throw new Error('enabled event refused');
    for (const o of r.right.observations) if (o.kind === 'trace') recs.push(o.record);
    s = r.right.state;
  }
  return recs;
}

function prunedAccepts(config: Config, variant: VariantName, recs: readonly ConcreteRecord[]): boolean {
  const ch = new TraceChecker(createModel(config, variant), linearMap(config.processes, 4096n), { maxStates: 100000, witnessLines: 100 });
  recs.every((r, i) => ch.feed(i + 1, r, ''));
  return ch.finish().accepted;
}

const small = (name: string, device: Config['devices'][number], frames: number): Config => ({
  name,
  smmu: { stallModel: 'configurable', btm: true, asidBits: 8 },
  domains: [{ name: 'dom0', stage: 1 }],
  devices: [device],
  processes: [
    { name: 'p0', pages: 2, cpuAsid: 11, vaBase: 0x0000ffff00000000n },
    { name: 'p1', pages: 2, cpuAsid: 12, vaBase: 0x0000aaaa00000000n },
  ],
  frames,
  options: { ...defaultOptions, dmaAccesses: ['read', 'write'], atsPrefetch: device.ats, remap: true },
});
const priConfig = small('pri', { name: '0000:00:03.0', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 }, 4);
/** Fewer frames than pages: a page fault can be answered Invalid for lack of memory (TRACE-OOM). */
const oomConfig: Config = { ...priConfig, name: 'pri-oom', frames: 2 };
const stallConfig = small('stall', { name: 'dma-plat', bus: 'platform', ats: false, pri: false, stall: true, ssidBits: 20, domain: 0 }, 4);

describe('traces the model emits are accepted (the pruning loses none of them)', () => {
  for (const [config, variant] of [[priConfig, 'v6'], [priConfig, 'upstream'], [stallConfig, 'v6-atc'], [stallConfig, 'upstream'], [oomConfig, 'v6']] as const) {
    test.prop([fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 60 }), fc.nat()], { numRuns: 100, seed: 11 })(`${config.name} ${variant}`, (cs, seed) => {
      const recs = concretize(config, randomRun(config, variant, cs), seed);
      expect(prunedAccepts(config, variant, recs)).toBe(true);
    });
  }
});
