// step(model, state, event): the reducer. Either a typed error (state unchanged) or the next
// state with everything the step made observable, in the order it happened.
import * as E from 'fp-ts/lib/Either.js';
import type { Ctx } from './context.ts';
import type { ModelError } from './error.ts';
import type { Event } from './event.ts';
import { guard } from './guard.ts';
import type { Model } from './model.ts';
import type { DmaResult, Observation } from './observation.ts';
import type { State } from './state.ts';
import { bind, unbind } from '../driver/sva.ts';
import { disableSva, domainFree, enableSva } from '../driver/feature.ts';
import { faultIndex, iopfHandle, iopfRespond } from '../driver/iopf.ts';
import { notifierFree } from '../driver/notifier.ts';
import { atsTranslationRequest, untranslatedAccess } from '../hardware/translate.ts';
import { exit, mmap, munmap, touch } from '../process/memory.ts';

export interface StepResult {
  readonly state: State;
  readonly observations: readonly Observation[];
}

/** DEV-DMA: a device transaction; with ATS the ATC is looked up first, a miss sends a Translation Request. */
function dma(ctx: Ctx, s: State, dev: number, pasid: number, page: number, write: boolean): State {
  let r: { s: State; result: DmaResult };
  if (s.ste[dev]!.eats) {
    const hit = s.atc.find((e) => e.dev === dev && e.pasid === pasid && e.page === page);
    if (hit) {
      r = { s, result: { tag: 'access', frame: hit.frame, via: 'atc' } };
    } else {
      r = atsTranslationRequest(ctx, s, dev, pasid, page, write);
      if (r.result.tag === 'translated') r = { s: r.s, result: { tag: 'access', frame: r.result.frame, via: r.result.via } };
    }
  } else {
    r = untranslatedAccess(ctx, s, dev, pasid, page, write);
  }
  ctx.out.push({ kind: 'dma', dev, pasid, page, write, result: r.result });
  return r.s;
}

/** DEV-ATS-TR: a standalone ATS Translation Request (ATC prefetch). */
function atsTranslate(ctx: Ctx, s: State, dev: number, pasid: number, page: number, write: boolean): State {
  const r = atsTranslationRequest(ctx, s, dev, pasid, page, write);
  ctx.out.push({ kind: 'dma', dev, pasid, page, write, result: r.result });
  return r.s;
}

// A switch rather than ts-pattern's match(): this runs millions of times in the explorer, and
// match() allocates a matcher per call. Exhaustive all the same: `e` is `never` in the default.
function apply(ctx: Ctx, s: State, e: Event): State {
  switch (e.kind) {
    case 'enableSva': return enableSva(ctx, s, e.dev);
    case 'disableSva': return disableSva(ctx, s, e.dev);
    case 'bind': return bind(ctx, s, e.dev, e.mm, e.fail);
    case 'unbind': return unbind(ctx, s, e.dev, e.mm);
    case 'touch': return touch(ctx, s, e.mm, e.page, e.frame);
    case 'munmap': return munmap(ctx, s, e.mm, e.start, e.end);
    case 'mmap': return mmap(ctx, s, e.mm, e.page);
    case 'exit': return exit(ctx, s, e.mm);
    case 'notifierFree': return notifierFree(ctx, s, s.deferredFrees.findIndex((f) => f.domain === e.domain && f.mm === e.mm));
    case 'domainFree': return domainFree(ctx, s, e.domain);
    case 'dma': return dma(ctx, s, e.dev, e.pasid, e.page, e.write);
    case 'atsTranslate': return atsTranslate(ctx, s, e.dev, e.pasid, e.page, e.write);
    case 'iopfHandle': return iopfHandle(ctx, s, faultIndex(s, e.dev, e.group), e.frame);
    case 'iopfRespond': return iopfRespond(ctx, s, faultIndex(s, e.dev, e.group));
    default: return unreachable(e);
  }
}

function unreachable(e: never): never {
  throw new Error(`unknown event kind ${JSON.stringify(e)}`);
}

/**
 * step() without the guard, for callers that only pass events enabledEvents() listed for `s`
 * (the exhaustive explorer): same next state and observations, no Either allocation.
 */
export function stepEnabled(m: Model, s: State, e: Event): StepResult {
  const ctx: Ctx = { config: m.config, traits: m.traits, out: [] };
  const state = apply(ctx, s, e);
  return { state, observations: ctx.out };
}

export function step(m: Model, s: State, e: Event): E.Either<ModelError, StepResult> {
  const bad = guard(m, s, e);
  return bad ? E.left(bad) : E.right(stepEnabled(m, s, e));
}
