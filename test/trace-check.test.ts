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
import { enabledEvents } from '../src/machine/enabled.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { TraceRecord } from '../src/model/observation.ts';
import { step } from '../src/machine/step.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';
import { decodeConfig } from '../src/codecs/config.ts';
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
  // INFER-PRI: the seed's page requests are answered through IOPF (the SVA development tree), so the
  // inferred configuration sets options.priHandling "iopf" and every variant that could have
  // produced the traces accepts them; release-clears-valid cannot produce the second (a CD with V=0
  // gives C_BAD_CD, not a second page request)
  for (const variant of variantNames) {
    for (const seed of ['seed1', 'seed2']) {
      const could = !(variant === 'release-clears-valid' && seed === 'seed2');
      it(`INFER-PRI: ${seed} under ${variant} with priHandling iopf: ${could ? 'accepted' : 'rejected'}`, async () => {
        const r = await check(`${dir}/${seed}.bare.txt`, variant);
        expect(r.config.options.priHandling).toBe('iopf');
        expect(r.verdict!.accepted, r.verdict!.reason).toBe(could);
      });
    }
  }
  it('INFER-PRI: without page requests the variant keeps its own PRI handling', async () => {
    const r = await check('-', 'upstream', { stdin: 'smmu_bind_alloc: dev=0000:00:03.0 pasid=1\nsmmu_unbind_free: dev=0000:00:03.0 pasid=1\n' });
    expect(r.config.options.priHandling).toBe('variant');
    expect(r.verdict!.accepted).toBe(true);
  });
  it('INFER-PRI: the seed fixture configuration sets priHandling "iopf" explicitly, and upstream accepts both traces with it', async () => {
    const { readFile } = await import('node:fs/promises');
    const decoded = decodeConfig(JSON.parse(await readFile(`${dir}/seed-config.json`, 'utf8')));
    expect(E.isRight(decoded)).toBe(true);
    const config = (decoded as E.Right<Config>).right;
    expect(config.options.priHandling).toBe('iopf');
    for (const f of ['seed1.tracefs.txt', 'seed2.trace-cmd.txt']) {
      const r = await check(`${dir}/${f}`, 'upstream', { config });
      expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
    }
    // mainline's PRI handling denies page requests without a record: the seed's lines cannot appear
    const deny = await check(`${dir}/seed1.bare.txt`, 'upstream', { config: { ...config, options: { ...config.options, priHandling: 'deny' } } });
    expect(deny.verdict!.accepted).toBe(false);
    expect(deny.verdict!.firstUnexplainedLine).toBe(2);
  });
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
    ['half-munmap', 5, /not finished/, /smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000/],
    ['ends-inside-step', 5, /ends inside a model step/, /smmu_mm_invalidate/],
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

