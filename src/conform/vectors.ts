// Loading the generated test vectors and planning their replay: vectors sorted by their event
// sequence so that consecutive ones share prefixes; the implementation's state is reused when the
// next vector extends it, restored from a snapshot when it supports them, else reset and replayed.
import * as E from 'fp-ts/lib/Either.js';
import { join } from 'node:path';
import { configByName } from '../codecs/config.ts';
import type { Config } from '../model/config.ts';
import type { Event } from '../model/event.ts';
import { initialState } from '../machine/initial.ts';
import { createModel } from '../model/model.ts';
import type { State } from '../model/state.ts';
import type { VariantName } from '../model/variant.ts';
import { listVectorFiles, readVectorLines, type Vector } from '../codecs/vector.ts';
import { firstObservationDifference, mismatch } from './compare.ts';
import type { VectorRef, Where } from './failure.ts';
import { expectStep, type Expected } from './oracle.ts';
import type { Op } from './pipeline.ts';
import type { AckOutcome, Session, StepOutcome } from './session.ts';

export interface LoadedVector {
  readonly vector: Vector;
  readonly ref: VectorRef;
  /** eventKey of each event of path + event, filled in by groupVectors. */
  readonly keys?: readonly string[];
}

export interface VectorGroup {
  readonly config: Config;
  readonly variant: VariantName;
  /** Sorted by path + event. */
  readonly vectors: readonly LoadedVector[];
}

/** Read every *.jsonl file of `dir` (sorted by name); each bad line is one error naming file:line. */
export function loadVectors(dir: string): E.Either<string[], { vectors: LoadedVector[]; files: string[] }> {
  const listed = listVectorFiles(dir);
  if (E.isLeft(listed)) return E.left([listed.left]);
  const files = listed.right;
  const vectors: LoadedVector[] = [];
  const errors: string[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const read = readVectorLines(file);
    if (E.isLeft(read)) { errors.push(...read.left); continue; }
    for (const { vector, line } of read.right) vectors.push({ vector, ref: { id: vector.id, file, line } });
  }
  return errors.length ? E.left(errors.slice(0, 10)) : E.right({ vectors, files });
}

/** spec/configs/<name>.json, or the built-in default for "default" when no such file exists. */
export function resolveConfig(configsDir: string, name: string, cache: Map<string, E.Either<string[], Config>>): E.Either<string[], Config> {
  const hit = cache.get(name);
  if (hit) return hit;
  const r = configByName(configsDir, name);
  cache.set(name, r);
  return r;
}

/** Canonical text of an event (sorted keys), for ordering and prefix comparison. */
export function eventKey(e: Event): string {
  return JSON.stringify(Object.keys(e).sort().map((k) => [k, (e as unknown as Record<string, unknown>)[k]]));
}

