// The expected verdicts of spec/expected-verdicts.json: per configuration and variant, the exact
// set of invariants the exhaustive explorer must find violated ([] = clean).
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeWith, parseJson } from './decode.ts';
import { variantNames, type VariantName } from '../model/variant.ts';

export const expectedVerdictsFile = fileURLToPath(new URL('../../spec/expected-verdicts.json', import.meta.url));

const verdictsCodec = t.type({
  configs: t.record(t.string, t.record(t.keyof(Object.fromEntries(variantNames.map((v) => [v, null])) as Record<VariantName, null>), t.array(t.string))),
});

export type ExpectedVerdicts = Readonly<Record<string, Readonly<Partial<Record<VariantName, readonly string[]>>>>>;

export function loadExpectedVerdicts(file = expectedVerdictsFile): E.Either<string[], ExpectedVerdicts> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch { return E.left([`${file}: cannot read`]); }
  const parsed = parseJson(text, file);
  if (E.isLeft(parsed)) return parsed;
  const r = decodeWith(verdictsCodec, parsed.right, `${file}: `);
  return E.isLeft(r) ? r : E.right(r.right.configs);
}
