// npm run bench:inplace -- [--config FILE] [--variant NAME] [--max-states N] [--rounds R]
//
// A prototype of the single-thread design that "The floor of a whole-state explorer"
// (docs/performance.md) names for 400k states/s: the adapter's Store stepped in place and put back
// after each event, a fingerprint kept from the Store's own words, and a key written only for a
// state that is new. One breadth-first search without symmetry or partial-order reduction, in one
// thread, two ways over the same loop:
//   key      each successor's plain key written (encodeStore) and hashed (hash64), as the packed
//            engine does now; the key kept when the state is new;
//   inplace  each successor's fingerprint folded from the Store words that differ from its
//            parent's (a sum per word of a hash of its position and value), and the key written
//            only when the fingerprint is new.
// Both run the packed engine's semantics per state and per event: the state invariants, the
// enabled events, the put-back (PackedStore.restore), the adapter's step and its transition
// monitor. Both count states only: no parent links, no successor lists, no verdicts, no edge
// records, so they bound from above what `explore` would reach with the same design.
//
// The Store is not a function of the state: a freed CD slot keeps its ASID and table base, a
// bond or notifier that is off keeps its counts, and the notifiers' list positions are not in the
// key (EXP-KEY-MN-ORDER). The inplace arm zeroes the fields of absent entries after each step
// and leaves the list positions out of its fingerprint, so that equal states have equal words;
// both arms must then find the same states at every depth (exit 1 otherwise), as `explore`
// does (test/cli.test.ts checks this on tiny).
//
// Stops when N states (default 2,000,000) are known, mid-level as `explore --max-states` does.
// Exit 0; 1: the two ways disagree; 2: bad input.
import * as E from 'fp-ts/lib/Either.js';
import { sequenceS } from 'fp-ts/lib/Apply.js';
import { flagsOrExit, intFlag, usageError, type CommandSpec } from '../src/cli/args.ts';
import { configFromFlag, variantFromFlag } from '../src/cli/configArg.ts';
import { seedWideConfig, type Config } from '../src/model/config.ts';
import type { VariantName } from '../src/model/variant.ts';
import type { Event } from '../src/model/event.ts';
import { createModel } from '../src/model/model.ts';
import { CD_PRESENT } from '../src/adapter/store.ts';
import { IntBuf } from '../src/explorer/encode.ts';
import { hash64 } from '../src/explorer/visited.ts';
import { CompactVisitedSet } from '../src/explorer/packed/visited.ts';
import { encodeStore, loadKey, PackedStore } from '../src/explorer/packed/store-io.ts';
import { packedSemantics } from '../src/explorer/packed/semantics.ts';

const command: CommandSpec = {
  name: 'bench:inplace',
  invocation: 'npm run bench:inplace --',
  about: [
    'A one-thread breadth-first count of states without either reduction, two ways: a key written',
    'and hashed for every successor, or the Store stepped in place with a fingerprint kept from its',
    'words and a key written only for new states; seconds, states/s, and the ratio.',
    'Exit 0; 1: the two disagree; 2: bad input.',
  ],
  flags: {
    config: { type: 'string', value: 'FILE', help: 'configuration JSON (default: spec/configs/seed-wide.json)' },
    variant: { type: 'string', value: 'NAME', help: 'driver variant (default v6)' },
    'max-states': { type: 'string', value: 'N', help: 'stop when N states are known (default 2000000)' },
    rounds: { type: 'string', value: 'R', help: 'rounds of the two ways, alternated (default 1)' },
  },
};

type Way = 'key' | 'inplace';

interface Result {
  readonly levels: readonly number[];
  readonly transitions: number;
  readonly seconds: number;
  /** Union of the state invariants' and the monitor's violation bits (kept so that neither is dead code). */
  readonly violations: number;
}

