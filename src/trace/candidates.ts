// The logged steps that may emit a given concrete record from one checker state
// (spec/trace-checker.md, "Logged steps"). Each candidate is a list of ops: unlogged preparation
// (enable SVA, a fresh process in a slot) then the model event whose first record must match.
// The candidates are targeted by the record's values; matchRecord has the last word.
import type { Model } from '../model/model.ts';
import { PTE_UNMAPPED, type State } from '../model/state.ts';

import type { AddressMap } from './addressMap.ts';
import { modelGroup, modelPasid, type Maps } from './match.ts';
import type { ConcreteRecord } from './parse.ts';
import { recyclable, type Op } from './transitions.ts';
import { freeFrames, mmOfPasid } from '../model/queries.ts';

/** Slots a new PASID lifetime may start in: the lowest recyclable slot of each distinct process shape. */
export function freshSlots(model: Model, s: State): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  model.config.processes.forEach((p, slot) => {
    if (!recyclable(s, slot)) return;
    // TRACE-SLOT-SYMMETRY: slots with the same pages and vaBase are interchangeable once recycled
    const shape = `${p.pages},${p.vaBase}`;
    if (seen.has(shape)) return;
    seen.add(shape);
    out.push(slot);
  });
  return out;
}

function slotOf(s: State, maps: Maps, pasid: number): number {
  const p = modelPasid(maps, pasid);
  return p === undefined ? -1 : mmOfPasid(s, p);
}

export function candidates(model: Model, s: State, maps: Maps, c: ConcreteRecord, dev: number, addresses: AddressMap): Op[][] {
  switch (c.tp) {
    case 'smmu_bind_alloc': {
      if (dev < 0) return [];
      const enable: Op[] = s.svaEnabled[dev] ? [] : [{ op: 'event', event: { kind: 'enableSva', dev } }];
      const known = slotOf(s, maps, c.pasid);
      if (known >= 0) return [[...enable, { op: 'event', event: { kind: 'bind', dev, mm: known, fail: 'none' } }]];
      if (modelPasid(maps, c.pasid) !== undefined) return [];
      const out: Op[][] = [];
      for (const slot of freshSlots(model, s)) {
        const bind: Op = { op: 'event', event: { kind: 'bind', dev, mm: slot, fail: 'none' } };
        out.push([...enable, { op: 'recycle', slot }, bind]);
        // with options.bindAfterExit a driver may bind an mm whose process already exited (unlogged: no notifier)
        if (model.config.options.bindAfterExit) out.push([...enable, { op: 'recycle', slot }, { op: 'event', event: { kind: 'exit', mm: slot } }, bind]);
      }
      return out;
    }
    case 'smmu_unbind_free': {
      const slot = slotOf(s, maps, c.pasid);
      return dev >= 0 && slot >= 0 ? [[{ op: 'event', event: { kind: 'unbind', dev, mm: slot } }]] : [];
    }
    case 'smmu_mm_release': {
      const slot = slotOf(s, maps, c.pasid);
      return slot >= 0 ? [[{ op: 'event', event: { kind: 'exit', mm: slot } }]] : [];
    }
    case 'smmu_mm_invalidate': {
      const slot = slotOf(s, maps, c.pasid);
      if (slot < 0) return [];
      const start = addresses.pageOf(slot, c.start);
      const end = addresses.endOf(slot, c.end);
      if (start === undefined || end === undefined || end <= start) return [];
      const munmap: Op = { op: 'event', event: { kind: 'munmap', mm: slot, start, end } };
      // TRACE-TOUCH-MUNMAP: munmap emits one record per notifier for an unpopulated range and two
      // for a populated one (MEM-MUNMAP); the CPU may have populated the range unlogged. Touching
      // one page is enough: the munmap then frees it again, so the state after is the same.
      const pages = s.mms[slot]!.pages;
      let populated = false;
      let untouched = -1;
      for (let p = start; p < end && !populated; p++) {
        if (pages[p]! >= 0) populated = true;
        else if (untouched < 0 && pages[p] === PTE_UNMAPPED) untouched = p;
      }
      const frame = populated || untouched < 0 ? undefined : freeFrames(s, model.config.frames)[0];
      if (frame === undefined) return [[munmap]];
      return [[munmap], [{ op: 'event', event: { kind: 'touch', mm: slot, page: untouched, frame } }, munmap]];
    }
    case 'dev_fault': {
      const slot = slotOf(s, maps, c.pasid);
      const pasid = modelPasid(maps, c.pasid);
      if (dev < 0 || slot < 0 || pasid === undefined) return [];
      const page = addresses.pageOf(slot, c.addr);
      if (page === undefined) return [];
      // a DMA that faults: through the ATC and an ATS Translation Request, or stalled
      return [[{ op: 'event', event: { kind: 'dma', dev, pasid, page, write: (c.prot & 2) !== 0 } }]];
    }
    case 'dev_page_response': {
      if (dev < 0) return [];
      const group = modelGroup(maps, dev, c.group);
      return group === undefined ? [] : [[{ op: 'event', event: { kind: 'iopfRespond', dev, group } }]];
    }
  }
}
