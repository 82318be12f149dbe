// Test vectors (generated/vectors/*.jsonl): one JSON object per line, language-neutral.
// A vector says: from the initial state of `config` under `variant`, apply `path`, then `event`;
// the reducer answers `observations` and a next state whose digest is `digest`
// (src/model/digest.ts), or refuses the event with the error tag `error`.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { decodeWith, parseJson } from './decode.ts';
import { eventCodec, observationsCodec } from './event.ts';
import { variantNames, type VariantName } from '../model/variant.ts';

const variantCodec = t.keyof(Object.fromEntries(variantNames.map((v) => [v, null])) as Record<VariantName, null>, 'a variant name');

export const vectorCodec = t.exact(t.intersection([
  t.type({
    /** Stable id, unique in its file. */
    id: t.string,
    /** Configuration name: spec/configs/<config>.json. */
    config: t.string,
    variant: variantCodec,
    path: t.array(eventCodec),
    event: eventCodec,
  }),
  t.partial({
    observations: observationsCodec,
    digest: t.string,
    error: t.string,
  }),
]));

export type Vector = t.TypeOf<typeof vectorCodec>;

/** One JSON line per vector; fields in the codec's order. */
export function vectorLine(v: Vector): string {
  return JSON.stringify({ id: v.id, config: v.config, variant: v.variant, path: v.path, event: v.event, observations: v.observations, digest: v.digest, error: v.error });
}

/** A vector with the line of its file it was read from (1-based). */
export interface VectorAt { readonly vector: Vector; readonly line: number }

/** Read a vector file: its vectors with their lines, or one message per bad line (file:line), at most 10. */
export function readVectorLines(file: string): E.Either<string[], VectorAt[]> {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { return E.left([`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]); }
  const out: VectorAt[] = [];
  const errs: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || errs.length >= 10) return;
    const parsed = parseJson(line, `${file}:${i + 1}`);
    if (E.isLeft(parsed)) { errs.push(...parsed.left); return; }
    const v = decodeWith(vectorCodec, parsed.right, `${file}:${i + 1}: `);
    if (E.isLeft(v)) errs.push(...v.left.slice(0, 2)); else out.push({ vector: v.right, line: i + 1 });
  });
  return errs.length ? E.left(errs.slice(0, 10)) : E.right(out);
}

/** Read a vector file: decoded vectors, or one message per bad line (file:line). */
export function readVectorFile(file: string): E.Either<string[], Vector[]> {
  return E.map((vs: VectorAt[]) => vs.map((v) => v.vector))(readVectorLines(file));
}

/** The *.jsonl file names of a vector directory, sorted; or why it is not one. */
export function listVectorFiles(dir: string): E.Either<string, string[]> {
  try {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return E.left(`${dir}: not a directory of test vectors (*.jsonl)`);
    return E.right(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort());
  } catch (err) {
    return E.left(`${dir}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