/** A hash of (word position, value) for one lane of the fingerprint; never the same function for both lanes. */
function mixWord(i: number, v: number, seed: number): number {
  let h = Math.imul(v ^ seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b);
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15; h = Math.imul(h, 0x846ca68b);
  return h ^ (h >>> 16);
}
const SEED_HI = 0x3c6ef372, SEED_LO = 0x510e527f;
/** Positions of the words outside the Store's buffer start here (TLB, ATC duplicates, faults, deferred frees). */
const LISTS = 1 << 20;

/** The Store's buffer as the fingerprint reads it: whole words, the list positions masked out. */
class StoreWords {
  readonly words: Int32Array;
  readonly saved: Int32Array;
  readonly mask: Int32Array;
  private readonly asids: Int32Array;

  constructor(private readonly st: PackedStore) {
    // the buffer and its copy at snapshot() are private to PackedStore: read here, never written
    const inner = st as unknown as { arena: Uint8Array; savedArena: Uint8Array };
    const n = inner.arena.length >> 2;
    if (inner.arena.length % 4 !== 0 || inner.arena.byteOffset !== 0) throw new Error('the Store buffer is not whole words');
    this.words = new Int32Array(inner.arena.buffer, 0, n);
    this.saved = new Int32Array(inner.savedArena.buffer, 0, n);
    this.mask = new Int32Array(n).fill(-1);
    const pos = st.mnListPos;
    for (let b = pos.byteOffset; b < pos.byteOffset + pos.length; b++) this.mask[b >> 2]! &= ~(0xff << (8 * (b & 3)));
    this.asids = new Int32Array(st.asidSpace);
  }

  /** Zero the fields of absent entries: CD slots not present, bonds and notifiers that are off. */
  canonicalize(): void {
    const st = this.st;
    const cdFlags = st.cdFlags, cdAsid = st.cdAsid, cdTtb0 = st.cdTtb0;
    for (let s = 0; s < cdFlags.length; s++) if ((cdFlags[s]! & CD_PRESENT) === 0) { cdFlags[s] = 0; cdAsid[s] = 0; cdTtb0[s] = 0; }
    const bondOn = st.bondOn, bondRefs = st.bondRefs, bondAfterExit = st.bondAfterExit;
    for (let b = 0; b < bondOn.length; b++) if (bondOn[b] === 0) { bondRefs[b] = 0; bondAfterExit[b] = 0; }
    const mnOn = st.mnOn, mnRefs = st.mnRefs, mnCleared = st.mnCleared;
    for (let k = 0; k < mnOn.length; k++) if (mnOn[k] === 0) { mnRefs[k] = 0; mnCleared[k] = 0; }
  }

  /** The fingerprint of the buffer alone, whole, into h (hi, lo). */
  whole(h: Uint32Array): void {
    const w = this.words, m = this.mask;
    let hi = 0, lo = 0;
    for (let i = 0; i < w.length; i++) { const v = w[i]! & m[i]!; hi = (hi + mixWord(i, v, SEED_HI)) | 0; lo = (lo + mixWord(i, v, SEED_LO)) | 0; }
    h[0] = hi; h[1] = lo;
  }

