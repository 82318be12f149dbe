// The packed engine (src/explorer/packed/) against the reducer engine: the Store's encodings,
// keys and enabled events equal the reducer's on random reachable states, and whole explorations
// agree (states, transitions, depth, violations with shortest lengths, node hashes) on every
// small shipped configuration, all seven variants, with and without symmetry reduction.
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/codecs/config.ts';
import type { Config } from '../src/model/config.ts';
import { enabledEvents } from '../src/machine/enabled.ts';
import { initialState } from '../src/machine/initial.ts';
import { createModel } from '../src/model/model.ts';
import type { State } from '../src/model/state.ts';
import { stepEnabled } from '../src/machine/step.ts';
import { variantNames, type VariantName } from '../src/model/variant.ts';
import { checkInvariants } from '../src/invariants/invariants.ts';
import { encodeState, IntBuf } from '../src/explorer/encode.ts';
import { Expander, invariantBit, type ChunkResult } from '../src/explorer/expand.ts';
import { explore, type ExploreResult } from '../src/explorer/explore.ts';
import { report } from '../src/explorer/verdict.ts';
import { Canonicalizer, symmetryOf } from '../src/explorer/symmetry.ts';
import { PackedExpander } from '../src/explorer/packed/expand.ts';
import { StoreCanonicalizer } from '../src/explorer/packed/canon.ts';
import { encodeStore, loadKey, PackedStore } from '../src/explorer/packed/store-io.ts';
import { EnabledOnStore } from '../src/explorer/packed/enabled.ts';
import { verifiedReport, DisagreementError } from '../src/explorer/packed/verify.ts';
import { storeImageFingerprint } from '../src/explorer/packed/fingerprint.ts';
import { replayTo } from '../src/explorer/counterexample.ts';
import { CompactVisitedSet, TOUCH_BATCH } from '../src/explorer/packed/visited.ts';
import { CD_PRESENT } from '../src/adapter/store.ts';

