// The workload file format (spec/workload.md): a configuration, a variant, a seed and a program
// of phases. Decoded with io-ts; every error names its JSON path; nothing throws. Names of
// devices, processes and domains are resolved to indices here, so the driver works on numbers.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeConfig, loadConfigFile } from './config.ts';
import { jsonPath, formatValue, parseJson } from './decode.ts';
import { configCodec } from './config.ts';
import type { Config } from '../model/config.ts';
import { variantNames, type VariantName } from '../model/variant.ts';
import { syntheticConfig, syntheticCodec } from './synthetic.ts';

/**
 * A one-key object whose key picks the member codec ({"munmap": {...}}, {"stream": {...}}):
 * anything else fails with one message naming the choices, and errors inside a member keep
 * their full path (an io-ts union would report every member's complaint instead).
 */
function oneKey<P extends t.Props>(name: string, members: P): t.Type<{ [K in keyof P]: { [k in K]: t.TypeOf<P[K]> } }[keyof P], unknown, unknown> {
  const codecs = Object.fromEntries(Object.entries(members).map(([k, c]) => [k, t.exact(t.type({ [k]: c }))]));
  type A = { [K in keyof P]: { [k in K]: t.TypeOf<P[K]> } }[keyof P];
  return new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => false,
    (u, c) => {
      const keys = typeof u === 'object' && u !== null && !Array.isArray(u) ? Object.keys(u) : [];
      const codec = keys.length === 1 ? codecs[keys[0]!] : undefined;
      return codec ? (codec.validate(u, c) as t.Validation<A>) : t.failure(u, c, name);
    },
    t.identity,
  );
}

function decodeAt<A>(codec: t.Decoder<unknown, A>, input: unknown, prefix: string, root = '$'): E.Either<string[], A> {
  const r = codec.decode(input);
  if (E.isRight(r)) return E.right(r.right);
  const lines = new Set<string>();
  for (const e of r.left) {
    const leaf = e.context[e.context.length - 1];
    lines.add(`${prefix}${root}${jsonPath(e.context).slice(1)}: expected ${e.message ?? leaf?.type.name ?? 'a valid value'}, got ${formatValue(e.value)}`);
  }
  return E.left([...lines].slice(0, 10));
}

