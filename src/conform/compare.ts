// Decoding an implementation's step reply and comparing it with the expectation. A reply that
// is not a valid step reply is garbage (with the JSON path that failed); a valid reply that
// differs from the model is a divergence (with the reason).
import * as E from 'fp-ts/lib/Either.js';
import { formatErrors } from '../codecs/decode.ts';
import { observationCodec } from '../codecs/event.ts';
import type { Observation } from '../model/observation.ts';
import type { Expected } from './oracle.ts';
import { stepReply } from './protocol.ts';

export type Actual =
  | { readonly tag: 'accepted'; readonly observations: readonly Observation[]; readonly digest?: string }
  | { readonly tag: 'refused'; readonly error: string; readonly detail?: string };

/** Decode a parsed reply line into Actual, or the JSON-path errors that make it garbage. */
export function decodeStepReply(value: unknown): E.Either<string[], Actual> {
  const r = stepReply.decode(value);
  if (E.isLeft(r)) return E.left(formatErrors(r.left).slice(0, 3));
  const v = r.right;
  if ('error' in v) return E.right({ tag: 'refused', error: v.error, ...(v.detail !== undefined ? { detail: v.detail } : {}) });
  const observations: Observation[] = [];
  for (let i = 0; i < v.observations.length; i++) {
    const o = observationCodec.decode(v.observations[i]);
    if (E.isLeft(o)) {
      const inner = formatErrors(o.left).map((l) => l.replace(/^\$/, `$.observations[${i}]`));
      // the union's branch for the observation's own kind says most: keep errors below the kind level
      const deep = inner.filter((l) => !/^\$\.observations\[\d+\]\.kind:/.test(l));
      return E.left((deep.length ? deep : inner).slice(0, 3));
    }
    observations.push(o.right);
  }
  return E.right({ tag: 'accepted', observations, ...(v.digest !== undefined ? { digest: v.digest } : {}) });
}

/** Canonical JSON of an observation (codec field order), for equality. */
export const observationKey = (o: Observation): string => JSON.stringify(sortKeys(observationCodec.encode(o)));

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** Why the actual reply differs from the expected one, or undefined when it conforms. */
export function mismatch(expected: Expected, actual: Actual): string | undefined {
  if (expected.tag === 'refused') {
    if (actual.tag === 'accepted') return `accepted an event the model refuses (${expected.error}${expected.detail ? `: ${expected.detail}` : ''})`;
    return actual.error === expected.error ? undefined : `refused with ${actual.error}, the model refuses with ${expected.error}`;
  }
  if (actual.tag === 'refused') return `refused an event the model accepts (${actual.error}${actual.detail ? `: ${actual.detail}` : ''})`;
  const a = actual.observations.map(observationKey);
  const x = expected.observations.map(observationKey);
  if (a.length !== x.length || a.some((k, i) => k !== x[i])) {
    const i = firstDifference(x, a);
    return a.length === x.length
      ? `observation ${i + 1} of ${x.length} differs`
      : `expected ${x.length} observation${x.length === 1 ? '' : 's'}, got ${a.length}; the first difference is at observation ${i + 1}`;
  }
  if (actual.digest !== undefined && expected.digest !== undefined && actual.digest !== expected.digest) {
    return `same observations, but the next state's digest is ${actual.digest}, expected ${expected.digest}`;
  }
  return undefined;
}

function firstDifference(x: readonly string[], a: readonly string[]): number {
  let i = 0;
  while (i < x.length && i < a.length && x[i] === a[i]) i++;
  return i;
}