function config(name: string): Config {
  const c = loadConfigFile(`spec/configs/${name}.json`);
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

const allConfigs = ['tiny', 'tiny-alloc', 'small', 'asid-small', 'ssid-widths', 'alloc-failure', 'bind-after-exit', 'no-btm', 'stall-forced', 'shared-domain', 'default', 'seed-wide', 'seed-wide-rw', 'range-inval'];

describe('packed engine: the Store against the reducer on random reachable states', () => {
  for (const name of allConfigs) {
    it(`${name}: encoding, keys and enabled events equal the reducer's`, () => {
      const cfg = config(name);
      fc.assert(fc.property(fc.constantFrom(...variantNames), fc.array(fc.nat(), { maxLength: 40 }), (variant: VariantName, choices: number[]) => {
        const m = createModel(cfg, variant);
        const px = new PackedExpander({ config: cfg, variant, symmetry: true });
        const canonOn = new Canonicalizer(cfg, symmetryOf(cfg, true));
        const canonOff = new Canonicalizer(cfg, symmetryOf(cfg, false));
        const storeOn = new StoreCanonicalizer(cfg, true);
        const storeOff = new StoreCanonicalizer(cfg, false);
        const enc = new IntBuf(256), a = new IntBuf(256), b = new IntBuf(256);
        let s: State = initialState(cfg);
        for (const c of [0, ...choices]) {
          // the plain key: the state without its notifier list positions (EXP-KEY-MN-ORDER)
          enc.reset(); encodeState(s, enc, false);
          loadKey(px.store, enc.a, 0);
          a.reset(); encodeStore(px.store, a);
          expect(Array.from(a.a.subarray(0, a.n))).toEqual(Array.from(enc.a.subarray(0, enc.n)));
          for (const [r, p] of [[canonOn, storeOn], [canonOff, storeOff]] as const) {
            a.reset(); r.key(s, a); b.reset(); p.key(px.store, b);
            expect(Array.from(b.a.subarray(0, b.n))).toEqual(Array.from(a.a.subarray(0, a.n)));
          }
          const events = enabledEvents(m, s);
          let sv = 0;
          for (const v of checkInvariants(m, s)) sv |= invariantBit.get(v.invariant)!;
          expect(px.invariants.mask(px.store)).toBe(sv);
          // ENV-* bounds and all: the packed engine offers exactly the reducer's events, in its order
          expect(JSON.stringify(new EnabledOnStore(px.engine).events())).toBe(JSON.stringify(events));
          if (events.length === 0) break;
          s = stepEnabled(m, s, events[c % events.length]!).state;
        }
      }), { numRuns: 25, seed: 14 });
    });
  }
});

describe('packed engine: loadKey', () => {
  // Every field of a Store, comparable: lazily allocated TLB and ATC arrays that hold no entry
  // count as absent, the fields of an absent CD, bond or notifier slot (which nothing reads: the
  // test "expands a state alike whatever the words of its absent ... slots hold", below) count
  // as 0, and the scratch a load reuses (the fault-record pool, the list of TLB ASIDs written
  // since the last reset beyond its length) and the snapshot's buffers (the arena, which the
  // other fields view, and its saved copies) are left out.
  const fields = (st: PackedStore) => {
    const out: Record<string, unknown> = {};
    const absent = (on: Uint8Array, bit: number, of: Int32Array | Uint8Array) => Array.from(of, (x, i) => ((on[i]! & bit) !== 0 ? x : 0));
    out.cdAsid = absent(st.cdFlags, 1, st.cdAsid); out.cdTtb0 = absent(st.cdFlags, 1, st.cdTtb0);
    out.bondRefs = absent(st.bondOn, 1, st.bondRefs); out.bondAfterExit = absent(st.bondOn, 1, st.bondAfterExit);
    out.mnRefs = absent(st.mnOn, 1, st.mnRefs); out.mnCleared = absent(st.mnOn, 1, st.mnCleared); out.mnListPos = absent(st.mnOn, 1, st.mnListPos);
    for (const [k, v] of Object.entries(st)) {
      if (k === 'faultPool' || k === 'tlbTouched' || k === 'arena' || k === 'imageAsids' || k.startsWith('saved') || k.endsWith('Changed') || k in out || typeof v === 'function') continue;
      if (ArrayBuffer.isView(v)) out[k] = Array.from(v as Int32Array);
      // copies, never the Store's own lists or records (a snapshot of fields must not change with the Store)
      else if (Array.isArray(v)) out[k] = v.map((x) => (ArrayBuffer.isView(x) ? ((x as Int32Array).every((y) => y === -1) ? undefined : Array.from(x as Int32Array)) : Array.isArray(x) ? x.map((r) => ({ ...r })) : typeof x === 'object' && x !== null ? { ...x } : x));
      else if (v instanceof Map) out[k] = [...v].map(([a, m]) => [a, [...(m as Map<number, number[]>)]]);
      else out[k] = v;
    }
    return out;
  };

  it('leaves every array of a reused Store as a fresh Store loaded with the same key', () => {
    for (const name of ['seed-wide', 'default', 'range-inval', 'shared-domain']) {
      const cfg = config(name);
      fc.assert(fc.property(fc.constantFrom(...variantNames), fc.array(fc.nat(), { maxLength: 40 }), (variant: VariantName, choices: number[]) => {
        const m = createModel(cfg, variant);
        const reused = new PackedStore(cfg);
        const keys: Int32Array[] = [];
        let s: State = initialState(cfg);
        for (const c of [0, ...choices]) {
          const enc = new IntBuf(256);
          encodeState(s, enc);
          keys.push(enc.a.slice(0, enc.n));
          const events = enabledEvents(m, s);
          if (events.length === 0) break;
          s = stepEnabled(m, s, events[c % events.length]!).state;
        }
        // forwards, then backwards: each load follows a state with more, and then with less, in it
        for (const key of [...keys, ...keys.slice().reverse()]) {
          const fresh = new PackedStore(cfg);
          expect(loadKey(reused, key, 0)).toBe(key.length);
          loadKey(fresh, key, 0);
          expect(fields(reused)).toEqual(fields(fresh));
        }
      }), { numRuns: 25, seed: 41 });
    }
  });

  it('puts back on restore() every array, list and key of the state loaded at snapshot(), whatever the events stepped since', () => {
    // each reachable state of a random walk is loaded and saved, then stepped through a random run
    // of enabled events on the Store (faults raised and resolved, TLB and ATC filled and dropped,
    // deferred frees queued), then restored: it must be the loaded state again, field for field
    // and word for word, and it must list the same events
    // (no shipped configuration offers standalone ATS translation requests, which make the ATC
    // duplicates restore() copies back: seed-wide with them is added)
    const prefetch = config('seed-wide');
    const configs = [...['seed-wide', 'seed-wide-rw', 'default', 'range-inval', 'shared-domain'].map(config), { ...prefetch, name: 'seed-wide-prefetch', options: { ...prefetch.options, atsPrefetch: true } }];
    for (const cfg of configs) {
      fc.assert(fc.property(fc.constantFrom(...variantNames), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (variant: VariantName, walk: number[], run: number[]) => {
        const m = createModel(cfg, variant);
        const px = new PackedExpander({ config: cfg, variant, symmetry: false });
        const st = px.store, enabled = new EnabledOnStore(px.engine);
        let s: State = initialState(cfg);
        for (const c of walk) {
          const enc = new IntBuf(256);
          encodeState(s, enc);
          loadKey(st, enc.a, 0);
          const loaded = fields(st), events = JSON.stringify(enabled.events());
          st.snapshot();
          const plain = new IntBuf(256);
          encodeState(s, plain, false);
          // twice from one snapshot, as an expansion does once per enabled event: the first run
          // must not have changed what the second restore puts back
          for (const skip of [0, 1]) {
            for (const r of run.slice(skip)) {
              const now = enabled.events();
              if (now.length === 0) break;
              px.engine.step(now[r % now.length]!);
            }
            st.restore();
            expect(fields(st)).toEqual(loaded);
            const back = new IntBuf(256);
            encodeStore(st, back);
            expect(Array.from(back.a.subarray(0, back.n))).toEqual(Array.from(plain.a.subarray(0, plain.n)));
            expect(JSON.stringify(enabled.events())).toBe(events);
          }
          const next = enabledEvents(m, s);
          if (next.length === 0) break;
          s = stepEnabled(m, s, next[c % next.length]!).state;
        }
      }), { numRuns: 20, seed: 43 });
    }
  });

  it('puts back on restore() each list a step changed, for every Store method that changes one', () => {
    // restore() copies the buffer back whole but, of the lists outside it, only those a step changed
    // through the Store's methods (PackedStore marks them). Random walks on seed-wide (all variants)
    // until every one of those methods has changed the state (its key) in a step taken from a
    // snapshot at least twice; after each step that called any of them, restore() must give back
    // the snapshot's state field for field. A method that did not mark its list fails here.
    const cfg = config('seed-wide');
    const methods = ['tlbInsert', 'tlbDropAsid', 'tlbDropRange', 'faultInsert', 'faultSetStatus', 'faultRemove', 'deferredInsert', 'deferredRemove'] as const;
    const seen = new Map<string, number>(methods.map((k) => [k, 0]));
    let seed = 11;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) | 0; return ((seed >>> 8) % n + n) % n; };
    const keyOf = (st: PackedStore) => { const b = new IntBuf(256); encodeStore(st, b); return Array.from(b.a.subarray(0, b.n)).join(); };
    for (let walk = 0; walk < 3000 && [...seen.values()].some((n) => n < 2); walk++) {
      const px = new PackedExpander({ config: cfg, variant: variantNames[walk % variantNames.length]!, symmetry: false });
      const st = px.store, enabled = new EnabledOnStore(px.engine);
      const called = new Set<string>(), changed = new Set<string>();
      for (const k of methods) {
        const own = (st[k] as (...a: unknown[]) => void).bind(st);
        (st as unknown as Record<string, unknown>)[k] = (...a: unknown[]) => { called.add(k); const k0 = keyOf(st); own(...a); if (keyOf(st) !== k0) changed.add(k); };
      }
      const init = new IntBuf(256);
      encodeState(initialState(cfg), init);
      loadKey(st, init.a, 0);
      for (let d = 0; d < 40; d++) {
        const events = enabled.events();
        if (events.length === 0) break;
        // as an expansion does: the state loaded from its key, then saved
        const key = new IntBuf(256);
        encodeStore(st, key);
        loadKey(st, key.a, 0);
        st.snapshot();
        const before = fields(st);
        const e = events[rnd(events.length)]!;
        called.clear(); changed.clear();
        px.engine.step(e);
        if (called.size > 0) {
          st.restore();
          expect(fields(st), `${[...called].join(', ')} in ${JSON.stringify(e)}`).toEqual(before);
          for (const k of changed) seen.set(k, seen.get(k)! + 1);
          px.engine.step(e);
        }
      }
    }
    expect(Object.fromEntries(seen), 'each method changed the state in a step at least twice').toEqual(Object.fromEntries([...seen].map(([k, n]) => [k, Math.max(n, 2)])));
  });

  it('puts back ATC duplicates on restore() however often the steps since add to or drop them', () => {
    // a reachable state holding two ATC entries for one (device, PASID, page), which only
    // standalone ATS translation requests make (options.atsPrefetch): breadth-first from the start
    const base = config('seed-wide');
    const cfg: Config = { ...base, name: 'seed-wide-prefetch', options: { ...base.options, atsPrefetch: true } };
    const m = createModel(cfg, 'v6');
    const dup = (s: State) => s.atc.some((a, i) => s.atc.some((b, j) => j > i && a.dev === b.dev && a.pasid === b.pasid && a.page === b.page));
    let frontier: State[] = [initialState(cfg)], found: State | undefined;
    for (let depth = 0; depth < 14 && found === undefined; depth++) {
      const next: State[] = [];
      for (const s of frontier) for (const e of enabledEvents(m, s)) next.push(stepEnabled(m, s, e).state);
      found = next.find(dup);
      frontier = next.slice(0, 3000);
    }
    expect(found).toBeDefined();
    const px = new PackedExpander({ config: cfg, variant: 'v6', symmetry: false });
    const st = px.store, enabled = new EnabledOnStore(px.engine);
    const enc = new IntBuf(256);
    encodeState(found!, enc);
    loadKey(st, enc.a, 0);
    const loaded = fields(st);
    expect(st.atcExtra.size).toBeGreaterThan(0);
    st.snapshot();
    // every pair of events in a row, restored after each pair: one snapshot, many restores
    const first = enabled.events();
    for (let i = 0; i < first.length; i++) {
      for (let j = 0; j < first.length; j++) {
        px.engine.step(first[i]!);
        const then = enabled.events();
        if (then.length > 0) px.engine.step(then[j % then.length]!);
        st.restore();
        expect(fields(st)).toEqual(loaded);
      }
    }
  });

  it('expands a state alike whatever its Store held before, and leaves every absent CD, bond and notifier slot zero', () => {
    // EXP-KEY-ABSENT. The key has no words for a CD slot that is not present or a bond or notifier
    // that is off. loadKey clears those slots whatever the Store held before (it is reused from
    // node to node), and the Engine clears a slot when it removes its entry, so a Store holds zeros
    // there in every state it reaches: its image (EXP-FP-IMAGE) is then a function of the state.
    // Each reachable state of a random walk is loaded into a Store scribbled with random words in
    // those slots and into a clean one: both expand to the same node words, edges and successor
    // records (keys or images); and after every enabled event, the absent slots hold zeros.
    const absentNonZero = (st: PackedStore): string[] => [
      ...Array.from(st.cdFlags.keys()).filter((i) => (st.cdFlags[i]! & CD_PRESENT) === 0 && (st.cdFlags[i] !== 0 || st.cdAsid[i] !== 0 || st.cdTtb0[i] !== 0)).map((i) => `CD slot ${i}`),
      ...Array.from(st.bondOn.keys()).filter((i) => st.bondOn[i] === 0 && (st.bondRefs[i] !== 0 || st.bondAfterExit[i] !== 0)).map((i) => `bond ${i}`),
      ...Array.from(st.mnOn.keys()).filter((i) => st.mnOn[i] === 0 && (st.mnRefs[i] !== 0 || st.mnCleared[i] !== 0 || st.mnListPos[i] !== 0)).map((i) => `notifier ${i}`),
    ];
    for (const cfg of ['seed-wide', 'seed-wide-rw', 'default', 'range-inval', 'shared-domain'].map(config)) {
      fc.assert(fc.property(fc.constantFrom(...variantNames), fc.boolean(), fc.boolean(), fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: -1, max: 15 }), { minLength: 1, maxLength: 64 }), (variant: VariantName, symmetry: boolean, por: boolean, walk: number[], junk: number[]) => {
        const m = createModel(cfg, variant);
        const clean = new PackedExpander({ config: cfg, variant, symmetry, por });
        const dirty = new PackedExpander({ config: cfg, variant, symmetry, por });
        let j = 0;
        const junkWord = () => junk[j++ % junk.length]!;
        const scribble = (st: PackedStore) => {
          for (let i = 0; i < st.cdFlags.length; i++) if ((st.cdFlags[i]! & CD_PRESENT) === 0) { st.cdAsid[i] = junkWord(); st.cdTtb0[i] = junkWord(); }
          for (let i = 0; i < st.bondOn.length; i++) if (st.bondOn[i] === 0) { st.bondRefs[i] = junkWord(); st.bondAfterExit[i] = junkWord() & 1; }
          for (let i = 0; i < st.mnOn.length; i++) if (st.mnOn[i] === 0) { st.mnRefs[i] = junkWord(); st.mnCleared[i] = junkWord() & 1; st.mnListPos[i] = junkWord() & 3; }
        };
        let s: State = initialState(cfg);
        let compared = 0;
        for (const c of walk) {
          const enc = new IntBuf(256);
          encodeState(s, enc);
          const chunk = { enc: enc.a.slice(0, enc.n), offsets: Uint32Array.of(0, enc.n) };
          // the dirty expander's Store scribbled over before expand() loads the state into it
          scribble(dirty.store);
          const a = clean.expand(chunk), b = dirty.expand(chunk);
          expect(Array.from(b.src)).toEqual(Array.from(a.src));
          expect(Array.from(b.edges)).toEqual(Array.from(a.edges));
          expect(Array.from(b.enc)).toEqual(Array.from(a.enc));
          compared += a.edges.length;
          // every enabled event from the state loaded, as the expansion steps them
          const st = dirty.store, events = new EnabledOnStore(dirty.engine).events();
          for (const e of events) {
            scribble(st);
            loadKey(st, chunk.enc, 0);
            expect(absentNonZero(st), 'after loadKey').toEqual([]);
            dirty.engine.step(e);
            expect(absentNonZero(st), JSON.stringify(e)).toEqual([]);
          }
          const next = enabledEvents(m, s);
          if (next.length === 0) break;
          s = stepEnabled(m, s, next[c % next.length]!).state;
        }
        expect(compared).toBeGreaterThan(0);
      }), { numRuns: 150, seed: 47 });
    }
  });

  /** st's image equals that of `other` loaded with st's key, and the key read back from the image is st's key. */
  const expectImageRoundTrip = (st: PackedStore, other: PackedStore) => {
    const key = new IntBuf(256), image = new IntBuf(256), again = new IntBuf(256), back = new IntBuf(256);
    encodeStore(st, key);
    st.writeImage(image);
    loadKey(other, key.a, 0);
    other.writeImage(again);
    expect(Array.from(image.a.subarray(0, image.n))).toEqual(Array.from(again.a.subarray(0, again.n)));
    st.keyOfImage(image.a, 0, back);
    expect(Array.from(back.a.subarray(0, back.n))).toEqual(Array.from(key.a.subarray(0, key.n)));
  };

  it('records a state by its Store image: the same image for the same state however the Store came to it, and the image gives back the key', () => {
    // EXP-FP-IMAGE. After every step of random walks on the adapter's Engine (every configuration
    // small enough, every variant), the Store's image (writeImage) equals the image of another
    // Store loaded from the key of the state reached (canonical: one state, one image), and the
    // key read back from the image (keyOfImage, what the merge puts on the frontier) is that key
    // (injective: two states with different keys have different images).
    const prefetch = config('seed-wide');
    const configs = [...allConfigs.map(config), { ...prefetch, name: 'seed-wide-prefetch', options: { ...prefetch.options, atsPrefetch: true } }];
    let steps = 0;
    for (const cfg of configs) {
      const other = new PackedStore(cfg);
      fc.assert(fc.property(fc.constantFrom(...variantNames), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (variant: VariantName, walk: number[]) => {
        const px = new PackedExpander({ config: cfg, variant, symmetry: false });
        const st = px.store, enabled = new EnabledOnStore(px.engine);
        const init = new IntBuf(256);
        encodeState(initialState(cfg), init, false);
        loadKey(st, init.a, 0);
        for (const c of walk) {
          const events = enabled.events();
          if (events.length === 0) break;
          px.engine.step(events[c % events.length]!);
          steps++;
          expectImageRoundTrip(st, other);
        }
      }), { numRuns: 40, seed: 53 });
    }
    expect(steps).toBeGreaterThan(1000);
    // ATC duplicates (atcExtra), which only standalone ATS translation requests make and random
    // walks seldom reach: several per slot and page, in a Store filled by hand, slots and pages not in ascending order
    const cfg = configs.at(-1)!, st = new PackedStore(cfg), other = new PackedStore(cfg);
    const init = new IntBuf(256);
    encodeState(initialState(cfg), init, false);
    loadKey(st, init.a, 0);
    for (const [dev, pasid, page, frame] of [[1, 2, 1, 1], [1, 2, 1, 2], [0, 1, 1, 2], [0, 1, 1, 0], [0, 1, 0, 2], [0, 1, 0, 1], [0, 1, 0, 0], [1, 0, 0, 0]] as const) st.atcInsert(dev, pasid, page, frame);
    expect([...st.atcExtra.values()].reduce((n, m) => n + [...m.values()].reduce((k, l) => k + l.length, 0), 0)).toBe(4);
    expectImageRoundTrip(st, other);
  });

  it('hands off its own buffers for a result merged later (the pool\'s own chunks): each result stays as a copy would be while later chunks are expanded, and buffers given back are used again', () => {
    const cfg = config('seed-wide');
    const m = createModel(cfg, 'v6');
    // three chunks of reachable states: the first levels, two states a chunk
    let level: State[] = [initialState(cfg)];
    const states: State[] = [];
    while (states.length < 6) { level = level.flatMap((s) => enabledEvents(m, s).map((e) => stepEnabled(m, s, e).state)); states.push(...level.slice(0, 6 - states.length)); }
    const chunks = [0, 2, 4].map((i) => {
      const enc = new IntBuf(256), offsets = [0];
      for (const s of states.slice(i, i + 2)) { encodeState(s, enc); offsets.push(enc.n); }
      return { enc: enc.a.slice(0, enc.n), offsets: Uint32Array.from(offsets) };
    });
    for (const x of [new PackedExpander({ config: cfg, variant: 'v6', symmetry: true }), new Expander({ config: cfg, variant: 'v6', symmetry: true })]) {
      const copies = chunks.map((c) => x.expand(c, true));
      const flat = (r: ChunkResult) => [Array.from(r.src), Array.from(r.edges), Array.from(r.enc)];
      const r0 = x.expandHandingOff(chunks[0]!), r1 = x.expandHandingOff(chunks[1]!);
      expect(flat(r0)).toEqual(flat(copies[0]!));
      const b0 = [r0.enc.buffer, r0.edges.buffer];
      x.recycle(r0);
      // r2 goes into the buffers the expander took at r1's hand-off, r3 into r0's, given back
      const r2 = x.expandHandingOff(chunks[2]!), r3 = x.expandHandingOff(chunks[0]!);
      expect(r2.enc.buffer === b0[0] || r2.edges.buffer === b0[1]).toBe(false);
      expect(r3.enc.buffer).toBe(b0[0]);
      expect(r3.edges.buffer).toBe(b0[1]);
      expect(flat(r1)).toEqual(flat(copies[1]!));
      expect(flat(r2)).toEqual(flat(copies[2]!));
      expect(flat(r3)).toEqual(flat(copies[0]!));
      // and a view (the result merged at once) is not one of the handed-off buffers
      const v = x.expand(chunks[0]!, false);
      expect([r1, r2, r3].some((r) => r.enc.buffer === v.enc.buffer || r.edges.buffer === v.edges.buffer)).toBe(false);
      expect(flat(v)).toEqual(flat(copies[0]!));
    }
  });

  it('keeps each device\'s faults sorted by group whatever their order in the encoding, and reuses its fault records without leaking one load into the next', () => {
    const cfg = config('seed-wide');
    const m = createModel(cfg, 'v6');
    const px = new PackedExpander({ config: cfg, variant: 'v6', symmetry: true });
    // a reachable state with two pending faults on one device: breadth-first from the initial state
    let frontier: State[] = [initialState(cfg)], found: State | undefined;
    for (let depth = 0; depth < 12 && found === undefined; depth++) {
      const next: State[] = [];
      for (const s of frontier) for (const e of enabledEvents(m, s)) next.push(stepEnabled(m, s, e).state);
      found = next.find((s) => s.faults.some((f, i) => s.faults.some((g, j) => j !== i && g.dev === f.dev)));
      frontier = next.slice(0, 2000);
    }
    expect(found).toBeDefined();
    const s = found!;
    const sorted = new IntBuf(256), got = new IntBuf(256), shuffled = new IntBuf(256);
    encodeState(s, sorted, false);
    encodeState({ ...s, faults: s.faults.slice().reverse() }, shuffled, false);
    expect(Array.from(shuffled.a.subarray(0, shuffled.n))).not.toEqual(Array.from(sorted.a.subarray(0, sorted.n)));
    loadKey(px.store, shuffled.a, 0);
    encodeStore(px.store, got);
    expect(Array.from(got.a.subarray(0, got.n))).toEqual(Array.from(sorted.a.subarray(0, sorted.n)));
    // the initial state (no fault), then the state again: the records are refilled, not appended to
    const empty = new IntBuf(256);
    encodeState(initialState(cfg), empty);
    loadKey(px.store, empty.a, 0);
    expect(px.store.faults.every((l) => l.length === 0)).toBe(true);
    loadKey(px.store, sorted.a, 0);
    got.reset(); encodeStore(px.store, got);
    expect(Array.from(got.a.subarray(0, got.n))).toEqual(Array.from(sorted.a.subarray(0, sorted.n)));
  });
});

