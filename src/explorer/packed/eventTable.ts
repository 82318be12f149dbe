// The events the packed engine lists (enabled.ts), made once each and shared: for a configuration
// the events are few (every device, process, page, frame, PASID and fault group), and listing
// them afresh for every state expanded was most of the packed explorer's garbage
// (docs/performance.md, "Events made once"). Each event is the same object literal, property for
// property in the same order, that enabled.ts built before, frozen: an Event is read-only data,
// and a shared one must stay so.
import type { Config } from '../../model/config.ts';
import type { AllocFailurePoint, Event } from '../../model/event.ts';

type Slots = (Event | undefined)[];

const slots = (n: number): Slots => new Array<Event | undefined>(n).fill(undefined);

/** bind's slot for each failure point (typed over all of them, so a new one needs a slot). */
const FAIL_SLOT: Readonly<Record<AllocFailurePoint, number>> = { none: 0, bond: 1, notifier: 2 };
const FAIL_SLOTS = 3;

/** Slots of `s` up to `at`, added as needed (the fault groups have no bound set by the configuration). */
function grownTo(s: Slots, at: number): Slots {
  while (s.length <= at) s.push(undefined);
  return s;
}

export class EventTable {
  private readonly nMm: number;
  private readonly nFrames: number;
  private readonly stride: number;
  private readonly pasidCap: number;
  private readonly enable: Slots;
  private readonly disable: Slots;
  private readonly binds: Slots;
  private readonly unbinds: Slots;
  private readonly touches: Slots;
  private readonly munmaps: Slots;
  private readonly mmaps: Slots;
  private readonly exits: Slots;
  private readonly notifierFrees: Slots;
  private readonly domainFrees: Slots;
  private readonly dmas: Slots;
  private readonly atsTranslates: Slots;
  /** Per device, slot group * (frames + 1) + frame + 1 (frame -1: respond without a frame); grown on demand. */
  private readonly iopfHandles: Slots[];
  /** Per device, slot group; grown on demand. */
  private readonly iopfResponds: Slots[];

  /** `stride`: pages of the largest process; `pasidCap`: PASIDs below it (the Store's shape). */
  constructor(config: Config, stride: number, pasidCap: number) {
    const nDev = config.devices.length;
    const nMm = this.nMm = config.processes.length;
    const nDom = config.domains.length;
    this.nFrames = config.frames;
    this.stride = stride;
    this.pasidCap = pasidCap;
    this.enable = slots(nDev);
    this.disable = slots(nDev);
    this.binds = slots(nDev * nMm * FAIL_SLOTS);
    this.unbinds = slots(nDev * nMm);
    this.touches = slots(nMm * stride * Math.max(1, config.frames));
    this.munmaps = slots(nMm * (stride + 1) * (stride + 1));
    this.mmaps = slots(nMm * stride);
    this.exits = slots(nMm);
    this.notifierFrees = slots(nDom * nMm);
    this.domainFrees = slots(nDom);
    this.dmas = slots(nDev * pasidCap * stride * 2);
    this.atsTranslates = slots(nDev * pasidCap * stride);
    this.iopfHandles = Array.from({ length: nDev }, () => []);
    this.iopfResponds = Array.from({ length: nDev }, () => []);
  }

  enableSva(dev: number): Event {
    return this.enable[dev] ??= Object.freeze({ kind: 'enableSva', dev });
  }

  disableSva(dev: number): Event {
    return this.disable[dev] ??= Object.freeze({ kind: 'disableSva', dev });
  }

  bind(dev: number, mm: number, fail: AllocFailurePoint): Event {
    return this.binds[(dev * this.nMm + mm) * FAIL_SLOTS + FAIL_SLOT[fail]] ??= Object.freeze({ kind: 'bind', dev, mm, fail });
  }

  unbind(dev: number, mm: number): Event {
    return this.unbinds[dev * this.nMm + mm] ??= Object.freeze({ kind: 'unbind', dev, mm });
  }

  touch(mm: number, page: number, frame: number): Event {
    return this.touches[(mm * this.stride + page) * this.nFrames + frame] ??= Object.freeze({ kind: 'touch', mm, page, frame });
  }

  munmap(mm: number, start: number, end: number): Event {
    const w = this.stride + 1;
    return this.munmaps[(mm * w + start) * w + end] ??= Object.freeze({ kind: 'munmap', mm, start, end });
  }

  mmap(mm: number, page: number): Event {
    return this.mmaps[mm * this.stride + page] ??= Object.freeze({ kind: 'mmap', mm, page });
  }

  exit(mm: number): Event {
    return this.exits[mm] ??= Object.freeze({ kind: 'exit', mm });
  }

  notifierFree(domain: number, mm: number): Event {
    return this.notifierFrees[domain * this.nMm + mm] ??= Object.freeze({ kind: 'notifierFree', domain, mm });
  }

  domainFree(domain: number): Event {
    return this.domainFrees[domain] ??= Object.freeze({ kind: 'domainFree', domain });
  }

  dma(dev: number, pasid: number, page: number, write: boolean): Event {
    return this.dmas[((dev * this.pasidCap + pasid) * this.stride + page) * 2 + (write ? 1 : 0)] ??= Object.freeze({ kind: 'dma', dev, pasid, page, write });
  }

  /** An ATS Translation Request as the explorer offers it: a read (ENV-ATS-PREFETCH). */
  atsTranslateRead(dev: number, pasid: number, page: number): Event {
    return this.atsTranslates[(dev * this.pasidCap + pasid) * this.stride + page] ??= Object.freeze({ kind: 'atsTranslate', dev, pasid, page, write: false });
  }

  /** iopfHandle of `group` with `frame`, or -1 for none. */
  iopfHandle(dev: number, group: number, frame: number): Event {
    const at = group * (this.nFrames + 1) + frame + 1;
    return grownTo(this.iopfHandles[dev]!, at)[at] ??= Object.freeze({ kind: 'iopfHandle', dev, group, frame });
  }

  iopfRespond(dev: number, group: number): Event {
    return grownTo(this.iopfResponds[dev]!, group)[group] ??= Object.freeze({ kind: 'iopfRespond', dev, group });
  }
}
