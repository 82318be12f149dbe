// The conformance runner facing implementations that crash, hang or print garbage: each is
// reported as such, naming the event that caused it; the runner neither hangs nor throws. Also
// the reply decoder's JSON paths, the serve loop's answers to bad requests, and the CLI.
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeStepReply } from '../src/conform/compare.ts';
import { ReducerEngine } from '../src/conform/engine.ts';
import { conform, type ConformOptions, type ConformReport } from '../src/conform/runner.ts';
import { formatText } from '../src/conform/report.ts';
import { answer } from '../src/conform/serve.ts';
import { encodeConfig } from '../src/codecs/config.ts';
import { seedWideConfig } from '../src/model/config.ts';

const impl = (file: string, ...args: string[]) => [process.execPath, '--import', 'tsx', `test/fixtures/impls/${file}`, ...args].map((a) => JSON.stringify(a)).join(' ');
const noConfigs = mkdtempSync(join(tmpdir(), 'conform-configs-'));
const base: ConformOptions = {
  command: impl('reference.ts'), configsDir: noConfigs, config: seedWideConfig, randomRuns: 40, maxLength: 12, seed: 7,
  timeoutMs: 5000, window: 256, snapshots: true, restartBudget: 3,
};

async function run(o: Partial<ConformOptions>): Promise<ConformReport> {
  const r = await conform({ ...base, ...o });
  if (E.isLeft(r)) throw new Error(r.left.join('\n'));
  return r.right;
}

function misbehaviour(r: ConformReport) {
  const f = r.failure;
  if (!f || f.kind !== 'misbehaviour') throw new Error(`expected a misbehaviour, got ${JSON.stringify(f?.kind)}`);
  return f;
}

// PROTO-TIMEOUT: crash, hang, garbage; PROTO-FRAMING: one reply per request line.
describe('conform: misbehaving implementations', () => {
  it('a crash is reported with its exit code, the stderr tail and the event that caused it', async () => {
    const r = await run({ command: impl('misbehave.ts', 'crash', 'exit') });
    const f = misbehaviour(r);
    expect(f.bad).toMatchObject({ kind: 'crash', code: 3 });
    expect('stderr' in f.bad && f.bad.stderr).toContain('simulated crash on exit');
    expect(f.where.request).toBe('step');
    expect(f.where.events.at(-1)!.kind).toBe('exit');
    expect(formatText(r).join('\n')).toMatch(/CRASH: the process exited with code 3[\s\S]*exit proc[AB]   <-- here[\s\S]*simulated crash/);
  });

  it('death by a signal is a crash too', async () => {
    const r = await run({ command: impl('misbehave.ts', 'signal', 'exit'), randomRuns: 20, restartBudget: 2 });
    const f = misbehaviour(r);
    expect(f.bad.kind).toBe('crash');
    // sh reports a child killed by SIGSEGV as exit status 139, or the signal itself
    expect(f.bad.kind === 'crash' && (f.bad.code === 139 || f.bad.signal === 'SIGSEGV')).toBe(true);
    expect(f.where.events.at(-1)!.kind).toBe('exit');
  });

  it('a hang is reported after the per-message timeout, naming the event', async () => {
    const r = await run({ command: impl('misbehave.ts', 'hang', 'munmap'), timeoutMs: 300, restartBudget: 4 });
    const f = misbehaviour(r);
    expect(f.bad).toMatchObject({ kind: 'hang', timeoutMs: 300 });
    expect(f.where.events.at(-1)!.kind).toBe('munmap');
    expect(formatText(r).join('\n')).toContain('HANG: no reply within 300 ms');
  });

  it('a line that is not JSON is garbage, quoted, naming the event', async () => {
    const r = await run({ command: impl('misbehave.ts', 'garbage', 'dma') });
    const f = misbehaviour(r);
    expect(f.bad).toMatchObject({ kind: 'garbage', line: '<html>oops</html>' });
    expect(f.bad.kind === 'garbage' && f.bad.why).toMatch(/^not JSON/);
    expect(f.where.events.at(-1)!.kind).toBe('dma');
  });

  it('a reply that fails the codec is garbage with the JSON path that failed', async () => {
    // unbind needs SVA enabled and a bond first: longer sequences than the other cases
    const r = await run({ command: impl('misbehave.ts', 'invalid', 'unbind'), maxLength: 30 });
    const f = misbehaviour(r);
    expect(f.bad.kind).toBe('garbage');
    expect(f.bad.kind === 'garbage' && f.bad.why).toMatch(/^\$\.observations\[0\]\.cmd\.op: expected one of "CMD_CFGI_CD", .*got "CMD_SYNK"/);
    expect(f.where.events.at(-1)!.kind).toBe('unbind');
  });

  it('a command that does not exist is a crash at the first request (exit 127), not an exception', async () => {
    const r = await run({ command: 'definitely-not-a-command-xyz', randomRuns: 3, restartBudget: 1 });
    const f = misbehaviour(r);
    expect(f.bad).toMatchObject({ kind: 'crash', code: 127 });
    expect(f.where.request).toBe('reset');
  });
});