/** The node fingerprints (graph.hi, graph.lo) of two results are equal, bit for bit. */
function expectSameFingerprints(a: ExploreResult, b: ExploreResult, label?: string): void {
  expect(Buffer.from(a.graph.hi.slice().buffer).equals(Buffer.from(b.graph.hi.slice().buffer)), label).toBe(true);
  expect(Buffer.from(a.graph.lo.slice().buffer).equals(Buffer.from(b.graph.lo.slice().buffer)), label).toBe(true);
}

const summary = (r: ExploreResult) => ({
  states: r.states, transitions: r.transitions, maxDepth: r.maxDepth, levels: r.levels, truncated: r.truncated,
  violations: r.violations.map((f) => `${f.kind} ${f.invariant} length ${f.length} node ${f.node}`),
});

// Every shipped configuration the reducer engine explores in a few seconds per variant; with and
// without symmetry where both fit (default, small, alloc-failure, bind-after-exit and no-btm take
// minutes over seven variants on the reducer and are left out).
const crossChecked: readonly (readonly [string, boolean])[] = [
  ['tiny', true], ['tiny', false], ['tiny-alloc', true], ['tiny-alloc', false],
  ['asid-small', true], ['ssid-widths', true], ['ssid-widths', false], ['stall-forced', true], ['shared-domain', true],
];