describe('real log shapes (issue 12, point 8)', () => {
  it('TRACE-DOMAIN-SHARE, INFER-DOMAIN-START: two devices sharing one domain (one notifier, one set of invalidates per munmap) are accepted', async () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const r = await check(`${dir}/shared-domain.tracefs.txt`, variant);
      expect(r.verdict!.accepted, `${variant}: ${r.verdict!.reason}`).toBe(true);
      expect(r.records).toBe(11);
      expect(r.verdict!.witness.join('\n')).toMatch(/\(checker\) 0000:00:04\.0 shares dom0 with 0000:00:03\.0/);
      // the inferred configuration itself keeps one domain per device: sharing is per hypothesis
      expect(r.config.devices.map((d) => d.domain)).toEqual([0, 1]);
    }
  });
  it('TRACE-DOMAIN-SHARE: the same job on two separate domains (two notifiers: four records per populated munmap) is accepted too', async () => {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(`${dir}/shared-domain.tracefs.txt`, 'utf8')).split('\n');
    // each munmap's records once more (the second notifier): the populated range 2+2, the unpopulated one 1+1
    const inv = lines.filter((l) => l.includes('end=0xffff860e8000'));
    const at = lines.indexOf(inv[1]!);
    const last = lines.findIndex((l) => l.includes('end=0xffff860ea000'));
    const separate = [...lines.slice(0, at + 1), ...inv, lines[last]!, lines[last]!, ...lines.slice(last + 1)].join('\n');
    const r = await check('-', 'v6', { stdin: separate });
    expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
    expect(r.verdict!.witness.join('\n')).not.toMatch(/shares dom/);
    // three records fit neither hypothesis
    const three = [...lines.slice(0, at + 1), inv[0]!, ...lines.slice(at + 1)].join('\n');
    expect(lines[at + 1]).not.toContain('end=0xffff860e8000');
    const bad = await check('-', 'v6', { stdin: three });
    expect(bad.verdict!.accepted).toBe(false);
  });
  it('TRACE-DOMAIN-SHARE: a stalling and a non-stalling master never share a domain (Linux 5.13 refuses the attach)', async () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const r = await check(`${dir}/invalid/shared-domain-stall-mix.txt`, variant);
      expect(r.verdict!.accepted).toBe(false);
      expect(r.verdict!.firstUnexplainedLine).toBe(7);
      expect(r.verdict!.reason).toMatch(/not finished/);
      expect(r.verdict!.expected.join('\n')).toMatch(/smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000/);
    }
  });
  it('TRACE-DOMAIN-SHARE: with --config the domains are the configuration\'s (no sharing hypothesis)', async () => {
    const config: Config = {
      ...seedConfig,
      domains: [{ name: 'dom0', stage: 1 }, { name: 'dom1', stage: 1 }],
      devices: [seedConfig.devices[0]!, { ...seedConfig.devices[0]!, name: '0000:00:04.0', domain: 1 }],
      options: { ...seedConfig.options, priHandling: 'iopf' },
    };
    const r = await check(`${dir}/shared-domain.tracefs.txt`, 'v6', { config });
    expect(r.verdict!.accepted).toBe(false);
    expect(r.verdict!.firstUnexplainedLine).toBe(21);
    expect(r.verdict!.reason).toMatch(/not finished/);
  });

  it('INFER-UNRECOV: unrecoverable faults (dev_fault type=1) are accepted under upstream; the device is inferred without ATS or stall', async () => {
    const r = await check(`${dir}/unrecoverable.tracefs.txt`, 'upstream');
    expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
    expect(r.config.devices[0]).toMatchObject({ name: 'a0000.dma', bus: 'platform', ats: false, pri: false, stall: false });
    expect(r.inferenceNotes.join('\n')).toMatch(/a0000\.dma: platform device without ATS, PRI or stall/);
  });
  it('INFER-UNRECOV: v6 reports no unrecoverable fault and enables SVA only with PRI or stall: rejected at the bind, with the reason', async () => {
    const r = await check(`${dir}/unrecoverable.tracefs.txt`, 'v6');
    expect(r.verdict!.accepted).toBe(false);
    expect(r.verdict!.firstUnexplainedLine).toBe(7);
    expect(r.verdict!.reason).toMatch(/SVA cannot be enabled on a0000\.dma \(a device with no ATS, PRI or stall\) under v6/);
  });
  it('INFER-UNRECOV: a PCI function with unrecoverable faults is inferred as PCIe without ATS', async () => {
    const t = [
      'smmu_bind_alloc: dev=0000:00:05.0 pasid=3',
      'dev_fault: IOMMU:0000:00:05.0 type=1 reason=5 addr=0x0000aaaa00001000 pasid=3 group=0 flags=3 prot=1',
      'smmu_unbind_free: dev=0000:00:05.0 pasid=3',
    ].join('\n');
    const r = await check('-', 'upstream', { stdin: t });
    expect(r.verdict!.accepted, r.verdict!.reason).toBe(true);
    expect(r.config.devices[0]).toMatchObject({ bus: 'pci', ats: false, pri: false, stall: false });
    expect(r.config.options.priHandling).toBe('variant');
  });
  it('TRACE-UNRECOV-FIELDS: reason, fetch-address validity, group and the exec/privileged bits of prot are not compared; PASID validity and read/write are', async () => {
    const line = (fields: string) => [
      'smmu_bind_alloc: dev=a0000.dma pasid=1',
      `dev_fault: IOMMU:a0000.dma type=1 addr=0x0000ffff860e6000 pasid=1 ${fields}`,
      'smmu_unbind_free: dev=a0000.dma pasid=1',
    ].join('\n');
    // prot=14: write, exec and privileged
    for (const ok of ['reason=0 group=0 flags=3 prot=2', 'reason=6 group=17 flags=7 prot=2', 'reason=5 group=0 flags=0x3 prot=14']) {
      const r = await check('-', 'upstream', { stdin: line(ok) });
      expect(r.verdict!.accepted, `${ok}: ${r.verdict!.reason}`).toBe(true);
    }
    for (const bad of ['reason=6 group=0 flags=2 prot=2', 'reason=6 group=0 flags=1 prot=2']) {
      const r = await check('-', 'upstream', { stdin: line(bad) });
      expect(r.verdict!.firstUnexplainedLine, bad).toBe(2);
    }
    // the page request keeps its exact reason (the tracepoint prints 0)
    const prq = await check('-', 'v6', { stdin: 'smmu_bind_alloc: dev=0000:00:03.0 pasid=1\ndev_fault: IOMMU:0000:00:03.0 type=2 reason=5 addr=0x0000ffff860e6000 pasid=1 group=9 flags=3 prot=2\n' });
    expect(prq.verdict!.firstUnexplainedLine).toBe(2);
  });
  it('INFER-UNRECOV: an unrecoverable fault after the unbind is rejected (no CD: C_BAD_CD, not reported)', async () => {
    const r = await check(`${dir}/invalid/unrecoverable-after-unbind.txt`, 'upstream');
    expect(r.verdict!.accepted).toBe(false);
    expect(r.verdict!.firstUnexplainedLine).toBe(4);
    expect(r.verdict!.reason).toMatch(/no bond holds pasid 1/);
  });

  it('TRACE-TOUCH-MUNMAP: an unpopulated range gives one smmu_mm_invalidate, a populated one two', async () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const r = await check(`${dir}/unpopulated-munmap.trace-cmd.txt`, variant);
      expect(r.verdict!.accepted, `${variant}: ${r.verdict!.reason}`).toBe(true);
      const w = r.verdict!.witness.join('\n');
      // the last range was never touched by the device: the CPU touched it (unlogged) before the munmap
      expect(w).toMatch(/unlogged: touch proc0 page \d+ \(frame \d+\)\n {2}line 8: munmap proc0/);
      expect(w).not.toMatch(/touch proc0 [^\n]*\n {2}line 7: munmap/);
    }
  });
  it('TRACE-TOUCH-MUNMAP: three records for one munmap of one notifier are rejected', async () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const r = await check(`${dir}/invalid/munmap-three-records.txt`, variant);
      expect(r.verdict!.accepted).toBe(false);
      expect(r.verdict!.firstUnexplainedLine).toBe(6);
      expect(r.verdict!.expected.join('\n')).toMatch(/smmu_unbind_free: dev=0000:00:03\.0 pasid=1/);
    }
  });

  it('TRACE-RESPONSE-ADDR: the older dev_page_response format (addr= between code and pasid) and dev_fault with last= / fetch= are accepted', async () => {
    for (const variant of ['v6', 'upstream'] as const) {
      const r = await check(`${dir}/old-response.bare.txt`, variant);
      expect(r.verdict!.accepted, `${variant}: ${r.verdict!.reason}`).toBe(true);
      expect(r.records).toBe(10);
    }
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
  const ch = new TraceChecker(createModel(config, variant), linearMap(config.processes, 4096n), { maxStates: 100000, witnessLines: 100, shareDomains: false });
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

/** A platform master without ATS or stall: its translation faults are unrecoverable (type=1 under upstream). */
const unrecovConfig = small('unrecov', { name: 'a0000.dma', bus: 'platform', ats: false, pri: false, stall: false, ssidBits: 20, domain: 0 }, 4);
/** Two PCIe functions in one domain (one notifier per mm for both), page requests through IOPF. */
const sharedConfig: Config = {
  ...priConfig,
  name: 'shared',
  devices: [priConfig.devices[0]!, { ...priConfig.devices[0]!, name: '0000:00:04.0' }],
  options: { ...priConfig.options, priHandling: 'iopf' },
};

const hex16 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
/** A concrete record as a bare ftrace line (flags with %x, as the tracepoint prints them). */
function text(c: ConcreteRecord): string {
  switch (c.tp) {
    case 'smmu_bind_alloc':
    case 'smmu_unbind_free': return `${c.tp}: dev=${c.dev} pasid=${c.pasid}`;
    case 'smmu_mm_release': return `${c.tp}: pasid=${c.pasid}`;
    case 'smmu_mm_invalidate': return `${c.tp}: pasid=${c.pasid} start=0x${c.start.toString(16)} end=0x${c.end.toString(16)}`;
    case 'dev_fault': return `${c.tp}: IOMMU:${c.dev} type=${c.type} reason=${c.reason} addr=${hex16(c.addr)} pasid=${c.pasid} group=${c.group} flags=${c.flags.toString(16)} prot=${c.prot}`;
    case 'dev_page_response': return `${c.tp}: IOMMU:${c.dev} code=${c.code} pasid=${c.pasid} group=${c.group}`;
  }
}

describe('traces the model emits are accepted (the pruning loses none of them)', () => {
  for (const [config, variant] of [[priConfig, 'v6'], [priConfig, 'upstream'], [stallConfig, 'v6-atc'], [stallConfig, 'upstream'], [oomConfig, 'v6'], [unrecovConfig, 'upstream'], [sharedConfig, 'v6']] as const) {
    test.prop([fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 60 }), fc.nat()], { numRuns: 100, seed: 11 })(`${config.name} ${variant}`, (cs, seed) => {
      const recs = concretize(config, randomRun(config, variant, cs), seed);
      expect(prunedAccepts(config, variant, recs)).toBe(true);
    });
  }
});

describe('TRACE-DOMAIN-SHARE: traces of two devices sharing a domain are accepted with an inferred configuration', () => {
  for (const variant of ['v6', 'upstream'] as const) {
    test.prop([fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 40 }), fc.nat()], { numRuns: 40, seed: 12 })(`shared ${variant}`, async (cs, seed) => {
      const recs = concretize(sharedConfig, randomRun(sharedConfig, variant, cs), seed);
      const r = await check('-', variant, { stdin: recs.map(text).join('\n') });
      expect(r.verdict!.accepted, `${r.verdict!.reason}\n${recs.map(text).join('\n')}`).toBe(true);
    });
  }
});
