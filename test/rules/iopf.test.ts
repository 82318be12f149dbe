// spec/rules.md, I/O page faults: DRV-IOPF-REPORT, DRV-IOPF-HANDLE, DRV-IOPF-RESPOND.
import { describe, expect, it } from 'vitest';
import { seedWideConfig } from '../../src/model/config.ts';

import { iopfPlan } from '../../src/model/queries.ts';
import {
  bind, cmds, dma, dmaResults, enable, exit, handle, munmap, refusal, respond, run, touch, traces, walks,
} from './helpers.ts';

describe('DRV-IOPF-REPORT: a recoverable fault is queued and traced as dev_fault', () => {
  it('group numbers are the lowest free per device; afterRelease marks faults on an exited mm', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), enable(1), bind(0, 0), bind(1, 0), dma(0, 1, 0), dma(0, 1, 1), dma(1, 1, 0)]);
    expect(r.state.faults.map((f) => [f.via, f.dev, f.group])).toEqual([['pri', 0, 0], ['pri', 0, 1], ['stall', 1, 0]]);
    expect(traces(r.perStep[4]!)).toEqual([{ tp: 'dev_fault', dev: 0, type: 2, reason: 0, mm: 0, page: 0, pasid: 1, group: 0, flags: 3, prot: 2 }]);
    const freed = run(seedWideConfig, 'v6-atc', [handle(0, 0, 0), respond(0, 0), dma(0, 1, 0)], r.state);
    expect(freed.state.faults.map((f) => [f.dev, f.group])).toEqual([[0, 1], [1, 0]]); // group 0 answered, page 0 now present
    const late = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 1), exit(1), dma(1, 1, 0)]);
    expect(late.state.faults[0]).toMatchObject({ afterRelease: true, status: 'pending' });
  });
});

describe('DRV-IOPF-HANDLE: the IOPF handler decides Success or Invalid', () => {
  it('unmapped page in a VMA: faults it in with the chosen frame, Success', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), handle(1, 0, 2)]);
    expect(r.state.mms[0]!.pages[0]).toBe(2);
    expect(r.state.faults[0]!.status).toBe('success');
    expect(r.last).toEqual([]); // nothing observable until the response
  });
  it('page already present (the CPU touched it meanwhile): Success, frame must be -1', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), touch(0, 0, 1)]);
    expect(refusal(r.m, r.state, handle(1, 0, 2))).toMatchObject({ tag: 'NotEnabled' });
    expect(run(seedWideConfig, 'v6-atc', [handle(1, 0, -1)], r.state).state.faults[0]!.status).toBe('success');
  });
  it('mm exited (mmget_not_zero fails) or address outside any VMA: Invalid', () => {
    const exited = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), exit(0), handle(1, 0, -1)]);
    expect(exited.state.faults[0]!.status).toBe('invalid');
    const outside = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), munmap(0, 0, 1), handle(1, 0, -1)]);
    expect(outside.state.faults[0]!.status).toBe('invalid');
  });
  it('mmget_not_zero alone decides for a dead mm, even with pages still in a VMA (hand-built)', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0)]);
    const dead = { ...r.state, mms: [{ ...r.state.mms[0]!, alive: false }, r.state.mms[1]!] };
    expect(iopfPlan(r.state, 0)).toBe('faultIn');
    expect(iopfPlan(dead, 0)).toBe('invalid');
  });
  it('no free frame: Invalid (VM_FAULT_OOM); -1 is refused while a frame is free', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), touch(1, 0, 0), touch(1, 1, 1), touch(0, 1, 2), dma(1, 1, 0)]);
    const oom = run(seedWideConfig, 'v6-atc', [handle(1, 0, -1)], r.state);
    expect(oom.state.faults[0]!.status).toBe('invalid');
    const free = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0)]);
    expect(refusal(free.m, free.state, handle(1, 0, -1))).toMatchObject({ tag: 'NotEnabled', reason: 'frame must be a free frame' });
  });
  it('a fault is handled once', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), handle(1, 0, 0)]);
    expect(refusal(r.m, r.state, handle(1, 0, 1))).toMatchObject({ tag: 'NotEnabled', reason: 'fault already handled' });
  });
});

describe('DRV-IOPF-RESPOND: page response (PRI) or CMD_RESUME (stall)', () => {
  it('PRI: dev_page_response and CMD_PRI_RESP with the code, no CMD_SYNC; the fault is gone', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(0), bind(0, 0), dma(0, 1, 0), handle(0, 0, 0), respond(0, 0)]);
    expect(r.last).toEqual([
      { kind: 'trace', record: { tp: 'dev_page_response', dev: 0, code: 0, pasid: 1, group: 0 } },
      { kind: 'cmd', cmd: { op: 'CMD_PRI_RESP', dev: 0, ssid: 1, prgi: 0, code: 0 } },
    ]);
    expect(r.state.faults).toEqual([]);
  });
  it('stall, Success: CMD_RESUME retry and the transaction is translated again at once', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), handle(1, 0, 1), respond(1, 0)]);
    expect(cmds(r.last)).toEqual([{ op: 'CMD_RESUME', dev: 1, stag: 0, action: 'retry' }]);
    expect(walks(r.last)).toHaveLength(1);
    expect(dmaResults(r.last)).toEqual([{ tag: 'access', frame: 1, via: 'walk' }]);
  });
  it('stall, Invalid: CMD_RESUME abort and the transaction is aborted', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), exit(0), handle(1, 0, -1), respond(1, 0)]);
    expect(traces(r.last)).toEqual([{ tp: 'dev_page_response', dev: 1, code: 1, pasid: 1, group: 0 }]);
    expect(cmds(r.last)).toEqual([{ op: 'CMD_RESUME', dev: 1, stag: 0, action: 'abort' }]);
    expect(dmaResults(r.last)).toEqual([{ tag: 'aborted' }]);
  });
  it('a Success decided before exit is still sent after release (seed trace 2); the retry faults again', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0), handle(1, 0, 0), exit(0), respond(1, 0)]);
    expect(traces(r.last)[0]).toMatchObject({ tp: 'dev_page_response', code: 0 });
    expect(dmaResults(r.last)).toEqual([{ tag: 'stalled', stag: 0 }]);
    expect(r.state.faults[0]).toMatchObject({ afterRelease: true });
  });
  it('a response before the handler ran is not an event', () => {
    const r = run(seedWideConfig, 'v6-atc', [enable(1), bind(1, 0), dma(1, 1, 0)]);
    expect(refusal(r.m, r.state, respond(1, 0))).toMatchObject({ tag: 'NotEnabled', reason: 'fault not handled yet' });
  });
});