describe('packed engine: cross-check with the reducer engine on whole explorations', () => {
  for (const [name, symmetry] of crossChecked) {
    it(`${name}${symmetry ? '' : ' without symmetry'}: same states, transitions, depth, violations and node hashes for every variant`, async () => {
      const cfg = config(name);
      for (const variant of variantNames) {
        const r = await explore(cfg, variant, { symmetry, maxStates: 50_000_000, workers: 1, engine: 'reducer' });
        // without symmetry the packed engine fingerprints its Store's image (EXP-FP-IMAGE), or,
        // asked to, the key as the reducer does: both searches are checked
        for (const storeImage of symmetry ? [true] : [false, true]) {
          const p = await explore(cfg, variant, { symmetry, maxStates: 50_000_000, workers: 1, engine: 'packed', storeImage });
          expect(summary(p), variant).toEqual(summary(r));
          expect(Array.from(p.graph.parent)).toEqual(Array.from(r.graph.parent));
          expect(Array.from(p.graph.eventIndex)).toEqual(Array.from(r.graph.eventIndex));
          if (p.fingerprint === 'key') {
            expectSameFingerprints(p, r, variant);
          } else {
            expect(p.fingerprint).toBe('storeImage');
            // node for node the same states: each node's image fingerprint is that of the state the
            // reducer reaches on the node's path (a sample of the nodes, the last one included)
            const image = storeImageFingerprint(cfg), h = new Uint32Array(2), step = Math.max(1, Math.floor(p.states / 200));
            for (let n = p.states - 1; n >= 0; n -= step) {
              image(replayTo(r, n).state, h);
              expect([h[0], h[1]], `${variant} node ${n}`).toEqual([p.graph.hi[n], p.graph.lo[n]]);
            }
          }
          // every counterexample of the packed engine is confirmed by the reducer's replay, and the
          // library's report() replays it alike (it reads which fingerprint the result has)
          expect(verifiedReport(p).counterexamples.map((cx) => [cx.invariant, cx.steps.length])).toEqual(p.violations.map((f) => [f.invariant, f.length]));
          expect(report(p).counterexamples.map((cx) => [cx.invariant, cx.steps.length])).toEqual(p.violations.map((f) => [f.invariant, f.length]));
        }
      }
    }, 240_000);
  }

  it('a violation the reducer does not confirm is a disagreement', async () => {
    const cfg = config('tiny');
    const p = await explore(cfg, 'v6', { symmetry: true, maxStates: 50_000_000, workers: 1, engine: 'packed' });
    const f = p.violations[0]!;
    const forged = { ...p, violations: [{ ...f, length: f.length + 1 }] } as ExploreResult;
    expect(() => verifiedReport(forged)).toThrow(DisagreementError);
    const wrongNode = { ...p, violations: [{ ...f, node: 0, length: 0 }] } as ExploreResult;
    expect(() => verifiedReport(wrongNode)).toThrow(/packed engine and the reducer disagree/);
  });

  it('hashing in JavaScript (where WebAssembly cannot run) gives the hash kernel\'s node fingerprints', async () => {
    const cfg = config('small');
    for (const symmetry of [true, false]) {
      const k = await explore(cfg, 'v6', { symmetry, maxStates: 50_000_000, workers: 1, engine: 'packed' });
      const js = await explore(cfg, 'v6', { symmetry, maxStates: 50_000_000, workers: 1, engine: 'packed', hashKernel: false });
      expect(summary(js)).toEqual(summary(k));
      expect(Array.from(js.graph.parent)).toEqual(Array.from(k.graph.parent));
      expectSameFingerprints(js, k);
    }
  }, 60_000);

  it('the packed engine with two threads gives the one-thread result', async () => {
    const cfg = config('ssid-widths');
    const one = await explore(cfg, 'v6', { symmetry: true, maxStates: 50_000_000, workers: 1, engine: 'packed' });
    const two = await explore(cfg, 'v6', { symmetry: true, maxStates: 50_000_000, workers: 2, engine: 'packed', chunkSize: 97 });
    expect(summary(two)).toEqual(summary(one));
    // node for node: the worker's successors are hashed in its own hash kernel and copied into the
    // buffers it hands over
    expect(Array.from(two.graph.parent)).toEqual(Array.from(one.graph.parent));
    expectSameFingerprints(two, one);
  }, 60_000);
});

