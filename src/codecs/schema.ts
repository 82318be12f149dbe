// JSON Schema (draft 2020-12) from the io-ts codecs, for consumers that do not use TypeScript:
// spec/schema/*.json are written from these (npm run schema) and checked against them in npm test.
import type * as t from 'io-ts';

export type JsonSchema = { readonly [k: string]: unknown };

/** Refinements are opaque predicates; their names say what they accept. */
function refinement(name: string, base: JsonSchema): JsonSchema {
  const range = /^an integer in \[(-?\d+), (-?\d+)\]$/.exec(name);
  if (range) return { type: 'integer', minimum: Number(range[1]), maximum: Number(range[2]) };
  if (name === 'a non-negative integer') return { type: 'integer', minimum: 0 };
  if (name === 'an integer') return { type: 'integer' };
  if (name === 'a frame index or -1') return { type: 'integer', minimum: -1 };
  throw new Error(`no JSON Schema for the refinement "${name}" (add it to src/codecs/schema.ts)`);
}

/** Named codecs become `$defs` entries referenced by `$ref` instead of being inlined. */
export function toJsonSchema(codec: t.Mixed, defs: ReadonlyMap<t.Mixed, string> = new Map(), top = true): JsonSchema {
  if (!top) {
    const name = defs.get(codec);
    if (name) return { $ref: `#/$defs/${name}` };
  }
  const c = codec as t.Mixed & { _tag?: string; types?: t.Mixed[]; type?: t.Mixed; props?: Record<string, t.Mixed>; value?: unknown; keys?: Record<string, unknown> };
  const sub = (x: t.Mixed) => toJsonSchema(x, defs, false);
  switch (c._tag) {
    case 'StringType': return { type: 'string' };
    case 'NumberType': return { type: 'number' };
    case 'BooleanType': return { type: 'boolean' };
    case 'UnknownType': return {};
    case 'UnknownRecordType': return { type: 'object' };
    case 'LiteralType': return { const: c.value };
    case 'KeyofType': return { enum: Object.keys(c.keys!) };
    case 'ArrayType': return { type: 'array', items: sub(c.type!) };
    case 'RefinementType': return refinement(c.name, sub(c.type!));
    case 'UnionType': {
      // literal unions (1 | 2) read better as an enum
      const lits = c.types!.map((x) => x as t.Mixed & { _tag?: string; value?: unknown });
      if (lits.every((x) => x._tag === 'LiteralType')) return { enum: lits.map((x) => x.value) };
      return { anyOf: c.types!.map(sub) };
    }
    case 'InterfaceType':
    case 'PartialType': {
      const properties = Object.fromEntries(Object.entries(c.props!).map(([k, v]) => [k, sub(v)]));
      return { type: 'object', properties, ...(c._tag === 'InterfaceType' ? { required: Object.keys(c.props!) } : {}) };
    }
    case 'IntersectionType': {
      const parts = c.types!.map(sub);
      if (parts.every((p) => p.type === 'object' && p.properties)) {
        return {
          type: 'object',
          properties: Object.assign({}, ...parts.map((p) => p.properties)),
          required: parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
        };
      }
      return { allOf: parts };
    }
    case 'ExactType': {
      const inner = sub(c.type!);
      return inner.type === 'object' ? { ...inner, additionalProperties: false } : inner;
    }
    default:
      // custom types: the hex address of configurations
      if (c.name.startsWith('a hex address string')) return { type: 'string', pattern: '^0x[0-9a-fA-F]{1,16}$', description: c.name };
      throw new Error(`no JSON Schema for the io-ts type "${c.name}" (_tag ${String(c._tag)})`);
  }
}

/** A schema document: `root` with `defs` as `$defs`, each inlined once. */
export function schemaDocument(id: string, title: string, root: t.Mixed, defs: ReadonlyMap<t.Mixed, string>, description: string): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: id,
    title,
    description,
    ...toJsonSchema(root, defs),
    $defs: Object.fromEntries([...defs].map(([codec, name]) => [name, toJsonSchema(codec, defs)])),
  };
}