  /** The buffer's fingerprint `h` of the saved parent moved to the words now in the Store (in place). */
  fold(h: Uint32Array): void {
    const w = this.words, s = this.saved, m = this.mask;
    let hi = h[0]! | 0, lo = h[1]! | 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === s[i]) continue;
      const now = w[i]! & m[i]!, was = s[i]! & m[i]!;
      if (now === was) continue;
      hi = (hi + mixWord(i, now, SEED_HI) - mixWord(i, was, SEED_HI)) | 0;
      lo = (lo + mixWord(i, now, SEED_LO) - mixWord(i, was, SEED_LO)) | 0;
    }
    h[0] = hi; h[1] = lo;
  }

  /** The fingerprint of what lives outside the buffer, added to h: TLB entries, ATC duplicates, faults and deferred frees in list order. */
  addLists(h: Uint32Array): void {
    const st = this.st, stride = st.pageStride;
    let hi = h[0]! | 0, lo = h[1]! | 0;
    const nAsid = st.tlbAsidsWithEntries(this.asids);
    for (let j = 0; j < nAsid; j++) {
      const asid = this.asids[j]!, row = st.tlb[asid]!;
      for (let p = 0; p < stride; p++) {
        const f = row[p]!;
        if (f >= 0) { const i = LISTS + asid * stride + p; hi = (hi + mixWord(i, f, SEED_HI)) | 0; lo = (lo + mixWord(i, f, SEED_LO)) | 0; }
      }
    }
    if (st.atcExtra.size > 0) {
      for (const [slot, byPage] of st.atcExtra) {
        for (const [page, frames] of byPage) {
          for (let k = 0; k < frames.length; k++) { const i = 2 * LISTS + (slot * stride + page) * 16 + k; hi = (hi + mixWord(i, frames[k]!, SEED_HI)) | 0; lo = (lo + mixWord(i, frames[k]!, SEED_LO)) | 0; }
        }
      }
    }
    let at = 3 * LISTS;
    for (let d = 0; d < st.nDev; d++) {
      const list = st.faults[d]!;
      for (let i = 0; i < list.length; i++) {
        const f = list[i]!;
        const flags = (f.via === 'pri' ? 1 : 0) | (f.write ? 2 : 0) | (f.afterRelease ? 4 : 0) | (f.status << 3) | (d << 8);
        hi = (hi + mixWord(at, flags, SEED_HI) + mixWord(at + 1, f.group, SEED_HI) + mixWord(at + 2, f.pasid, SEED_HI) + mixWord(at + 3, f.page, SEED_HI)) | 0;
        lo = (lo + mixWord(at, flags, SEED_LO) + mixWord(at + 1, f.group, SEED_LO) + mixWord(at + 2, f.pasid, SEED_LO) + mixWord(at + 3, f.page, SEED_LO)) | 0;
        at += 4;
      }
    }
    // the end of the faults, so that a fault and a deferred free never share a position
    hi = (hi + mixWord(at, -1, SEED_HI)) | 0; lo = (lo + mixWord(at, -1, SEED_LO)) | 0;
    at++;
    const def = st.deferred;
    for (let i = 0; i < def.length; i++, at++) {
      const r = def[i]!, v = r.domain * 2 + (r.inDomainOps ? 1 : 0) + r.mm * 1024;
      hi = (hi + mixWord(at, v, SEED_HI)) | 0; lo = (lo + mixWord(at, v, SEED_LO)) | 0;
    }
    h[0] = hi; h[1] = lo;
  }
}