describe('explore --engine', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['tools/smmu-sva.mjs', ...args], { encoding: 'utf8' });
  it('both engines print the same report', () => {
    const p = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'all', '--engine', 'packed', '--json');
    const r = cli('explore', '--config', 'spec/configs/tiny.json', '--variant', 'all', '--engine', 'reducer', '--json');
    expect(p.status).toBe(r.status);
    const engines = (out: string) => out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { engine: string }).engine);
    expect([...new Set(engines(p.stdout)), ...new Set(engines(r.stdout))]).toEqual(['packed', 'reducer']);
    const strip = (out: string) => out.split('\n').filter(Boolean).map((l) => { const j = JSON.parse(l) as Record<string, unknown>; delete j.engine; delete j.seconds; delete j.statesPerSecond; delete j.time; /* the packed engine's visited set is smaller */ delete j.bytesPerState; delete j.memory; /* the packed engine searches the variants with ATC invalidation together (--family auto) */ delete j.family; return j; });
    expect(strip(p.stdout)).toEqual(strip(r.stdout));
  }, 60_000);
  it('an unknown engine is refused with exit 2', () => {
    const r = cli('explore', '--engine', 'fast');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--engine expects packed or reducer, got "fast"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('packed engine: the compact visited set', () => {
  it('finds every fingerprint it holds, numbers nodes in insertion order, and takes at most 16 bytes per node from 16384 nodes on', () => {
    const v = new CompactVisitedSet(1 << 4);
    let x = 12345;
    const next = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x; };
    const his: number[] = [], los: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const hi = next(), lo = next();
      his.push(hi); los.push(lo);
      expect(v.insert(hi, lo)).toBe(-(i + 1));
      if (i >= 16_384) expect(v.bytes() / v.size).toBeLessThanOrEqual(16);
    }
    for (let i = 0; i < his.length; i += 97) {
      expect(v.get(his[i]!, los[i]!)).toBe(i);
      expect(v.insert(his[i]!, los[i]!)).toBe(i);
    }
    expect(v.get(1, 2)).toBe(-1);
    const { hi, lo } = v.takeColumns();
    expect(Array.from(hi)).toEqual(his);
    expect(Array.from(lo)).toEqual(los);
  });

  it('answers alike with small pages and small rebuild batches: rebuilds in home-slot order in several runs, fingerprints over many pages', () => {
    // 300,000 nodes: tables of up to 500,000 slots, so the last rebuilds go by home slot, in runs
    // of one bucket each (a bucket is about 39,000 nodes, above the batch of 5,000); pages of
    // 1,024 nodes, so the fingerprints span about 300 of them
    let x = 4242;
    const next = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x; };
    const small = new CompactVisitedSet(1 << 4, { pageNodes: 1024, rebuildBatch: 5_000 });
    const plain = new CompactVisitedSet(1 << 4);
    const his: number[] = [], los: number[] = [], got: number[] = [], want: number[] = [], plainGot: number[] = [];
    let worstBytes = 0;
    for (let i = 0; i < 300_000; i++) {
      // one in eight an earlier fingerprint again
      const again = i > 0 && next() % 8 === 0 ? (next() >>> 4) % his.length : -1;
      const hi = again >= 0 ? his[again]! : next(), lo = again >= 0 ? los[again]! : next();
      got.push(small.insert(hi, lo));
      plainGot.push(plain.insert(hi, lo));
      if (again >= 0) want.push(again);
      else { want.push(-(his.length + 1)); his.push(hi); los.push(lo); }
      if (small.size >= 16_384) worstBytes = Math.max(worstBytes, small.bytes() / small.size);
    }
    expect(got).toEqual(want);
    expect(plainGot).toEqual(want);
    expect(worstBytes).toBeLessThanOrEqual(16);
    expect(his.map((hi, i) => small.get(hi, los[i]!))).toEqual(his.map((_, i) => i));
    expect(Array.from({ length: 1000 }, () => small.get(next(), next()))).toEqual(new Array(1000).fill(-1));
    expect(() => new CompactVisitedSet(16, { pageNodes: 1000 })).toThrow(/power of two/);
    const cols = small.takeColumns();
    expect(Array.from(cols.hi)).toEqual(his);
    expect(Array.from(cols.lo)).toEqual(los);
    expect(plain.takeColumns()).toEqual(cols);
  });

  it('tells apart fingerprints that share a slot tag, a low word or a high word', () => {
    // the tag is the top bits of the low word: same low word (same tag), same high word with low
    // words that differ only in the tag bits or only below them
    const v = new CompactVisitedSet(1 << 4), fps: [number, number][] = [];
    for (let i = 0; i < 40_000; i++) fps.push([i * 2654435761 >>> 0, 0xdeadbeef]);
    for (let i = 0; i < 64; i++) fps.push([7, ((i << 26) | 5) >>> 0]);
    for (let i = 0; i < 3_000; i++) fps.push([7, (0xfc000000 | (i << 6)) >>> 0]);
    fps.forEach(([hi, lo], i) => expect(v.insert(hi, lo)).toBe(-(i + 1)));
    fps.forEach(([hi, lo], i) => expect(v.get(hi, lo)).toBe(i));
    expect(v.get(8, 0xdeadbeef)).toBe(-1);
    expect(v.get(7, 0xdeadbeef)).toBe(-1);
  });

  it('touch() only reads: lookups and insertions after it answer as without it, whatever the records and batch bounds', () => {
    let x = 777;
    const next = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x; };
    const a = new CompactVisitedSet(1 << 4), b = new CompactVisitedSet(1 << 4);
    // edge records of 5 words, hi and lo first; half of them repeat an earlier fingerprint
    const words = 5, n = 20_000, edges = new Uint32Array(n * words);
    for (let e = 0; e < n; e++) {
      const from = e > 0 && (next() >>> 16) % 2 === 0 ? ((next() >>> 8) % e) * words : -1;
      edges[e * words] = from >= 0 ? edges[from]! : next();
      edges[e * words + 1] = from >= 0 ? edges[from + 1]! : next();
      edges[e * words + 2] = next();
    }
    const before = edges.slice();
    for (let e = 0; e < n; e += TOUCH_BATCH) {
      const to = Math.min(n, e + TOUCH_BATCH);
      expect(typeof a.touch(edges, words, e, to)).toBe('number');
      for (let k = e; k < to; k++) expect(a.insert(edges[k * words]!, edges[k * words + 1]!)).toBe(b.insert(edges[k * words]!, edges[k * words + 1]!));
    }
    a.touch(edges, words, 0, 0);
    expect(edges).toEqual(before);
    expect(a.size).toBe(b.size);
    expect(a.takeColumns()).toEqual(b.takeColumns());
  });
});