const nat = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
const fraction = t.refinement(t.number, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');
const ref = t.union([t.string, nat], 'a name or an index');
const refs = t.union([t.literal('all'), t.array(ref)], '"all" or a list of names or indices');
const pattern = t.keyof({ sequential: null, random: null }, '"sequential" or "random"');
const variant = t.keyof(Object.fromEntries(variantNames.map((v) => [v, null])) as Record<VariantName, null>, `one of ${variantNames.join(', ')}`);

const pair = t.exact(t.type({ device: ref, process: ref }));
const pairs = t.union([
  t.array(pair),
  t.exact(t.intersection([
    t.type({ devices: refs, processes: refs }),
    t.partial({ mode: t.keyof({ all: null, roundRobin: null }, '"all" or "roundRobin"') }),
  ])),
], 'a list of {device, process} or {devices, processes, mode}');
const range = t.partial({ start: nat, end: nat });

const job = t.exact(t.intersection([
  t.type({ device: ref, process: ref }),
  t.partial({ start: nat, end: nat, pattern, writes: fraction }),
]));

const action = oneKey('an action: {"munmap": ...}, {"exit": ...}, {"unbind": ...}, {"bind": ...} or {"touch": ...}', {
  munmap: t.exact(t.intersection([t.type({ process: ref, start: nat, end: nat }), t.partial({ remap: t.boolean })])),
  exit: t.exact(t.intersection([t.type({ process: ref }), t.partial({ unbindAfter: nat })])),
  unbind: t.exact(t.intersection([t.type({ device: ref, process: ref }), t.partial({ rebindAfter: nat })])),
  bind: pair,
  touch: t.exact(t.intersection([t.type({ process: ref }), range])),
});

const stream = t.exact(t.intersection([
  t.type({ ops: nat }),
  t.partial({
    jobs: t.union([t.literal('bonds'), t.array(job)], '"bonds" or a list of jobs'),
    pattern,
    writes: fraction,
    at: t.array(t.exact(t.intersection([t.type({ op: nat }), t.type({ action })]))),
  }),
]));

const phase = oneKey('a phase: {"enableSva": ...}, {"disableSva": ...}, {"bind": ...}, {"unbind": ...}, {"touch": ...}, {"stream": ...}, {"exit": ...}, {"domainFree": ...} or {"drain": {}}', {
  enableSva: refs,
  disableSva: refs,
  bind: pairs,
  unbind: pairs,
  touch: t.exact(t.intersection([t.type({ processes: refs }), range])),
  stream,
  exit: refs,
  domainFree: refs,
  drain: t.type({}),
});

export const workloadCodec = t.exact(t.intersection([
  t.type({
    name: t.string,
    config: t.union([t.string, t.UnknownRecord], 'a file name, {"synthetic": {...}} or a configuration object'),
    phases: t.array(phase),
  }),
  t.partial({
    description: t.string,
    variant,
    seed: nat,
    /** Ticks between a fault and the IOPF handler working on it. */
    faultDelay: nat,
    /** Ticks between the handler's work and its page response / CMD_RESUME. */
    respondDelay: nat,
    /** Ticks between a notifier put and its SRCU free callback. */
    rcuDelay: nat,
    /** State invariants every N ticks (0: only after each phase and at the end). */
    checkEvery: nat,
  }),
]));

export type WorkloadJson = t.TypeOf<typeof workloadCodec>;

// ------------------------------------------------------------------ resolved form

export interface Job {
  readonly dev: number;
  readonly mm: number;
  readonly start: number;
  readonly end: number;
  readonly pattern: 'sequential' | 'random';
  readonly writes: number;
}

export type Action =
  | { readonly kind: 'munmap'; readonly mm: number; readonly start: number; readonly end: number; readonly remap: boolean }
  | { readonly kind: 'exit'; readonly mm: number; readonly unbindAfter: number | undefined }
  | { readonly kind: 'unbind'; readonly dev: number; readonly mm: number; readonly rebindAfter: number | undefined }
  | { readonly kind: 'bind'; readonly dev: number; readonly mm: number }
  | { readonly kind: 'touch'; readonly mm: number; readonly start: number; readonly end: number };

export type Phase =
  | { readonly kind: 'enableSva' | 'disableSva'; readonly devs: readonly number[] }
  | { readonly kind: 'bind' | 'unbind'; readonly pairs: readonly (readonly [number, number])[] }
  | { readonly kind: 'touch'; readonly mms: readonly number[]; readonly start: number | undefined; readonly end: number | undefined }
  | { readonly kind: 'stream'; readonly ops: number; readonly jobs: 'bonds' | readonly Job[]; readonly pattern: 'sequential' | 'random'; readonly writes: number; readonly at: readonly { readonly op: number; readonly action: Action }[] }
  | { readonly kind: 'exit'; readonly mms: readonly number[] }
  | { readonly kind: 'domainFree'; readonly domains: readonly number[] }
  | { readonly kind: 'drain' };

export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly config: Config;
  readonly variant: VariantName;
  readonly seed: number;
  readonly faultDelay: number;
  readonly respondDelay: number;
  readonly rcuDelay: number;
  readonly checkEvery: number;
  readonly phases: readonly Phase[];
}

type Ref = string | number;

/** Resolves names against one configuration, collecting path-named errors. */
class Resolver {
  readonly errors: string[] = [];
  constructor(private readonly c: Config, private readonly prefix: string) {}

