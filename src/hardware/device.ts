// What a device does on its own: a DMA transaction, through its ATC when ATS is enabled, and a
// standalone ATS Translation Request.
import type { Ctx } from '../model/context.ts';
import type { DmaResult } from '../model/observation.ts';
import type { State } from '../model/state.ts';
import { atsTranslationRequest, untranslatedAccess } from './translate.ts';

/** DEV-DMA: a device transaction; with ATS the ATC is looked up first, a miss sends a Translation Request. */
export function dma(ctx: Ctx, s: State, dev: number, pasid: number, page: number, write: boolean): State {
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
export function atsTranslate(ctx: Ctx, s: State, dev: number, pasid: number, page: number, write: boolean): State {
  const r = atsTranslationRequest(ctx, s, dev, pasid, page, write);
  ctx.out.push({ kind: 'dma', dev, pasid, page, write, result: r.result });
  return r.s;
}
