// io-ts codecs for events and observations: what crosses a process boundary (test vectors,
// the conformance protocol, workload files).
import * as t from 'io-ts';
import type { Event } from '../model/event.ts';
import type { Observation } from '../model/observation.ts';

const idx = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
const int = t.refinement(t.number, (n) => Number.isInteger(n), 'an integer');
const frame = t.refinement(t.number, (n) => Number.isInteger(n) && n >= -1, 'a frame index or -1');
const k = <K extends string>(kind: K) => t.literal(kind);

export const eventCodec: t.Type<Event, Event, unknown> = t.union([
  t.exact(t.type({ kind: k('enableSva'), dev: idx })),
  t.exact(t.type({ kind: k('disableSva'), dev: idx })),
  t.exact(t.type({ kind: k('bind'), dev: idx, mm: idx, fail: t.keyof({ none: null, bond: null, notifier: null }, '"none", "bond" or "notifier"') })),
  t.exact(t.type({ kind: k('unbind'), dev: idx, mm: idx })),
  t.exact(t.type({ kind: k('touch'), mm: idx, page: idx, frame: idx })),
  t.exact(t.type({ kind: k('munmap'), mm: idx, start: idx, end: idx })),
  t.exact(t.type({ kind: k('mmap'), mm: idx, page: idx })),
  t.exact(t.type({ kind: k('exit'), mm: idx })),
  t.exact(t.type({ kind: k('notifierFree'), domain: idx, mm: idx })),
  t.exact(t.type({ kind: k('domainFree'), domain: idx })),
  t.exact(t.type({ kind: k('dma'), dev: idx, pasid: idx, page: idx, write: t.boolean })),
  t.exact(t.type({ kind: k('atsTranslate'), dev: idx, pasid: idx, page: idx, write: t.boolean })),
  t.exact(t.type({ kind: k('iopfHandle'), dev: idx, group: idx, frame })),
  t.exact(t.type({ kind: k('iopfRespond'), dev: idx, group: idx })),
], 'an event object with a known "kind"') as unknown as t.Type<Event, Event, unknown>;

const traceRecord = t.union([
  t.exact(t.type({ tp: k('smmu_bind_alloc'), dev: idx, pasid: idx })),
  t.exact(t.type({ tp: k('smmu_unbind_free'), dev: idx, pasid: idx })),
  t.exact(t.type({ tp: k('smmu_mm_invalidate'), mm: idx, pasid: idx, start: idx, end: idx })),
  t.exact(t.type({ tp: k('smmu_mm_release'), mm: idx, pasid: idx })),
  t.exact(t.type({ tp: k('dev_fault'), dev: idx, type: t.union([t.literal(1), t.literal(2)]), reason: idx, mm: int, page: idx, pasid: idx, group: idx, flags: idx, prot: idx })),
  t.exact(t.type({ tp: k('dev_page_response'), dev: idx, code: t.union([t.literal(0), t.literal(1), t.literal(2)]), pasid: idx, group: idx })),
]);
const hwEvent = t.union([
  t.exact(t.type({ type: k('C_BAD_CD'), code: t.literal(0x0a), dev: idx, ssid: idx })),
  t.exact(t.type({ type: k('F_TRANSLATION'), code: t.literal(0x10), dev: idx, ssid: idx, page: idx, write: t.boolean, stall: t.boolean, stag: int })),
]);
const command = t.union([
  t.exact(t.type({ op: k('CMD_CFGI_CD'), dev: idx, ssid: idx })),
  t.exact(t.type({ op: k('CMD_TLBI_NH_ASID'), asid: idx })),
  t.exact(t.type({ op: k('CMD_TLBI_S12_VMALL'), vmid: idx })),
  t.exact(t.type({ op: k('CMD_TLBI_NH_VA'), asid: idx, page: idx })),
  t.exact(t.type({ op: k('CMD_ATC_INV'), dev: idx, ssid: idx, start: int, end: int })),
  t.exact(t.type({ op: k('CMD_SYNC') })),
  t.exact(t.type({ op: k('CMD_RESUME'), dev: idx, stag: idx, action: t.keyof({ retry: null, abort: null }) })),
  t.exact(t.type({ op: k('CMD_PRI_RESP'), dev: idx, ssid: idx, prgi: idx, code: t.union([t.literal(0), t.literal(1), t.literal(2)]) })),
]);
const via = t.keyof({ atc: null, tlb: null, walk: null });
const dmaResult = t.union([
  t.exact(t.type({ tag: k('access'), frame: idx, via })),
  t.exact(t.type({ tag: k('translated'), frame: idx, via: t.keyof({ tlb: null, walk: null }) })),
  t.exact(t.type({ tag: k('noAccess') })),
  t.exact(t.type({ tag: k('pageRequest'), prgi: idx })),
  t.exact(t.type({ tag: k('stalled'), stag: idx })),
  t.exact(t.type({ tag: k('aborted') })),
  t.exact(t.type({ tag: k('unsupportedRequest') })),
  t.exact(t.type({ tag: k('completerAbort') })),
]);
const errno = t.keyof({ ENODEV: null, EINVAL: null, ENOSPC: null, ENOMEM: null, EBUSY: null });
const apiResult = t.union([
  t.exact(t.type({ tag: k('ok') })),
  t.exact(t.type({ tag: k('handle'), dev: idx, mm: idx, pasid: idx })),
  t.exact(t.type({ tag: k('error'), errno })),
]);

export const observationCodec: t.Type<Observation, Observation, unknown> = t.union([
  t.exact(t.type({ kind: k('trace'), record: traceRecord })),
  t.exact(t.type({ kind: k('event'), event: hwEvent })),
  t.exact(t.type({ kind: k('cmd'), cmd: command })),
  t.exact(t.type({ kind: k('dma'), dev: idx, pasid: idx, page: idx, write: t.boolean, result: dmaResult })),
  t.exact(t.type({ kind: k('walk'), dev: idx, mm: int, page: idx })),
  t.exact(t.type({ kind: k('callback'), op: t.keyof({ invalidate_range: null, release: null, free_notifier: null }), domain: idx, mm: idx })),
  t.exact(t.type({ kind: k('return'), result: apiResult })),
  t.exact(t.type({ kind: k('warn'), message: t.string })),
  t.exact(t.type({ kind: k('bug'), message: t.string })),
], 'an observation object') as unknown as t.Type<Observation, Observation, unknown>;

export const observationsCodec = t.array(observationCodec);
