// Conformance runner against fixture implementations (test/fixtures/impls/): the reference passes
// vectors and random sequences; each deliberately wrong implementation is caught with a shortest
// sequence ending at the event kind its bug is about. One process per run.
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conform, type ConformOptions, type ConformReport } from '../src/conform/runner.ts';
import { formatText, reportJson } from '../src/conform/report.ts';
import { seedWideConfig } from '../src/model/config.ts';
import { makeVectors, writeVectorDir } from './fixtures/impls/make-vectors.ts';

const impl = (file: string, ...args: string[]) => [process.execPath, '--import', 'tsx', `test/fixtures/impls/${file}`, ...args].map((a) => JSON.stringify(a)).join(' ');
const specConfigs = new URL('../spec/configs/', import.meta.url).pathname; // the vectors name "seed-wide"

const base: ConformOptions = {
  command: impl('reference.ts'), configsDir: specConfigs, config: seedWideConfig, randomRuns: 0, maxLength: 40, seed: 42,
  timeoutMs: 5000, window: 256, snapshots: true,
};

async function run(o: Partial<ConformOptions>): Promise<ConformReport> {
  const r = await conform({ ...base, ...o });
  if (E.isLeft(r)) throw new Error(r.left.join('\n'));
  return r.right;
}

// depth 3 from the initial state under v6-atc (every enabled event and a refused probe per state), depth 2 under v6
const vectorsV6Atc = makeVectors('v6-atc', 3);
const vectorDir = writeVectorDir({ 'v6-atc': vectorsV6Atc, v6: makeVectors('v6', 2) });

describe('conform: the reference implementation', () => {
  it('passes every vector, sharing prefixes through snapshots', async () => {
    const r = await run({ vectorsDir: vectorDir });
    expect(r.failure).toBeUndefined();
    expect(r.conformant).toBe(true);
    const v = r.vectors!;
    expect(v.vectors).toBeGreaterThan(3000);
    expect(v.snapshots).toBe(true);
    // each vector's path is replayed once per saved state, not once per vector
    expect(v.stats.steps).toBeLessThan(v.vectors * 1.2);
    expect(v.stats.resets).toBe(2);
  });

  it('passes vectors without snapshots (reset and replay), with the same verdict', async () => {
    const r = await run({ vectorsDir: vectorDir, snapshots: false, maxVectors: 600 });
    expect(r.conformant).toBe(true);
    expect(r.vectors!.stats.restores).toBe(0);
    expect(r.vectors!.stats.resets).toBeGreaterThan(1);
    // prefix sharing: a vector whose path extends the current state replays nothing
    expect(r.vectors!.stats.steps).toBeLessThan(600 * 3);
  });

  it('passes random sequences (observations, refusals and digests compared)', async () => {
    const r = await run({ randomRuns: 150 });
    expect(r.failure).toBeUndefined();
    expect(r.conformant).toBe(true);
    expect(r.random!.sequences).toBe(150);
    expect(r.random!.steps).toBeGreaterThan(150);
  });

  it('the fast adapter wrapped as a process passes the vectors and random sequences too', async () => {
    const r = await run({ command: impl('adapter.ts'), vectorsDir: vectorDir, maxVectors: 1500, randomRuns: 60 });
    expect(r.failure).toBeUndefined();
    expect(r.conformant).toBe(true);
    expect(r.vectors!.vectors).toBe(1500);
    expect(r.random!.sequences).toBe(60);
  });

  it('an implementation that refuses a variant has that group skipped and listed, the rest checked', async () => {
    const r = await run({ command: impl('misbehave.ts', 'refuse', 'v6'), vectorsDir: vectorDir, maxVectors: 100000 });
    expect(r.conformant).toBe(true);
    expect(r.vectors!.unsupported).toEqual([{ config: 'seed-wide', variant: 'v6', error: 'variant v6 not implemented', vectors: makeVectors('v6', 2).length }]);
    expect(r.vectors!.vectors).toBe(vectorsV6Atc.length);
    expect(formatText(r).join('\n')).toMatch(/skipped \d+ vectors of seed-wide\/v6: the implementation refused the reset \(variant v6 not implemented\)/);
  });

  it('a vector edited by hand is bad input naming file and line, not a failure of the implementation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conform-bad-'));
    const v = vectorsV6Atc.find((x) => 'observations' in x && (x as { observations: unknown[] }).observations.length > 0) as Record<string, unknown>;
    writeFileSync(join(dir, 'a.jsonl'), `${JSON.stringify({ ...v, observations: [] })}\n`);
    const r = await conform({ ...base, vectorsDir: dir });
    expect(E.isLeft(r)).toBe(true);
    expect(E.isLeft(r) && r.left[0]).toMatch(/a\.jsonl:1: vector .* disagrees with the reference model/);
    writeFileSync(join(dir, 'a.jsonl'), `${JSON.stringify({ ...v, event: { kind: 'bind', dev: 0 } })}\n`);
    const r2 = await conform({ ...base, vectorsDir: dir });
    expect(E.isLeft(r2) && r2.left[0]).toMatch(/a\.jsonl:1: \$\.event/);
  });
});

describe('conform: wrong implementations are caught with a shortest sequence', () => {
  const cases = [
    { file: 'wrong-skip-atc-inv.ts', maxLen: 3, kind: 'munmap', expectedHas: 'CMD_ATC_INV', actualLacks: 'CMD_ATC_INV' },
    { file: 'wrong-success-after-release.ts', maxLen: 6, kind: 'iopfRespond', expectedHas: 'code=1', actualLacks: 'code=1' },
    { file: 'wrong-rebind-new-bond.ts', maxLen: 3, kind: 'bind', expectedHas: 'returns handle', actualHas: 'smmu_bind_alloc' },
  ] as const;
  for (const c of cases) {
    it(`${c.file}: divergence at ${c.kind} within ${c.maxLen} events`, async () => {
      const r = await run({ command: impl(c.file), randomRuns: 200 });
      expect(r.conformant).toBe(false);
      const f = r.failure!;
      expect(f.kind).toBe('divergence');
      if (f.kind !== 'divergence') return;
      expect(f.where.phase).toBe('random');
      expect(f.where.events.length).toBeLessThanOrEqual(c.maxLen);
      expect(f.where.events.at(-1)!.kind).toBe(c.kind);
      const text = formatText(r).join('\n');
      const [exp, act] = text.split('actual (implementation):');
      expect(exp).toContain(c.expectedHas);
      if ('actualLacks' in c) expect(act).not.toContain(c.actualLacks);
      if ('actualHas' in c) expect(act).toContain(c.actualHas);
      const j = reportJson(r) as { failure: { length: number; events: { kind: string }[]; expected: unknown; actual: unknown } };
      expect(j.failure.length).toBe(f.where.events.length);
      expect(j.failure.events.at(-1)!.kind).toBe(c.kind);
    });
  }

  it('the vector replay catches the skipped ATC invalidation too, at a munmap', async () => {
    const r = await run({ command: impl('wrong-skip-atc-inv.ts'), vectorsDir: vectorDir, variant: 'v6-atc' });
    const f = r.failure!;
    expect(f.kind).toBe('divergence');
    expect(f.where.phase).toBe('vectors');
    expect(f.where.vector?.file).toMatch(/v6-atc\.jsonl$/);
    expect(f.where.events.at(-1)!.kind).toBe('munmap');
    expect(r.random).toBeUndefined(); // stops at the first failure
  });
});
