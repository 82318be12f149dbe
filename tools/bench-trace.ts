// Benchmark of check-trace on a long valid trace (not part of npm test).
//   npx tsx tools/bench-trace.ts [--lines N] [--variant NAME] [--shared] [--out FILE] [--keep]
// Generates a trace by scripting the reducer (bind / page requests / responses / munmap / unbind
// cycles like the seed's first trace, and exit-while-faulting cycles like its second; with --shared
// two PCIe functions in one domain take turns, so the inferred run also weighs the shared-domain
// hypotheses), formats it
// as tracefs text with formatRecord (kernel-like group numbers, other tracepoints mixed in), then
// checks it twice: with an inferred configuration (two streaming passes) and with --config (one).
// Prints lines/s and the heap at 10% of the trace and at its end.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import * as E from 'fp-ts/lib/Either.js';
import { parseArgs } from 'node:util';
import { defaultOptions, type Config } from '../src/model/config.ts';
import type { Event } from '../src/model/event.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { TraceRecord } from '../src/model/observation.ts';
import { isVariantName } from '../src/model/variant.ts';
import { formatRecord } from '../src/trace/format.ts';
import { checkTrace } from '../src/trace/run.ts';
import { Transitions, type Ext, type Op } from '../src/trace/transitions.ts';

const { values } = parseArgs({ options: { lines: { type: 'string' }, variant: { type: 'string' }, shared: { type: 'boolean' }, out: { type: 'string' }, keep: { type: 'boolean' } } });
const shared = values.shared ?? false;
const target = Number(values.lines ?? 1_000_000);
const variant = values.variant ?? 'v6';
if (!isVariantName(variant)) throw new Error(`unknown variant ${variant}`);
const out = values.out ?? '/tmp/smmu-sva-bench.trace';

