// npm run bench:floor -- [--config FILE] [--variant NAME] [--states N] [--prefill N] [--rounds N] [--symmetry]
//
// The bookkeeping floor of any explorer that stores whole states: what one transition costs
// before any semantics runs, measured on the real successor keys of a configuration. Part 1
// explores the first N states (packed engine, no partial-order reduction, no symmetry unless
// --symmetry) with the explorer's own expander, keeping every successor key, and reports the
// engine's transitions/s. Part 2 replays that stream of keys through the steps every design
// still has per transition, each timed alone over the whole stream:
//   copy     the parent's words into a scratch state (what a fixed-layout state costs per
//            successor): the faster of a word loop and TypedArray.set
//   hash     the 64-bit fingerprint of the key (hash64)
//   zobrist  instead of hash: an incremental (Zobrist-style) fingerprint folding in only the words
//            the successor changed against its parent (old and new value of each)
//   lookup   insert into the compact visited set, first filled with --prefill random
//            fingerprints so that the table is as large as a long run's (cache misses)
//   inline   the same lookups in an open-addressing table holding the 64-bit fingerprints inline
//   enqueue  the new states' keys appended to a frontier buffer (already grown: no page faults)
// Part 3 times, over the same stream, the packed engine's own steps per transition that part 2
// does not cover: loading a state into the Store (loadKey, once per expanded node; before 5782f30
// once per edge), saving it (snapshot, once per expanded node) and putting it back (restore, once
// per edge but the first since 5782f30), the successor's
// key written from the Store (StoreCanonicalizer: the canonical key with --symmetry, the plain
// encoding without), and the plain encoding alone (encodeStore).
// Part 4 times the semantics alone, as the packed engine runs them, over every expanded state:
// per state its load, save, state invariants and enabled events, per event the parent put back
// and the adapter's step with its transition monitor; then the same loop without the monitor, and
// without the steps. With part 2's floor and a key for new states only, that bounds any design
// that keeps the adapter's transitions (the rate it prints is an upper bound: the merge's parent
// links, successor lists and verdicts are not in it).
// It prints ns per transition for each, their sum, and the budget per transition that a target
// rate of distinct states/s leaves (400k by default, at the stream's transitions per state).
// No assertion: figures only (docs/performance.md). Exit 0; 1: parts 1 and 4 step a different
// number of events; 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configAndVariant } from '../src/cli/configArg.ts';
import { EDGE_WORDS, SRC_WORDS } from '../src/explorer/expand.ts';
import { encodeState, IntBuf } from '../src/explorer/encode.ts';
import { initialState } from '../src/machine/initial.ts';
import { makeExpander } from '../src/explorer/packed/expand.ts';
import { CompactVisitedSet } from '../src/explorer/packed/visited.ts';
import { hash64 } from '../src/explorer/visited.ts';
import { StoreCanonicalizer } from '../src/explorer/packed/canon.ts';
import { encodeStore, loadKey, PackedStore } from '../src/explorer/packed/store-io.ts';
import { createModel } from '../src/model/model.ts';
import { packedSemantics } from '../src/explorer/packed/semantics.ts';
import type { Event } from '../src/model/event.ts';
import type { Config } from '../src/model/config.ts';
import type { VariantName } from '../src/model/variant.ts';

const command: CommandSpec = {
  name: 'bench:floor',
  invocation: 'npm run bench:floor --',
  about: [
    'The per-transition cost of copying, fingerprinting, looking up and enqueueing whole states,',
    "on the successor keys of a configuration's first N states, against the engine's own rate.",
    'Exit 0; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: the built-in default)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    states: { type: 'string', value: 'N', help: 'distinct states to explore for the key stream (default 300000)' },
    prefill: { type: 'string', value: 'N', help: 'random fingerprints in the visited set before the lookups (default 50000000)' },
    rounds: { type: 'string', value: 'N', help: 'timed rounds of part 2, the best kept (default 3)' },
    target: { type: 'string', value: 'N', help: 'target distinct states/s for the budget line (default 400000)' },
    symmetry: { type: 'boolean', help: 'with symmetry reduction (keys are then canonical)' },
  },
};

