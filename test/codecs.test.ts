// Config decoding errors name the JSON path of the offending value and what was expected.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeConfig, encodeConfig } from '../src/codecs/config.ts';
import { seedWideConfig } from '../src/model/config.ts';
import { loadExpectedVerdicts } from '../src/codecs/expected.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

describe('DRV-ATTACH-STALL: a configuration the kernel accepts', () => {
  it('refuses a stalling and a non-stalling master in one stage-1 domain (configurable), naming both', () => {
    const j = base();
    j.devices[1].domain = 0;
    const r = decodeConfig(j, 'mix.json');
    expect(E.isLeft(r) && r.left).toEqual([
      'mix.json: $.devices[1].domain: the kernel refuses to attach a stalling master to the stall-disabled stage-1 domain 0 of "0000:00:03.0" (arm_smmu_attach_dev, the v6 series and Linux 5.14: "cannot attach to stall-%s domain", -EINVAL); put it in a domain of its own',
    ]);
  });
  it('accepts the mix when every master stalls (forced) or none can (none), and in a stage-2 domain', () => {
    for (const stallModel of ['forced', 'none']) {
      const j = base();
      j.devices[1].domain = 0;
      j.smmu.stallModel = stallModel;
      // INIT-PCI: no PCIe function behind a stall-forced SMMU
      if (stallModel === 'forced') Object.assign(j.devices[0], { bus: 'platform', ats: false, pri: false, stall: false });
      expect(E.isRight(decodeConfig(j)), stallModel).toBe(true);
    }
    const s2 = base();
    s2.devices[1].domain = 0;
    s2.domains[0].stage = 2;
    expect(E.isRight(decodeConfig(s2))).toBe(true);
  });
  it('every shipped configuration decodes', async () => {
    const { readdirSync } = await import('node:fs');
    const { loadConfigFile } = await import('../src/codecs/config.ts');
    const dir = new URL('../spec/configs/', import.meta.url);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const r = loadConfigFile(new URL(f, dir).pathname);
      expect(E.isRight(r), `${f}: ${E.isLeft(r) ? r.left.join('; ') : ''}`).toBe(true);
    }
  });
});

describe('DRV-ATTACH-SSID: one SSID width per stage-1 domain', () => {
  it('refuses a master whose SSID width differs from its stage-1 domain\'s first master, naming both; a stage-2 domain takes any', () => {
    const j = base();
    j.devices[1].domain = 0;
    j.devices[1].stall = false;
    j.devices[1].ssidBits = 4;
    const r = decodeConfig(j, 's.json');
    expect(E.isLeft(r) && r.left).toEqual([
      's.json: $.devices[1].ssidBits: the kernel refuses to attach a master with 4 SSID bits to the stage-1 domain 0 whose CD table has 20 ("0000:00:03.0"; arm_smmu_attach_dev, Linux 5.10 to 5.15: "cannot attach to incompatible domain (%u SSID bits != %u)", -EINVAL); give it 20 SSID bits or a domain of its own',
    ]);
    j.domains[0].stage = 2;
    expect(E.isRight(decodeConfig(j))).toBe(true);
  });
});

