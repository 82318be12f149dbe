// npm run bench:family-search -- [--config FILE] [--variant A,B,...|all] [--max-states N] [--no-por]
//
// The reducer prototype of the design docs/performance.md sizes in "States the variants share":
// one breadth-first search for several variants at once, which `explore --family` now runs on the
// packed engine (src/explorer/familySearch.ts, spec/explorer.md EXP-FAM-*). Each state is stored once with the set of
// variants that reach it; a level holds each state with the variants that reach it first at that
// depth, and expands it for those only. Every computation that may depend on the variant (state
// invariants, enabled events and the ample choice, each step with its transition invariants) runs
// once under one variant of the set with the model's traits behind a recording proxy; the
// variants that agree on every trait it read share the result (the semantics see a variant only
// through its traits: test/architecture.test.ts), the others are run again, class by class.
//
// On the reducer, with symmetry reduction and (unless --no-por) the partial-order reduction of
// `explore`, faults-resolvable left out. It checks itself against one `explore` per variant (the
// packed engine, whose graphs equal the reducer engine's):
// states, transitions, depth and each violated invariant with its shortest length must be equal,
// or it exits 1. It prints how many expansions and steps it ran against the separate searches.
// Exit 0; 1: a variant's figures differ from its own search; 2: bad input; 3: --max-states hit.
import * as E from 'fp-ts/lib/Either.js';
import { exitCode, flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configFromFlag } from '../src/cli/configArg.ts';
import { checkInvariants, checkTransition } from '../src/invariants/invariants.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import { initialState } from '../src/machine/initial.ts';
import { stepEnabled } from '../src/machine/step.ts';
import type { Config } from '../src/model/config.ts';
import type { Model } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import type { Event } from '../src/model/event.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';
import { variantsFromFlag } from '../src/cli/commands/explore.ts';
import { agreeOn, recordingModel } from '../src/explorer/traitReads.ts';
import { decodeState, IntBuf } from '../src/explorer/encode.ts';
import { exploreVariants } from '../src/explorer/variants.ts';
import { ampleOf, cleanupMeasure, provisoKeeps } from '../src/explorer/por.ts';
import { Canonicalizer, symmetryOf } from '../src/explorer/symmetry.ts';
import { hash64 } from '../src/explorer/visited.ts';

const command: CommandSpec = {
  name: 'bench:family-search',
  invocation: 'npm run bench:family-search --',
  about: [
    'One breadth-first search for several variants at once (a prototype, on the reducer): each state once',
    'with the variants that reach it, each computation run once per class of variants that agree on the',
    'traits it read. Checked against one explore per variant (states, transitions, depth, violations and',
    'their shortest lengths); prints the expansions and steps run against the separate searches.',
    'Exit 0; 1: a variant differs from its own search; 2: bad input; 3: --max-states hit.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'A,B,...|all', help: 'variants, comma-separated, or all (default all)' },
    'max-states': { type: 'string', value: 'N', help: 'give up beyond N distinct states (default 5,000,000)' },
    'no-por': { type: 'boolean', help: 'without partial-order reduction' },
  },
};

/** A step and its transition-invariant violations. */
interface Stepped { readonly next: State; readonly bad: readonly { readonly invariant: string }[] }

function stepped(m: Model, s: State, e: Event): Stepped {
  const st = stepEnabled(m, s, e);
  return { next: st.state, bad: checkTransition(m, s, e, st.state, st.observations) };
}

interface Figures { states: number; transitions: number; depth: number; readonly found: Map<string, number> }

export interface FamilySearch {
  readonly variants: readonly VariantName[];
  readonly perVariant: readonly Figures[];
  readonly distinct: number;
  /** Expansions (enabled events and ample choice) and steps run, against one search per variant. */
  readonly expansions: number;
  readonly steps: number;
  readonly truncated: boolean;
}

