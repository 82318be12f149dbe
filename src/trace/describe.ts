// Human-readable text for events and observations: counterexamples, scenario and tour output.
import { match } from 'ts-pattern';
import type { Config } from '../model/config.ts';
import type { Event } from '../model/event.ts';
import type { Observation } from '../model/observation.ts';
import { formatRecord } from './format.ts';

const dev = (c: Config, d: number) => c.devices[d]?.name ?? `dev${d}`;
const proc = (c: Config, m: number) => c.processes[m]?.name ?? `mm${m}`;
const dom = (c: Config, d: number) => c.domains[d]?.name ?? `domain${d}`;

export function describeEvent(c: Config, e: Event): string {
  return match(e)
    .with({ kind: 'enableSva' }, (x) => `enableSva ${dev(c, x.dev)}`)
    .with({ kind: 'disableSva' }, (x) => `disableSva ${dev(c, x.dev)}`)
    .with({ kind: 'bind' }, (x) => `bind ${dev(c, x.dev)} ${proc(c, x.mm)}${x.fail === 'none' ? '' : ` (kzalloc of the ${x.fail} fails)`}`)
    .with({ kind: 'unbind' }, (x) => `unbind ${dev(c, x.dev)} ${proc(c, x.mm)}`)
    .with({ kind: 'touch' }, (x) => `touch ${proc(c, x.mm)} page ${x.page} (frame ${x.frame})`)
    .with({ kind: 'munmap' }, (x) => `munmap ${proc(c, x.mm)} pages [${x.start}, ${x.end})`)
    .with({ kind: 'mmap' }, (x) => `mmap ${proc(c, x.mm)} page ${x.page}`)
    .with({ kind: 'exit' }, (x) => `exit ${proc(c, x.mm)}`)
    .with({ kind: 'notifierFree' }, (x) => `notifierFree ${dom(c, x.domain)} ${proc(c, x.mm)} (SRCU callback)`)
    .with({ kind: 'domainFree' }, (x) => `domainFree ${dom(c, x.domain)}`)
    .with({ kind: 'dma' }, (x) => `dma ${dev(c, x.dev)} pasid ${x.pasid} page ${x.page} ${x.write ? 'write' : 'read'}`)
    .with({ kind: 'atsTranslate' }, (x) => `atsTranslate ${dev(c, x.dev)} pasid ${x.pasid} page ${x.page}`)
    .with({ kind: 'iopfHandle' }, (x) => `iopfHandle ${dev(c, x.dev)} group ${x.group}${x.frame >= 0 ? ` (frame ${x.frame})` : ''}`)
    .with({ kind: 'iopfRespond' }, (x) => `iopfRespond ${dev(c, x.dev)} group ${x.group}`)
    .exhaustive();
}

export function describeObservation(c: Config, o: Observation): string {
  return match(o)
    .with({ kind: 'trace' }, (x) => formatRecord(c, x.record))
    .with({ kind: 'event' }, ({ event: ev }) =>
      ev.type === 'C_BAD_CD'
        ? `event C_BAD_CD (0x0a) ${dev(c, ev.dev)} ssid ${ev.ssid}`
        : `event F_TRANSLATION (0x10) ${dev(c, ev.dev)} ssid ${ev.ssid} page ${ev.page} ${ev.write ? 'write' : 'read'}${ev.stall ? ` stall STAG ${ev.stag}` : ''}`)
    .with({ kind: 'cmd' }, ({ cmd }) =>
      match(cmd)
        .with({ op: 'CMD_CFGI_CD' }, (x) => `CMD_CFGI_CD ${dev(c, x.dev)} ssid ${x.ssid}`)
        .with({ op: 'CMD_TLBI_NH_ASID' }, (x) => `CMD_TLBI_NH_ASID asid ${x.asid}`)
        .with({ op: 'CMD_TLBI_S12_VMALL' }, (x) => `CMD_TLBI_S12_VMALL vmid ${x.vmid}`)
        .with({ op: 'CMD_TLBI_NH_VA' }, (x) => `CMD_TLBI_NH_VA asid ${x.asid} page ${x.page}`)
        .with({ op: 'CMD_ATC_INV' }, (x) => `CMD_ATC_INV ${dev(c, x.dev)} ssid ${x.ssid} ${x.end < 0 ? 'all' : `pages [${x.start}, ${x.end})`}`)
        .with({ op: 'CMD_SYNC' }, () => 'CMD_SYNC')
        .with({ op: 'CMD_RESUME' }, (x) => `CMD_RESUME ${dev(c, x.dev)} STAG ${x.stag} ${x.action}`)
        .with({ op: 'CMD_PRI_RESP' }, (x) => `CMD_PRI_RESP ${dev(c, x.dev)} ssid ${x.ssid} PRGI ${x.prgi} code ${x.code}`)
        .exhaustive())
    .with({ kind: 'dma' }, (x) => {
      const r = x.result;
      const what = match(r)
        .with({ tag: 'access' }, (a) => `reached frame ${a.frame} via ${a.via.toUpperCase()}`)
        .with({ tag: 'translated' }, (a) => `translated to frame ${a.frame} via ${a.via.toUpperCase()} (ATC filled)`)
        .with({ tag: 'noAccess' }, () => 'ATS completion R=W=0')
        .with({ tag: 'pageRequest' }, (a) => `ATS R=W=0, page request PRGI ${a.prgi}`)
        .with({ tag: 'stalled' }, (a) => `stalled, STAG ${a.stag}`)
        .with({ tag: 'aborted' }, () => 'aborted')
        .with({ tag: 'unsupportedRequest' }, () => 'ATS completion Unsupported Request')
        .with({ tag: 'completerAbort' }, () => 'ATS completion Completer Abort')
        .exhaustive();
      return `dma ${dev(c, x.dev)} pasid ${x.pasid} page ${x.page}: ${what}`;
    })
    .with({ kind: 'walk' }, (x) => `SMMU walks the page table of ${proc(c, x.mm)} (page ${x.page})`)
    .with({ kind: 'callback' }, (x) => `notifier ${x.op}() of (${dom(c, x.domain)}, ${proc(c, x.mm)})`)
    .with({ kind: 'return' }, ({ result: r }) =>
      match(r)
        .with({ tag: 'ok' }, () => 'returns 0')
        .with({ tag: 'handle' }, (h) => `returns handle (${dev(c, h.dev)}, ${proc(c, h.mm)}) pasid ${h.pasid}`)
        .with({ tag: 'error' }, (e) => `returns -${e.errno}`)
        .exhaustive())
    .with({ kind: 'warn' }, (x) => `WARNING: ${x.message}`)
    .with({ kind: 'bug' }, (x) => x.message)
    .exhaustive();
}