  private one(path: string, r: Ref, names: readonly string[], what: string): number {
    const i = typeof r === 'number' ? (r < names.length ? r : -1) : names.indexOf(r);
    if (i < 0) this.errors.push(`${this.prefix}${path}: expected a ${what} name or index (${names.length} configured), got ${formatValue(r)}`);
    return Math.max(i, 0);
  }
  dev(path: string, r: Ref): number { return this.one(path, r, this.c.devices.map((d) => d.name), 'device'); }
  mm(path: string, r: Ref): number { return this.one(path, r, this.c.processes.map((p) => p.name), 'process'); }
  domain(path: string, r: Ref): number { return this.one(path, r, this.c.domains.map((d) => d.name), 'domain'); }
  many(path: string, rs: 'all' | readonly Ref[], n: number, f: (path: string, r: Ref) => number): number[] {
    if (rs === 'all') return Array.from({ length: n }, (_, i) => i);
    return rs.map((r, i) => f(`${path}[${i}]`, r));
  }
  pages(path: string, mm: number, start: number | undefined, end: number | undefined): [number, number] {
    const n = this.c.processes[mm]?.pages ?? 0;
    const s = start ?? 0, e = end ?? n;
    if (e > n) this.errors.push(`${this.prefix}${path}.end: expected at most ${n} (pages of process ${this.c.processes[mm]?.name}), got ${e}`);
    if (s >= e) this.errors.push(`${this.prefix}${path}: expected start < end, got start ${s}, end ${e}`);
    return [s, e];
  }
  fail(msg: string): void { this.errors.push(this.prefix + msg); }
}

function resolvePairs(r: Resolver, c: Config, path: string, p: t.TypeOf<typeof pairs>): [number, number][] {
  if (Array.isArray(p)) return p.map((x, i) => [r.dev(`${path}[${i}].device`, x.device), r.mm(`${path}[${i}].process`, x.process)]);
  const spec = p as { devices: 'all' | Ref[]; processes: 'all' | Ref[]; mode?: 'all' | 'roundRobin' };
  const devs = r.many(`${path}.devices`, spec.devices, c.devices.length, (q, x) => r.dev(q, x));
  const mms = r.many(`${path}.processes`, spec.processes, c.processes.length, (q, x) => r.mm(q, x));
  if (spec.mode === 'roundRobin') {
    if (devs.length === 0) return [];
    return mms.map((mm, i) => [devs[i % devs.length]!, mm]);
  }
  return devs.flatMap((d) => mms.map((mm): [number, number] => [d, mm]));
}

function resolveAction(r: Resolver, path: string, a: t.TypeOf<typeof action>): Action {
  if ('munmap' in a) {
    const mm = r.mm(`${path}.munmap.process`, a.munmap.process);
    const [start, end] = r.pages(`${path}.munmap`, mm, a.munmap.start, a.munmap.end);
    return { kind: 'munmap', mm, start, end, remap: a.munmap.remap ?? true };
  }
  if ('exit' in a) return { kind: 'exit', mm: r.mm(`${path}.exit.process`, a.exit.process), unbindAfter: a.exit.unbindAfter };
  if ('unbind' in a) return { kind: 'unbind', dev: r.dev(`${path}.unbind.device`, a.unbind.device), mm: r.mm(`${path}.unbind.process`, a.unbind.process), rebindAfter: a.unbind.rebindAfter };
  if ('bind' in a) return { kind: 'bind', dev: r.dev(`${path}.bind.device`, a.bind.device), mm: r.mm(`${path}.bind.process`, a.bind.process) };
  const mm = r.mm(`${path}.touch.process`, a.touch.process);
  const [start, end] = r.pages(`${path}.touch`, mm, a.touch.start, a.touch.end);
  return { kind: 'touch', mm, start, end };
}

