// The generated vectors: replay detects a hand-edited vector, generation is deterministic, and
// `npm run gen -- --check` names the file that differs.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { generateVectors, replayVectors, vectorConfig } from '../src/explorer/vectors.ts';
import { readVectorFile, vectorLine } from '../src/codecs/vector.ts';
import type { Vector } from '../src/codecs/vector.ts';
import { createModel } from '../src/model/model.ts';
import { initialState } from '../src/machine/initial.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import { stepEnabled } from '../src/machine/step.ts';
import { stateDigest } from '../src/model/digest.ts';
import { eventKinds, type Event } from '../src/model/event.ts';
import type { Action } from '../src/machine/action.ts';
import { actions } from '../src/machine/actions/index.ts';

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
    const a = generateVectors({ config: c.right, variant: 'upstream', mode: 'transitions', maxStates: 1000 }).vectors.map(vectorLine).join('\n');
    const b = generateVectors({ config: c.right, variant: 'upstream', mode: 'transitions', maxStates: 1000 }).vectors.map(vectorLine).join('\n');
    expect(a).toBe(b);
    expect(`${a}\n`).toBe(readFileSync('generated/vectors/tiny.upstream.jsonl', 'utf8'));
  });

  it('the transition cover takes every reachable (state, enabled event) pair, counted independently of the generator', () => {
    for (const name of ['tiny', 'tiny-alloc']) {
      const c = vectorConfig(name);
      if (E.isLeft(c)) throw new Error(c.left.join('\n'));
      const m = createModel(c.right, 'v6');
      // every reachable pair, by a plain breadth-first search on digests
      const all = new Set<string>();
      const seen = new Set([stateDigest(initialState(c.right))]);
      const queue = [initialState(c.right)];
      for (let i = 0; i < queue.length; i++) {
        const s = queue[i]!;
        for (const e of enabledEvents(m, s)) {
          all.add(`${stateDigest(s)} ${JSON.stringify(e)}`);
          const n = stepEnabled(m, s, e).state;
          if (!seen.has(stateDigest(n))) { seen.add(stateDigest(n)); queue.push(n); }
        }
      }
      // the pairs the vectors take, path steps included
      const taken = new Set<string>();
      for (const v of load(`generated/vectors/${name}.v6.jsonl`)) {
        if (v.error !== undefined) continue;
        let s = initialState(c.right);
        for (const e of [...v.path, v.event]) { taken.add(`${stateDigest(s)} ${JSON.stringify(e)}`); s = stepEnabled(m, s, e).state; }
      }
      expect([...all].filter((p) => !taken.has(p))).toEqual([]);
    }
  });

  it('every refusal the protocol can carry has a vector, and refusal vectors expect the error', () => {
    const cov = JSON.parse(readFileSync('generated/coverage.json', 'utf8')) as { refusals: Record<string, string[]> };
    const kinds = new Set(Object.keys(cov.refusals).map((k) => k.split('|')[0]));
    expect([...kinds].sort()).toEqual([...eventKinds].sort());
    // the two caller contracts that strictDisable (on in every shipped configuration) makes unreachable are the only ones missing
    expect(Object.keys(cov.refusals)).toContain('iopfHandle|NotEnabled|frame must be a free frame');
    expect(Object.keys(cov.refusals)).toContain('unbind|NotEnabled|caller contract: the driver stops DMA and waits for its page faults before unbind');
    const refused = load('generated/vectors/alloc-failure.v6.jsonl').filter((v) => v.error !== undefined);
    expect(refused.length).toBeGreaterThan(50);
    expect(replayVectors(refused)).toEqual([]);
  });

  it('every exploration bound (ENV-*) has a vector of an event it keeps out, with its observations: enabling SVA twice is EBUSY, disabling it while off EINVAL', () => {
    const cov = JSON.parse(readFileSync('generated/coverage.json', 'utf8')) as { bounded: Record<string, string[]> };
    const named = new Set(Object.values(actions).flatMap((a) => (a as Action<Event['kind']>).bounds.map((b) => b.id)));
    expect(new Set(Object.keys(cov.bounded).map((k) => k.split('|')[1]))).toEqual(named);
    expect(Object.keys(cov.bounded)).toContain('enableSva|ENV-SVA-REPEAT|return:error:EBUSY');
    expect(Object.keys(cov.bounded)).toContain('disableSva|ENV-SVA-REPEAT|return:error:EINVAL');
    const bounded = load('generated/vectors/default.upstream.jsonl').filter((v) => v.id.includes('.bounded.'));
    const twice = bounded.find((v) => v.event.kind === 'enableSva')!;
    expect(twice.observations).toEqual([{ kind: 'return', result: { tag: 'error', errno: 'EBUSY' } }]);
    expect(twice.path.some((e) => e.kind === 'enableSva' && e.dev === (twice.event as { dev: number }).dev)).toBe(true);
    expect(replayVectors(bounded)).toEqual([]);
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
