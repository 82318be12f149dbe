// smmu-sva check-trace as a user runs it: exit codes 0/1/2, --json fields, standard input, and
// one-line errors (never a stack trace) for malformed lines and bad usage.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['tools/smmu-sva.mjs', 'check-trace', ...args], { encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const dir = 'test/fixtures/traces';
const tmp = mkdtempSync(join(tmpdir(), 'trace-cli-'));

describe('smmu-sva check-trace', () => {
  it('accepts the seed trace (exit 0) and prints the JSON fields', () => {
    const r = cli([`${dir}/seed2.tracefs.txt`, '--variant', 'upstream', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ accepted: true, firstUnexplainedLine: null, lines: 20, records: 7, skipped: 1, variant: 'upstream', reason: 'accepted' });
  });
  it('accepts the four shapes of real logs (exit 0): TRACE-DOMAIN-SHARE, INFER-UNRECOV, TRACE-TOUCH-MUNMAP, TRACE-RESPONSE-ADDR', () => {
    for (const f of ['shared-domain.tracefs.txt', 'unrecoverable.tracefs.txt', 'unpopulated-munmap.trace-cmd.txt', 'old-response.bare.txt']) {
      const r = cli([`${dir}/${f}`, '--variant', 'upstream', '--json']);
      expect(r.code, `${f}: ${r.out}${r.err}`).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ accepted: true, firstUnexplainedLine: null, variant: 'upstream' });
    }
    const seed = cli([`${dir}/seed1.tracefs.txt`, '--variant', 'upstream', '--config', `${dir}/seed-config.json`]);
    expect(seed.code, seed.out + seed.err).toBe(0);
  });
  it('the new invalid fixtures exit 1 naming file:line', () => {
    for (const [f, line] of [['shared-domain-stall-mix', 7], ['unrecoverable-after-unbind', 4], ['munmap-three-records', 6]] as const) {
      const r = cli([`${dir}/invalid/${f}.txt`, '--variant', 'upstream']);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`${dir}/invalid/${f}.txt:${line}: rejected under upstream`);
    }
  });
  it('output is byte-identical from one run to the next', () => {
    for (const f of ['shared-domain.tracefs.txt', 'invalid/shared-domain-stall-mix.txt']) {
      const a = cli([`${dir}/${f}`, '--json']);
      const b = cli([`${dir}/${f}`, '--json']);
      expect(a.out).toBe(b.out);
    }
  });
  it('rejects with exit 1, the line, the record, the alternatives and a witness', () => {
    const r = cli([`${dir}/invalid/success-after-release.txt`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/success-after-release\.txt:4: rejected under v6/);
    expect(r.out).toMatch(/the model could have emitted instead:\n {2}dev_page_response: IOMMU:0000:00:03\.0 code=1 pasid=1 group=5/);
    expect(r.out).toMatch(/line 2: exit proc0 {2}-> {2}smmu_mm_release: pasid=1/);
    const j = JSON.parse(cli([`${dir}/invalid/success-after-release.txt`, '--json']).out);
    expect(j).toMatchObject({ accepted: false, firstUnexplainedLine: 4, records: 5, variant: 'v6' });
  });
  it('reads standard input with -', () => {
    const r = cli(['-', '--json'], 'smmu_bind_alloc: dev=0000:00:03.0 pasid=1\nsmmu_unbind_free: dev=0000:00:03.0 pasid=1\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).records).toBe(2);
  });
  const malformed: [string, string, RegExp][] = [
    ['bad-field', 'smmu_bind_alloc: dev=0000:00:03.0 pasid=1\nsmmu_mm_release: pasid=one\n', /:2: malformed: smmu_mm_release: field "pasid"/],
    ['truncated', 'smmu_bind_alloc: dev=0000:00:03.0 pasid=1\ndev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff86\n', /:2: malformed: dev_fault: field "pasid": missing/],
    ['binary', 'smmu_bind_alloc: dev=0000:00:03.0 pasid=1\n\u0000\u0001\u00ff\u0003garbage\n', /:2: malformed: binary data/],
    ['huge', `smmu_bind_alloc: dev=0000:00:03.0 pasid=1\n${'z'.repeat(3 << 20)}\nsmmu_mm_release: pasid=1\n`, /:2: malformed: line longer than 65536/],
  ];
  for (const [name, text, msg] of malformed) {
    it(`a malformed line (${name}) exits 2 with file:line and the field`, () => {
      const f = join(tmp, `${name}.txt`);
      writeFileSync(f, text);
      const r = cli([f]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err).toContain(`${f}:2:`);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
  it('a malformed line after a rejection still exits 2 (malformed input wins)', () => {
    const f = join(tmp, 'both.txt');
    writeFileSync(f, 'smmu_unbind_free: dev=0000:00:03.0 pasid=1\nsmmu_mm_release: pasid=\n');
    expect(cli([f, '--config', `${dir}/seed-config.json`]).code).toBe(2);
    expect(cli([f]).code).toBe(2);
  });
  it('usage errors exit 2 with one message: unknown variant, unreadable file, bad config, bad flag', () => {
    const bad = join(tmp, 'bad-config.json');
    writeFileSync(bad, '{"name": "x", "smmu": {"stallModel": "sometimes"}}');
    for (const [args, msg] of [
      [[`${dir}/seed1.bare.txt`, '--variant', 'v7'], /unknown variant "v7"/],
      [[join(tmp, 'nope.txt')], /cannot read \(ENOENT\)/],
      [[`${dir}/seed1.bare.txt`, '--config', bad], /--config .*bad-config\.json: \$\.smmu\.stallModel: expected/],
      [[`${dir}/seed1.bare.txt`, '--config', join(tmp, 'missing.json')], /cannot read/],
      [[`${dir}/seed1.bare.txt`, '--page-size', '3000'], /--page-size expects a power of two/],
      [[`${dir}/seed1.bare.txt`, '--bogus'], /bogus/],
      [[], /missing trace file/],
    ] as const) {
      const r = cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
