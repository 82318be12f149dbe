// Decoding an implementation's step reply and comparing it with the expectation. A reply that
// is not a valid step reply is garbage (with the JSON path that failed); a valid reply that
// differs from the model is a divergence (with the reason).
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { jsonPath, formatValue } from '../codecs/decode.ts';
import { observationCodec } from '../codecs/event.ts';
import type { Observation } from '../model/observation.ts';
import type { Expected } from './oracle.ts';
import { stepOk, stepRefused, stepReply } from '../codecs/protocol.ts';

export type Actual =
  | { readonly tag: 'accepted'; readonly observations: readonly Observation[]; readonly digest?: string }
  | { readonly tag: 'refused'; readonly error: string; readonly detail?: string };

/**
 * One line per failure: path, what was expected, what came. A tagged union's long name is
 * replaced by the list of its tags when the value carries an unknown tag ("op", "tp", ...).
 */
export function explainErrors(errors: t.Errors, root = '$'): string[] {
  const lines = new Set<string>();
  for (const e of errors) {
    const path = jsonPath(e.context, root);
    let expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value';
    let where = path;
    let got: unknown = e.value;
    if (expected.length > 100 && got && typeof got === 'object') {
      let tagged = false;
      for (const key of ['kind', 'op', 'tp', 'type', 'tag']) {
        const tags = [...expected.matchAll(new RegExp(`\\b${key}: "([A-Za-z_]+)"`, 'g'))].map((m) => m[1]!);
        const v = (got as Record<string, unknown>)[key];
        if (tags.length > 0 && (typeof v !== 'string' || !tags.includes(v))) {
          expected = `one of ${[...new Set(tags)].map((x) => `"${x}"`).join(', ')}`;
          where = `${path}.${key}`;
          got = v;
          tagged = true;
          break;
        }
      }
      if (!tagged && expected.length > 100) expected = `${expected.slice(0, 97)}...`;
    }
    lines.add(`${where}: expected ${expected}, got ${formatValue(got)}`);
  }
  return [...lines];
}

const observationKinds: Record<Observation['kind'], null> = { trace: null, event: null, cmd: null, dma: null, walk: null, callback: null, return: null, warn: null, bug: null };

/** Decode a parsed reply line into Actual, or the JSON-path errors that make it garbage. */
export function decodeStepReply(value: unknown): E.Either<string[], Actual> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return E.left([`$: expected a step reply object {"observations": [...]} or {"error": TAG}, got ${formatValue(value)}`]);
  const r = stepReply.decode(value);
  if (E.isLeft(r)) {
    // say which of the two shapes was meant
    const meant = 'error' in value && !('observations' in value) ? stepRefused : stepOk;
    const m = meant.decode(value);
    return E.left(E.isLeft(m) ? explainErrors(m.left).slice(0, 3) : explainErrors(r.left).slice(0, 3));
  }
  const v = r.right;
  if ('error' in v) return E.right({ tag: 'refused', error: v.error, ...(v.detail !== undefined ? { detail: v.detail } : {}) });
  const observations: Observation[] = [];
  for (let i = 0; i < v.observations.length; i++) {
    const raw = v.observations[i];
    const kind = raw && typeof raw === 'object' ? (raw as { kind?: unknown }).kind : undefined;
    if (typeof kind !== 'string' || !Object.hasOwn(observationKinds, kind)) {
      return E.left([`$.observations[${i}].kind: expected one of ${Object.keys(observationKinds).map((k) => `"${k}"`).join(', ')}, got ${formatValue(kind)}`]);
    }
    const o = observationCodec.decode(raw);
    if (E.isLeft(o)) return E.left(explainErrors(o.left, `$.observations[${i}]`).slice(0, 3));
    observations.push(o.right);
  }
  return E.right({ tag: 'accepted', observations, ...(v.digest !== undefined ? { digest: v.digest } : {}) });
}

/** Structural equality of two JSON-like values (key order ignored); no allocation. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let n = 0;
  for (const k in ra) {
    if (!Object.hasOwn(ra, k)) continue;
    n++;
    if (!Object.hasOwn(rb, k) || !jsonEqual(ra[k], rb[k])) return false;
  }
  for (const k in rb) if (Object.hasOwn(rb, k)) n--;
  return n === 0;
}

/** Index of the first observation that differs, or -1 when the lists are equal. */
export function firstObservationDifference(x: readonly Observation[], a: readonly Observation[]): number {
  const n = Math.min(x.length, a.length);
  for (let i = 0; i < n; i++) if (!jsonEqual(x[i], a[i])) return i;
  return x.length === a.length ? -1 : n;
}

/** Why the actual reply differs from the expected one (PROTO-STEP, PROTO-REFUSAL: tags only, PROTO-DIGEST when given), or undefined. */
export function mismatch(expected: Expected, actual: Actual): string | undefined {
  if (expected.tag === 'refused') {
    if (actual.tag === 'accepted') return `accepted an event the model refuses (${expected.error}${expected.detail ? `: ${expected.detail}` : ''})`;
    return actual.error === expected.error ? undefined : `refused with ${actual.error}, the model refuses with ${expected.error}`;
  }
  if (actual.tag === 'refused') return `refused an event the model accepts (${actual.error}${actual.detail ? `: ${actual.detail}` : ''})`;
  const a = actual.observations;
  const x = expected.observations;
  const i = firstObservationDifference(x, a);
  if (i >= 0) {
    return a.length === x.length
      ? `observation ${i + 1} of ${x.length} differs`
      : `expected ${x.length} observation${x.length === 1 ? '' : 's'}, got ${a.length}; the first difference is at observation ${i + 1}`;
  }
  if (actual.digest !== undefined && expected.digest !== undefined && actual.digest !== expected.digest) {
    return `same observations, but the next state's digest is ${actual.digest}, expected ${expected.digest}`;
  }
  return undefined;
}
