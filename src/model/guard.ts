// When an event may happen: argument ranges, then the state conditions and caller contracts
// of spec/rules.md. A refused event is a typed ModelError and leaves the state as it was.
import { match } from 'ts-pattern';
import { eventKinds, type Event } from './event.ts';
import type { ModelError } from './error.ts';
import type { Config } from './config.ts';
import type { Model } from './model.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED, type State } from './state.ts';
import { bondIndex } from '../driver/sva.ts';
import { faultIndex, iopfPlan } from '../driver/iopf.ts';
import { frameFree, freeFrames } from '../process/memory.ts';
import { mmOfPasid } from '../hardware/translate.ts';

/** The numeric fields each event kind carries (write is a boolean, fail a string); ranges are checked below. */
const intFields: Readonly<Record<Event['kind'], readonly string[]>> = {
  enableSva: ['dev'], disableSva: ['dev'], bind: ['dev', 'mm'], unbind: ['dev', 'mm'],
  touch: ['mm', 'page', 'frame'], munmap: ['mm', 'start', 'end'], mmap: ['mm', 'page'], exit: ['mm'],
  notifierFree: ['domain', 'mm'], domainFree: ['domain'], dma: ['dev', 'pasid', 'page'],
  atsTranslate: ['dev', 'pasid', 'page'], iopfHandle: ['dev', 'group', 'frame'], iopfRespond: ['dev', 'group'],
};

const isIndex = (v: unknown, n: number) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < n;

/** Argument checks that depend only on the configuration (shared with the fast adapter). */
export function eventArgError(c: Config, e: Event): ModelError | undefined {
  // events decoded from JSON are checked by eventCodec; a caller in TypeScript can still pass anything
  if (typeof e !== 'object' || e === null || !eventKinds.includes((e as { kind?: unknown }).kind as Event['kind'])) {
    return { tag: 'BadArgument', field: 'kind', expected: `one of ${eventKinds.join(', ')}` };
  }
  const fields = e as unknown as Record<string, unknown>;
  for (const f of intFields[e.kind]) {
    if (typeof fields[f] !== 'number') return { tag: 'BadArgument', field: f, expected: 'a number' };
  }
  if ((e.kind === 'dma' || e.kind === 'atsTranslate') && typeof e.write !== 'boolean') return { tag: 'BadArgument', field: 'write', expected: 'a boolean' };
  if (e.kind === 'bind' && !['none', 'bond', 'notifier'].includes(e.fail)) return { tag: 'BadArgument', field: 'fail', expected: 'none, bond or notifier' };
  const dev = (e as { dev?: unknown }).dev;
  if ('dev' in e && !isIndex(dev, c.devices.length)) return { tag: 'UnknownDevice', dev: e.dev };
  if ('mm' in e && !isIndex(e.mm, c.processes.length)) return { tag: 'UnknownProcess', mm: e.mm };
  if ('domain' in e && !isIndex(e.domain, c.domains.length)) return { tag: 'UnknownDomain', domain: e.domain };
  if ('frame' in e && !(e.frame === -1 || isIndex(e.frame, c.frames))) return { tag: 'BadArgument', field: 'frame', expected: `-1 or a frame index below ${c.frames}` };
  return undefined;
}

/** A fault of `dev` on `pasid` (on `page`, when given) is pending. */
export function pendingOn(s: State, dev: number, pasid: number, page?: number): boolean {
  return s.faults.some((f) => f.dev === dev && f.pasid === pasid && (page === undefined || f.page === page));
}