function compareSeq(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/** Group by (config, variant) in name order; sort each group by path then event. */
export function groupVectors(vectors: readonly LoadedVector[], configsDir: string, variant?: VariantName): E.Either<string[], VectorGroup[]> {
  const cache = new Map<string, E.Either<string[], Config>>();
  const groups = new Map<string, { config: Config; variant: VariantName; items: { v: LoadedVector; key: string[] }[] }>();
  const errors: string[] = [];
  for (const v of vectors) {
    if (variant !== undefined && v.vector.variant !== variant) continue;
    const c = resolveConfig(configsDir, v.vector.config, cache);
    if (E.isLeft(c)) { if (errors.length < 10) errors.push(`${v.ref.file}:${v.ref.line}: ${c.left[0]}`); continue; }
    const k = `${v.vector.config}\u0000${v.vector.variant}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { config: c.right, variant: v.vector.variant, items: [] }));
    g.items.push({ v, key: [...v.vector.path, v.vector.event].map(eventKey) });
  }
  if (errors.length) return E.left([...new Set(errors)]);
  return E.right([...groups.keys()].sort().map((k) => {
    const g = groups.get(k)!;
    g.items.sort((a, b) => compareSeq(a.key, b.key) || (a.v.ref.file < b.v.ref.file ? -1 : a.v.ref.file > b.v.ref.file ? 1 : a.v.ref.line - b.v.ref.line));
    return { config: g.config, variant: g.variant, vectors: g.items.map((x) => ({ ...x.v, keys: x.key })) };
  }));
}

/** The expectation a vector states, or undefined when it states none (the model's answer is used). */
function vectorExpectation(v: Vector): Expected | undefined {
  if (v.error !== undefined) return { tag: 'refused', error: v.error };
  if (v.observations !== undefined) return { tag: 'accepted', observations: v.observations, ...(v.digest !== undefined ? { digest: v.digest } : {}) };
  return undefined;
}

/** A vector the reference model disagrees with: stale vectors are bad input, not a failure of the implementation. */
export function staleVector(v: Vector, model: Expected): string | undefined {
  const stated = vectorExpectation(v);
  if (!stated) return undefined;
  if (stated.tag !== model.tag) return `the vector expects ${stated.tag === 'refused' ? `error ${stated.error}` : 'the event accepted'}, the model ${model.tag === 'refused' ? `refuses it (${model.error})` : 'accepts it'}`;
  if (stated.tag === 'accepted' && model.tag === 'accepted') {
    const i = firstObservationDifference(stated.observations, model.observations);
    if (i >= 0) return `its observation ${i + 1} differs from the model's`;
    if (stated.digest !== undefined && stated.digest !== model.digest) return `its digest ${stated.digest} differs from the model's ${model.digest}`;
  }
  return undefined;
}

export type Outcome = StepOutcome | AckOutcome;

export interface PlanStats {
  resets: number;
  restores: number;
  saves: number;
  steps: number;
  vectors: number;
}

/** Thrown out of the lazy plan when a vector is stale or its path is refused by the model (bad input). */
export class BadVector extends Error {}

/**
 * The replay plan of one group as a lazy sequence of requests, each with its judge. The plan
 * depends only on the vectors and the model, never on the replies, so it can be pipelined.
 */
export function* planGroup(session: Session, g: VectorGroup, snapshots: boolean, stats: PlanStats): Generator<Op<Outcome>> {
  const model = createModel(g.config, g.variant);
  const init = initialState(g.config);
  let applied: Event[] = [];
  let appliedKeys: string[] = [];
  let states: State[] = [init];
  const saved = new Set<number>();
  let fresh = true;

  const where = (lv: LoadedVector | undefined, events: readonly Event[], request: Where['request'], inPath?: boolean): Where => ({
    phase: 'vectors', config: g.config, variant: g.variant, events, request, ...(lv ? { vector: lv.ref } : {}), ...(inPath ? { inPath } : {}),
  });
  const ackOp = (send: () => Promise<AckOutcome>, w: Where): Op<Outcome> => ({
    send,
    judge: (r) => {
      const a = r as AckOutcome;
      if (a.ok) return undefined;
      return 'refused' in a ? { kind: 'refused', where: w, error: a.refused } : { kind: 'misbehaviour', where: w, bad: a.bad };
    },
  });
  const stepOp = (e: Event, expected: Expected, w: Where): Op<Outcome> => ({
    send: () => session.step(e),
    judge: (r) => {
      const s = r as StepOutcome;
      if (!s.ok) return { kind: 'misbehaviour', where: w, bad: s.bad };
      const why = mismatch(expected, s.actual);
      return why === undefined ? undefined : { kind: 'divergence', where: w, reason: why, expected, actual: s.actual };
    },
  });

  for (const lv of g.vectors) {
    const v = lv.vector;
    const keys = lv.keys ?? [...v.path, v.event].map(eventKey);
    let lcp = 0;
    while (lcp < appliedKeys.length && lcp < v.path.length && appliedKeys[lcp] === keys[lcp]) lcp++;
    if (fresh || lcp < applied.length) {
      let back = -1;
      if (!fresh && snapshots) for (const d of saved) if (d <= lcp && d > back) back = d;
      if (back >= 0) {
        yield ackOp(() => session.restore(back), where(lv, v.path.slice(0, back), 'restore'));
        stats.restores++;
      } else {
        yield ackOp(() => session.reset(g.config, g.variant), where(lv, [], 'reset'));
        stats.resets++;
        back = 0;
        saved.clear();
      }
      for (const d of [...saved]) if (d > back) saved.delete(d);
      applied = applied.slice(0, back);
      appliedKeys = appliedKeys.slice(0, back);
      states = states.slice(0, back + 1);
      fresh = false;
    }
    for (let i = applied.length; i < v.path.length; i++) {
      const e = v.path[i]!;
      const o = expectStep(model, states[i]!, e);
      if (o.expected.tag === 'refused') throw new BadVector(`${lv.ref.file}:${lv.ref.line}: vector ${v.id}: path event ${i + 1} is refused by the model (${o.expected.error}${o.expected.detail ? `: ${o.expected.detail}` : ''}); regenerate the vectors`);
      yield stepOp(e, o.expected, where(lv, v.path.slice(0, i + 1), 'step', true));
      stats.steps++;
      applied.push(e);
      appliedKeys.push(keys[i]!);
      states.push(o.next);
    }
    const o = expectStep(model, states[v.path.length]!, v.event);
    const stale = staleVector(v, o.expected);
    if (stale) throw new BadVector(`${lv.ref.file}:${lv.ref.line}: vector ${v.id} disagrees with the reference model: ${stale}; regenerate the vectors`);
    const expected = vectorExpectation(v) ?? o.expected;
    if (snapshots && expected.tag === 'accepted' && !saved.has(v.path.length)) {
      const d = v.path.length;
      yield ackOp(() => session.save(d), where(lv, v.path, 'save'));
      stats.saves++;
      saved.add(d);
    }
    yield stepOp(v.event, expected, where(lv, [...v.path, v.event], 'step'));
    stats.steps++;
    stats.vectors++;
    if (expected.tag === 'accepted') {
      applied.push(v.event);
      appliedKeys.push(keys[v.path.length]!);
      states.push(o.next);
    }
  }
}
