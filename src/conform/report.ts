// The conformance report as text (events and observations described as in the rest of the CLI)
// and as JSON (events and observations in their protocol encoding).
import { match } from 'ts-pattern';
import { eventCodec, observationCodec } from '../codecs/event.ts';
import type { Config } from '../model/config.ts';
import { describeEvent, describeObservation } from '../trace/describe.ts';
import type { Actual } from './compare.ts';
import type { Failure } from './failure.ts';
import type { Expected } from './oracle.ts';
import type { ConformReport } from './runner.ts';
import type { Misbehaviour } from './session.ts';
import type { OutcomeCounts } from './coverage.ts';
import { eventKinds } from '../model/event.ts';

const rate = (n: number, s: number) => (s > 0 ? Math.round(n / s) : 0);

function tail(s: string, lines = 8): string[] {
  return s.split('\n').filter((l) => l.trim() !== '').slice(-lines);
}

function clip(s: string, n = 200): string {
  return s.length > n ? `${JSON.stringify(s.slice(0, n)).slice(0, -1)}..." (${s.length} bytes)` : JSON.stringify(s);
}

export function describeMisbehaviour(b: Misbehaviour): string {
  return match(b)
    .with({ kind: 'crash' }, (x) => `CRASH: the process ${x.signal ? `was killed by ${x.signal}` : `exited with code ${x.code}`}`)
    .with({ kind: 'hang' }, (x) => `HANG: no reply within ${x.timeoutMs} ms`)
    .with({ kind: 'garbage' }, (x) => `GARBAGE: ${x.why}`)
    .with({ kind: 'protocol' }, (x) => `PROTOCOL: ${x.why}`)
    .exhaustive();
}

function answerLines(c: Config, a: Expected | Actual): string[] {
  if (a.tag === 'refused') return [`refused: ${a.error}${a.detail ? ` (${a.detail})` : ''}`];
  const obs = a.observations.length ? a.observations.map((o) => describeObservation(c, o)) : ['(no observations)'];
  return a.digest !== undefined ? [...obs, `digest ${a.digest}`] : obs;
}

function title(f: Failure): string {
  return match(f)
    .with({ kind: 'divergence' }, (x) => `DIVERGENCE: ${x.reason}`)
    .with({ kind: 'misbehaviour' }, (x) => describeMisbehaviour(x.bad))
    .with({ kind: 'refused' }, (x) => `REFUSED: the implementation answered {"ok": false} to ${x.where.request}: ${x.error}`)
    .exhaustive();
}

export function formatFailure(f: Failure): string[] {
  const w = f.where;
  const c = w.config;
  const out = [title(f)];
  const origin = w.phase === 'vectors'
    ? `in vector ${w.vector?.id ?? '?'}${w.vector ? ` (${w.vector.file}:${w.vector.line})` : ''}${w.inPath ? ', while replaying its path' : ''}`
    : 'in a random sequence (shrunk)';
  out.push(`  ${origin}; configuration ${c.name}, variant ${w.variant}`);
  const n = w.events.length;
  if (w.request === 'step') {
    out.push(`  sequence of ${n} event${n === 1 ? '' : 's'} from the initial state (reset):`);
    w.events.forEach((e, i) => out.push(`    ${String(i + 1).padStart(2)}. ${describeEvent(c, e)}${i === n - 1 ? '   <-- here' : ''}`));
  } else {
    out.push(`  on the ${w.request} request${n ? ` (after ${n} event${n === 1 ? '' : 's'}: ${w.events.map((e) => describeEvent(c, e)).join('; ')})` : ''}`);
  }
  if (f.kind === 'divergence') {
    out.push('  expected (reference model):', ...answerLines(c, f.expected).map((l) => `    ${l}`));
    out.push('  actual (implementation):', ...answerLines(c, f.actual).map((l) => `    ${l}`));
  }
  if (f.kind === 'misbehaviour') {
    const b = f.bad;
    if (b.kind === 'garbage' || b.kind === 'protocol') out.push(`  line: ${clip(b.line)}`);
    const err = 'stderr' in b ? tail(b.stderr) : [];
    if (err.length) out.push('  stderr (last lines):', ...err.map((l) => `    ${l}`));
  }
  return out;
}