/** Why `e` cannot happen now, or undefined when it can. */
function stateError(m: Model, s: State, e: Event): string | undefined {
  const { config } = m;
  const detached = (dev: number) => s.ste[dev]!.config !== 'translate';
  return match(e)
    .with({ kind: 'enableSva' }, ({ dev }) =>
      detached(dev) ? 'device detached (its domain was freed)' : s.svaEnabled[dev] ? 'SVA already enabled' : undefined)
    .with({ kind: 'disableSva' }, ({ dev }) =>
      !s.svaEnabled[dev] ? 'SVA not enabled'
        : config.options.strictDisable && s.bonds.some((b) => b.dev === dev) ? 'caller contract: unbind every bond before disabling SVA (options.strictDisable)' : undefined)
    .with({ kind: 'bind' }, ({ dev, mm, fail }) =>
      detached(dev) ? 'device detached (its domain was freed)'
        : !s.mms[mm]!.alive && !config.options.bindAfterExit ? 'the process exited; only options.bindAfterExit lets a driver bind its mm'
          : fail !== 'none' && !config.options.allocFailure ? 'allocation failures are not enabled (options.allocFailure)' : undefined)
    .with({ kind: 'unbind' }, ({ dev, mm }) =>
      bondIndex(s, dev, mm) < 0 ? 'no bond for this (device, process): no handle to unbind'
        : detached(dev) ? 'device detached (its domain was freed)'
          : pendingOn(s, dev, s.mms[mm]!.pasid) ? 'caller contract: the driver stops DMA and waits for its page faults before unbind' : undefined)
    .with({ kind: 'touch' }, ({ mm, page, frame }) => {
      const mmState = s.mms[mm]!;
      if (!mmState.alive) return 'the process exited';
      if (!isIndex(page, mmState.pages.length)) return `page must be below ${mmState.pages.length}`;
      if (mmState.pages[page] !== PTE_UNMAPPED) return 'page not in a VMA or already mapped';
      if (frame < 0 || !frameFree(s, frame)) return 'frame is not free';
      return undefined;
    })
    .with({ kind: 'munmap' }, ({ mm, start, end }) => {
      const mmState = s.mms[mm]!;
      if (!mmState.alive) return 'the process exited';
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > mmState.pages.length || start >= end) return `need 0 <= start < end <= ${mmState.pages.length}`;
      return mmState.pages.slice(start, end).some((p) => p !== PTE_NOT_IN_VMA) ? undefined : 'no page of the range is in a VMA';
    })
    .with({ kind: 'mmap' }, ({ mm, page }) => {
      const mmState = s.mms[mm]!;
      if (!mmState.alive) return 'the process exited';
      if (!isIndex(page, mmState.pages.length)) return `page must be below ${mmState.pages.length}`;
      return mmState.pages[page] === PTE_NOT_IN_VMA ? undefined : 'page already in a VMA';
    })
    .with({ kind: 'exit' }, ({ mm }) => (s.mms[mm]!.alive ? undefined : 'the process already exited'))
    .with({ kind: 'notifierFree' }, ({ domain, mm }) =>
      s.deferredFrees.some((f) => f.domain === domain && f.mm === mm) ? undefined : 'no deferred free pending for this notifier')
    .with({ kind: 'domainFree' }, ({ domain }) => {
      if (s.domains[domain]!.freed) return 'domain already freed';
      const devs = config.devices.map((d, i) => (d.domain === domain ? i : -1)).filter((i) => i >= 0);
      if (devs.some((d) => s.svaEnabled[d])) return 'caller contract: disable SVA on every device of the domain first';
      if (config.options.strictDisable && s.bonds.some((b) => devs.includes(b.dev))) return 'caller contract: unbind every bond first';
      return undefined;
    })
    .with({ kind: 'dma' }, { kind: 'atsTranslate' }, (ev) => {
      const { dev, pasid, page } = ev;
      if (detached(dev)) return 'device detached (its domain was freed)';
      if (ev.kind === 'atsTranslate' && !s.ste[dev]!.eats) return 'ATS not enabled for this device';
      const mm = mmOfPasid(s, pasid);
      if (mm < 0 || bondIndex(s, dev, mm) < 0) return 'the device has no bond with this PASID';
      if (!isIndex(page, s.mms[mm]!.pages.length)) return `page must be below ${s.mms[mm]!.pages.length}`;
      if (pendingOn(s, dev, pasid, page)) return 'the device waits for its fault on this page';
      return undefined;
    })
    .with({ kind: 'iopfHandle' }, ({ dev, group, frame }) => {
      const i = faultIndex(s, dev, group);
      if (i < 0) return 'no such fault group';
      if (s.faults[i]!.status !== 'pending') return 'fault already handled';
      const needsFrame = iopfPlan(s, i) === 'faultIn';
      if (!needsFrame) return frame === -1 ? undefined : 'frame must be -1: the handler allocates no frame';
      if (frame === -1) return freeFrames(s, config.frames).length === 0 ? undefined : 'frame must be a free frame';
      return frameFree(s, frame) ? undefined : 'frame is not free';
    })
    .with({ kind: 'iopfRespond' }, ({ dev, group }) => {
      const i = faultIndex(s, dev, group);
      if (i < 0) return 'no such fault group';
      return s.faults[i]!.status === 'pending' ? 'fault not handled yet' : undefined;
    })
    .exhaustive();
}

export function guard(m: Model, s: State, e: Event): ModelError | undefined {
  const bad = eventArgError(m.config, e);
  if (bad) return bad;
  const why = stateError(m, s, e);
  return why === undefined ? undefined : { tag: 'NotEnabled', event: e, reason: why };
}
