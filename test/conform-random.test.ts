// The random phase of conform: every (configuration, variant) pair by default, a time budget as
// an alternative to a count, the coverage it reached, and its usage errors.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/cli/commands/conform.ts';
import { conform } from '../src/conform/runner.ts';
import { outcomeOf } from '../src/conform/coverage.ts';
import { defaultConfig } from '../src/model/config.ts';
import { variantNames } from '../src/model/variant.ts';
import { pickEnabled } from '../src/conform/sequence.ts';
import type { Event } from '../src/model/event.ts';

const impl = (file: string) => [process.execPath, '--import', 'tsx', `test/fixtures/impls/${file}`].map((a) => JSON.stringify(a)).join(' ');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['tools/smmu-sva.mjs', 'conform', ...args], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('conform: random phase', () => {
  it('parses durations', () => {
    expect(parseDuration('30s')).toBe(30000);
    expect(parseDuration('2m')).toBe(120000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    for (const bad of ['30', 's', '0s', '-1s', '3h', '']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('picks a disabled kind\'s choice among the enabled kinds evenly, not the next enabled kind', () => {
    const enabled: Event[] = [{ kind: 'enableSva', dev: 0 }, { kind: 'touch', mm: 0, page: 0, frame: 0 }, { kind: 'touch', mm: 1, page: 0, frame: 0 }];
    const picked = new Map<string, number>();
    for (let c = 0; c < 14 * 100; c++) { const k = pickEnabled(enabled, c).kind; picked.set(k, (picked.get(k) ?? 0) + 1); }
    expect(Math.abs(picked.get('enableSva')! - picked.get('touch')!)).toBeLessThan(14 * 100 * 0.1);
    // exit and domainFree (after which nothing of the process or domain happens) one time in eight
    const withExit: Event[] = [...enabled, { kind: 'exit', mm: 0 }];
    let exits = 0;
    for (let c = 0; c < 1 << 16; c++) if (pickEnabled(withExit, c).kind === 'exit') exits++;
    expect(exits / (1 << 16)).toBeLessThan(0.05);
    expect(exits).toBeGreaterThan(0);
  });

  it('runs every pair given, counts outcomes by kind, refusals with their reason', async () => {
    const r = await conform({
      command: impl('reference.ts'), configsDir: 'spec/configs', config: defaultConfig, randomRuns: 3, maxLength: 30, seed: 1,
      randomTargets: variantNames.map((variant) => ({ config: defaultConfig, variant })), timeoutMs: 5000, window: 256, snapshots: true,
    });
    if (r._tag === 'Left') throw new Error(r.left.join('\n'));
    const x = r.right.random!;
    expect(r.right.conformant).toBe(true);
    expect(x.targets.map((t) => t.variant)).toEqual([...variantNames]);
    expect(x.targets.every((t) => t.sequences === 3)).toBe(true);
    const outcomes = Object.values(x.coverage).flatMap((b) => Object.keys(b));
    expect(outcomes.some((o) => o.startsWith('refused NotEnabled: '))).toBe(true);
    expect(outcomes.some((o) => o.startsWith('accepted'))).toBe(true);
    expect(outcomeOf({ tag: 'refused', error: 'NotEnabled', detail: 'page must be below 2' })).toBe('refused NotEnabled: page must be below N');
  });

  it('--budget runs for about that long on every pair (every shipped and derived configuration) and prints the coverage', () => {
    const r = cli('--impl', impl('reference.ts'), '--no-vectors', '--budget', '3s', '--variant', 'upstream');
    expect(r.code).toBe(0);
    const shipped = readdirSync(new URL('../spec/configs/', import.meta.url)).filter((f) => f.endsWith('.json')).length;
    expect(r.out).toMatch(new RegExp(`random: \\d+ sequences on ${shipped + 4} \\(configuration, variant\\) pairs \\(a 3 s budget, up to 100 events, seed 42\\)`));
    expect(r.out).toMatch(/coverage: \d+ of 14 event kinds, \d+ \(kind, outcome\) pairs, \d+ of them refusals/);
    expect(r.out).toMatch(/^ {2}bind: .*accepted return:handle \d+/m);
    expect(r.out).toMatch(/CONFORMANT/);
  });

  it('usage errors: --random with --budget, a bad duration', () => {
    const a = cli('--impl', 'x', '--random', '5', '--budget', '3s');
    expect(a.code).toBe(2);
    expect(a.err).toContain('--random and --budget exclude each other');
    const b = cli('--impl', 'x', '--budget', 'soon');
    expect(b.code).toBe(2);
    expect(b.err).toContain('--budget expects a duration such as 30s, 2m or 500ms, got "soon"');
    expect(b.err).not.toMatch(/\n\s+at /);
  });
});