export function familySearch(config: Config, variants: readonly VariantName[], por: boolean, maxStates: number): FamilySearch {
  const recs = variants.map((v) => recordingModel(config, v));
  const traits = recs.map((r) => r.m.traits);
  /** Run `f` for the variants `members`: once per class of variants agreeing on the traits it read. */
  const byClass = <T>(members: readonly number[], f: (m: Model) => T): { members: number[]; value: T }[] => {
    const out: { members: number[]; value: T }[] = [];
    let rest = [...members];
    while (rest.length > 0) {
      const v0 = rest[0]!, rec = recs[v0]!;
      rec.read.clear();
      const value = f(rec.m);
      const read = [...rec.read];
      const same = rest.filter((w) => agreeOn(read, traits[v0]!, traits[w]!));
      rest = rest.filter((w) => !same.includes(w));
      out.push({ members: same, value });
    }
    return out;
  };
  const canon = new Canonicalizer(config, symmetryOf(config, true));
  const buf = new IntBuf(1024), h = new Uint32Array(2);
  // the 64-bit fingerprint, as explore keeps it (visited.ts: the same collision bound); the key
  // itself (its words) is kept for the states to expand, decoded from it as explore does: the
  // ample choice (the first candidate in enabledEvents order) depends on which state of a
  // symmetry class is expanded, so expanding the successor as stepped would give another
  // reduced graph than explore's
  const keyOf = (s: State) => { buf.reset(); canon.key(s, buf); hash64(buf.a, 0, buf.n, h); return `${h[0]}:${h[1]}`; };
  const canonical = () => buf.a.slice(0, buf.n);
  const per: Figures[] = variants.map(() => ({ states: 1, transitions: 0, depth: 0, found: new Map<string, number>() }));
  const note = (v: number, invariant: string, length: number) => { const f = per[v]!.found; if (!f.has(invariant)) f.set(invariant, length); };
  const all = variants.map((_, i) => i);
  const reached = new Map<string, number>();
  const s0 = initialState(config);
  const k0 = keyOf(s0);
  reached.set(k0, (1 << variants.length) - 1);
  let level = new Map<string, { enc: Int32Array; mask: number }>([[k0, { enc: canonical(), mask: (1 << variants.length) - 1 }]]);
  let expansions = 0, steps = 0, depth = 0, truncated = false;
  while (level.size > 0 && !truncated) {
    const next = new Map<string, { enc: Int32Array; mask: number }>();
    for (const { enc, mask } of level.values()) {
      const s = decodeState(config, enc, 0);
      const here = all.filter((v) => (mask >> v) & 1);
      for (const c of byClass(here, (m) => checkInvariants(m, s))) for (const v of c.members) for (const x of c.value) note(v, x.invariant, depth);
      for (const c of byClass(here, (m) => { const ev = enabledEvents(m, s); return { ev, ample: por ? ampleOf(m, s, ev, true) : -1 }; })) {
        expansions++;
        const { ev, ample } = c.value;
        // the ample edge, kept where the cycle proviso keeps it (EXP-POR-5; its step is reused
        // as the edge, as explore's expanders do); every edge otherwise
        const groups: { members: number[]; edges: number[]; ampleStep?: Stepped }[] = [];
        if (ample < 0) groups.push({ members: c.members, edges: ev.map((_, k) => k) });
        else {
          for (const a of byClass(c.members, (m) => stepped(m, s, ev[ample]!))) {
            const keep = provisoKeeps(cleanupMeasure(s), cleanupMeasure(a.value.next), false);
            groups.push(keep ? { members: a.members, edges: [ample], ampleStep: a.value } : { members: a.members, edges: ev.map((_, k) => k) });
          }
        }
        for (const g of groups) {
          for (const v of g.members) per[v]!.transitions += g.edges.length;
          for (const k of g.edges) {
            const results = g.ampleStep !== undefined ? [{ members: g.members, value: g.ampleStep }] : byClass(g.members, (m) => stepped(m, s, ev[k]!));
            for (const r of results) {
              steps++;
              for (const v of r.members) for (const x of r.value.bad) note(v, x.invariant, depth + 1);
              const key = keyOf(r.value.next);
              const had = reached.get(key);
              let fresh = 0;
              for (const v of r.members) if (had === undefined || !((had >> v) & 1)) fresh |= 1 << v;
              if (fresh === 0) continue;
              if (had === undefined && reached.size >= maxStates) { truncated = true; continue; }
              reached.set(key, (had ?? 0) | fresh);
              const n = next.get(key);
              next.set(key, { enc: n?.enc ?? canonical(), mask: (n?.mask ?? 0) | fresh });
              for (const v of all) if ((fresh >> v) & 1) { per[v]!.states++; per[v]!.depth = depth + 1; }
            }
          }
        }
      }
    }
    level = next;
    depth++;
  }
  return { variants, perVariant: per, distinct: reached.size, expansions, steps, truncated };
}

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `npm run bench:family-search: ${l}`));
  const names = v.variant === undefined ? E.right(variantNames) : variantsFromFlag(v.variant);
  if (E.isLeft(names)) return usageError(`npm run bench:family-search: --variant: ${names.left}`);
  const maxStates = intFlag(command, 'max-states', v['max-states'], 5_000_000);
  if (E.isLeft(maxStates)) return usageError(maxStates.left);
  if (maxStates.right < 1) return usageError('npm run bench:family-search: --max-states expects at least 1, got 0');
  const por = !v['no-por'];
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const t0 = performance.now();
  const fam = familySearch(config.right, names.right, por, maxStates.right);
  const famSeconds = (performance.now() - t0) / 1000;
  if (fam.truncated) { say(`${config.right.name}: more than ${maxStates.right} distinct states; nothing compared`); return exitCode.incomplete; }
  say(`${config.right.name}: ${names.right.join(', ')}${por ? '' : ', no POR'}; symmetry on, faults-resolvable left out`);
  let differ = false, sumStates = 0, sumSteps = 0, sepSeconds = 0;
  // the separate searches two at a time (each result is exactly the one-thread result)
  const owns = await exploreVariants(config.right, names.right, { symmetry: true, por, maxStates: maxStates.right, threads: 2 });
  for (const [i, name] of names.right.entries()) {
    const own = owns[i]!;
    sepSeconds += own.seconds;
    const f = fam.perVariant[i]!;
    const ownFound = own.violations.filter((x) => x.kind !== 'liveness').map((x) => `${x.invariant}(${x.length})`).sort().join(', ');
    const famFound = [...f.found].map(([inv, len]) => `${inv}(${len})`).sort().join(', ');
    const same = own.states === f.states && own.transitions === f.transitions && own.maxDepth === f.depth && ownFound === famFound;
    if (!same) differ = true;
    sumStates += own.states; sumSteps += own.transitions;
    say(`  ${name}: ${f.states} states, ${f.transitions} transitions, depth ${f.depth}, ${famFound || 'no violation'}${same ? '' : ` BUT ITS OWN SEARCH: ${own.states} states, ${own.transitions} transitions, depth ${own.maxDepth}, ${ownFound || 'no violation'}`}`);
  }
  say(`  states: ${fam.distinct} distinct against ${sumStates} in the separate searches (${(sumStates / fam.distinct).toFixed(2)}x)`);
  say(`  expansions run: ${fam.expansions} against ${sumStates} (${(sumStates / fam.expansions).toFixed(2)}x); steps run: ${fam.steps} against ${sumSteps} (${(sumSteps / fam.steps).toFixed(2)}x)`);
  say(`  seconds: ${famSeconds.toFixed(1)} for the family search (reducer, one thread), ${sepSeconds.toFixed(1)} for the separate searches (packed engine, summed)`);
  return differ ? exitCode.found : exitCode.ok;
}

process.exitCode = await main(process.argv.slice(2));
