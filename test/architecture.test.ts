// The folders of src/ are layers: types and queries (model), the transitions (hardware, driver,
// process), the machine (step, guard, enabledEvents over the action table), then the tools. Every
// import between folders must go down this list, so there is no import cycle between folders.
// The package's entry points (package.json "exports": src/index.ts, src/<entry>/index.ts) gather
// from several layers by design; imports *from* them are not edges, imports *of* them are.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

/** Bottom first. A folder may import only from folders before it. */
const layers = [
  'model', 'hardware', 'driver', 'process', 'machine', 'invariants', 'codecs', 'adapter', 'trace', 'explorer',
  'conform', 'workload', 'scenarios', 'vectors', 'vitest', 'cli',
] as const;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : n.endsWith('.ts') ? [p] : [];
  });
}

const entryPoints = new Set(
  Object.values(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<string, string | { default: string }>)
    .map((v) => (typeof v === 'string' ? v : v.default))
    .filter((p) => p.startsWith('./dist/'))
    .map((p) => join(src, p.slice('./dist/'.length).replace(/\.js$/, '.ts'))),
);

/** The top folder of a file under src/ ('' for src/index.ts). */
const folderOf = (file: string) => { const r = relative(src, file).split('/'); return r.length > 1 ? r[0]! : ''; };

interface Edge { readonly from: string; readonly to: string; readonly where: string }

function folderEdges(): Edge[] {
  const out: Edge[] = [];
  for (const file of tsFiles(src)) {
    if (entryPoints.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), m[1]!);
        const from = folderOf(file), to = folderOf(target);
        if (from !== to) out.push({ from, to, where: `${relative(root, file)}:${i + 1} imports ${relative(root, target)}` });
      }
    });
  }
  return out;
}

/** A cycle in the folder graph, as a list of folders, or undefined. */
function findCycle(edges: readonly Edge[]): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...new Set([...(next.get(e.from) ?? []), e.to])].sort());
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open'); path.push(n);
    for (const m of next.get(n) ?? []) { const c = visit(m); if (c) return c; }
    path.pop(); state.set(n, 'done');
    return undefined;
  };
  for (const n of [...next.keys()].sort()) { const c = visit(n); if (c) return c; }
  return undefined;
}

describe('src/ folders are layers', () => {
  const edges = folderEdges();

  it('finds the imports between folders', () => {
    expect(edges.length).toBeGreaterThan(100);
  });

  it('no import cycle between folders', () => {
    const cycle = findCycle(edges);
    const detail = cycle ? cycle.slice(1).map((to, i) => edges.find((e) => e.from === cycle[i] && e.to === to)!.where) : [];
    expect(cycle, `import cycle ${cycle?.join(' -> ')}:\n${detail.join('\n')}`).toBeUndefined();
  });

  it('every import goes down the layer list (model, transitions, machine, tools)', () => {
    const rank = (f: string) => (layers as readonly string[]).indexOf(f);
    const bad = edges.filter((e) => rank(e.from) < 0 || rank(e.to) < 0 || rank(e.to) >= rank(e.from))
      .map((e) => `${e.where} (${e.from} -> ${e.to || 'src/index.ts'})`);
    expect(bad, `imports against the layering:\n${bad.join('\n')}`).toEqual([]);
  });

  it('the cycle finder finds a cycle (the test can fail)', () => {
    expect(findCycle([{ from: 'a', to: 'b', where: '' }, { from: 'b', to: 'a', where: '' }])).toEqual(['a', 'b', 'a']);
  });

  it('src/model holds types and pure queries: no file I/O, no import from another folder', () => {
    const bad = tsFiles(join(src, 'model')).filter((f) => /from 'node:(fs|child_process|net|worker_threads)'|from '\.\.\//.test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it('the semantics see a variant only through its decision traits, never its name (what bench:traits relies on)', () => {
    // A step that read the traits R runs the same way under every variant agreeing on R
    // (tools/bench-traits.ts, docs/performance.md "States the variants share") only if no code
    // of the semantics or of the packed engine branches on the variant's name or summary.
    const semantics = ['model', 'hardware', 'driver', 'process', 'machine', 'invariants', 'adapter'].flatMap((d) => tsFiles(join(src, d)))
      .concat(tsFiles(join(src, 'explorer/packed')), [join(src, 'explorer/por.ts')])
      .filter((f) => !f.endsWith(join('model', 'variant.ts')));
    const byName = /traits\.(name|summary)\b|\bvariant\s*[!=]==|[!=]==\s*'(v6|v6-atc|upstream|release-clears-valid|release-clears-sr|release-skips-tlbi|no-synchronize)'/;
    const bad = semantics.filter((f) => byName.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(bad).toEqual([]);
    expect(byName.test("if (m.traits.name === 'v6') {")).toBe(true);
  });
});
