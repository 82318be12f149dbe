// Concrete 48-bit virtual addresses <-> model page indices of a process slot
// (spec/trace-checker.md, "Mapping concrete values").
//
// - linear: the configuration's processes say where page 0 is (vaBase); page = (addr - vaBase) / size.
// - compressed (inferred configurations): the trace's own page boundaries. Every faulting page
//   becomes one model page; every stretch between boundaries that no fault touches becomes one
//   model page too. Every munmap range starts and ends on a boundary, so a range is a set of whole
//   model pages and the compression loses nothing the records can tell apart.

export interface AddressMap {
  /** Model page holding `addr`, or undefined when outside the slot's pages. */
  pageOf(slot: number, addr: bigint): number | undefined;
  /** Model page index of an exclusive range end (a page boundary), or undefined. */
  endOf(slot: number, addr: bigint): number | undefined;
  /** Lowest concrete address of a model page (for printing). */
  addrOf(slot: number, page: number): bigint;
  readonly pageSize: bigint;
}

export function linearMap(slots: readonly { readonly vaBase: bigint; readonly pages: number }[], pageSize: bigint): AddressMap {
  return {
    pageSize,
    pageOf(slot, addr) {
      const p = slots[slot];
      if (!p || addr < p.vaBase) return undefined;
      const page = (addr - p.vaBase) / pageSize;
      return page < BigInt(p.pages) ? Number(page) : undefined;
    },
    endOf(slot, addr) {
      const p = slots[slot];
      if (!p || addr <= p.vaBase) return undefined;
      const end = (addr - p.vaBase + pageSize - 1n) / pageSize;
      return end <= BigInt(p.pages) ? Number(end) : undefined;
    },
    addrOf(slot, page) {
      return (slots[slot]?.vaBase ?? 0n) + BigInt(page) * pageSize;
    },
  };
}

/** `points`: sorted distinct page-aligned boundaries; model page i is [points[i], points[i+1]). */
export function compressedMap(points: readonly bigint[], pageSize: bigint): AddressMap {
  // index of the last point <= a, or -1
  const floorIndex = (a: bigint): number => {
    let lo = 0;
    let hi = points.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid]! <= a) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  };
  return {
    pageSize,
    pageOf(_slot, addr) {
      const i = floorIndex(addr);
      return i >= 0 && i < points.length - 1 ? i : undefined;
    },
    endOf(_slot, addr) {
      const up = ((addr + pageSize - 1n) / pageSize) * pageSize;
      const i = floorIndex(up);
      return i > 0 && points[i] === up ? i : undefined;
    },
    addrOf(_slot, page) {
      return points[page] ?? (points.length > 0 ? points[points.length - 1]! : 0n);
    },
  };
}

/** Page-aligned boundaries contributed by one address-carrying record. */
export function boundaries(pageSize: bigint, r: { tp: string; addr?: bigint; start?: bigint; end?: bigint }): bigint[] {
  if (r.addr !== undefined) {
    const a = (r.addr / pageSize) * pageSize;
    return [a, a + pageSize];
  }
  if (r.start !== undefined && r.end !== undefined) return [(r.start / pageSize) * pageSize, ((r.end + pageSize - 1n) / pageSize) * pageSize];
  return [];
}
