// The limits of the symmetry-reduced key's packed sort keys (src/explorer/symmetry.ts, KEY_LIMITS):
// a configuration at a limit is explored with symmetry reduction; one beyond it has symmetry
// turned off with a message naming the config field (explore() result, --json, stderr), never
// states merged silently; a configuration beyond the plain encoding's limit (devices) is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeConfig } from '../src/codecs/config.ts';
import { defaultConfig, type Config } from '../src/model/config.ts';
import { initialState } from '../src/machine/initial.ts';
import type { State } from '../src/model/state.ts';
import { IntBuf } from '../src/explorer/encode.ts';
import { explore } from '../src/explorer/explore.ts';
import { Canonicalizer, encodingLimitErrors, KEY_LIMITS, symmetryKeyLimitErrors, symmetryOf } from '../src/explorer/symmetry.ts';
import { StoreCanonicalizer } from '../src/explorer/packed/canon.ts';

const withFrames = (n: number): Config => ({ ...defaultConfig, name: `frames-${n}`, frames: n });
const withPages = (n: number): Config => ({ ...defaultConfig, name: `pages-${n}`, processes: defaultConfig.processes.map((p) => ({ ...p, pages: n })) });
const withBondRefs = (n: number): Config => ({ ...defaultConfig, name: `refs-${n}`, options: { ...defaultConfig.options, maxBondRefs: n } });
const withDevices = (n: number): Config => ({
  ...defaultConfig, name: `devices-${n}`,
  devices: Array.from({ length: n }, (_, i) => ({ ...defaultConfig.devices[0]!, name: `dev${i}` })),
});

