// The generated vectors: replay detects a hand-edited vector, generation is deterministic, and
// `npm run gen -- --check` names the file that differs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { generateVectors, readVectorFile, replayVectors, vectorConfig, vectorLine } from '../src/explorer/vectors.ts';
import type { Vector } from '../src/vectors/vector.ts';

function load(file: string): Vector[] {
  const r = readVectorFile(file);
  if (E.isLeft(r)) throw new Error(r.left.join('\n'));
  return r.right;
}

describe('generated vectors', () => {
  it('replay passes as generated and fails on a vector edited by hand', () => {
    const vectors = load('generated/vectors/tiny.v6.jsonl');
    expect(replayVectors(vectors)).toEqual([]);
    // a wrong expected observation: the first vector whose step returns something
    const i = vectors.findIndex((v) => (v.observations ?? []).some((o) => o.kind === 'return'));
    const edited = vectors.map((v, k) => k !== i ? v : {
      ...v,
      observations: v.observations!.map((o) => (o.kind === 'return' ? { kind: 'return' as const, result: { tag: 'error' as const, errno: 'EBUSY' as const } } : o)),
    });
    const bad = replayVectors(edited);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(new RegExp(`^${vectors[i]!.id.replace(/\./g, '\\.')}: observations differ`));
    // a wrong next-state digest
    const wrongDigest = vectors.map((v, k) => (k === 0 ? { ...v, digest: '0000000000000000' } : v));
    expect(replayVectors(wrongDigest)[0]).toMatch(/next-state digest/);
    // a path the reducer refuses
    const badPath = vectors.map((v, k) => (k === 0 ? { ...v, path: [{ kind: 'unbind' as const, dev: 0, mm: 0 }] } : v));
    expect(replayVectors(badPath)[0]).toMatch(/path event 1 refused/);
  });

  it('generation is deterministic and matches the committed file', () => {
    const c = vectorConfig('tiny');
    if (E.isLeft(c)) throw new Error(c.left.join('\n'));
    const a = generateVectors({ config: c.right, variant: 'upstream', mode: 'exhaustive' }).vectors.map(vectorLine).join('\n');
    const b = generateVectors({ config: c.right, variant: 'upstream', mode: 'exhaustive' }).vectors.map(vectorLine).join('\n');
    expect(a).toBe(b);
    expect(`${a}\n`).toBe(readFileSync('generated/vectors/tiny.upstream.jsonl', 'utf8'));
  });

  it('npm run gen -- --check fails and names the file when generated/ differs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smmu-gen-'));
    try {
      cpSync('generated', dir, { recursive: true });
      const gen = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/generate.ts', '--check', '--only', 'tiny', '--out', dir, ...a], { encoding: 'utf8' });
      expect(gen().status).toBe(0);
      const f = join(dir, 'vectors', 'tiny.v6-atc.jsonl');
      writeFileSync(f, readFileSync(f, 'utf8').replace('"CMD_SYNC"', '"CMD_SYNK"'));
      const r = gen();
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('tiny.v6-atc.jsonl');
      expect(r.stderr).not.toContain('tiny.v6.jsonl');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
