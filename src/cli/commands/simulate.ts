// smmu-sva simulate [--workload FILE | --preset NAME] [--variant NAME] [--trace FILE] [--json]
//                   [--check-every N] [--seed N] [--print-workload]
// Run a DMA workload on the fast adapter and print its totals; --trace writes the trace records
// in ftrace text format (a tracefs-like header, then "task-pid [cpu] flags timestamp: event").
import * as E from 'fp-ts/lib/Either.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { formatRecord } from '../../trace/format.ts';
import { decodeWorkload, loadWorkloadFile, type Workload } from '../../codecs/workload.ts';
import { presetNames, presets } from '../../workload/presets.ts';
import { runWorkload, type RunReport } from '../../workload/driver.ts';
import { flagsOrExit, intFlag, synopsis, usageError, type CommandSpec } from '../args.ts';
import { variantFromFlag } from '../configArg.ts';

export const spec: CommandSpec = {
  name: 'simulate',
  summary: 'run a DMA workload on the fast adapter and print its totals',
  about: [
    'Run a DMA workload on the fast adapter (src/adapter/) and print its totals. Give --workload FILE or',
    '--preset NAME, not both (default: --preset pri-stream). Presets:',
    `  ${presetNames.join(', ')}`,
    'Exit 0; 1 when an invariant is violated; 2: bad input.',
  ],
  flags: {
    workload: { type: 'string', value: 'FILE', help: 'workload JSON (--print-workload shows the format)' },
    preset: { type: 'string', value: 'NAME', help: 'a built-in workload' },
    variant: { type: 'string', value: 'NAME', help: "driver variant (default: the workload's)" },
    trace: { type: 'string', value: 'FILE', help: 'write the trace records there as ftrace text' },
    json: { type: 'boolean', help: 'one JSON object with the totals' },
    'check-every': { type: 'string', value: 'N', help: "state invariants every N ticks (default: the workload's)" },
    seed: { type: 'string', value: 'N', help: "random seed (default: the workload's)" },
    'print-workload': { type: 'boolean', help: "print the preset's workload JSON and exit" },
  },
};
const usage = synopsis(spec);

/** Buffered line writer for the trace file. */
class LineWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf.length) writeSync(this.fd, `${this.buf.join('\n')}\n`);
    this.buf = [];
    this.size = 0;
  }
}

