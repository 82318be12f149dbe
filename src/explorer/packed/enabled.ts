// enabledEvents (src/machine/enabled.ts) computed on the adapter's Store: the same events in the
// same order, for the packed engine. Every exploration bound of enabled.ts is mirrored here
// (ENV-SRCU-BOUND, options.maxBondRefs, dmaAccesses, atsPrefetch, remap, allocFailure);
// test/packed.test.ts checks that both give the same list on reachable states.
import type { Event } from '../../model/event.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED } from '../../model/state.ts';
import type { Engine } from '../../adapter/engine.ts';
import { F_PENDING, type Store } from '../../adapter/store.ts';
import { EventTable } from './eventTable.ts';

function pendingOn(st: Store, dev: number, pasid: number, page: number): boolean {
  const list = st.faults[dev]!;
  for (let i = 0; i < list.length; i++) {
    const f = list[i]!;
    if (f.pasid === pasid && (page < 0 || f.page === page)) return true;
  }
  return false;
}

/** lookupNotifier(m, s, domain, mm) >= 0 of src/driver/notifier.ts. */
function hasNotifier(eng: Engine, domain: number, mm: number): boolean {
  const st = eng.st;
  const base = (domain * st.nMm + mm) * 2;
  const domainList = eng.traits.notifierLookup === 'domainList';
  return st.mnOn[base] === 1 && (domainList || st.mmAlive[mm] === 1) || st.mnOn[base + 1] === 1;
}

function deferredHas(st: Store, domain: number, mm: number): boolean {
  const d = st.deferred;
  for (let i = 0; i < d.length; i++) if (d[i]!.domain === domain && d[i]!.mm === mm) return true;
  return false;
}

export class EnabledOnStore {
  private readonly free: Int32Array;
  /** Devices of each configured domain. */
  private readonly devsOf: number[][];
  /** Every event, made once (eventTable.ts). */
  private readonly ev: EventTable;

  constructor(private readonly eng: Engine) {
    this.free = new Int32Array(eng.config.frames);
    this.devsOf = eng.config.domains.map((_, dom) => eng.config.devices.flatMap((d, i) => (d.domain === dom ? [i] : [])));
    this.ev = new EventTable(eng.config, eng.st.pageStride, eng.st.pasidCap);
  }

  /** A fresh list; its events are shared, frozen objects (eventTable.ts). */
  events(): Event[] {
    const eng = this.eng, st = eng.st, config = eng.config, o = config.options, ev = this.ev;
    const out: Event[] = [];
    const free = this.free;
    let nFree = 0;
    for (let f = 0; f < st.nFrames; f++) if (st.frameMaps[f] === 0) free[nFree++] = f;
    const nDev = st.nDev, nMm = st.nMm;

    for (let dev = 0; dev < nDev; dev++) {
      if (st.steTranslate[dev] !== 1) continue;
      if (!st.svaEnabled[dev]) out.push(ev.enableSva(dev));
      else if (!o.strictDisable || st.bondsOfDev[dev] === 0) out.push(ev.disableSva(dev));
    }
    for (let dev = 0; dev < nDev; dev++) {
      if (st.steTranslate[dev] !== 1) continue;
      for (let mm = 0; mm < nMm; mm++) {
        const bindable = st.mmAlive[mm] === 1 || o.bindAfterExit;
        const bk = dev * nMm + mm;
        if (st.bondOn[bk]) {
          // ENV-BOND-REFS; an exited mm's bond is still unbound (the caller's unbind after exit)
          if (bindable && st.bondRefs[bk]! < o.maxBondRefs) out.push(ev.bind(dev, mm, 'none'));
          if (!pendingOn(st, dev, st.mmPasid[mm]!, -1)) out.push(ev.unbind(dev, mm));
          continue;
        }
        if (!bindable) continue;
        const domain = st.steDomain[dev]!;
        // ENV-SRCU-BOUND
        if (deferredHas(st, domain, mm) && !hasNotifier(eng, domain, mm)) continue;
        out.push(ev.bind(dev, mm, 'none'));
        if (o.allocFailure && st.svaEnabled[dev] && config.domains[domain]!.stage === 1) {
          out.push(ev.bind(dev, mm, 'bond'));
          if (!hasNotifier(eng, domain, mm)) out.push(ev.bind(dev, mm, 'notifier'));
        }
      }
    }
    for (let mm = 0; mm < nMm; mm++) {
      if (!st.mmAlive[mm]) continue;
      const pages = st.pages[mm]!;
      const n = pages.length;
      for (let page = 0; page < n; page++) {
        if (pages[page] === PTE_UNMAPPED) for (let k = 0; k < nFree; k++) out.push(ev.touch(mm, page, free[k]!));
      }
      for (let start = 0; start < n; start++) {
        // [start, end) holds a page in a VMA once end passes the first such page at or after start
        let first = start;
        while (first < n && pages[first] === PTE_NOT_IN_VMA) first++;
        for (let end = Math.max(start + 1, first + 1); end <= n; end++) out.push(ev.munmap(mm, start, end));
      }
      if (o.remap) for (let page = 0; page < n; page++) if (pages[page] === PTE_NOT_IN_VMA) out.push(ev.mmap(mm, page));
      out.push(ev.exit(mm));
    }
    const def = st.deferred;
    for (let i = 0; i < def.length; i++) {
      const f = def[i]!;
      if (i > 0 && def[i - 1]!.domain === f.domain && def[i - 1]!.mm === f.mm) continue;
      out.push(ev.notifierFree(f.domain, f.mm));
    }
    for (let domain = 0; domain < st.nDom; domain++) {
      if (st.domFreed[domain]) continue;
      const devs = this.devsOf[domain]!;
      let blocked = false;
      for (const d of devs) if (st.svaEnabled[d] || (o.strictDisable && st.bondsOfDev[d]! > 0)) blocked = true;
      if (blocked) continue;
      out.push(ev.domainFree(domain));
    }
    for (let dev = 0; dev < nDev; dev++) {
      if (st.steTranslate[dev] !== 1) continue;
      for (let mm = 0; mm < nMm; mm++) {
        if (!st.bondOn[dev * nMm + mm]) continue;
        const pasid = st.mmPasid[mm]!;
        const n = st.pages[mm]!.length;
        for (let page = 0; page < n; page++) {
          if (pendingOn(st, dev, pasid, page)) continue;
          for (const a of o.dmaAccesses) out.push(ev.dma(dev, pasid, page, a === 'write'));
          if (o.atsPrefetch && st.steEats[dev]) out.push(ev.atsTranslateRead(dev, pasid, page));
        }
      }
    }
    for (let dev = 0; dev < nDev; dev++) {
      const list = st.faults[dev]!;
      for (let i = 0; i < list.length; i++) {
        const f = list[i]!;
        if (f.status === F_PENDING) {
          if (nFree > 0 && eng.iopfPlan(f) === 'faultIn') for (let k = 0; k < nFree; k++) out.push(ev.iopfHandle(dev, f.group, free[k]!));
          else out.push(ev.iopfHandle(dev, f.group, -1));
        } else {
          out.push(ev.iopfRespond(dev, f.group));
        }
      }
    }
    return out;
  }
}
