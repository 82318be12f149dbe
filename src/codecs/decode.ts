// Decoding helpers: io-ts errors rendered as "JSON path: expected X, got Y" lines.
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';

export function formatValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try { s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v); } catch { s = String(v); }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** "$.devices[1].ssidBits" from an io-ts context. */
export function jsonPath(ctx: t.Context): string {
  let path = '$';
  for (let i = 1; i < ctx.length; i++) {
    const key = ctx[i]!.key;
    const parentType = ctx[i - 1]!.type as { _tag?: string };
    if (key === '' || parentType._tag === 'UnionType' || parentType._tag === 'IntersectionType' || parentType._tag === 'RefinementType' || parentType._tag === 'ExactType') continue;
    path += /^\d+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return path;
}

/** Render io-ts errors, most specific first, without duplicates. */
export function formatErrors(errors: t.Errors, prefix = ''): string[] {
  const lines = new Set<string>();
  for (const e of errors) {
    const leaf = e.context[e.context.length - 1];
    const expected = e.message ?? leaf?.type.name ?? 'a valid value';
    lines.add(`${prefix}${jsonPath(e.context)}: expected ${expected}, got ${formatValue(e.value)}`);
  }
  return [...lines].slice(0, 10);
}

export function decodeWith<A>(codec: t.Decoder<unknown, A>, input: unknown, prefix = ''): E.Either<string[], A> {
  const r = codec.decode(input);
  return E.isRight(r) ? E.right(r.right) : E.left(formatErrors(r.left, prefix));
}

/** JSON.parse with the parser's complaint turned into a message. */
export function parseJson(text: string, where: string): E.Either<string[], unknown> {
  try {
    return E.right(JSON.parse(text));
  } catch (err) {
    return E.left([`${where}: not valid JSON (${(err as Error).message})`]);
  }
}
