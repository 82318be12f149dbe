// step(model, state, event): the reducer. Either a typed error (state unchanged) or the next
// state with everything the step made observable, in the order it happened.
import * as E from 'fp-ts/lib/Either.js';
import { match } from 'ts-pattern';
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

function apply(ctx: Ctx, s: State, e: Event): State {
  return match(e)
    .with({ kind: 'enableSva' }, ({ dev }) => enableSva(ctx, s, dev))
    .with({ kind: 'disableSva' }, ({ dev }) => disableSva(ctx, s, dev))
    .with({ kind: 'bind' }, ({ dev, mm, fail }) => bind(ctx, s, dev, mm, fail))
    .with({ kind: 'unbind' }, ({ dev, mm }) => unbind(ctx, s, dev, mm))
    .with({ kind: 'touch' }, ({ mm, page, frame }) => touch(ctx, s, mm, page, frame))
    .with({ kind: 'munmap' }, ({ mm, start, end }) => munmap(ctx, s, mm, start, end))
    .with({ kind: 'mmap' }, ({ mm, page }) => mmap(ctx, s, mm, page))
    .with({ kind: 'exit' }, ({ mm }) => exit(ctx, s, mm))
    .with({ kind: 'notifierFree' }, ({ domain, mm }) =>
      notifierFree(ctx, s, s.deferredFrees.findIndex((f) => f.domain === domain && f.mm === mm)))
    .with({ kind: 'domainFree' }, ({ domain }) => domainFree(ctx, s, domain))
    .with({ kind: 'dma' }, ({ dev, pasid, page, write }) => dma(ctx, s, dev, pasid, page, write))
    .with({ kind: 'atsTranslate' }, ({ dev, pasid, page, write }) => atsTranslate(ctx, s, dev, pasid, page, write))
    .with({ kind: 'iopfHandle' }, ({ dev, group, frame }) => iopfHandle(ctx, s, faultIndex(s, dev, group), frame))
    .with({ kind: 'iopfRespond' }, ({ dev, group }) => iopfRespond(ctx, s, faultIndex(s, dev, group)))
    .exhaustive();
}

export function step(m: Model, s: State, e: Event): E.Either<ModelError, StepResult> {
  const bad = guard(m, s, e);
  if (bad) return E.left(bad);
  const ctx: Ctx = { config: m.config, traits: m.traits, out: [] };
  const state = apply(ctx, s, e);
  return E.right({ state, observations: ctx.out });
}