describe('conform: protocol pieces without a process', () => {
  it('decodeStepReply names the JSON path of what is wrong', () => {
    const bad = (v: unknown) => (E.isLeft(decodeStepReply(v)) ? (decodeStepReply(v) as E.Left<string[]>).left[0] : 'decoded');
    expect(bad({ observations: [{ kind: 'cmd', cmd: { op: 'CMD_TLBI_NH_ASID', asid: -1 } }] })).toBe('$.observations[0].cmd.asid: expected a non-negative integer, got -1');
    expect(bad({ observations: [{ kind: 'trace', record: { tp: 'smmu_bind_alloc', dev: 0 } }] })).toBe('$.observations[0].record.pasid: expected a non-negative integer, got nothing');
    expect(bad({ observations: [{ kind: 'bogus' }] })).toMatch(/^\$\.observations\[0\]\.kind: expected one of "trace", .*got "bogus"$/);
    expect(bad({ observations: 3 })).toBe('$.observations: expected Array<unknown>, got 3');
    expect(bad([1])).toMatch(/^\$: expected a step reply object/);
    expect(decodeStepReply({ error: 'NotEnabled' })).toEqual(E.right({ tag: 'refused', error: 'NotEnabled' }));
  });

  // PROTO-RESET, PROTO-STEP, PROTO-REFUSAL, PROTO-SNAPSHOT, PROTO-BYE as the reference serve loop answers them
  it('the serve loop answers bad requests with ok:false or an error tag, and never throws', () => {
    const engine = new ReducerEngine();
    const st = { ready: false };
    expect(answer(engine, '{"op":"step","event":{"kind":"exit","mm":0}}', st)).toMatchObject({ error: 'BadArgument' });
    expect(answer(engine, 'nope', st)).toMatchObject({ ok: false });
    expect(answer(engine, '{"op":"reset","protocol":2,"config":{},"variant":"v6"}', st)).toMatchObject({ ok: false, protocol: 3 });
    expect(answer(engine, JSON.stringify({ op: 'reset', protocol: 3, config: { ...encodeConfig(seedWideConfig), frames: -1 }, variant: 'v6' }), st)).toMatchObject({ ok: false, error: expect.stringMatching(/config: \$\.frames/) });
    expect(answer(engine, JSON.stringify({ op: 'reset', protocol: 3, config: encodeConfig(seedWideConfig), variant: 'v6-atc' }), st)).toEqual({ ok: true, protocol: 3, features: ['snapshot'] });
    expect(answer(engine, '{"op":"step","event":{"kind":"enableSva","dev":9}}', st)).toMatchObject({ error: 'UnknownDevice' });
    expect(answer(engine, '{"op":"step","event":{"kind":"unbind","dev":0,"mm":0}}', st)).toMatchObject({ error: 'NotEnabled' });
    expect(answer(engine, '{"op":"restore","slot":3}', st)).toEqual({ ok: false, error: 'no snapshot in slot 3' });
    const ok = answer(engine, '{"op":"step","event":{"kind":"enableSva","dev":0}}', st) as { observations: unknown[]; digest: string };
    expect(ok.observations).toEqual([{ kind: 'return', result: { tag: 'ok' } }]);
    expect(ok.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(answer(engine, '{"op":"bye"}', st)).toBeUndefined();
  });
});

describe('smmu-sva conform (CLI)', () => {
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['tools/smmu-sva.mjs', 'conform', ...args], { encoding: 'utf8', timeout: 120000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('--json on a wrong implementation: exit 1 with the shrunk sequence, events and observations', () => {
    const r = cli('--impl', impl('wrong-rebind-new-bond.ts'), '--no-vectors', '--random', '100', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { conformant: boolean; failure: { kind: string; length: number; events: { kind: string }[]; described: string[]; expected: { observations: unknown[] }; actual: { observations: unknown[] } } };
    expect(j.conformant).toBe(false);
    expect(j.failure.kind).toBe('divergence');
    expect(j.failure.length).toBeLessThanOrEqual(3);
    expect(j.failure.events.map((e) => e.kind)).toEqual(['enableSva', 'bind', 'bind']);
    expect(j.failure.actual.observations.length).toBe(j.failure.expected.observations.length + 1);
  });

  it('bad input exits 2 with one message and no stack trace', () => {
    for (const args of [['--impl', 'x', '--variant', 'v7'], ['--impl', 'x', '--vectors', '/nonexistent/dir'], ['--impl', 'x', '--timeout', 'soon', '--bogus']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.err.length).toBeGreaterThan(0);
    }
  });
});
