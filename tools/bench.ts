// npm run bench [-- --json]: speed of the fast adapter and of the reducer (manual timing loops,
// best of several rounds after warm-up). With --json the LAST line is one JSON object with every
// figure. Re-executes itself under `node --expose-gc --import tsx` so heap figures follow a GC.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { seedWideConfig, type Config } from '../src/model/config.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import type { Event } from '../src/model/event.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel, type Model } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { step } from '../src/machine/step.ts';
import { initialEngine, toState } from '../src/adapter/convert.ts';
import type { Engine } from '../src/adapter/engine.ts';
import { decodeWorkload } from '../src/codecs/workload.ts';
import { presets } from '../src/workload/presets.ts';
import { runWorkload } from '../src/workload/driver.ts';
import { syntheticConfig } from '../src/codecs/synthetic.ts';
import { Prng } from '../src/workload/prng.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc && !process.env.SMMU_BENCH_CHILD) {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, SMMU_BENCH_CHILD: '1' },
  });
  process.exit(r.status ?? 1);
}

const json = process.argv.includes('--json');
const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Best (shortest) time of `rounds` runs of fn, in ms, after one warm-up run. */
function best(rounds: number, fn: () => void): number {
  fn();
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function mustStep(eng: Engine, e: Event): void {
  const err = eng.step(e);
  if (err) throw new Error(`bench setup: ${JSON.stringify(e)} refused: ${JSON.stringify(err)}`);
}

// ------------------------------------------------------------------ 1. TLB/ATC-hit workload

/** Two devices (PCIe with ATS: ATC hits; platform: TLB hits; each in a stage-1 domain of its own, as
 *  seed-wide has them), two processes of 256 resident pages. */
const hitConfig: Config = {
  ...seedWideConfig,
  name: 'bench-hit',
  processes: seedWideConfig.processes.map((p) => ({ ...p, pages: 256 })),
  frames: 512,
};

const hitModel = createModel(hitConfig, 'v6-atc');
const setup: Event[] = [
  { kind: 'enableSva', dev: 0 }, { kind: 'enableSva', dev: 1 },
  { kind: 'bind', dev: 0, mm: 0, fail: 'none' }, { kind: 'bind', dev: 1, mm: 1, fail: 'none' },
];
for (let mm = 0; mm < 2; mm++) for (let p = 0; p < 256; p++) setup.push({ kind: 'touch', mm, page: p, frame: mm * 256 + p });

function hitEngine(): Engine {
  const eng = initialEngine(hitModel, 'count');
  for (const e of setup) mustStep(eng, e);
  // warm the TLB and ATC: one pass over every page
  const st = eng.st;
  for (let p = 0; p < 256; p++) { eng.dma(0, st.mmPasid[0]!, p, false); eng.dma(1, st.mmPasid[1]!, p, false); }
  return eng;
}

// the access sequence: 1 Mi DMAs, random device (its own process), random page, half writes
const SEQ = 1 << 20;
const seqDev = new Int32Array(SEQ), seqPasid = new Int32Array(SEQ), seqPage = new Int32Array(SEQ), seqWrite = new Uint8Array(SEQ);
{
  const eng = hitEngine();
  const rng = new Prng(42);
  for (let i = 0; i < SEQ; i++) {
    const dev = rng.below(2);
    seqDev[i] = dev; seqPasid[i] = eng.st.mmPasid[dev]!; seqPage[i] = rng.below(256); seqWrite[i] = rng.below(2);
  }
}

const OPS = 10_000_000;

function adapterLoop(eng: Engine, ops: number): number {
  let acc = 0;
  for (let i = 0; i < ops; i++) {
    const k = i & (SEQ - 1);
    acc += eng.dma(seqDev[k]!, seqPasid[k]!, seqPage[k]!, seqWrite[k] === 1);
  }
  return acc;
}

const hit = hitEngine();
const adapterMs = best(3, () => adapterLoop(hit, OPS));
const adapterNs = (adapterMs * 1e6) / OPS;
const dmaPerSecond = OPS / (adapterMs / 1000);
const hitCounts = { atc: hit.counts[0]!, tlb: hit.counts[1]!, other: hit.counts.slice(2, 10).reduce((a, b) => a + b, 0) };

const offEngine = hitEngine();
offEngine.setMode('off');
const offMs = best(3, () => adapterLoop(offEngine, OPS));

// the adapter through step(event) on pre-built event objects (the generic path)
const EV = 1 << 16;
const events: Event[] = Array.from({ length: EV }, (_, i) => ({ kind: 'dma', dev: seqDev[i]!, pasid: seqPasid[i]!, page: seqPage[i]!, write: seqWrite[i] === 1 }));
const stepEngine = hitEngine();
const STEP_OPS = 2_000_000;
const stepMs = best(3, () => { for (let i = 0; i < STEP_OPS; i++) stepEngine.step(events[i & (EV - 1)]!); });
const stepNs = (stepMs * 1e6) / STEP_OPS;

// the reducer on the same workload (same state, same accesses)
const reducerStart: State = toState(hitEngine());
const REDUCER_OPS = 50_000;
let rs = reducerStart;
const reducerMs = best(2, () => {
  rs = reducerStart;
  for (let i = 0; i < REDUCER_OPS; i++) {
    const r = step(hitModel, rs, events[i & (EV - 1)]!);
    if (E.isRight(r)) rs = r.right.state;
  }
});
const reducerNs = (reducerMs * 1e6) / REDUCER_OPS;

// bare lookup loops over the same key space: a Map keyed by the packed (dev, pasid, page) key,
// and typed arrays indexed as the adapter's store does
const mapTable = new Map<number, number>();
const arrTable: Int32Array[] = [];
{
  const st = hit.st;
  for (let dev = 0; dev < 2; dev++) {
    const pasid = st.mmPasid[dev]!;
    const arr = new Int32Array(256);
    for (let p = 0; p < 256; p++) { mapTable.set((dev * st.pasidCap + pasid) * 256 + p, st.pages[dev]![p]!); arr[p] = st.pages[dev]![p]!; }
    arrTable[dev * st.pasidCap + pasid] = arr;
  }
}
const cap = hit.st.pasidCap;
let sink = 0;
const mapMs = best(3, () => {
  let acc = 0;
  for (let i = 0; i < OPS; i++) {
    const k = i & (SEQ - 1);
    acc += mapTable.get((seqDev[k]! * cap + seqPasid[k]!) * 256 + seqPage[k]!)!;
  }
  sink += acc;
});
const arrMs = best(3, () => {
  let acc = 0;
  for (let i = 0; i < OPS; i++) {
    const k = i & (SEQ - 1);
    acc += arrTable[seqDev[k]! * cap + seqPasid[k]!]![seqPage[k]!]!;
  }
  sink += acc;
});
const mapNs = (mapMs * 1e6) / OPS;
const arrNs = (arrMs * 1e6) / OPS;

// ------------------------------------------------------------------ 2. heap over 10 million operations

gc!();
const heapEngine = hitEngine();
adapterLoop(heapEngine, 1_000_000);
gc!();
const heapBefore = process.memoryUsage().heapUsed;
adapterLoop(heapEngine, OPS);
gc!();
const heapAfter = process.memoryUsage().heapUsed;

// ------------------------------------------------------------------ 3. mixed workloads (faults, munmaps, exits)

function preset(name: string) {
  const p = presets.find((x) => x.name === name)!;
  const w = decodeWorkload(p.workload, name);
  if (E.isLeft(w)) throw new Error(w.left.join('\n'));
  return w.right;
}
const mixed = ['exit-mid-stream', 'shared-process', 'unbind-rebind'].map((name) => {
  const r = runWorkload(preset(name));
  const ops = r.dmaOps + r.events;
  return { name, dmaOps: r.dmaOps, events: r.events, faults: r.faults.pri + r.faults.stall, seconds: r.seconds, opsPerSecond: ops / r.seconds };
});
const mixedOps = mixed.reduce((a, m) => a + m.dmaOps + m.events, 0);
const mixedOpsPerSecond = mixedOps / mixed.reduce((a, m) => a + m.seconds, 0);

// ------------------------------------------------------------------ 4. reducer step() on the default configuration

function walkEvents(model: Model, n: number, seed: number): Event[][] {
  const rng = new Prng(seed);
  const runs: Event[][] = [];
  let cur: Event[] = [];
  let s = initialState(model.config);
  for (let i = 0; i < n; i++) {
    const en = enabledEvents(model, s);
    if (en.length === 0 || cur.length >= 200) { runs.push(cur); cur = []; s = initialState(model.config); continue; }
    const e = en[rng.below(en.length)]!;
    cur.push(e);
    s = (step(model, s, e) as E.Right<{ state: State }>).right.state;
  }
  runs.push(cur);
  return runs;
}
const defaultModel = createModel(seedWideConfig, 'v6-atc');
const walks = walkEvents(defaultModel, 200_000, 5);
const walkSteps = walks.reduce((n, w) => n + w.length, 0);
const init = initialState(seedWideConfig);
const reducerWalkMs = best(3, () => {
  for (const w of walks) {
    let s = init;
    for (const e of w) s = (step(defaultModel, s, e) as E.Right<{ state: State }>).right.state;
  }
});
const reducerStepsPerSecond = walkSteps / (reducerWalkMs / 1000);
const adapterWalkMs = best(3, () => {
  for (const w of walks) {
    const eng = initialEngine(defaultModel, 'off');
    for (const e of w) eng.step(e);
  }
});
const adapterStepsPerSecond = walkSteps / (adapterWalkMs / 1000);

// ------------------------------------------------------------------ 5. scale: cost per DMA at two sizes

interface ScaleFigure { devices: number; processes: number; pages: number; setupSeconds: number; nsPerDma: number; nsPerDmaRandom: number; bareRandomNs: number; hitRate: number }

function scale(devices: number, processes: number, pagesPer: number): ScaleFigure {
  const t0 = performance.now();
  // PCIe functions over dom0-dom2, platform devices in dom3 (no domain mixes stalling and non-stalling masters)
  const cfg = syntheticConfig({ devices, pciDevices: Math.round(devices * 0.75), domains: 4, processes, pages: pagesPer }, 'bench');
  if (E.isLeft(cfg)) throw new Error(cfg.left.join('\n'));
  const model = createModel(cfg.right, 'v6-atc');
  const eng = initialEngine(model, 'count');
  for (let dev = 0; dev < devices; dev++) mustStep(eng, { kind: 'enableSva', dev });
  for (let mm = 0; mm < processes; mm++) mustStep(eng, { kind: 'bind', dev: mm % devices, mm, fail: 'none' });
  const st = eng.st;
  for (let mm = 0; mm < processes; mm++) for (let p = 0; p < pagesPer; p++) mustStep(eng, { kind: 'touch', mm, page: p, frame: st.lowestFreeFrame() });
  // warm: every page once through its device
  for (let mm = 0; mm < processes; mm++) for (let p = 0; p < pagesPer; p++) eng.dma(mm % devices, st.mmPasid[mm]!, p, false);
  const setupSeconds = (performance.now() - t0) / 1000;
  // streaming: a random job (process on its device) issues a burst of 16 sequential pages
  const N = 4_000_000;
  const rng = new Prng(7);
  const cursors = new Int32Array(processes);
  const streamMs = best(3, () => {
    for (let i = 0; i < N; i += 16) {
      const mm = rng.below(processes);
      const dev = mm % devices, pasid = st.mmPasid[mm]!;
      let c = cursors[mm]!;
      for (let k = 0; k < 16; k++) { eng.dma(dev, pasid, c, (k & 1) === 1); c = c + 1 === pagesPer ? 0 : c + 1; }
      cursors[mm] = c;
    }
  });
  // uniformly random pages over the whole key space (cache-unfriendly at the large size)
  const randomMs = best(3, () => {
    for (let i = 0; i < N; i++) {
      const mm = rng.below(processes);
      eng.dma(mm % devices, st.mmPasid[mm]!, rng.below(pagesPer), false);
    }
  });
  // the bare lookup of the same random keys in the store's own ATC / TLB arrays (memory-bound
  // the same way): what any implementation pays for touching that much state at random
  let acc = 0;
  const bareMs = best(3, () => {
    for (let i = 0; i < N; i++) {
      const mm = rng.below(processes);
      const dev = mm % devices, page = rng.below(pagesPer);
      const atc = st.atc[dev * st.pasidCap + st.mmPasid[mm]!];
      acc += atc !== undefined ? atc[page]! : st.tlb[cfg.right.processes[mm]!.cpuAsid]![page]!;
    }
  });
  sink += acc;
  const hits = eng.counts[0]! + eng.counts[1]!;
  const all = eng.counts.slice(0, 10).reduce((a, b) => a + b, 0);
  return { devices, processes, pages: processes * pagesPer, setupSeconds, nsPerDma: (streamMs * 1e6) / N, nsPerDmaRandom: (randomMs * 1e6) / N, bareRandomNs: (bareMs * 1e6) / N, hitRate: hits / all };
}
const scaleSmall = scale(4, 16, 64);
const scaleLarge = scale(64, 1024, 1024);

// ------------------------------------------------------------------ report

const figures = {
  dmaPerSecond: Math.round(dmaPerSecond),
  adapterNsPerDma: +adapterNs.toFixed(2),
  adapterOffModeNsPerDma: +((offMs * 1e6) / OPS).toFixed(2),
  hitMix: hitCounts,
  adapterOverReducer: +(reducerNs / adapterNs).toFixed(1),
  adapterStepOverReducer: +(reducerNs / stepNs).toFixed(1),
  adapterStepNsPerDma: +stepNs.toFixed(2),
  reducerNsPerDma: +reducerNs.toFixed(1),
  baselineRatio: +(adapterNs / mapNs).toFixed(2),
  baselineMapNsPerLookup: +mapNs.toFixed(2),
  baselineArrayRatio: +(adapterNs / arrNs).toFixed(2),
  baselineArrayNsPerLookup: +arrNs.toFixed(2),
  heapBeforeMB: +(heapBefore / 2 ** 20).toFixed(2),
  heapAfterMB: +(heapAfter / 2 ** 20).toFixed(2),
  heapDeltaMB: +((heapAfter - heapBefore) / 2 ** 20).toFixed(3),
  heapOps: OPS,
  mixedOpsPerSecond: Math.round(mixedOpsPerSecond),
  mixed: mixed.map((m) => ({ ...m, seconds: +m.seconds.toFixed(3), opsPerSecond: Math.round(m.opsPerSecond) })),
  reducerStepsPerSecond: Math.round(reducerStepsPerSecond),
  adapterStepsPerSecondOnWalks: Math.round(adapterStepsPerSecond),
  walkSteps,
  scale: { small: scaleSmall, large: scaleLarge, growth: +(scaleLarge.nsPerDma / scaleSmall.nsPerDma).toFixed(2), growthRandom: +(scaleLarge.nsPerDmaRandom / scaleSmall.nsPerDmaRandom).toFixed(2), growthBareRandom: +(scaleLarge.bareRandomNs / scaleSmall.bareRandomNs).toFixed(2) },
  node: process.version,
};

log(`DMA translations, TLB/ATC-hit workload (${fmt(OPS)} ops, mode 'count'): ${fmt(dmaPerSecond)}/s, ${adapterNs.toFixed(1)} ns/op (mode 'off': ${figures.adapterOffModeNsPerDma} ns/op)`);
log(`  hits: ATC ${fmt(hitCounts.atc)}, TLB ${fmt(hitCounts.tlb)}, other ${fmt(hitCounts.other)}`);
log(`reducer on the same workload: ${reducerNs.toFixed(0)} ns/op -> adapter/reducer ${figures.adapterOverReducer}x (adapter step(event) path: ${stepNs.toFixed(1)} ns/op, ${figures.adapterStepOverReducer}x)`);
log(`bare lookup loop over the same keys: Map ${mapNs.toFixed(1)} ns/op (adapter ${figures.baselineRatio}x), typed array ${arrNs.toFixed(1)} ns/op (adapter ${figures.baselineArrayRatio}x)`);
log(`heap around ${fmt(OPS)} DMA ops (after GC): ${figures.heapBeforeMB} MB -> ${figures.heapAfterMB} MB (delta ${figures.heapDeltaMB} MB)`);
log(`mixed workloads (faults, munmaps, exits, unbind/rebind; transition invariants judged on every observation): ${fmt(mixedOpsPerSecond)} ops/s`);
for (const m of figures.mixed) log(`  ${m.name}: ${fmt(m.dmaOps)} DMA + ${fmt(m.events)} other events, ${fmt(m.faults)} faults in ${m.seconds} s = ${fmt(m.opsPerSecond)} ops/s`);
log(`reducer step() on the default configuration (random enabled-event walks, ${fmt(walkSteps)} steps): ${fmt(reducerStepsPerSecond)} steps/s (adapter: ${fmt(adapterStepsPerSecond)} steps/s)`);
for (const [k, f] of [['small', scaleSmall], ['large', scaleLarge]] as const) {
  log(`scale ${k}: ${f.devices} devices, ${fmt(f.processes)} processes, ${fmt(f.pages)} pages: ${f.nsPerDma.toFixed(1)} ns/DMA streaming, ${f.nsPerDmaRandom.toFixed(1)} ns/DMA uniformly random (bare lookup of the same random keys ${f.bareRandomNs.toFixed(1)} ns; hit rate ${(f.hitRate * 100).toFixed(1)}%, setup ${f.setupSeconds.toFixed(1)} s)`);
}
log(`scale growth large/small: ${figures.scale.growth}x streaming, ${figures.scale.growthRandom}x random (bare random lookups: ${figures.scale.growthBareRandom}x)`);
if (sink === 0.5) log('');
if (json) log(JSON.stringify(figures));
