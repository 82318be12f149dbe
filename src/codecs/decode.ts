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
export function jsonPath(ctx: t.Context, root = '$'): string {
  let path = root;
  for (let i = 1; i < ctx.length; i++) {
    const { key, actual } = ctx[i]!;
    const parent = ctx[i - 1]!.actual;
    // unions and intersections add their member index as a key without descending into the
    // value: a key is part of the path only when the value really is the parent's member
    const descends = key !== '' && parent !== null && typeof parent === 'object' && (parent as Record<string, unknown>)[key] === actual;
    if (!descends) continue;
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

/** The properties an object codec knows, looking through exact, intersection and refinement. */
function knownProps(type: t.Mixed): Record<string, t.Mixed> | undefined {
  const ty = type as unknown as { _tag?: string; type?: t.Mixed; types?: t.Mixed[]; props?: Record<string, t.Mixed> };
  switch (ty._tag) {
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
      return ty.props;
    case 'ExactType':
    case 'RefinementType':
    case 'ReadonlyType':
      return ty.type ? knownProps(ty.type) : undefined;
    case 'IntersectionType': {
      const all: Record<string, t.Mixed> = {};
      for (const m of ty.types ?? []) Object.assign(all, knownProps(m) ?? {});
      return all;
    }
    default:
      return undefined;
  }
}

/**
 * Keys an exact codec would silently drop: a misspelt option must be an error, not a default.
 * Returns "$.path: unknown field ..." lines.
 */
export function excessKeys(type: t.Mixed, value: unknown, path = '$'): string[] {
  const ty = type as unknown as { _tag?: string; type?: t.Mixed };
  if (ty._tag === 'ArrayType' && Array.isArray(value) && ty.type) {
    return value.flatMap((v, i) => excessKeys(ty.type!, v, `${path}[${i}]`));
  }
  const props = knownProps(type);
  if (!props || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const sub = props[k];
    if (!sub) out.push(`${path}.${k}: unknown field (expected one of ${Object.keys(props).join(', ')})`);
    else out.push(...excessKeys(sub, v, `${path}.${k}`));
  }
  return out;
}
