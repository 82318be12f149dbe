// The expected verdicts of spec/expected-verdicts.json: per configuration and variant, the exact
// set of invariants the exhaustive explorer must find violated ([] = clean).
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeWith, excessKeys, parseJson } from './decode.ts';
import { variantNames, type VariantName } from '../model/variant.ts';

export const expectedVerdictsFile = fileURLToPath(new URL('../../spec/expected-verdicts.json', import.meta.url));

// A configuration may record only some variants (seed-wide: those explored to the end); a key
// that is not a variant name is an error (excessKeys below), not silently dropped.
const perConfigCodec = t.partial(Object.fromEntries(variantNames.map((v) => [v, t.array(t.string)])) as Record<VariantName, t.ArrayC<t.StringC>>);
const verdictsCodec = t.type({ configs: t.record(t.string, perConfigCodec) });

export type ExpectedVerdicts = Readonly<Record<string, Readonly<Partial<Record<VariantName, readonly string[]>>>>>;

export function loadExpectedVerdicts(file = expectedVerdictsFile): E.Either<string[], ExpectedVerdicts> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch { return E.left([`${file}: cannot read`]); }
  const parsed = parseJson(text, file);
  if (E.isLeft(parsed)) return parsed;
  const r = decodeWith(verdictsCodec, parsed.right, `${file}: `);
  if (E.isLeft(r)) return r;
  const unknown = Object.entries(r.right.configs).flatMap(([name, v]) => excessKeys(perConfigCodec, v, `$.configs.${name}`));
  return unknown.length ? E.left(unknown.map((l) => `${file}: ${l}`)) : E.right(r.right.configs);
}