const say = (s: string) => process.stdout.write(`${s}\n`);
const ns = (ms: number, n: number) => ((ms * 1e6) / n).toFixed(1);
/** A Zobrist-style word hash of (position, value), computed instead of looked up in a table. */
function zmix(j: number, v: number, seed: number): number {
  let k = Math.imul(v ^ Math.imul(j, 0x27d4eb2f), seed);
  k ^= k >>> 15; k = Math.imul(k, 0x2c1b3c6d); k ^= k >>> 12;
  return k;
}

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const target = configAndVariant(v, 'npm run bench:floor');
  if (E.isLeft(target)) return usageError(target.left);
  const { config, variant } = target.right;
  const nums: Record<string, number> = {};
  for (const [name, dflt] of [['states', 300_000], ['prefill', 50_000_000], ['rounds', 3], ['target', 400_000]] as const) {
    const n = intFlag(command, name, v[name], dflt);
    if (E.isLeft(n)) return usageError(n.left);
    nums[name] = n.right;
  }
  for (const name of ['states', 'rounds', 'target'] as const) {
    if (nums[name]! < 1) return usageError(`npm run bench:floor: --${name} expects at least 1, got ${nums[name]}`);
  }
  const maxStates = nums.states!, rounds = nums.rounds!;
  const symmetry = v.symmetry === true;

  // Part 1: breadth-first from the initial state with the packed expander, every edge kept.
  // keys, not Store images (EXP-FP-IMAGE): this bench keeps every successor's key
  const expander = makeExpander({ config, variant, symmetry, engine: 'packed', por: false, storeImage: false });
  const init = new IntBuf(256);
  encodeState(initialState(config), init);
  const h = new Uint32Array(2);
  hash64(init.a, 0, init.n, h);
  const seen = new CompactVisitedSet(1 << 16);
  seen.insert(h[0]!, h[1]!);
  const queue: Int32Array[] = [init.a.slice(0, init.n)];
  const stream = new IntBuf(1 << 20); // successor keys, concatenated
  const lens: number[] = [];
  const parents: Int32Array[] = []; // per transition, the expanded state's key
  let head = 0, expanded = 0, expandMs = 0;
  while (head < queue.length && seen.size < maxStates) {
    const batch = queue.slice(head, head + 1024);
    head += batch.length;
    const offsets = new Uint32Array(batch.length + 1);
    for (let i = 0; i < batch.length; i++) offsets[i + 1] = offsets[i]! + batch[i]!.length;
    const enc = new Int32Array(offsets[batch.length]!);
    batch.forEach((k, i) => enc.set(k, offsets[i]!));
    const t0 = performance.now();
    const r = expander.expand({ enc, offsets }, true);
    expandMs += performance.now() - t0;
    expanded += batch.length;
    let at = 0, edge = 0;
    for (let i = 0; i < batch.length; i++) {
      const ne = r.src[i * SRC_WORDS]!;
      for (let k = 0; k < ne; k++, edge += EDGE_WORDS) {
        const len = r.edges[edge + 4]!;
        const key = r.enc.subarray(at, at + len);
        at += len;
        stream.ensure(len);
        stream.a.set(key, stream.n);
        stream.n += len;
        lens.push(len);
        parents.push(batch[i]!);
        if (seen.size < maxStates) {
          const before = seen.size;
          seen.insert(r.edges[edge]!, r.edges[edge + 1]!);
          if (seen.size > before) queue.push(key.slice());
        }
      }
    }
  }
  const transitions = lens.length;
  let minLen = Infinity, maxLen = 0;
  for (const l of lens) { if (l < minLen) minLen = l; if (l > maxLen) maxLen = l; }
  const perState = transitions / expanded;
  say(`${config.name}, ${variant}${symmetry ? '' : ', no symmetry'}, no partial-order reduction: ${seen.size} states, ${expanded} expanded, ${transitions} transitions (${perState.toFixed(2)} per expanded state), keys of ${minLen}-${maxLen} words`);
  say(`engine (expansion step only: enabled events, apply, invariants, key, hash64): ${ns(expandMs, transitions)} ns per transition, ${Math.round(transitions / (expandMs / 1000))} transitions/s`);

  // Part 2: each per-transition step alone over the stream.
  const offs = new Uint32Array(transitions + 1);
  for (let i = 0; i < transitions; i++) offs[i + 1] = offs[i]! + lens[i]!;
  const keys = stream.a.subarray(0, stream.n);
  const fps = new Uint32Array(transitions * 2);
  const best = { copy: Infinity, hash: Infinity, zobrist: Infinity, lookup: Infinity, inline: Infinity, enqueue: Infinity };
  // the words a successor changes against its parent: what an incremental fingerprint folds in
  // per transition. Keys are variable-length encodings, and a successor whose key length differs
  // from its parent's would in a fixed layout change only the words of the collection that grew
  // or shrank; they are left out of the count, which is over the same-length transitions.
  let nChanges = 0, sameLen = 0;
  for (let i = 0; i < transitions; i++) {
    const p = parents[i]!, a = offs[i]!, len = offs[i + 1]! - a;
    if (p.length !== len) continue;
    sameLen++;
    for (let j = 0; j < len; j++) if (p[j] !== keys[a + j]) nChanges++;
  }
  const chIdx = new Int32Array(nChanges), chOld = new Int32Array(nChanges), chNew = new Int32Array(nChanges);
  for (let i = 0, c = 0; i < transitions; i++) {
    const p = parents[i]!, a = offs[i]!, len = offs[i + 1]! - a;
    if (p.length !== len) continue;
    for (let j = 0; j < len; j++) if (p[j] !== keys[a + j]) { chIdx[c] = j; chOld[c] = p[j]!; chNew[c] = keys[a + j]!; c++; }
  }
  const scratch = new Int32Array(maxLen);
  let sink = 0;
  // the prefilled set, built once (random 64-bit fingerprints: a long run's table size)
  const prefill = nums.prefill!;
  let rng = 0x2545f491;
  const next = () => { rng ^= rng << 13; rng ^= rng >>> 17; rng ^= rng << 5; return rng >>> 0; };
  const frontier = new IntBuf(1 << 20);
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    for (let i = 0; i < transitions; i++) { const a = offs[i]!, len = offs[i + 1]! - a; for (let j = 0; j < len; j++) scratch[j] = keys[a + j]!; sink ^= scratch[0]!; }
    best.copy = Math.min(best.copy, performance.now() - t);
    t = performance.now();
    for (let i = 0; i < transitions; i++) { scratch.set(keys.subarray(offs[i]!, offs[i + 1]!)); sink ^= scratch[0]!; }
    best.copy = Math.min(best.copy, performance.now() - t);
    t = performance.now();
    for (let i = 0; i < transitions; i++) { hash64(keys, offs[i]!, offs[i + 1]!, h); fps[2 * i] = h[0]!; fps[2 * i + 1] = h[1]!; }
    best.hash = Math.min(best.hash, performance.now() - t);
    const set = new CompactVisitedSet(prefill + transitions);
    for (let i = 0; i < prefill; i++) set.insert(next(), next());
    const fresh = new Uint8Array(transitions);
    // the same lookups in a table holding the fingerprints inline (one slot = hi, lo): one cache
    // miss per lookup instead of two (slot, then the node's fingerprint columns)
    const inlineSlots = 2 ** Math.ceil(Math.log2((prefill + transitions) / 0.6));
    const inline = new Uint32Array(inlineSlots * 2), imask = inlineSlots - 1;
    const put = (hi: number, lo: number): boolean => {
      if (hi === 0 && lo === 0) lo = 1;
      let slot = (Math.imul(lo ^ hi, 0x9e3779b1) >>> 0) & imask;
      for (;;) {
        const h2 = inline[2 * slot]!, l2 = inline[2 * slot + 1]!;
        if (h2 === 0 && l2 === 0) { inline[2 * slot] = hi; inline[2 * slot + 1] = lo; return true; }
        if (h2 === hi && l2 === lo) return false;
        slot = (slot + 1) & imask;
      }
    };
    rng = 0x2545f491;
    for (let i = 0; i < prefill; i++) put(next(), next());
    t = performance.now();
    for (let i = 0; i < transitions; i++) sink ^= put(fps[2 * i]!, fps[2 * i + 1]!) ? 1 : 0;
    best.inline = Math.min(best.inline, performance.now() - t);
    t = performance.now();
    for (let i = 0; i < transitions; i++) {
      const before = set.size;
      set.insert(fps[2 * i]!, fps[2 * i + 1]!);
      fresh[i] = set.size > before ? 1 : 0;
    }
    best.lookup = Math.min(best.lookup, performance.now() - t);
    t = performance.now();
    let zh = 0, zl = 0;
    for (let c = 0; c < nChanges; c++) {
      const j = chIdx[c]!;
      zh ^= zmix(j, chOld[c]!, 0x9e3779b1) ^ zmix(j, chNew[c]!, 0x9e3779b1);
      zl ^= zmix(j, chOld[c]!, 0x85ebca6b) ^ zmix(j, chNew[c]!, 0x85ebca6b);
    }
    best.zobrist = Math.min(best.zobrist, performance.now() - t);
    sink ^= zh ^ zl;
    frontier.n = 0; // reused: the first round grows it, later rounds copy into memory already touched
    t = performance.now();
    for (let i = 0; i < transitions; i++) {
      if (fresh[i] === 0) continue;
      const len = offs[i + 1]! - offs[i]!;
      frontier.ensure(len);
      const a = offs[i]!, fa = frontier.a;
      for (let j = 0; j < len; j++) fa[frontier.n + j] = keys[a + j]!;
      frontier.n += len;
    }
    best.enqueue = Math.min(best.enqueue, performance.now() - t);
    sink ^= frontier.n;
  }
  // Part 3: the packed engine's reload and key, each successor loaded and keyed in turn.
  const st = new PackedStore(config), canon = new StoreCanonicalizer(config, symmetry), out = new IntBuf(1 << 12);
  const engine = { load: Infinity, key: Infinity, plain: Infinity, snapshot: Infinity, restore: Infinity };
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    for (let i = 0; i < transitions; i++) sink ^= loadKey(st, keys, offs[i]!);
    const load = performance.now() - t;
    engine.load = Math.min(engine.load, load);
    // the save of a loaded state (once per expanded node) and its restore (before every event but
    // the first), each by difference with the loop before
    t = performance.now();
    for (let i = 0; i < transitions; i++) { loadKey(st, keys, offs[i]!); st.snapshot(); }
    const saved = performance.now() - t;
    engine.snapshot = Math.min(engine.snapshot, saved - load);
    t = performance.now();
    for (let i = 0; i < transitions; i++) { loadKey(st, keys, offs[i]!); st.snapshot(); st.restore(); }
    engine.restore = Math.min(engine.restore, performance.now() - t - saved);
    t = performance.now();
    for (let i = 0; i < transitions; i++) { loadKey(st, keys, offs[i]!); out.reset(); canon.key(st, out); sink ^= out.n; }
    engine.key = Math.min(engine.key, performance.now() - t - load);
    t = performance.now();
    for (let i = 0; i < transitions; i++) { loadKey(st, keys, offs[i]!); out.reset(); encodeStore(st, out); sink ^= out.n; }
    engine.plain = Math.min(engine.plain, performance.now() - t - load);
  }
  // Part 4: the semantics alone, as the packed engine runs them, over every expanded state: per
  // state its load, save, state invariants and enabled events; per event the parent put back and
  // the adapter's step with its transition monitor. No key, no hash, no lookup: what a design
  // that keeps the adapter's transitions pays whatever it does with the successors. The same loop
  // without the steps times the load, save, invariants, enabled events and put-backs alone.
  const sem = semanticsAlone(config, variant, queue.slice(0, head), rounds);
  if (sem.steps !== transitions) {
    process.stderr.write(`npm run bench:floor: part 4 stepped ${sem.steps} events over the expanded states, part 1 had ${transitions} transitions\n`);
    return 1;
  }
  const sum = best.copy + best.hash + best.lookup + best.enqueue;
  // the incremental fingerprint's time per same-length transition, carried to every transition
  const zobrist = (best.zobrist * transitions) / Math.max(sameLen, 1);
  const undoFloor = zobrist + Math.min(best.lookup, best.inline) + best.enqueue;
  // Two ways to count states/s. Per discovered state (what `explore` reports: distinct states
  // found per second, the unexpanded frontier included; on a breadth-first prefix most of them
  // are not yet expanded) and per expanded state (what a complete run measures, where every
  // state is expanded: the rate of an exhaustive run, like SPIN's).
  const perDiscovered = transitions / seen.size;
  const budgetDiscovered = 1e9 / (nums.target! * perDiscovered);
  const budget = 1e9 / (nums.target! * perState);
  say(`per transition (best of ${rounds} rounds, visited set prefilled with ${prefill} fingerprints):`);
  say(`  copy ${ns(best.copy, transitions)} ns, hash ${ns(best.hash, transitions)} ns, lookup ${ns(best.lookup, transitions)} ns, enqueue ${ns(best.enqueue, transitions)} ns; sum ${ns(sum, transitions)} ns`);
  say(`  an incremental fingerprint instead of hash: ${(nChanges / Math.max(sameLen, 1)).toFixed(1)} words changed per transition (${sameLen} of ${transitions} transitions keep the key length), ${ns(zobrist, transitions)} ns`);
  say(`  lookup in a table with the fingerprints inline (one cache miss): ${ns(best.inline, transitions)} ns`);
  say(`  a design that steps in place and undoes (no copy) with that fingerprint: fingerprint + the faster lookup + enqueue = ${ns(undoFloor, transitions)} ns`);
  const left = (b: number) => (b - (undoFloor * 1e6) / transitions).toFixed(1);
  say(`  budget at ${nums.target} states/s counted per expanded state (a complete run; ${perState.toFixed(2)} transitions per state): ${budget.toFixed(1)} ns per transition, all included; ${left(budget)} ns left for enabled events, the transition and its undo, and the invariants`);
  say(`  budget at ${nums.target} states/s counted per discovered state (as explore reports a truncated run; this prefix: ${perDiscovered.toFixed(2)} transitions per discovered state): ${budgetDiscovered.toFixed(1)} ns per transition; ${left(budgetDiscovered)} ns left`);
  say(`  the packed engine now: ${ns(expandMs, transitions)} ns per transition for its expansion step alone (in this process, beside the stream it keeps)`);
  say(`  of which, timed alone (best of ${rounds}): load a state into the Store (loadKey, once per expanded node) ${ns(engine.load, transitions)} ns, save it (snapshot, once per expanded node) ${ns(engine.snapshot, transitions)} ns, put it back (restore, before every event but the first) ${ns(engine.restore, transitions)} ns, its key from the Store (${symmetry ? 'canonical' : 'plain'}) ${ns(engine.key, transitions)} ns; the plain encoding alone ${ns(engine.plain, transitions)} ns`);
  const semNs = (sem.withSteps * 1e6) / transitions, stepNs = ((sem.withSteps - sem.withoutSteps) * 1e6) / transitions;
  const newKeyNs = ((engine.plain * 1e6) / transitions) * (seen.size / transitions);
  const designNs = semNs + (undoFloor * 1e6) / transitions + newKeyNs;
  const observeNs = ((sem.withSteps - sem.unobserved) * 1e6) / transitions;
  say(`  the semantics alone (part 4, best of ${rounds}): ${semNs.toFixed(1)} ns per transition, of which the adapter's step and its monitor ${stepNs.toFixed(1)} ns (the monitor's watch ${observeNs.toFixed(1)} ns of it) and per state the load, save, invariants and enabled events with the put-backs ${(semNs - stepNs).toFixed(1)} ns`);
  say(`  a design that keeps these semantics, with the floor above and a key for new states only (${newKeyNs.toFixed(1)} ns per transition): ${designNs.toFixed(1)} ns per transition before the merge's own work, at most ${Math.round(1e9 / (designNs * perDiscovered))} discovered states/s on this prefix, ${Math.round(1e9 / (designNs * perState))} expanded states/s`);
  if (sink === 0x7fffffff) say('');
  return 0;
}