describe('INIT-PCI: what a PCIe function and a platform device can be', () => {
  it('refuses ATS on a platform device (Linux: dev_is_pci in arm_smmu_ats_supported)', () => {
    const j = base();
    Object.assign(j.devices[1], { ats: true, pri: true, stall: false });
    const r = decodeConfig(j, 'p.json');
    expect(E.isLeft(r) && r.left).toEqual([
      'p.json: $.devices[1].ats: expected false on a platform device (ATS is a PCIe capability; Linux enables it only when dev_is_pci(), arm_smmu_ats_supported), got ats: true with bus: "platform"',
    ]);
  });
  it('refuses a stalling device with ATS (IHI 0070 3.12.1, 16.4)', () => {
    const j = base();
    j.devices[0].stall = true;
    j.devices[1].domain = 0;
    const r = decodeConfig(j, 'p.json');
    expect(E.isLeft(r) && r.left).toEqual([
      'p.json: $.devices[0].stall: expected false on a device with ATS (IHI 0070 3.12.1: streams that originate from PCIe subsystems must not stall; only a PCI-enumerated device on a native AMBA interface may stall, and it has no ATS), got stall: true with ats: true',
    ]);
  });
  it('accepts a stalling PCI-enumerated device without ATS (an RCiEP on AMBA, quirk_huawei_pcie_sva), also behind STALL_MODEL forced', () => {
    for (const stallModel of ['configurable', 'forced']) {
      const j = base();
      Object.assign(j.devices[0], { ats: false, pri: false, stall: true });
      j.devices[1].domain = 0;
      j.smmu.stallModel = stallModel;
      const r = decodeConfig(j);
      expect(E.isRight(r), `${stallModel}: ${E.isLeft(r) ? r.left.join('; ') : ''}`).toBe(true);
    }
  });
  it('refuses STALL_MODEL forced with a PCIe function that cannot stall (IHI 0070 6.3.1), naming the device', () => {
    const j = base();
    j.smmu.stallModel = 'forced';
    const r = decodeConfig(j, 'p.json');
    expect(E.isLeft(r) && r.left).toEqual([
      'p.json: $.smmu.stallModel: expected "configurable" or "none" with a PCIe function that cannot stall ($.devices[0] "0000:00:03.0", bus: "pci", stall: false; IHI 0070 6.3.1: an SMMU of a PCI system must not have STALL_MODEL 0b10), got "forced"; make it a platform device or a stalling PCI-enumerated device without ATS, or change stallModel',
    ]);
  });
});

describe('configErrors: the same checks on a Config built in code (the public API)', () => {
  it('names the path and the rule, [] on a configuration that passes, and the tests\' helper refuses what it refuses', async () => {
    const { configErrors } = await import('../src/index.ts');
    const { seedWideConfig } = await import('../src/model/config.ts');
    const { withSmmu } = await import('./rules/helpers.ts');
    expect(configErrors(seedWideConfig)).toEqual([]);
    const forced = { ...seedWideConfig, smmu: { ...seedWideConfig.smmu, stallModel: 'forced' as const } };
    expect(configErrors(forced)).toEqual([
      '$.smmu.stallModel: expected "configurable" or "none" with a PCIe function that cannot stall ($.devices[0] "0000:00:03.0", bus: "pci", stall: false; IHI 0070 6.3.1: an SMMU of a PCI system must not have STALL_MODEL 0b10), got "forced"; make it a platform device or a stalling PCI-enumerated device without ATS, or change stallModel',
    ]);
    expect(() => withSmmu({ stallModel: 'forced' })).toThrow(/decoder refuses:\n\$\.smmu\.stallModel/);
  });
});

describe('expected verdicts file (spec/expected-verdicts.json)', () => {
  const load = (json: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'smmu-sva-verdicts-'));
    const file = join(dir, 'v.json');
    writeFileSync(file, JSON.stringify(json));
    try { return { file, r: loadExpectedVerdicts(file) }; } finally { rmSync(dir, { recursive: true, force: true }); }
  };
  it('a configuration may record only some variants', () => {
    const { r } = load({ configs: { 'seed-wide': { upstream: [] } } });
    expect(E.isRight(r) && r.right).toEqual({ 'seed-wide': { upstream: [] } });
  });
  it('a key that is not a variant is an error naming its path', () => {
    const { file, r } = load({ configs: { small: { v6: [], upstraem: [] } } });
    expect(E.isLeft(r) && r.left).toEqual([expect.stringMatching(new RegExp(`^${file.replace(/[.]/g, '\\.')}: \\$\\.configs\\.small\\.upstraem: unknown field \\(expected one of v6, `))]);
  });
  it('a verdict that is not a list of names is an error naming its path', () => {
    const { file, r } = load({ configs: { small: { v6: 'no-stale-atc' } } });
    expect(E.isLeft(r) && r.left).toEqual([`${file}: $.configs.small.v6: expected Array<string>, got "no-stale-atc"`]);
  });
});
