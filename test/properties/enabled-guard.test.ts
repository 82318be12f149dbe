// enabledEvents is the guard within the named exploration bounds (spec/explorer.md, ENV-*): on
// random reachable states of every shipped configuration and variant, the events enabledEvents
// lists are exactly the events the guard accepts, minus those a bound of their action excludes
// (ENV-SRCU-BOUND, ENV-BOND-REFS, ENV-ALLOC-FAIL, ENV-DMA-ACCESSES, ENV-ATS-PREFETCH, ENV-REMAP, ENV-SVA-REPEAT),
// without duplicates; and the packed engine offers the same list in the same order, also from
// events made once and shared over a whole walk.
import { readdirSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/codecs/config.ts';
import type { Config } from '../../src/model/config.ts';
import type { AllocFailurePoint, Event } from '../../src/model/event.ts';
import { createModel, type Model } from '../../src/model/model.ts';
import type { State } from '../../src/model/state.ts';
import { variantNames, type VariantName } from '../../src/model/variant.ts';
import type { Action } from '../../src/machine/action.ts';
import { actions } from '../../src/machine/actions/index.ts';
import { boundOf, enabledEvents } from '../../src/machine/enabled.ts';
import { guard } from '../../src/machine/guard.ts';
import { initialState } from '../../src/machine/initial.ts';
import { stepEnabled } from '../../src/machine/step.ts';
import { encodeState, IntBuf } from '../../src/explorer/encode.ts';
import { PackedExpander } from '../../src/explorer/packed/expand.ts';
import { EnabledOnStore } from '../../src/explorer/packed/enabled.ts';
import { loadKey } from '../../src/explorer/packed/store-io.ts';
import { pick } from './walk.ts';

const configNames = readdirSync('spec/configs').filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();

function config(name: string): Config {
  const c = loadConfigFile(`spec/configs/${name}.json`);
  if (E.isLeft(c)) throw new Error(c.left.join('\n'));
  return c.right;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Every event with arguments in range for `s`, and some just outside it: every device, process,
 * domain and frame (and -1), every page up to one past the longest process, the PASIDs in use
 * with 0 and one unused, the fault groups in use with one unused, both access kinds and every
 * allocation failure point.
 */
function universe(c: Config, s: State): Event[] {
  const devs = range(0, c.devices.length - 1), mms = range(0, c.processes.length - 1), domains = range(0, c.domains.length - 1);
  const maxPages = Math.max(...c.processes.map((p) => p.pages));
  const pages = range(0, maxPages);
  const frames = range(-1, c.frames - 1);
  const used = s.mms.map((m) => m.pasid).filter((p) => p > 0);
  const pasids = [0, ...used, Math.max(0, ...used) + 1];
  const groupsUsed = s.faults.map((f) => f.group);
  const groups = [...new Set([...groupsUsed, Math.max(-1, ...groupsUsed) + 1])];
  const fails: AllocFailurePoint[] = ['none', 'bond', 'notifier'];
  const out: Event[] = [];
  for (const dev of devs) {
    out.push({ kind: 'enableSva', dev }, { kind: 'disableSva', dev });
    for (const mm of mms) {
      for (const fail of fails) out.push({ kind: 'bind', dev, mm, fail });
      out.push({ kind: 'unbind', dev, mm });
    }
    for (const pasid of pasids) for (const page of pages) for (const write of [false, true]) {
      out.push({ kind: 'dma', dev, pasid, page, write }, { kind: 'atsTranslate', dev, pasid, page, write });
    }
    for (const group of groups) {
      for (const frame of frames) out.push({ kind: 'iopfHandle', dev, group, frame });
      out.push({ kind: 'iopfRespond', dev, group });
    }
  }
  for (const mm of mms) {
    for (const page of pages) {
      for (const frame of frames) out.push({ kind: 'touch', mm, page, frame });
      out.push({ kind: 'mmap', mm, page });
    }
    for (const start of pages) for (const end of pages) out.push({ kind: 'munmap', mm, start, end });
    out.push({ kind: 'exit', mm });
    for (const domain of domains) out.push({ kind: 'notifierFree', domain, mm });
  }
  for (const domain of domains) out.push({ kind: 'domainFree', domain });
  return out;
}

describe('enabledEvents = events the guard accepts, minus the named ENV-* bounds (both engines)', () => {
  for (const name of configNames) {
    it(`${name}: every variant, random reachable states`, () => {
      const cfg = config(name);
      fc.assert(fc.property(fc.constantFrom(...variantNames), fc.array(fc.nat(), { minLength: 10, maxLength: 60 }), (variant: VariantName, choices: number[]) => {
        const m = createModel(cfg, variant);
        const px = new PackedExpander({ config: cfg, variant, symmetry: false });
        const enc = new IntBuf(256);
        // one list maker for the whole walk: its events are made once and shared (eventTable.ts)
        const shared = new EnabledOnStore(px.engine);
        let s = initialState(cfg);
        for (const c of [0, ...choices]) {
          const listed = enabledEvents(m, s).map((e) => JSON.stringify(e));
          expect(new Set(listed).size, 'enabledEvents lists an event twice').toBe(listed.length);
          const accepted = universe(cfg, s).filter((e) => guard(m, s, e) === undefined);
          const offered = accepted.filter((e) => boundOf(m, s, e) === undefined).map((e) => JSON.stringify(e));
          expect([...listed].sort()).toEqual([...new Set(offered)].sort());
          // the packed engine: the same list, in the same order
          enc.reset(); encodeState(s, enc); loadKey(px.store, enc.a, 0);
          const want = JSON.stringify(listed.map((l) => JSON.parse(l)));
          expect(JSON.stringify(new EnabledOnStore(px.engine).events())).toBe(want);
          const again = shared.events();
          expect(JSON.stringify(again), 'the shared events of earlier states').toBe(want);
          expect(again.every((e) => Object.isFrozen(e)), 'a shared event is frozen').toBe(true);
          if (listed.length === 0) break;
          s = stepEnabled(m, s, pick(listed.map((l) => JSON.parse(l) as Event), c)).state;
        }
      }), { numRuns: 20, seed: 13 });
    });
  }

  it('each bound excludes something on some shipped configuration (no bound is vacuous)', () => {
    const seen = new Set<string>();
    for (const name of configNames) {
      const cfg = config(name);
      for (const variant of variantNames) {
        const m = createModel(cfg, variant);
        let seed = 7;
        const next = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; };
        for (let run = 0; run < 20; run++) {
          let s = initialState(cfg);
          for (let k = 0; k < 40; k++) {
            for (const e of universe(cfg, s)) if (guard(m, s, e) === undefined) { const b = boundOf(m, s, e); if (b) seen.add(b); }
            const en = enabledEvents(m, s);
            if (en.length === 0) break;
            s = stepEnabled(m, s, pick(en, next())).state;
          }
        }
      }
    }
    const named = new Set(Object.values(actions).flatMap((a) => (a as Action<Event['kind']>).bounds.map((b) => b.id)));
    expect([...seen].sort()).toEqual([...named].sort());
  });
});