/** The random phase's coverage: per event kind, the steps of each outcome. */
export function formatCoverage(c: OutcomeCounts): string[] {
  const kinds = Object.keys(c);
  let pairs = 0, refused = 0;
  for (const b of Object.values(c)) for (const o of Object.keys(b)) { pairs++; if (o.startsWith('refused')) refused++; }
  const out = [`coverage: ${kinds.length} of ${eventKinds.length} event kinds, ${pairs} (kind, outcome) pairs, ${refused} of them refusals (tag and reason)`];
  for (const k of kinds) out.push(`  ${k}: ${Object.entries(c[k]!).map(([o, n]) => `${o} ${n}`).join('; ')}`);
  return out;
}

export function formatText(r: ConformReport): string[] {
  const out = [`conform: ${r.command}`];
  if (r.vectors) {
    const v = r.vectors;
    const s = v.stats;
    out.push(`vectors: ${v.vectors} from ${v.files} file${v.files === 1 ? '' : 's'} in ${v.groups} group${v.groups === 1 ? '' : 's'}, ${v.seconds.toFixed(2)} s (${rate(v.vectors, v.seconds)} vectors/s); ${s.steps} steps, ${s.resets} resets, ${s.saves} saves, ${s.restores} restores${v.snapshots ? '' : ' (no snapshots)'}`);
    for (const u of v.unsupported) out.push(`  skipped ${u.vectors} vectors of ${u.config}/${u.variant}: the implementation refused the reset (${u.error})`);
  }
  if (r.random) {
    const x = r.random;
    const pairs = x.targets.length === 1 ? `${x.config}/${x.variant}` : `${x.targets.length} (configuration, variant) pairs`;
    const how = x.runs !== undefined ? `${x.runs} runs per pair` : `a ${x.budgetSeconds} s budget`;
    out.push(`random: ${x.sequences} sequences on ${pairs} (${how}, up to ${x.maxLength} events, seed ${x.seed}), ${x.steps} steps, ${x.seconds.toFixed(2)} s (${rate(x.sequences, x.seconds)} sequences/s)${x.failure ? `; fast-check shrank to ${x.fcLength} events in ${x.shrinks} steps${x.shrinkCut ? ' (cut short)' : ''}, event removal to ${x.failure.where.events.length}` : ''}`);
    for (const u of x.unsupported) out.push(`  skipped ${u.config}/${u.variant}: the implementation refused the reset (${u.error})`);
    out.push(...formatCoverage(x.coverage));
  }
  if (r.failure) out.push(...formatFailure(r.failure));
  out.push(r.conformant ? 'CONFORMANT' : r.failure ? 'NOT CONFORMANT' : 'NOTHING CHECKED');
  return out;
}

function answerJson(a: Expected | Actual): unknown {
  return a.tag === 'refused'
    ? { error: a.error, ...(a.detail ? { detail: a.detail } : {}) }
    : { observations: a.observations.map((o) => observationCodec.encode(o)), ...(a.digest !== undefined ? { digest: a.digest } : {}) };
}

export function failureJson(f: Failure): unknown {
  const w = f.where;
  const c = w.config;
  const base = {
    kind: f.kind,
    phase: w.phase,
    config: c.name,
    variant: w.variant,
    request: w.request,
    ...(w.vector ? { vector: w.vector } : {}),
    ...(w.inPath ? { inPath: true } : {}),
    length: w.events.length,
    events: w.events.map((e) => eventCodec.encode(e)),
    described: w.events.map((e) => describeEvent(c, e)),
  };
  return match(f)
    .with({ kind: 'divergence' }, (x) => ({ ...base, reason: x.reason, expected: answerJson(x.expected), actual: answerJson(x.actual) }))
    .with({ kind: 'misbehaviour' }, (x) => ({ ...base, misbehaviour: x.bad.kind, message: describeMisbehaviour(x.bad), ...x.bad, ...('stderr' in x.bad ? { stderr: tail(x.bad.stderr).join('\n') } : {}) }))
    .with({ kind: 'refused' }, (x) => ({ ...base, error: x.error }))
    .exhaustive();
}

export function reportJson(r: ConformReport): unknown {
  return {
    conformant: r.conformant,
    command: r.command,
    vectors: r.vectors ? { ...r.vectors, vectorsPerSecond: rate(r.vectors.vectors, r.vectors.seconds) } : null,
    random: r.random ? (({ failure: _f, ...x }) => ({ ...x, sequencesPerSecond: rate(x.sequences, x.seconds) }))(r.random) : null,
    failure: r.failure ? failureJson(r.failure) : null,
  };
}
