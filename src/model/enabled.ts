// enabledEvents(model, state): every event the environment can make happen next, in a fixed
// order, within the explorer's bounds (options.maxBondRefs, dmaAccesses, atsPrefetch, remap).
import type { Event } from './event.ts';
import type { Model } from './model.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED, type State } from './state.ts';
import { iopfPlan } from '../driver/iopf.ts';
import { lookupNotifier } from '../driver/notifier.ts';
import { freeFrames } from '../process/memory.ts';
import { pendingOn } from './guard.ts';

// Helpers are module-level functions, not closures: tsx (esbuild keepNames) wraps every named
// closure in a __name() call each time it is created, which cost the explorer about 5%.
export function enabledEvents(m: Model, s: State): Event[] {
  const { config } = m;
  const o = config.options;
  const out: Event[] = [];
  const free = freeFrames(s, config.frames);
  const nDev = config.devices.length;
  const nMm = config.processes.length;

  for (let dev = 0; dev < nDev; dev++) {
    if (s.ste[dev]!.config !== 'translate') continue;
    if (!s.svaEnabled[dev]) out.push({ kind: 'enableSva', dev });
    else if (!o.strictDisable || !s.bonds.some((b) => b.dev === dev)) out.push({ kind: 'disableSva', dev });
  }
  for (let dev = 0; dev < nDev; dev++) {
    if (s.ste[dev]!.config !== 'translate') continue;
    for (let mm = 0; mm < nMm; mm++) {
      const mmState = s.mms[mm]!;
      if (!mmState.alive && !o.bindAfterExit) continue;
      const bond = s.bonds.find((b) => b.dev === dev && b.mm === mm);
      if (bond) {
        if (bond.refs < o.maxBondRefs) out.push({ kind: 'bind', dev, mm, fail: 'none' });
        if (!pendingOn(s, dev, mmState.pasid)) out.push({ kind: 'unbind', dev, mm });
        continue;
      }
      // ENV-SRCU-BOUND: a bind that would register a fresh notifier for (domain, mm) waits for the
      // pending SRCU free of the previous one. Without this bound, bind/unbind cycles queue
      // deferred frees (and ctx desc references) without limit and the state space is infinite.
      const domain = s.ste[dev]!.domain;
      if (s.deferredFrees.some((f) => f.domain === domain && f.mm === mm) && lookupNotifier(m, s, domain, mm) < 0) continue;
      out.push({ kind: 'bind', dev, mm, fail: 'none' });
      if (o.allocFailure && s.svaEnabled[dev] && config.domains[s.ste[dev]!.domain]!.stage === 1) {
        out.push({ kind: 'bind', dev, mm, fail: 'bond' });
        if (lookupNotifier(m, s, s.ste[dev]!.domain, mm) < 0) out.push({ kind: 'bind', dev, mm, fail: 'notifier' });
      }
    }
  }
  for (let mm = 0; mm < nMm; mm++) {
    const mmState = s.mms[mm]!;
    if (!mmState.alive) continue;
    const pages = mmState.pages;
    for (let page = 0; page < pages.length; page++) {
      if (pages[page] === PTE_UNMAPPED) for (const frame of free) out.push({ kind: 'touch', mm, page, frame });
    }
    for (let start = 0; start < pages.length; start++) {
      for (let end = start + 1; end <= pages.length; end++) {
        if (pages.slice(start, end).some((p) => p !== PTE_NOT_IN_VMA)) out.push({ kind: 'munmap', mm, start, end });
      }
    }
    if (o.remap) for (let page = 0; page < pages.length; page++) if (pages[page] === PTE_NOT_IN_VMA) out.push({ kind: 'mmap', mm, page });
    out.push({ kind: 'exit', mm });
  }
  for (const f of s.deferredFrees) {
    const last = out[out.length - 1];
    if (last && last.kind === 'notifierFree' && last.domain === f.domain && last.mm === f.mm) continue;
    out.push({ kind: 'notifierFree', domain: f.domain, mm: f.mm });
  }
  for (let domain = 0; domain < config.domains.length; domain++) {
    if (s.domains[domain]!.freed) continue;
    const devs = config.devices.map((d, i) => (d.domain === domain ? i : -1)).filter((i) => i >= 0);
    if (devs.some((d) => s.svaEnabled[d])) continue;
    if (o.strictDisable && s.bonds.some((b) => devs.includes(b.dev))) continue;
    out.push({ kind: 'domainFree', domain });
  }
  for (const b of s.bonds) {
    if (s.ste[b.dev]!.config !== 'translate') continue;
    const mmState = s.mms[b.mm]!;
    const pasid = mmState.pasid;
    for (let page = 0; page < mmState.pages.length; page++) {
      if (pendingOn(s, b.dev, pasid, page)) continue;
      for (const a of o.dmaAccesses) out.push({ kind: 'dma', dev: b.dev, pasid, page, write: a === 'write' });
      if (o.atsPrefetch && s.ste[b.dev]!.eats) out.push({ kind: 'atsTranslate', dev: b.dev, pasid, page, write: false });
    }
  }
  for (let i = 0; i < s.faults.length; i++) {
    const f = s.faults[i]!;
    if (f.status === 'pending') {
      if (iopfPlan(s, i) === 'faultIn' && free.length > 0) for (const frame of free) out.push({ kind: 'iopfHandle', dev: f.dev, group: f.group, frame });
      else out.push({ kind: 'iopfHandle', dev: f.dev, group: f.group, frame: -1 });
    } else {
      out.push({ kind: 'iopfRespond', dev: f.dev, group: f.group });
    }
  }
  return out;
}