/**
 * Part 4: every expanded state's semantics timed three ways (best of `rounds`, ms): with the
 * adapter's steps telling the transition monitor what it reads (Engine.watch), as the packed
 * engine runs them; with the steps and no monitor (the Engine's mode 'off'); without the steps.
 * Also the number of steps per round (part 1's transitions, when the two agree).
 */
function semanticsAlone(config: Config, variant: VariantName, states: readonly Int32Array[], rounds: number): { withSteps: number; unobserved: number; withoutSteps: number; steps: number } {
  const { store: st, engine: eng, monitor, enabled, invariants } = packedSemantics(createModel(config, variant));
  const apply = (eng as unknown as { apply(e: Event): void });
  const best = { monitored: Infinity, unobserved: Infinity, none: Infinity };
  let sink = 0, steps = 0;
  for (let round = 0; round < rounds; round++) {
    for (const how of ['monitored', 'unobserved', 'none'] as const) {
      if (how === 'monitored') eng.watch(monitor); else eng.setMode('off');
      let n = 0;
      const t = performance.now();
      for (const key of states) {
        loadKey(st, key, 0);
        st.snapshot();
        sink ^= invariants.mask(st);
        const events = enabled.events();
        for (let k = 0; k < events.length; k++) {
          if (k > 0) st.restore();
          const e = events[k]!;
          if (how === 'monitored') {
            monitor.beforeStep(e);
            apply.apply(e);
            monitor.afterStep(e);
            sink ^= monitor.mask;
          } else if (how === 'unobserved') apply.apply(e);
        }
        n += events.length;
      }
      best[how] = Math.min(best[how], performance.now() - t);
      if (how === 'monitored') steps = n;
    }
  }
  if (sink === 0x7fffffff) say('');
  return { withSteps: best.monitored, unobserved: best.unobserved, withoutSteps: best.none, steps };
}

process.exitCode = await main(process.argv.slice(2));
