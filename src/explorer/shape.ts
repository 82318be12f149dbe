// The shape of what a step made observable, without the numbers: the unit of the vectors' cover by
// outcome (vectors.ts) and of the bounded-event vectors (refusals.ts).
import type { Event } from '../model/event.ts';
import type { Observation } from '../model/observation.ts';

/** Shape of one observation: what it is, without the numbers. */
export function obsShape(o: Observation): string {
  switch (o.kind) {
    case 'trace': return `trace:${o.record.tp}${o.record.tp === 'dev_page_response' ? `:${o.record.code}` : o.record.tp === 'dev_fault' ? `:${o.record.type}` : ''}`;
    case 'event': return `event:${o.event.type}${o.event.type === 'F_TRANSLATION' && o.event.stall ? ':stall' : ''}`;
    case 'cmd': return `cmd:${o.cmd.op}${o.cmd.op === 'CMD_RESUME' ? `:${o.cmd.action}` : ''}`;
    case 'dma': return `dma:${o.result.tag}${'via' in o.result ? `:${o.result.via}` : ''}`;
    case 'walk': return 'walk';
    case 'callback': return `callback:${o.op}`;
    case 'return': return `return:${o.result.tag}${o.result.tag === 'error' ? `:${o.result.errno}` : ''}`;
    case 'warn': return 'warn';
    case 'bug': return 'bug';
  }
}

export function coverKey(e: Event, obs: readonly Observation[], violated: readonly string[]): string {
  return `${e.kind}|${obs.map(obsShape).join(',')}|${violated.join(',')}`;
}
