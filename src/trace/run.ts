// Checking a trace file end to end: streaming passes over the file (a first one to infer the
// configuration when none is given), parsing, and the checker. Standard input ("-") is spooled to
// a temporary file when two passes are needed. Memory does not depend on the number of lines.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../model/config.ts';
import { createModel } from '../model/model.ts';
import type { VariantName } from '../model/variant.ts';
import { linearMap, type AddressMap } from './addressMap.ts';
import { defaultCheckerOptions, TraceChecker, type CheckerOptions, type Verdict } from './check.ts';
import { Inference } from './infer.ts';
import { readLines } from './lines.ts';
import { maxLineLength, parseLine, type ConcreteRecord } from './parse.ts';

export interface CheckRequest {
  /** A file name, or "-" for standard input. */
  readonly file: string;
  readonly variant: VariantName;
  /** A configuration; undefined to infer one from the trace. */
  readonly config?: Config;
  readonly strict: boolean;
  readonly pageSize: bigint;
  readonly checker?: Partial<CheckerOptions>;
  /** Where "-" reads from (tests pass a stream). */
  readonly stdin?: NodeJS.ReadableStream;
  /** Called every `progressEvery` lines (benchmarks). */
  readonly onProgress?: (line: number) => void;
  readonly progressEvery?: number;
}

export interface Malformed { readonly line: number; readonly field: string; readonly message: string }

export type CheckOutcome =
  | { readonly tag: 'ioError'; readonly message: string }
  | {
      readonly tag: 'checked';
      /** Shown to the user as the file name ("<stdin>" for "-"). */
      readonly name: string;
      readonly lines: number;
      readonly records: number;
      readonly skipped: number;
      readonly malformed: Malformed | null;
      readonly verdict: Verdict | null;
      readonly config: Config;
      readonly inferenceNotes: readonly string[];
    };

type Scan = { lines: number; records: number; skipped: number; malformed: Malformed | null };

async function scan(
  source: AsyncIterable<Buffer | string>, strict: boolean,
  onRecord: (line: number, r: ConcreteRecord, text: string) => boolean,
  onProgress?: (line: number) => void, every = 0,
): Promise<Scan> {
  let lines = 0;
  let records = 0;
  let skipped = 0;
  let malformed: Malformed | null = null;
  let checking = true;
  for await (const l of readLines(source, maxLineLength)) {
    lines = l.no;
    if (every > 0 && onProgress && l.no % every === 0) onProgress(l.no);
    if (malformed) continue; // keep counting lines only
    if (l.tooLong) { malformed = { line: l.no, field: '(line)', message: `line longer than ${maxLineLength} characters` }; continue; }
    const p = parseLine(l.text);
    switch (p.tag) {
      case 'skip': break;
      case 'other':
        if (strict) malformed = { line: l.no, field: p.event, message: `tracepoint ${p.event} is not one the checker knows (--strict)` };
        else skipped++;
        break;
      case 'error': malformed = { line: l.no, field: p.field, message: p.message }; break;
      case 'record':
        records++;
        if (checking) checking = onRecord(l.no, p.record, l.text);
        break;
    }
  }
  return { lines, records, skipped, malformed };
}

function open(file: string): AsyncIterable<Buffer> {
  return createReadStream(file, { highWaterMark: 1 << 16 });
}

export async function checkTrace(req: CheckRequest): Promise<CheckOutcome> {
  const name = req.file === '-' ? '<stdin>' : req.file;
  let path = req.file;
  let tmp: string | null = null;
  try {
    if (req.file === '-' && !req.config) {
      // two passes over standard input: spool it (constant memory)
      tmp = await mkdtemp(join(tmpdir(), 'smmu-sva-trace-'));
      path = join(tmp, 'stdin.trace');
      await pipeline(req.stdin ?? process.stdin, createWriteStream(path));
    }
    const source = (): AsyncIterable<Buffer | string> =>
      (req.file === '-' && req.config ? ((req.stdin ?? process.stdin) as AsyncIterable<Buffer>) : open(path));

    let config: Config;
    let addresses: AddressMap;
    let notes: readonly string[] = [];
    if (req.config) {
      config = req.config;
      addresses = linearMap(config.processes, req.pageSize);
    } else {
      const inf = new Inference(req.pageSize);
      const first = await scan(source(), req.strict, (_l, r) => { inf.feed(r); return true; });
      if (first.malformed) {
        return { tag: 'checked', name, lines: first.lines, records: first.records, skipped: first.skipped, malformed: first.malformed, verdict: null, config: inf.result().config, inferenceNotes: [] };
      }
      const r = inf.result();
      config = r.config;
      addresses = r.addresses;
      notes = r.notes;
    }
    // TRACE-DOMAIN-SHARE only for an inferred configuration: a given one says which domain each device is in
    const checker = new TraceChecker(createModel(config, req.variant), addresses, { ...defaultCheckerOptions, shareDomains: !req.config, ...req.checker });
    const s = await scan(source(), req.strict, (line, r, text) => checker.feed(line, r, text), req.onProgress, req.progressEvery ?? 0);
    const verdict = s.malformed ? null : checker.finish();
    return { tag: 'checked', name, lines: s.lines, records: s.records, skipped: s.skipped, malformed: s.malformed, verdict, config, inferenceNotes: notes };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { tag: 'ioError', message: `${name}: cannot read (${code ?? (err as Error).message})` };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