const dir = mkdtempSync(join(tmpdir(), 'symmetry-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (c: Config) => { const f = join(dir, `${c.name}.json`); writeFileSync(f, JSON.stringify(encodeConfig(c))); return f; };
const cli = (...args: string[]) => spawnSync(process.execPath, ['tools/smmu-sva.mjs', ...args], { encoding: 'utf8' });

describe('symmetry key limits', () => {
  it('configurations at each limit keep symmetry reduction; one step beyond turns it off naming the field', () => {
    const cases: [Config, Config, RegExp][] = [
      [withFrames(KEY_LIMITS.frames), withFrames(KEY_LIMITS.frames + 1), /\$\.frames = 65/],
      [withPages(KEY_LIMITS.pages), withPages(KEY_LIMITS.pages + 1), /\$\.processes\[0\]\.pages = 65/],
      [withBondRefs(KEY_LIMITS.maxBondRefs), withBondRefs(KEY_LIMITS.maxBondRefs + 1), /\$\.options\.maxBondRefs = 512/],
    ];
    for (const [at, beyond, field] of cases) {
      expect(symmetryKeyLimitErrors(at), at.name).toEqual([]);
      expect(symmetryOf(at, true).enabled, at.name).toBe(true);
      const off = symmetryOf(beyond, true);
      expect(off.enabled, beyond.name).toBe(false);
      expect(off.offReason, beyond.name).toMatch(field);
      expect(off.offReason).toMatch(/^symmetry reduction off: /);
      // both canonicalisers follow symmetryOf
      expect(new StoreCanonicalizer(beyond, true).symmetry.enabled).toBe(false);
      expect(new StoreCanonicalizer(at, true).symmetry.enabled).toBe(true);
    }
  });

  it('a canonicaliser cannot be built with symmetry on beyond a limit', () => {
    const c = withBondRefs(KEY_LIMITS.maxBondRefs + 1);
    const forced = { ...symmetryOf(defaultConfig, true), offReason: undefined };
    expect(() => new Canonicalizer(c, forced)).toThrow(/\$\.options\.maxBondRefs = 512 \(bond refcounts are packed in 9 bits/);
  });

  it('bond refcounts: at maxBondRefs = 511 the key keeps every refcount apart; 512 would alias the process index', () => {
    const c = withBondRefs(KEY_LIMITS.maxBondRefs);
    const canon = new Canonicalizer(c, symmetryOf(c, true));
    expect(canon.symmetry.enabled).toBe(true);
    const s0 = initialState(c);
    const withBond = (refs: number, mm: number): State => ({ ...s0, svaEnabled: s0.svaEnabled.map(() => true), bonds: [{ dev: 0, mm, refs, afterExit: false }] });
    const key = (s: State) => { const b = new IntBuf(256); canon.key(s, b); return Array.from(b.a.subarray(0, b.n)).join(','); };
    const keys = new Set([511, 510, 1].flatMap((refs) => [key(withBond(refs, 0)), key(withBond(refs, 1))]));
    expect(keys.size).toBe(3); // processes 0 and 1 are interchangeable; refcounts are not merged
    // the packing of a bond's sort key (symmetry.ts): (dev << 16) | (proc << 10) | (refs * 2 + afterExit):
    // refs = 512 on process 0 packs like refs = 0 on process 1, which is why 512 turns symmetry off
    const pack = (dev: number, proc: number, refs: number) => (dev << 16) | (proc << 10) | (refs * 2);
    expect(pack(0, 0, 511)).not.toBe(pack(0, 1, 0));
    expect(pack(0, 0, 512)).toBe(pack(0, 1, 0));
  });

  it('explore() reports symmetry off with the reason, for both engines, and results match --no-symmetry', async () => {
    const beyond = withBondRefs(KEY_LIMITS.maxBondRefs + 1);
    for (const engine of ['reducer', 'packed'] as const) {
      const r = await explore(beyond, 'v6', { symmetry: true, maxStates: 3000, workers: 1, engine });
      expect(r.symmetry).toBe(false);
      expect(r.symmetryOff).toMatch(/\$\.options\.maxBondRefs = 512/);
      const plain = await explore(beyond, 'v6', { symmetry: false, maxStates: 3000, workers: 1, engine });
      expect(plain.symmetryOff).toBeUndefined();
      expect([r.states, r.transitions, r.maxDepth]).toEqual([plain.states, plain.transitions, plain.maxDepth]);
      expect(Array.from(r.graph.hi)).toEqual(Array.from(plain.graph.hi));
      const at = await explore(withBondRefs(KEY_LIMITS.maxBondRefs), 'v6', { symmetry: true, maxStates: 3000, workers: 1, engine });
      expect(at.symmetry).toBe(true);
      expect(at.symmetryOff).toBeUndefined();
    }
  }, 60_000);

  it('smmu-sva explore: a config beyond a limit runs without symmetry, says so on stderr and in --json', () => {
    const beyond = cli('explore', '--config', file(withFrames(65)), '--max-states', '500', '--json', '--engine', 'packed');
    expect(beyond.stderr).toMatch(/^smmu-sva explore: frames-65: symmetry reduction off: .*\$\.frames = 65 \(frame numbers are packed in 6 bits: at most 64 frames\)/);
    const j = JSON.parse(beyond.stdout) as { symmetry: boolean; symmetryOff: string | null };
    expect(j.symmetry).toBe(false);
    expect(j.symmetryOff).toMatch(/\$\.frames = 65/);
    const at = cli('explore', '--config', file(withFrames(64)), '--max-states', '500', '--json');
    expect(at.stderr).toBe('');
    const k = JSON.parse(at.stdout) as { symmetry: boolean; symmetryOff: string | null };
    expect(k.symmetry).toBe(true);
    expect(k.symmetryOff).toBeNull();
    const text = cli('explore', '--config', file(withFrames(65)), '--max-states', '500');
    expect(text.stdout).toMatch(/symmetry reduction off \(configuration beyond the key limits\)/);
  }, 60_000);

  it('smmu-sva explore: maxBondRefs beyond the config codec\'s own bound is refused with exit 2 naming the field', () => {
    // the codec allows 1..8 (spec/configuration.md); the key limit 511 is for configs built in code
    const f = join(dir, 'refs-512.json');
    writeFileSync(f, JSON.stringify({ ...encodeConfig(defaultConfig), options: { maxBondRefs: 512 } }));
    const r = cli('explore', '--config', f);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\$\.options\.maxBondRefs/);
  });

  it('more devices than the state encoding holds: refused (exit 2, naming $.devices), whatever the symmetry setting', async () => {
    expect(encodingLimitErrors(withDevices(32))).toEqual([]);
    expect(encodingLimitErrors(withDevices(33))[0]).toMatch(/^\$\.devices: 33 devices/);
    await expect(explore(withDevices(33), 'v6', { symmetry: false, maxStates: 10, workers: 1 })).rejects.toThrow(/\$\.devices: 33 devices/);
    for (const flags of [[], ['--no-symmetry']]) {
      const r = cli('explore', '--config', file(withDevices(33)), ...flags);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^smmu-sva explore: devices-33: \$\.devices: 33 devices; the explorer's state encoding holds the SVA-enabled flags of at most 32 devices/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const ok = await explore(withDevices(32), 'v6', { symmetry: true, maxStates: 200, workers: 1 });
    expect(ok.symmetry).toBe(true);
  }, 60_000);
});
