// PASID allocation: iommu_sva_alloc_pasid() / iommu_sva_free_pasid(), one PASID per mm.
import { lowestFree } from '../model/sorted.ts';
import type { State } from '../model/state.ts';
import { withMm } from '../model/update.ts';

/**
 * DRV-PASID-ALLOC: reuse mm->pasid if it lies in [min, max] (taking a reference), else fail;
 * without one, allocate the lowest PASID in [min, max] no mm holds.
 */
export function allocPasid(s: State, mm: number, min: number, max: number): State | undefined {
  const m = s.mms[mm]!;
  if (m.pasid !== 0) {
    if (m.pasid < min || m.pasid > max) return undefined;
    return withMm(s, mm, { pasidRefs: m.pasidRefs + 1 });
  }
  const pasid = lowestFree(s.mms.map((x) => x.pasid), min, max);
  if (pasid < 0) return undefined;
  return withMm(s, mm, { pasid, pasidRefs: 1 });
}

/** DRV-PASID-FREE: drop a reference; the last one frees the PASID and clears mm->pasid. */
export function freePasid(s: State, mm: number): State {
  const m = s.mms[mm]!;
  const pasidRefs = m.pasidRefs - 1;
  return withMm(s, mm, { pasidRefs, pasid: pasidRefs === 0 ? 0 : m.pasid });
}