/** One breadth-first search, stopped when maxStates states are known. */
function search(config: Config, variant: VariantName, way: Way, maxStates: number): Result {
  const { store: st, engine: eng, monitor, enabled, invariants } = packedSemantics(createModel(config, variant));
  const apply = eng as unknown as { apply(e: Event): void };
  const words = new StoreWords(st);
  const visited = new CompactVisitedSet(1 << 20);
  const h = new Uint32Array(2), parentFp = new Uint32Array(2);
  const scratch = new IntBuf(1 << 10);
  let cur = { enc: new IntBuf(1 << 16), offs: [0] as number[] };
  let next = { enc: new IntBuf(1 << 16), offs: [0] as number[] };

  // the initial state, loaded by packedSemantics
  encodeStore(st, cur.enc);
  cur.offs.push(cur.enc.n);
  if (way === 'inplace') { words.canonicalize(); words.whole(h); words.addLists(h); } else hash64(cur.enc.a, 0, cur.enc.n, h);
  visited.insert(h[0]!, h[1]!);

  const levels = [1];
  let transitions = 0, violations = 0, full = visited.size >= maxStates;
  const t0 = performance.now();
  while (!full && cur.offs.length > 1) {
    next.enc.reset(); next.offs = [0];
    let found = 0;
    for (let i = 0; i + 1 < cur.offs.length && !full; i++) {
      loadKey(st, cur.enc.a, cur.offs[i]!);
      if (way === 'inplace') { words.canonicalize(); words.whole(parentFp); }
      st.snapshot();
      violations |= invariants.mask(st);
      const events = enabled.events();
      for (let k = 0; k < events.length; k++) {
        if (k > 0) st.restore();
        const e = events[k]!;
        monitor.beforeStep(e);
        apply.apply(e);
        monitor.afterStep(e);
        violations |= monitor.mask;
        transitions++;
        let isNew: boolean;
        if (way === 'inplace') {
          words.canonicalize();
          h[0] = parentFp[0]!; h[1] = parentFp[1]!;
          words.fold(h);
          words.addLists(h);
          isNew = visited.insert(h[0]!, h[1]!) < 0;
          if (isNew) encodeStore(st, next.enc);
        } else {
          scratch.reset();
          encodeStore(st, scratch);
          hash64(scratch.a, 0, scratch.n, h);
          isNew = visited.insert(h[0]!, h[1]!) < 0;
          if (isNew) { next.enc.ensure(scratch.n); next.enc.a.set(scratch.a.subarray(0, scratch.n), next.enc.n); next.enc.n += scratch.n; }
        }
        if (isNew) {
          next.offs.push(next.enc.n);
          found++;
          if (visited.size >= maxStates) { full = true; break; }
        }
      }
    }
    if (found > 0) levels.push(found);
    [cur, next] = [next, cur];
  }
  return { levels, transitions, seconds: (performance.now() - t0) / 1000, violations };
}

async function main(argv: string[]): Promise<number> {
  const flags = flagsOrExit(command, argv);
  if (E.isLeft(flags)) return flags.left;
  const v = flags.right.values;
  const config = v.config === undefined ? E.right(seedWideConfig) : configFromFlag(v.config);
  if (E.isLeft(config)) return usageError(config.left.map((l) => `npm run bench:inplace: ${l}`));
  const variant = variantFromFlag(v.variant, 'v6');
  if (E.isLeft(variant)) return usageError(`npm run bench:inplace: --variant: ${variant.left}`);
  const ints = sequenceS(E.Apply)({ maxStates: intFlag(command, 'max-states', v['max-states'], 2_000_000), rounds: intFlag(command, 'rounds', v.rounds, 1) });
  if (E.isLeft(ints)) return usageError(ints.left);
  const { maxStates, rounds } = ints.right;
  if (Math.min(maxStates, rounds) < 1) return usageError('npm run bench:inplace: --max-states and --rounds expect at least 1');
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`${config.right.name}, ${variant.right}, no symmetry, no partial-order reduction, one thread, until ${maxStates} states`);
  say('| round | way | depth | states | transitions | s | states/s | levels |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- |');
  let reference: Result | undefined;
  let differ = false;
  for (let round = 1; round <= rounds; round++) {
    const seconds: number[] = [];
    for (const way of ['key', 'inplace'] as const) {
      const r = search(config.right, variant.right, way, maxStates);
      const states = r.levels.reduce((a, b) => a + b, 0);
      seconds.push(r.seconds);
      say(`| ${round} | ${way} | ${r.levels.length - 1} | ${states} | ${r.transitions} | ${r.seconds.toFixed(2)} | ${Math.round(states / r.seconds)} | ${r.levels.join(' ')} |`);
      reference ??= r;
      if (r.levels.join() !== reference.levels.join() || r.transitions !== reference.transitions || r.violations !== reference.violations) {
        differ = true;
        say(`  ${way}: levels ${r.levels.join(' ')}, ${r.transitions} transitions, violation bits ${r.violations} against ${reference.levels.join(' ')}, ${reference.transitions}, ${reference.violations}: the two ways disagree`);
      }
    }
    say(`  round ${round}: inplace ${(seconds[0]! / seconds[1]!).toFixed(2)}x key`);
  }
  return differ ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`npm run bench:inplace: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
