// Config decoding errors name the JSON path of the offending value and what was expected.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeConfig, encodeConfig } from '../src/codecs/config.ts';
import { seedWideConfig } from '../src/model/config.ts';

const base = () => JSON.parse(JSON.stringify(encodeConfig(seedWideConfig)));

describe('config codec: JSON paths in errors', () => {
  it('names the leaf field inside exact and partial objects', () => {
    const j = base();
    j.smmu.asidBits = 40;
    j.devices[0].ssidBits = 'x';
    j.options = { maxBondRefs: 0 };
    const r = decodeConfig(j, 'my.json');
    expect(E.isLeft(r) && r.left).toEqual(expect.arrayContaining([
      'my.json: $.smmu.asidBits: expected an integer in [2, 16], got 40',
      'my.json: $.devices[0].ssidBits: expected an integer in [1, 20], got "x"',
      'my.json: $.options.maxBondRefs: expected an integer in [1, 8], got 0',
    ]));
  });
  it('the built-in default round-trips', () => {
    const r = decodeConfig(base());
    expect(E.isRight(r) && r.right).toEqual(seedWideConfig);
  });
});

describe('config codec: unknown fields', () => {
  it('a misspelt option is an error naming its path, not a silent default', () => {
    const j = base();
    j.options = { bindAfterExt: true };
    j.devices[1].stal = true;
    const r = decodeConfig(j, 'c.json');
    expect(E.isLeft(r) && r.left).toEqual([
      expect.stringMatching(/^c\.json: \$\.devices\[1\]\.stal: unknown field \(expected one of name, bus/),
      expect.stringMatching(/^c\.json: \$\.options\.bindAfterExt: unknown field/),
    ]);
  });
});

describe('config codec: missing fields', () => {
  it('names the missing field', () => {
    const j = base();
    delete j.frames;
    delete j.devices[0].ats;
    const r = decodeConfig(j);
    expect(E.isLeft(r) && r.left).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\$\.frames: expected /),
      '$.devices[0].ats: expected boolean, got nothing',
    ]));
  });
});