function resolvePhase(r: Resolver, c: Config, path: string, p: t.TypeOf<typeof phase>): Phase {
  const devs = (q: string, rs: 'all' | Ref[]) => r.many(q, rs, c.devices.length, (x, y) => r.dev(x, y));
  const mms = (q: string, rs: 'all' | Ref[]) => r.many(q, rs, c.processes.length, (x, y) => r.mm(x, y));
  if ('enableSva' in p) return { kind: 'enableSva', devs: devs(`${path}.enableSva`, p.enableSva) };
  if ('disableSva' in p) return { kind: 'disableSva', devs: devs(`${path}.disableSva`, p.disableSva) };
  if ('bind' in p) return { kind: 'bind', pairs: resolvePairs(r, c, `${path}.bind`, p.bind) };
  if ('unbind' in p) return { kind: 'unbind', pairs: resolvePairs(r, c, `${path}.unbind`, p.unbind) };
  if ('touch' in p) {
    const list = mms(`${path}.touch.processes`, p.touch.processes);
    for (const mm of list) r.pages(`${path}.touch`, mm, p.touch.start, p.touch.end);
    return { kind: 'touch', mms: list, start: p.touch.start, end: p.touch.end };
  }
  if ('exit' in p) return { kind: 'exit', mms: mms(`${path}.exit`, p.exit) };
  if ('domainFree' in p) return { kind: 'domainFree', domains: r.many(`${path}.domainFree`, p.domainFree, c.domains.length, (x, y) => r.domain(x, y)) };
  if ('drain' in p) return { kind: 'drain' };
  const s = p.stream;
  const patternDefault = s.pattern ?? 'sequential';
  const writesDefault = s.writes ?? 0.5;
  const jobs: 'bonds' | Job[] = s.jobs === undefined || s.jobs === 'bonds' ? 'bonds' : s.jobs.map((j, i) => {
    const q = `${path}.stream.jobs[${i}]`;
    const dev = r.dev(`${q}.device`, j.device), mm = r.mm(`${q}.process`, j.process);
    const [start, end] = r.pages(q, mm, j.start, j.end);
    return { dev, mm, start, end, pattern: j.pattern ?? patternDefault, writes: j.writes ?? writesDefault };
  });
  const at = (s.at ?? []).map((x, i) => {
    const q = `${path}.stream.at[${i}]`;
    if (x.op >= s.ops) r.fail(`${q}.op: expected an op below ${s.ops} (stream.ops), got ${x.op}`);
    return { op: x.op, action: resolveAction(r, `${q}.action`, x.action) };
  }).sort((a, b) => a.op - b.op);
  return { kind: 'stream', ops: s.ops, jobs, pattern: patternDefault, writes: writesDefault, at };
}

/**
 * Decode a parsed workload. `where` prefixes messages (the file name); `baseDir` resolves a
 * configuration given as a file name.
 */
export function decodeWorkload(input: unknown, where = '', baseDir = '.'): E.Either<string[], Workload> {
  const prefix = where ? `${where}: ` : '';
  const r = decodeAt(workloadCodec, input, prefix);
  if (E.isLeft(r)) return r;
  const j = r.right;
  let config: E.Either<string[], Config>;
  if (typeof j.config === 'string') {
    config = loadConfigFile(resolve(baseDir, j.config));
  } else if ('synthetic' in j.config && Object.keys(j.config).length === 1) {
    const s = decodeAt(syntheticCodec, (j.config as { synthetic: unknown }).synthetic, prefix, '$.config.synthetic');
    config = E.isLeft(s) ? s : syntheticConfig(s.right, `${prefix}$.config.synthetic`);
  } else {
    // shape first, with full paths; then the configuration's own cross-field checks
    const shape = decodeAt(configCodec, j.config, prefix, '$.config');
    config = E.isLeft(shape) ? shape : decodeConfig(j.config);
    if (E.isLeft(config) && E.isRight(shape)) config = E.left(config.left.map((m) => `${prefix}${m.replace(/^\$/, '$.config')}`));
  }
  if (E.isLeft(config)) return config;
  const c = config.right;
  const res = new Resolver(c, prefix);
  const phases = j.phases.map((p, i) => resolvePhase(res, c, `$.phases[${i}]`, p));
  if (res.errors.length) return E.left(res.errors.slice(0, 10));
  return E.right({
    name: j.name,
    description: j.description ?? '',
    config: c,
    variant: j.variant ?? 'v6-atc',
    seed: j.seed ?? 1,
    faultDelay: j.faultDelay ?? 0,
    respondDelay: j.respondDelay ?? 0,
    rcuDelay: j.rcuDelay ?? 16,
    checkEvery: j.checkEvery ?? 0,
    phases,
  });
}

/** Read and decode a workload file; errors name the file and the JSON path. */
export function loadWorkloadFile(file: string): E.Either<string[], Workload> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { return E.left([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]); }
  const parsed = parseJson(text, file);
  return E.isLeft(parsed) ? parsed : decodeWorkload(parsed.right, file, dirname(file));
}
