// Process memory: CPU fault-in, munmap, mmap and exit, with the MMU notifier calls they make.
import { featBtm, type Ctx } from '../model/context.ts';
import { pageTable, withPages } from '../model/sorted.ts';
import { PTE_NOT_IN_VMA, PTE_UNMAPPED, stateWith, type State } from '../model/state.ts';
import { mmNotifierList } from '../model/queries.ts';
import { withMm, withPte } from '../model/update.ts';
import { invalidateRange, mmListEmpty, release } from '../driver/notifier.ts';

/** MEM-TOUCH: the CPU faults a page in; the page allocator may hand out any free frame. */
export function touch(_ctx: Ctx, s: State, mm: number, page: number, frame: number): State {
  return withPte(s, mm, page, frame);
}

/**
 * MEM-MUNMAP: zap the range and free the frames; each notifier of the mm gets invalidate_range()
 * from invalidate_range_end and, when PTEs were cleared, once more from the TLB flush, whose CPU
 * TLBI (with FEAT_BTM, MEM-BTM) also drops the SMMU TLB entries of the mm's ASID (the seed's first trace).
 */
export function munmap(ctx: Ctx, s0: State, mm: number, start: number, end: number): State {
  const m = s0.mms[mm]!;
  let populated = false;
  for (let p = start; p < end; p++) if (m.pages[p]! >= 0) populated = true;
  let s = withMm(s0, mm, { pages: withPages(m.pages, start, end, PTE_NOT_IN_VMA) });
  if (populated && featBtm(ctx.config, ctx.traits)) {
    // MEM-BTM: the CPU's broadcast TLBI by ASID and VA reaches the SMMU TLB
    const asid = ctx.config.processes[mm]!.cpuAsid;
    s = stateWith(s, { tlb: s.tlb.filter((e) => e.asid !== asid || e.page < start || e.page >= end) });
  }
  const rounds = populated ? 2 : 1;
  // DRV-MN-ORDER: each round walks the mm's list from the head (newest registered first)
  const list = mmNotifierList(s, mm);
  for (let round = 0; round < rounds; round++) {
    for (const i of list) s = invalidateRange(ctx, s, s.notifiers[i]!, start, end);
  }
  return s;
}

/** MEM-MMAP: a VA page comes back into a VMA, not yet populated. */
export function mmap(_ctx: Ctx, s: State, mm: number, page: number): State {
  return withPte(s, mm, page, PTE_UNMAPPED);
}

/**
 * MEM-EXIT: exit_mmap(): release() runs on every notifier of the mm (which are then unlinked),
 * then the memory is torn down without any TLBI or invalidate_range (the ASID is pinned).
 */
export function exit(ctx: Ctx, s0: State, mm: number): State {
  let s = s0;
  // DRV-MN-ORDER: mn_hlist_release walks the list from the head, then unlinks every notifier
  for (const i of mmNotifierList(s0, mm)) s = release(ctx, s, i);
  s = stateWith(s, { notifiers: mmListEmpty(s.notifiers, mm) });
  return withMm(s, mm, { alive: false, pages: pageTable(s.mms[mm]!.pages.length, PTE_NOT_IN_VMA) });
}
