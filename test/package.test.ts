// The package as another project gets it: `npm pack` (prepack builds dist/), the tarball installed
// offline from the npm cache into a fresh project, every subpath imported from JavaScript and
// type-checked from TypeScript against the shipped .d.ts, a step of the model, the bin from the
// installed copy, and a consumer project running the generated vectors on its engine through
// smmu-sva-model/vitest. vitest and @types/node come from this checkout (symlinked), as a
// consumer's own dev dependencies would.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const subpaths = ['', '/adapter', '/explorer', '/trace', '/conform', '/vectors', '/vitest'];

let work = '', project = '';
const run = (cmd: string, args: string[], opts: SpawnSyncOptions = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: project, timeout: 120_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, ...opts });
  return { code: r.status, out: String(r.stdout ?? ''), err: String(r.stderr ?? '') };
};
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'smmu-sva-pack-'));
  project = join(work, 'consumer');
  // npm pack runs prepack (npm run build) first
  const p = run(npm, ['pack', '--json', '--pack-destination', work], { cwd: repo });
  if (p.code !== 0) throw new Error(`npm pack failed:\n${p.err}`);
  packed = (JSON.parse(p.out) as (typeof packed)[])[0]!;
  cpSync(join(repo, 'test/fixtures/consumer'), project, { recursive: true });
  const tarball = `file:${join(work, packed.filename)}`;
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
  pkg.dependencies['smmu-sva-model'] = tarball;
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2));
  // A lockfile pinning the dependencies to this checkout's (the tarballs npm ci put in the cache):
  // without it, npm would ask the registry for their metadata, which the cache may not hold.
  const ours = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(join(work, packed.filename))).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: pkg.name, dependencies: pkg.dependencies },
    'node_modules/smmu-sva-model': {
      version: ours.version, resolved: tarball, integrity, license: ours.license,
      dependencies: ours.dependencies, bin: ours.bin, engines: ours.engines, peerDependencies: ours.peerDependencies, peerDependenciesMeta: ours.peerDependenciesMeta,
    },
  };
  const pending = Object.keys(ours.dependencies!);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (packages[`node_modules/${name}`]) continue;
    const e = lock.packages[`node_modules/${name}`]!;
    packages[`node_modules/${name}`] = { ...e, resolved: e.resolved ?? `https://registry.npmjs.org/${name}/-/${name.replace(/^@[^/]+\//, '')}-${String(e.version)}.tgz` };
    pending.push(...Object.keys((e.dependencies ?? {}) as Record<string, string>));
  }
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: pkg.name, lockfileVersion: 3, requires: true, packages }, null, 2));
  const i = run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts']);
  if (i.code !== 0) throw new Error(`npm install --offline of the tarball failed:\n${i.err}`);
  mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
  symlinkSync(join(repo, 'node_modules/vitest'), join(project, 'node_modules/vitest'), 'dir');
  symlinkSync(join(repo, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'), 'dir');
}, 180_000);

afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

describe('the npm package (npm pack, installed offline into a fresh project)', () => {
  it('ships dist/, the bin, what the tools read from spec/, the schemas, the vectors and the README; no sources, tests or .ci', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'bin/smmu-sva.mjs', 'bin/hugePages.mjs', 'bin/heapFlags.mjs', 'bin/runAgain.mjs', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/cli/main.js',
      'dist/explorer/worker.js', 'dist/explorer/variant-worker.js', 'dist/vitest/index.d.ts', 'spec/expected-verdicts.json', 'spec/protocol.md',
      'spec/configs/default.json', 'spec/schema/vector.schema.json', 'spec/schema/protocol-request.schema.json', 'generated/vectors/tiny.v6.jsonl']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|tools|\.ci)\//.test(f) || f.endsWith('.test.ts') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    console.log(`tarball ${packed.filename}: ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${files.length} files`);
  });

  it('every subpath imports from a .mjs file; the model steps', () => {
    writeFileSync(join(project, 'imports.mjs'), [
      ...subpaths.map((s, i) => `import * as m${i} from 'smmu-sva-model${s}';`),
      `const counts = [${subpaths.map((_, i) => `Object.keys(m${i}).length`).join(', ')}];`,
      "const model = m0.createModel(m0.defaultConfig, 'v6');",
      "const r = m0.step(model, m0.initialState(m0.defaultConfig), { kind: 'enableSva', dev: 0 });",
      "console.log(JSON.stringify({ counts, tag: r._tag, obs: r.right.observations, invariants: m0.checkInvariants(model, r.right.state) }));",
    ].join('\n'));
    const r = run(process.execPath, ['imports.mjs']);
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out) as { counts: number[]; tag: string; obs: unknown[]; invariants: unknown[] };
    expect(o.counts.every((n) => n > 0)).toBe(true);
    expect(o).toMatchObject({ tag: 'Right', obs: [{ kind: 'return', result: { tag: 'ok' } }], invariants: [] });
  });

  it('a .ts file using every subpath type-checks with tsc against the shipped .d.ts, and runs', () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
      files: ['consumer.mts'],
    }));
    const tsc = run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', '.']);
    expect(tsc.code, tsc.out + tsc.err).toBe(0);
    const r = run(process.execPath, ['--experimental-strip-types', '--no-warnings', 'consumer.mts']);
    if (r.code === 0) expect(JSON.parse(r.out)).toMatchObject({ violations: 0, dma: true, vectors: true, variants: 7 });
  });

  it('npx smmu-sva variants runs from the installed copy (compiled JavaScript, no tsx)', () => {
    const r = run(npm, ['exec', '--offline', '--', 'smmu-sva', 'variants', '--json']);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as unknown[]).length).toBe(7);
    expect(run('ls', ['node_modules']).out).not.toMatch(/^tsx$/m);
    // workers from dist/: both kinds of worker thread
    const w = run(process.execPath, ['node_modules/.bin/smmu-sva', 'explore', '--config', 'node_modules/smmu-sva-model/spec/configs/small.json', '--variant', 'all', '--workers', '2']);
    expect(w.code, w.err).toBe(0);
    const one = run(process.execPath, ['node_modules/.bin/smmu-sva', 'explore', '--config', 'node_modules/smmu-sva-model/spec/configs/small.json', '--variant', 'upstream', '--workers', '2']);
    expect(one.code, one.err).toBe(0);
    expect(run(process.execPath, ['node_modules/.bin/smmu-sva', 'explore', '--variant', 'upstream', '--max-states', '1000']).code).toBe(3);
  }, 120_000);

  it('a consumer project: the generated suite passes on the adapter and fails on a wrong engine, naming the vector', () => {
    const vitest = [join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--root', project, '--reporter', 'default'];
    const good = run(process.execPath, [...vitest, 'adapter.test.ts']);
    expect(good.code, good.out + good.err).toBe(0);
    expect(good.out).toMatch(/Tests +\d{5} passed/);
    const bad = run(process.execPath, [...vitest, 'wrong.test.ts']);
    expect(bad.code).toBe(1);
    const text = bad.out + bad.err;
    expect(text).toMatch(/FAIL +wrong\.test\.ts > an engine that skips CMD_ATC_INV > tiny\.v6-atc\.jsonl > tiny\.v6-atc\.[\w.]+/);
    expect(text).toMatch(/Error: tiny\.v6-atc\.[\w.]+: expected \d+ observations, got \d+; the first difference is at observation \d+/);
    expect(text).toMatch(/expected .*CMD_ATC_INV/);
  }, 120_000);
});
