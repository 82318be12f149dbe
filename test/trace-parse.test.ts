// The ftrace parser and the streaming line reader: the three layouts, the known field variants,
// malformed lines naming their field, and (fast-check) no input ever makes them throw.
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { readLines } from '../src/trace/lines.ts';
import { maxLineLength, parseLine } from '../src/trace/parse.ts';

const fault = 'dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=74 flags=3 prot=2';

describe('parseLine', () => {
  it('reads a bare line, a tracefs line and a trace-cmd report line to the same record', () => {
    const bare = parseLine(`  ${fault}`);
    const tracefs = parseLine(`     kworker/u8:2-87      [001] d..1.  1234.567890: ${fault}`);
    const tracefsTgid = parseLine(`  sva-test-1234  (   1234) [001] d..1  1234.567890: ${fault}`);
    const traceCmd = parseLine(`    sva-test-1234  [001]  1234.567890: dev_fault:           ${fault.slice('dev_fault: '.length)}`);
    expect(bare).toEqual({
      tag: 'record',
      record: { tp: 'dev_fault', dev: '0000:00:03.0', type: 2, reason: 0, addr: 0xffff860e6000n, pasid: 1, group: 74, flags: 3, prot: 2 },
    });
    expect(tracefs).toEqual(bare);
    expect(tracefsTgid).toEqual(bare);
    expect(traceCmd).toEqual(bare);
  });

  it('reads every checked tracepoint', () => {
    expect(parseLine('smmu_bind_alloc: dev=0000:00:03.0 pasid=1')).toEqual({ tag: 'record', record: { tp: 'smmu_bind_alloc', dev: '0000:00:03.0', pasid: 1 } });
    expect(parseLine('smmu_unbind_free: dev=dma-plat pasid=7')).toEqual({ tag: 'record', record: { tp: 'smmu_unbind_free', dev: 'dma-plat', pasid: 7 } });
    expect(parseLine('smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000'))
      .toEqual({ tag: 'record', record: { tp: 'smmu_mm_invalidate', pasid: 1, start: 0xffff860e6000n, end: 0xffff860e8000n } });
    expect(parseLine('smmu_mm_release: pasid=3')).toEqual({ tag: 'record', record: { tp: 'smmu_mm_release', pasid: 3 } });
    expect(parseLine('dev_page_response: IOMMU:0000:00:03.0 code=1 pasid=1 group=383'))
      .toEqual({ tag: 'record', record: { tp: 'dev_page_response', dev: '0000:00:03.0', code: 1, pasid: 1, group: 383 } });
  });

  it('accepts the known dev_fault variants: an extra fetch= address, and last= instead of flags=', () => {
    const withFetch = parseLine('dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 fetch=0x0000ffff860e6000 pasid=1 group=74 flags=3 prot=2');
    expect(withFetch).toEqual(parseLine(fault));
    const older = parseLine('dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=74 last=1 prot=2');
    expect(older).toEqual(parseLine(fault)); // last=1 -> flags = PASID valid | last page
    const notLast = parseLine('dev_fault: IOMMU:0000:00:03.0 type=2 reason=0 addr=0x0000ffff860e6000 pasid=1 group=74 last=0 prot=2');
    expect(notLast.tag === 'record' && notLast.record.tp === 'dev_fault' && notLast.record.flags).toBe(1);
  });

  it('TRACE-RESPONSE-ADDR: reads the older dev_page_response format, with addr= between code and pasid, to the same record', () => {
    const current = parseLine('dev_page_response: IOMMU:0000:00:03.0 code=1 pasid=1 group=383');
    expect(parseLine('dev_page_response: IOMMU:0000:00:03.0 code=1 addr=0x0000ffffb9d15000 pasid=1 group=383')).toEqual(current);
    expect(parseLine('  kworker/u8:2-87 [001] d..1.  1.000001: dev_page_response: IOMMU:0000:00:03.0 code=1 addr=0x0000ffffb9d15000 pasid=1 group=383')).toEqual(current);
  });

  it('TRACE-UNRECOV-FIELDS: reads dev_fault flags as the tracepoint prints them (%x), and unrecoverable faults (type=1)', () => {
    const unrecov = parseLine('dev_fault: IOMMU:a0000.dma type=1 reason=6 addr=0x0000ffff860e6000 fetch=0x0000000000000000 pasid=1 group=0 flags=3 prot=2');
    expect(unrecov).toEqual({ tag: 'record', record: { tp: 'dev_fault', dev: 'a0000.dma', type: 1, reason: 6, addr: 0xffff860e6000n, pasid: 1, group: 0, flags: 3, prot: 2 } });
    const hex = parseLine(fault.replace('flags=3', 'flags=b'));
    expect(hex.tag === 'record' && hex.record.tp === 'dev_fault' && hex.record.flags).toBe(11);
    expect(parseLine(fault.replace('flags=3', 'flags=0x3'))).toEqual(parseLine(fault));
  });

  it('skips headers and blank lines; other tracepoints are reported as such', () => {
    for (const l of ['', '   ', '# tracer: nop', '#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION', 'cpus=4', 'version = 6', 'CPU 3 is empty']) {
      expect(parseLine(l), JSON.stringify(l)).toEqual({ tag: 'skip' });
    }
    expect(parseLine('  bash-1234  [000] .....  12.000001: sched_switch: prev_comm=bash prev_pid=1234 ==> next_comm=swapper/0')).toEqual({ tag: 'other', event: 'sched_switch' });
    expect(parseLine('iommu_map: IOMMU: iova=0x1000 - 0x2000 paddr=0x3000 size=4096')).toEqual({ tag: 'other', event: 'iommu_map' });
  });

  const malformed: [string, string][] = [
    ['smmu_bind_alloc: dev=0000:00:03.0 pasid=x1', 'pasid'],
    ['smmu_bind_alloc: dev=0000:00:03.0', 'pasid'],
    ['smmu_bind_alloc: pasid=1', 'dev'],
    ['smmu_bind_alloc: dev=0000:00:03.0 pasid=1 pasid=2', 'pasid'],
    ['smmu_bind_alloc: dev=0000:00:03.0 pasid=99999999', 'pasid'],
    ['smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e', 'end'],
    ['smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=ffff860e8000', 'end'],
    ['smmu_mm_invalidate: pasid=1 start=0xgg', 'start'],
    [fault.replace('addr=0x0000ffff860e6000', 'addr=0x0000ffff860e60001234'), 'addr'],
    [fault.replace('group=74 ', ''), 'group'],
    [fault.replace('IOMMU:', 'IOMMU-'), 'IOMMU'],
    [fault.replace('prot=2', 'prot=2 colour=blue'), 'colour'],
    [fault.slice(0, 60), 'pasid'], // cut inside the address: the address is short but valid, the fields after it are missing
    [fault.slice(0, 46), 'addr'], // cut inside "addr="
    ['dev_page_response: IOMMU:0000:00:03.0 code=7 pasid=1 group=383', 'code'],
    ['dev_page_response: IOMMU:0000:00:03.0 code=0 addr=0xzz pasid=1 group=383', 'addr'],
    ['dev_page_response: IOMMU:0000:00:03.0 code=0 addr=0x0000ffff860e6000 addr=0x0 pasid=1 group=383', 'addr'],
    [fault.replace('flags=3', 'flags=zz'), 'flags'],
    [fault.replace('flags=3', 'flags=123456789'), 'flags'],
    ['garbage without structure', '(line)'],
    ['smmu_bind_alloc: dev=0000:00:03.0 pasid=1\u0000\u0001\u0002', '(line)'],
    ['\ufffd\ufffdsmmu_mm_release: pasid=1', '(line)'],
    ['CPU:2 [LOST 123 EVENTS]', '(line)'],
    ['x'.repeat(maxLineLength + 1), '(line)'],
  ];
  for (const [line, field] of malformed) {
    it(`reports a malformed field: ${field} in ${JSON.stringify(line.slice(0, 50))}`, () => {
      const r = parseLine(line);
      expect(r.tag).toBe('error');
      expect(r.tag === 'error' && r.field).toBe(field);
      expect(r.tag === 'error' && r.message.length).toBeGreaterThan(0);
    });
  }

  test.prop([fc.string({ unit: 'binary', maxLength: 300 })], { numRuns: 2000, seed: 5 })('never throws on random text', (s) => {
    const r = parseLine(s);
    expect(['skip', 'record', 'other', 'error']).toContain(r.tag);
  });

  const validLines = fc.constantFrom(
    fault,
    'smmu_bind_alloc: dev=0000:00:03.0 pasid=1',
    'smmu_mm_invalidate: pasid=1 start=0xffff860e6000 end=0xffff860e8000',
    '  sva-test-1234 [001] d..1.  1234.567890: dev_page_response: IOMMU:0000:00:03.0 code=0 pasid=1 group=74',
  );
  test.prop([validLines, fc.nat(), fc.nat({ max: 20 }), fc.string({ unit: 'binary', maxLength: 12 })], { numRuns: 2000, seed: 6 })(
    'never throws on valid lines cut, spliced or corrupted anywhere', (line, at, cut, junk) => {
      const i = at % (line.length + 1);
      const corrupted = line.slice(0, i) + junk + line.slice(Math.min(line.length, i + cut));
      const r = parseLine(corrupted);
      expect(['skip', 'record', 'other', 'error']).toContain(r.tag);
      if (r.tag === 'error') expect(r.field.length).toBeGreaterThan(0);
    });
});

