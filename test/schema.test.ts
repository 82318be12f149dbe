// spec/schema/*.json: written from the io-ts codecs (npm run schema) and, for consumers in other
// languages, checked here against what the codecs accept: every shipped vector, and the protocol
// messages of a served session.
import Ajv2020 from 'ajv/dist/2020.js';
import * as E from 'fp-ts/lib/Either.js';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, encodeConfig } from '../src/codecs/config.ts';
import { excessKeys } from '../src/codecs/decode.ts';
import { schemas } from '../src/codecs/schemas.ts';
import { ReducerEngine } from '../src/conform/engine.ts';
import { answer } from '../src/conform/serve.ts';
import { PROTOCOL_VERSION } from '../src/codecs/protocol.ts';
import { vectorCodec } from '../src/codecs/vector.ts';

const dir = new URL('../spec/schema/', import.meta.url);
const vectorsDir = new URL('../generated/vectors/', import.meta.url);
const docs = schemas();
const ajv = new Ajv2020.default({ allErrors: false, strict: true });
const validator = (file: string) => ajv.compile(docs[file]!);

describe('JSON Schema (spec/schema/)', () => {
  it('the files are what npm run schema writes from the codecs', () => {
    expect(readdirSync(dir).sort()).toEqual(Object.keys(docs).sort());
    for (const [file, doc] of Object.entries(docs)) expect(readFileSync(new URL(file, dir), 'utf8'), `${file}: run npm run schema`).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });

  it('every shipped vector is valid under vector.schema.json (and under the codec)', () => {
    const valid = validator('vector.schema.json');
    let n = 0;
    for (const f of readdirSync(vectorsDir).filter((x) => x.endsWith('.jsonl'))) {
      readFileSync(new URL(f, vectorsDir), 'utf8').split('\n').forEach((line, i) => {
        if (line === '') return;
        const v = JSON.parse(line) as unknown;
        if (!valid(v)) expect.fail(`${f}:${i + 1}: ${ajv.errorsText(valid.errors)}`);
        expect(E.isRight(vectorCodec.decode(v))).toBe(true);
        n++;
      });
    }
    expect(n).toBeGreaterThan(10_000);
  });

  it('the schema refuses what the codec refuses: an unknown key, an unknown kind, a negative index, a missing field', () => {
    const valid = validator('vector.schema.json');
    const good = { id: 'x', config: 'tiny', variant: 'v6', path: [], event: { kind: 'enableSva', dev: 0 }, observations: [{ kind: 'return', result: { tag: 'ok' } }], digest: '0' };
    expect(valid(good)).toBe(true);
    for (const bad of [
      { ...good, extra: 1 },
      { ...good, event: { kind: 'reboot', dev: 0 } },
      { ...good, event: { kind: 'enableSva', dev: -1 } },
      { ...good, event: { kind: 'bind', dev: 0, mm: 0 } },
      { ...good, variant: 'v7' },
      { ...good, observations: [{ kind: 'dma', dev: 0, pasid: 1, page: 0, write: true, result: { tag: 'access', frame: 0, via: 'cache' } }] },
    ]) {
      expect(valid(bad), JSON.stringify(bad)).toBe(false);
      // the codec drops unknown keys; excessKeys (as the config loader does) names them
      expect(E.isLeft(vectorCodec.decode(bad)) || excessKeys(vectorCodec, bad).length > 0).toBe(true);
    }
  });

  it('the requests and replies of a served session are valid under the protocol schemas', () => {
    const request = validator('protocol-request.schema.json');
    const reply = validator('protocol-reply.schema.json');
    const config = loadConfigFile(new URL('../spec/configs/tiny.json', import.meta.url).pathname);
    if (E.isLeft(config)) throw new Error(config.left.join('\n'));
    const vectors = readFileSync(new URL('tiny.v6.jsonl', vectorsDir), 'utf8').split('\n').filter(Boolean).slice(0, 200).map((l) => JSON.parse(l) as { path: unknown[]; event: unknown });
    const lines: unknown[] = [{ op: 'reset', protocol: PROTOCOL_VERSION, config: encodeConfig(config.right), variant: 'v6' }, { op: 'save', slot: 0 }];
    for (const v of vectors) lines.push({ op: 'restore', slot: 0 }, ...[...v.path, v.event].map((event) => ({ op: 'step', event })));
    lines.push({ op: 'step', event: { kind: 'unbind', dev: 7, mm: 0 } }, { op: 'restore', slot: 9 }, { op: 'bye' });
    const engine = new ReducerEngine(), state = { ready: false };
    const seen = new Set<string>();
    for (const l of lines) {
      if (!request(l)) expect.fail(`${JSON.stringify(l)}: ${ajv.errorsText(request.errors)}`);
      const r = answer(engine, JSON.stringify(l), state);
      if (r === undefined) continue;
      if (!reply(r)) expect.fail(`${JSON.stringify(r)}: ${ajv.errorsText(reply.errors)}`);
      seen.add(Object.keys(r as object).sort().join(','));
    }
    // acks (with protocol and features, and refused ones), accepted steps with digests, refusals
    expect([...seen].sort()).toEqual(expect.arrayContaining(['features,ok,protocol', 'ok', 'digest,observations', 'detail,error', 'error,ok']));
    expect(request({ op: 'step', event: { kind: 'dma' } })).toBe(false);
    expect(reply({ observations: [{ kind: 'nope' }] })).toBe(false);
  });
});