function progressBar(): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const full = Math.round(frac * width);
    process.stderr.write(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ticks`);
    if (done >= total) process.stderr.write('\n');
  };
}

function table(title: string, rows: Record<string, number>): string[] {
  const entries = Object.entries(rows);
  if (entries.length === 0) return [`${title}: none`];
  const w = Math.max(...entries.map(([k]) => k.length));
  return [`${title}:`, ...entries.map(([k, v]) => `  ${k.padEnd(w)}  ${v.toLocaleString('en-US')}`)];
}

function text(r: RunReport): string {
  const c = r.counters;
  const dmaResults = Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('dma.')).map(([k, v]) => [k.slice(4), v]));
  const trace = Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('trace.')).map(([k, v]) => [k.slice(6), v]));
  const lines = [
    `workload ${r.workload} (variant ${r.variant}) on ${r.config.name}: ${r.config.devices} devices, ${r.config.processes} processes, ${r.config.pages.toLocaleString('en-US')} pages, ${r.config.frames.toLocaleString('en-US')} frames`,
    `ticks ${r.ticks.toLocaleString('en-US')}, DMA ops ${r.dmaOps.toLocaleString('en-US')}, other events ${r.events.toLocaleString('en-US')}`,
    ...table('DMA results', dmaResults),
    `faults: ${r.faults.pri.toLocaleString('en-US')} page requests (PRI), ${r.faults.stall.toLocaleString('en-US')} stalls, ${r.faults.handled.toLocaleString('en-US')} handled, ${r.faults.outOfMemory} out of memory`,
    `page responses: success ${r.pageResponses.success.toLocaleString('en-US')}, invalid ${r.pageResponses.invalid.toLocaleString('en-US')}, failure ${r.pageResponses.failure.toLocaleString('en-US')}`,
    ...table('commands', r.commands),
    ...table('hardware events', r.hwEvents),
    ...table('trace records', trace),
    `refused events: ${r.refused.count}`,
    ...r.refused.first.map((m) => `  ${m}`),
    `invariant checks: state invariants ${r.invariantChecks.stateChecks} times (toState), transition invariants on ${r.invariantChecks.observationsJudged.toLocaleString('en-US')} observations`,
    ...table('invariant violations', r.violations),
    ...r.examples.map((e) => `  tick ${e.tick}: ${e.invariant}: ${e.detail}`),
  ];
  return `${lines.join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const flags = flagsOrExit(spec, argv, [usage]);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  if (v.workload !== undefined && v.preset !== undefined) return usageError(['smmu-sva simulate: give --workload FILE or --preset NAME, not both', usage]);
  let decoded: E.Either<string[], Workload>;
  let raw: unknown;
  if (typeof v.workload === 'string') {
    decoded = loadWorkloadFile(v.workload);
  } else {
    const name = typeof v.preset === 'string' ? v.preset : 'pri-stream';
    const p = presets.find((x) => x.name === name);
    if (!p) return usageError(`smmu-sva simulate: unknown preset "${name}": expected one of ${presetNames.join(', ')}`);
    raw = p.workload;
    decoded = decodeWorkload(p.workload, `preset ${name}`);
  }
  if (E.isLeft(decoded)) return usageError(decoded.left.map((m) => `smmu-sva simulate: ${m}`));
  let w = decoded.right;
  if (v['print-workload']) {
    if (raw === undefined) return usageError('smmu-sva simulate: --print-workload prints a preset (with --preset NAME)');
    process.stdout.write(`${JSON.stringify(raw, null, 2)}\n`);
    return 0;
  }
  if (v.variant !== undefined) {
    const variant = variantFromFlag(v.variant, w.variant);
    if (E.isLeft(variant)) return usageError(`smmu-sva simulate: ${variant.left}`);
    w = { ...w, variant: variant.right };
  }
  const seed = intFlag('simulate', 'seed', v.seed, w.seed);
  if (E.isLeft(seed)) return usageError(seed.left);
  const checkEvery = intFlag('simulate', 'check-every', v['check-every'], w.checkEvery);
  if (E.isLeft(checkEvery)) return usageError(checkEvery.left);
  w = { ...w, seed: seed.right };

  let writer: LineWriter | undefined;
  let fd = -1;
  if (v.trace !== undefined) {
    if (typeof v.trace !== 'string' || v.trace === '') return usageError('smmu-sva simulate: --trace expects a file name');
    try { fd = openSync(v.trace, 'w'); } catch (err) { return usageError(`smmu-sva simulate: ${v.trace}: cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'})`); }
    writer = new LineWriter(fd);
    writer.line('# tracer: nop');
    writer.line('#');
    writer.line(`# smmu-sva simulate: workload ${w.name}, variant ${w.variant}, configuration ${w.config.name}, seed ${w.seed}`);
    writer.line('#');
    writer.line('#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION');
    writer.line('#              | |         |   |||||     |         |');
  }
  const config = w.config;
  const onTrace = writer
    ? (o: { record: Parameters<typeof formatRecord>[1] }, tick: number) => {
      const ts = `${Math.floor(tick / 1e6)}.${String(tick % 1e6).padStart(6, '0')}`;
      writer!.line(`       smmu-sva-1     [000] .....  ${ts}: ${formatRecord(config, o.record)}`);
    }
    : undefined;
  const report = runWorkload(w, {
    checkEvery: checkEvery.right,
    ...(onTrace ? { onTrace } : {}),
    ...(process.stderr.isTTY ? { onProgress: progressBar() } : {}),
  });
  if (writer) { writer.flush(); closeSync(fd); }
  const { seconds, ...deterministic } = report;
  if (v.json) process.stdout.write(`${JSON.stringify(deterministic)}\n`);
  else process.stdout.write(text(report));
  if (process.stderr.isTTY) process.stderr.write(`${report.ticks.toLocaleString('en-US')} ticks in ${seconds.toFixed(2)} s (${Math.round(report.dmaOps / Math.max(seconds, 1e-9)).toLocaleString('en-US')} DMA ops/s)\n`);
  return Object.keys(report.violations).length > 0 ? 1 : 0;
}