const config: Config = {
  name: 'bench',
  smmu: { stallModel: 'configurable', btm: true, asidBits: 8 },
  domains: [{ name: 'dom0', stage: 1 }],
  devices: [
    { name: '0000:00:03.0', bus: 'pci', ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 },
    ...(shared ? [{ name: '0000:00:04.0', bus: 'pci' as const, ats: true, pri: true, stall: false, ssidBits: 20, domain: 0 }] : []),
  ],
  processes: [{ name: 'job', pages: 4, cpuAsid: 11, vaBase: 0x0000ffff860e6000n }],
  frames: 4,
  // the seed's page requests are resolved through IOPF (the SVA development tree), whatever the variant
  options: { ...defaultOptions, remap: true, priHandling: 'iopf' },
};

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(): Promise<number> {
  const model = createModel(config, variant as never);
  const tr = new Transitions(model);
  let x: Ext = { state: initialState(config), remapped: [] };
  let key = tr.intern(x);
  const rand = rng(42);
  const ws = createWriteStream(out);
  let lines = 0;
  let buf = '';
  let ts = 1000;
  let prgi = 0;
  const concrete = new Map<number, number>(); // model group -> kernel PRGI
  const write = (s: string) => { buf += s; lines++; };
  const flush = async () => { if (!ws.write(buf)) await once(ws, 'drain'); buf = ''; };
  const emit = (r: TraceRecord) => {
    let rec = r;
    if (r.tp === 'dev_fault') { prgi = (prgi + 1 + Math.floor(rand() * 200)) % 512; concrete.set(r.group, prgi); rec = { ...r, group: prgi }; }
    if (r.tp === 'dev_page_response') { rec = { ...r, group: concrete.get(r.group)! }; concrete.delete(r.group); }
    ts += 0.000137;
    const [ev, fields] = formatRecord(config, rec).split(': ', 2) as [string, string];
    write(`${'sva-test-1234'.padStart(20)} [00${lines % 4}] d..1. ${ts.toFixed(6).padStart(12)}: ${ev}: ${fields}\n`);
    if (rand() < 0.05) write(`${'kworker/u8:2-87'.padStart(20)} [001] ..... ${ts.toFixed(6).padStart(12)}: sched_switch: prev_comm=kworker prev_pid=87 prev_prio=120 prev_state=I ==> next_comm=swapper/1 next_pid=0 next_prio=120\n`);
  };
  const run = (op: Op) => {
    const r = tr.apply(x, key, op);
    if (!r) throw new Error(`generator: refused ${JSON.stringify(op)}`);
    for (const rec of r.records) emit(rec);
    x = r.ext;
    key = r.key;
  };
  const ev = (event: Event): Op => ({ op: 'event', event });
  const dev = 0;
  const other = shared ? 1 : 0;
  write('# tracer: nop\n#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n');
  run(ev({ kind: 'enableSva', dev }));
  if (shared) run(ev({ kind: 'enableSva', dev: other }));
  while (lines < target) {
    run({ op: 'recycle', slot: 0 });
    run(ev({ kind: 'bind', dev, mm: 0, fail: 'none' }));
    if (shared) run(ev({ kind: 'bind', dev: other, mm: 0, fail: 'none' }));
    const pasid = x.state.mms[0]!.pasid;
    if (rand() < 0.8) {
      // the seed's first trace: page requests on an 8 kB (or larger) buffer, munmap, unbind
      const pages = 2 + Math.floor(rand() * 3);
      for (let p = 0; p < pages && p < 4; p++) {
        const d = p % 2 === 0 ? dev : other;
        run(ev({ kind: 'dma', dev: d, pasid, page: p, write: true }));
        run(ev({ kind: 'iopfHandle', dev: d, group: 0, frame: p }));
        run(ev({ kind: 'iopfRespond', dev: d, group: 0 }));
      }
      run(ev({ kind: 'munmap', mm: 0, start: 0, end: 2 }));
      run(ev({ kind: 'munmap', mm: 0, start: 2, end: 4 }));
    } else {
      // the seed's second trace: the process exits while its page request is being handled
      run(ev({ kind: 'dma', dev, pasid, page: 0, write: true }));
      run(ev({ kind: 'iopfHandle', dev, group: 0, frame: 0 }));
      run(ev({ kind: 'exit', mm: 0 }));
      run(ev({ kind: 'iopfRespond', dev, group: 0 }));
      run(ev({ kind: 'dma', dev, pasid, page: 0, write: true }));
      run(ev({ kind: 'iopfHandle', dev, group: 0, frame: -1 }));
      run(ev({ kind: 'iopfRespond', dev, group: 0 }));
    }
    if (shared) run(ev({ kind: 'unbind', dev: other, mm: 0 }));
    run(ev({ kind: 'unbind', dev, mm: 0 }));
    if (buf.length > 1 << 16) await flush();
  }
  await flush();
  ws.end();
  await once(ws, 'finish');
  return lines;
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / (1 << 20);
}

async function measure(label: string, withConfig: boolean, total: number): Promise<void> {
  const marks: string[] = [];
  const tenth = Math.max(1, Math.floor(total / 10 / 1000) * 1000);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await checkTrace({
    file: out, variant: variant as never, config: withConfig ? config : undefined, strict: false, pageSize: 4096n,
    progressEvery: tenth, onProgress: (line) => { if (line === tenth) marks.push(`heap at line ${line}: ${heapMiB().toFixed(1)} MiB`); },
  });
  const secs = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  if (r.tag !== 'checked' || !r.verdict) throw new Error(`bench: ${JSON.stringify(r)}`);
  marks.push(`heap at end (line ${r.lines}): ${heapMiB().toFixed(1)} MiB`);
  process.stdout.write(`${label}: ${r.verdict.accepted ? 'accepted' : `REJECTED at ${r.verdict.firstUnexplainedLine}: ${r.verdict.reason}`}, ${r.lines} lines in ${secs.toFixed(2)} s wall = ${Math.round(r.lines / secs)} lines/s (${cpu.toFixed(2)} s CPU = ${Math.round(r.lines / cpu)} lines per CPU-second); max states ${r.verdict.maxStatesSeen}\n  ${marks.join('\n  ')}\n`);
}

const t0 = performance.now();
const total = await generate();
process.stdout.write(`generated ${total} lines (${variant}) into ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s${(globalThis as { gc?: unknown }).gc ? '' : ' (run with node --expose-gc for settled heap figures)'}\n`);
await measure('inferred config (2 passes)', false, total);
await measure('--config (1 pass)', true, total);
if (!values.keep) await rm(out, { force: true });
void E;