async function collect(chunks: readonly (Buffer | string)[], cap: number) {
  async function* src() { for (const c of chunks) yield c; }
  const out = [];
  for await (const l of readLines(src(), cap)) out.push(l);
  return out;
}

describe('readLines', () => {
  it('splits on newlines across chunk boundaries, strips CR, numbers lines from 1', async () => {
    const lines = await collect(['ab', 'c\r\nde', '\n\nf'], 100);
    expect(lines.map((l) => [l.no, l.text, l.tooLong])).toEqual([[1, 'abc', false], [2, 'de', false], [3, '', false], [4, 'f', false]]);
  });
  it('keeps a UTF-8 character split across chunks whole', async () => {
    const bytes = Buffer.from('é\n', 'utf8');
    const lines = await collect([bytes.subarray(0, 1), bytes.subarray(1)], 100);
    expect(lines.map((l) => l.text)).toEqual(['é']);
  });
  it('caps a line of megabytes without buffering it and flags it', async () => {
    const mb = 'y'.repeat(1 << 20);
    const lines = await collect(['ok\n', mb, mb, mb, '\nnext\n'], 1000);
    expect(lines.map((l) => [l.no, l.text.length, l.tooLong])).toEqual([[1, 2, false], [2, 1000, true], [3, 4, false]]);
  });
  test.prop([fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 })], { numRuns: 500, seed: 7 })('never throws on random bytes; lines never exceed the cap', async (chunks) => {
    const lines = await collect(chunks.map((c) => Buffer.from(c)), 16);
    for (const l of lines) {
      expect(l.text.length).toBeLessThanOrEqual(16);
      expect(['skip', 'record', 'other', 'error']).toContain(parseLine(l.text).tag);
    }
    const newlines = chunks.reduce((n, c) => n + c.filter((b) => b === 10).length, 0);
    expect(lines.length === newlines || lines.length === newlines + 1).toBe(true);
  });
});
