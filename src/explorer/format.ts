// Printing explorer results: counterexamples as numbered text or as a Mermaid sequence diagram
// (participants process, driver, SMMU, device; renders on GitHub), and the verdict table.
import { match } from 'ts-pattern';
import type { Config } from '../model/config.ts';
import type { Event } from '../model/event.ts';
import type { Observation } from '../model/observation.ts';
import { describeEvent, describeObservation } from '../trace/describe.ts';
import type { Counterexample } from './counterexample.ts';

/**
 * `shortest` false: the run used partial-order reduction, whose counterexamples are real but may
 * be longer than the shortest (spec/explorer.md, EXP-POR-7).
 */
export function formatCounterexampleText(c: Config, variant: string, cx: Counterexample, shortest = true): string {
  const what = shortest ? 'a shortest counterexample' : 'a counterexample (partial-order reduction: may be longer than the shortest; --no-por gives the shortest)';
  const lines = [`${variant} violates ${cx.invariant}: ${what}, ${cx.steps.length} event${cx.steps.length === 1 ? '' : 's'}`];
  cx.steps.forEach((st, i) => {
    lines.push(`${String(i + 1).padStart(3)}. ${describeEvent(c, st.event)}`);
    for (const o of st.observations) lines.push(`       ${describeObservation(c, o)}`);
  });
  lines.push(`  => ${cx.invariant} violated: ${cx.detail}`);
  return lines.join('\n');
}

type Who = 'P' | 'D' | 'S' | 'V';

const eventArrow = (e: Event): [Who, Who] =>
  match(e)
    .with({ kind: 'enableSva' }, { kind: 'disableSva' }, { kind: 'bind' }, { kind: 'unbind' }, () => ['P', 'D'] as [Who, Who])
    .with({ kind: 'touch' }, { kind: 'munmap' }, { kind: 'mmap' }, { kind: 'exit' }, () => ['P', 'P'] as [Who, Who])
    .with({ kind: 'notifierFree' }, { kind: 'domainFree' }, { kind: 'iopfHandle' }, { kind: 'iopfRespond' }, () => ['D', 'D'] as [Who, Who])
    .with({ kind: 'dma' }, { kind: 'atsTranslate' }, () => ['V', 'S'] as [Who, Who])
    .exhaustive();

const obsArrow = (o: Observation): [Who, Who, '->>' | '-->>'] =>
  match(o)
    .with({ kind: 'trace' }, () => ['D', 'D', '-->>'] as [Who, Who, '-->>'])
    .with({ kind: 'event' }, () => ['S', 'D', '-->>'] as [Who, Who, '-->>'])
    .with({ kind: 'cmd' }, () => ['D', 'S', '->>'] as [Who, Who, '->>'])
    .with({ kind: 'dma' }, () => ['S', 'V', '-->>'] as [Who, Who, '-->>'])
    .with({ kind: 'walk' }, () => ['S', 'P', '->>'] as [Who, Who, '->>'])
    .with({ kind: 'callback' }, () => ['P', 'D', '->>'] as [Who, Who, '->>'])
    .with({ kind: 'return' }, () => ['D', 'P', '-->>'] as [Who, Who, '-->>'])
    .with({ kind: 'warn' }, () => ['D', 'D', '-->>'] as [Who, Who, '-->>'])
    .with({ kind: 'bug' }, () => ['D', 'D', '-->>'] as [Who, Who, '-->>'])
    .exhaustive();

/** Mermaid message text: no ';' or '#' (statement separator, entity escape), one line. */
const esc = (s: string) => s.replace(/;/g, ',').replace(/#/g, 'no. ').replace(/\s+/g, ' ').trim();

export function formatCounterexampleMermaid(c: Config, variant: string, cx: Counterexample): string {
  const lines = [
    '```mermaid',
    'sequenceDiagram',
    `  title ${esc(`${variant} violates ${cx.invariant}`)}`,
    '  participant P as process',
    '  participant D as driver',
    '  participant S as SMMU',
    '  participant V as device',
  ];
  cx.steps.forEach((st, i) => {
    const [from, to] = eventArrow(st.event);
    const text = esc(`${i + 1}. ${describeEvent(c, st.event)}`);
    lines.push(from === to ? `  Note over ${from}: ${text}` : `  ${from}->>${to}: ${text}`);
    for (const o of st.observations) {
      if (o.kind === 'cmd' && o.cmd.op === 'CMD_SYNC') continue;
      const [a, b, arrow] = obsArrow(o);
      const t = esc(describeObservation(c, o));
      lines.push(a === b ? `  Note over ${a}: ${t}` : `  ${a}${arrow}${b}: ${t}`);
    }
  });
  lines.push(`  Note over P,V: ${esc(`VIOLATED ${cx.invariant}: ${cx.detail}`)}`);
  lines.push('```');
  return lines.join('\n');
}
