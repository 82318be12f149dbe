// npm run bench:traits -- [--config FILE] [--variant NAME] [--max-states N]
//
// Which driver-variant traits each step reads: breadth-first over the first N states of one
// variant on the reducer (symmetry and partial-order reduction as `explore`), every step run
// with the model's traits behind a recording proxy. The variant reaches the semantics only
// through Model.traits (src/model/model.ts), so a step that read the traits R under variant v
// runs the same way, with the same successor and observations, under every variant w that agrees
// with v on R. Prints the share of edges that read each trait, and per other variant the share of
// edges that variant would take the same way: what one step could serve in a search of several
// variants at once (docs/performance.md, "States the variants share"). Exit 0; 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configAndVariant } from '../src/cli/configArg.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import { initialState } from '../src/machine/initial.ts';
import { stepEnabled } from '../src/machine/step.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { variantNames } from '../src/model/variant.ts';
import { recordingModel, agreeOn, type Decision } from '../src/explorer/traitReads.ts';
import { decodeState, IntBuf } from '../src/explorer/encode.ts';
import { Canonicalizer, symmetryOf } from '../src/explorer/symmetry.ts';
import { ampleOf } from '../src/explorer/por.ts';
import { hash64 } from '../src/explorer/visited.ts';

const command: CommandSpec = {
  name: 'bench:traits',
  invocation: 'npm run bench:traits --',
  about: [
    'Which variant traits each step reads, over a breadth-first prefix of one variant (reducer, both',
    'reductions): the share of edges reading each trait, and per other variant the share of edges it',
    'would take the same way (it agrees on every trait the step read). Exit 0; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'NAME', help: 'the variant explored (default v6-atc)' },
    'max-states': { type: 'string', value: 'N', help: 'states expanded (default 100,000)' },
  },
};

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const cv = configAndVariant({ config: v.config, variant: v.variant ?? 'v6-atc' }, 'npm run bench:traits');
  if (E.isLeft(cv)) return usageError(cv.left);
  const maxStates = intFlag(command, 'max-states', v['max-states'], 100_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  if (maxStates.right < 1) return usageError('npm run bench:traits: --max-states expects at least 1, got 0');
  const { config, variant } = cv.right;
  const { m, read } = recordingModel(config, variant);
  const others = variantNames.filter((w) => w !== variant).map((w) => createModel(config, w));
  const canon = new Canonicalizer(config, symmetryOf(config, true));
  const buf = new IntBuf(1024), h = new Uint32Array(2);
  const seen = new Set<string>();
  // a new state is expanded as decoded from its canonical key, as explore does: the ample choice
  // (the first candidate in enabledEvents order) depends on which member of a symmetry class is expanded
  const fresh = (s: State): State | undefined => {
    buf.reset(); canon.key(s, buf); hash64(buf.a, 0, buf.n, h);
    const k = `${h[0]}:${h[1]}`;
    if (seen.has(k)) return undefined;
    seen.add(k);
    return decodeState(config, buf.a, 0);
  };
  let level: State[] = [fresh(initialState(config))!];
  const byTrait = new Map<Decision, number>(), same = others.map(() => 0);
  let expanded = 0, edges = 0, beforeStep = 0;
  while (level.length > 0 && expanded < maxStates.right) {
    const next: State[] = [];
    for (const s of level) {
      if (expanded === maxStates.right) break;
      expanded++;
      read.clear();
      const events = enabledEvents(m, s);
      const ample = ampleOf(m, s, events, true);
      if (read.size > 0) beforeStep++;
      for (const e of ample >= 0 ? [events[ample]!] : events) {
        read.clear();
        const r = stepEnabled(m, s, e);
        edges++;
        for (const t of read) byTrait.set(t, (byTrait.get(t) ?? 0) + 1);
        others.forEach((w, i) => { if (agreeOn(read, m.traits, w.traits)) same[i]!++; });
        const t = fresh(r.state);
        if (t !== undefined) next.push(t);
      }
    }
    level = next;
  }
  const pct = (n: number) => `${(100 * n / Math.max(1, edges)).toFixed(1)}%`;
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${config.name}, ${variant}: ${expanded} states expanded, ${edges} edges; ${beforeStep} states whose enabled events or ample choice read a trait`);
  say(`  edges reading each trait: ${[...byTrait].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([t, n]) => `${t} ${pct(n)}`).join(', ') || 'none'}`);
  others.forEach((w, i) => say(`  taken the same way by ${w.traits.name}: ${pct(same[i]!)}`));
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
