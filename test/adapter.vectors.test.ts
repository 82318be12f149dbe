// Every generated test vector (generated/vectors/*.jsonl, codec src/codecs/vector.ts) replays on
// the fast adapter: apply `path` from the initial state, then `event`; the adapter must refuse it
// with the vector's error tag, or give the vector's observations and next-state digest. Every
// 16th vector is also replayed from a loaded start state (fromState of the reducer's state).
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import { defaultConfig, type Config } from '../src/model/config.ts';
import { stateDigest } from '../src/model/digest.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel, type Model } from '../src/model/model.ts';
import { step } from '../src/machine/step.ts';
import type { State } from '../src/model/state.ts';
import { vectorCodec, type Vector } from '../src/codecs/vector.ts';
import { fromState, initialEngine, toState } from '../src/adapter/convert.ts';
import type { Engine } from '../src/adapter/engine.ts';

/** SMMU_VECTORS_DIR overrides the directory (e.g. to replay a shard or another generator's output). */
const dir = process.env.SMMU_VECTORS_DIR ?? 'generated/vectors';

function configNamed(name: string): Config {
  const file = join('spec/configs', `${name}.json`);
  if (existsSync(file)) {
    const r = loadConfigFile(file);
    if (E.isLeft(r)) throw new Error(r.left.join('\n'));
    return r.right;
  }
  if (name === defaultConfig.name) return defaultConfig;
  throw new Error(`vector names configuration "${name}" but ${file} does not exist`);
}

/** Check the vector's event on an engine positioned at its start state. */
function checkEvent(eng: Engine, v: Vector, where: string): void {
  const err = eng.step(v.event);
  if (v.error !== undefined) {
    expect(err?.tag, `${where}: expected the event to be refused with ${v.error}`).toBe(v.error);
    return;
  }
  expect(err, `${where}: adapter refused the event`).toBeUndefined();
  if (v.observations) expect(eng.observations, `${where}: observations`).toEqual(v.observations);
  if (v.digest) expect(stateDigest(toState(eng)), `${where}: next-state digest`).toBe(v.digest);
}

describe('generated vectors replay identically on the adapter', () => {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  if (!existsSync(dir)) {
    it.skip('generated/vectors does not exist yet (run npm run gen)', () => {});
    return;
  }
  it('the vector directory holds vectors', () => {
    const total = files.reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).length, 0);
    expect(total).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, () => {
      const models = new Map<string, Model>();
      const lines = readFileSync(join(dir, file), 'utf8').split('\n');
      let replayed = 0;
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        const where = `${file}:${i + 1}`;
        const decoded = vectorCodec.decode(JSON.parse(line));
        if (E.isLeft(decoded)) throw new Error(`${where}: not a vector`);
        const v = decoded.right;
        const key = `${v.config}/${v.variant}`;
        let m = models.get(key);
        if (!m) { m = createModel(configNamed(v.config), v.variant); models.set(key, m); }
        const eng = initialEngine(m, 'collect');
        for (const [j, e] of v.path.entries()) expect(eng.step(e), `${where}: path event ${j} refused`).toBeUndefined();
        checkEvent(eng, v, where);
        if (replayed % 16 === 0) {
          // load the start state computed by the reducer, then apply the event on the adapter
          let s: State = initialState(m.config);
          for (const e of v.path) s = (step(m, s, e) as E.Right<{ state: State }>).right.state;
          const loaded = fromState(m, s, 'collect');
          expect(E.isRight(loaded), `${where}: fromState`).toBe(true);
          checkEvent((loaded as E.Right<Engine>).right, v, `${where} (loaded start state)`);
        }
        replayed++;
      });
      expect(replayed).toBeGreaterThan(0);
    });
  }
});
