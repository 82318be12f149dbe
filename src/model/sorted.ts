// Small helpers for immutable arrays kept in a canonical order.

export type Cmp<T> = (a: T, b: T) => number;

/** Insert keeping order (after equal keys); returns a new array. */
export function insertSorted<T>(arr: readonly T[], item: T, cmp: Cmp<T>): readonly T[] {
  let i = 0;
  while (i < arr.length && cmp(arr[i]!, item) <= 0) i++;
  return [...arr.slice(0, i), item, ...arr.slice(i)];
}

/** The array with element i replaced. */
export function replaceAt<T>(arr: readonly T[], i: number, item: T): readonly T[] {
  return arr.map((x, k) => (k === i ? item : x));
}

/** The array without element i. */
export function removeAt<T>(arr: readonly T[], i: number): readonly T[] {
  return arr.filter((_, k) => k !== i);
}

/** A page table of n entries, all `pte`. */
export function pageTable(n: number, pte: number): readonly number[] {
  return new Array<number>(n).fill(pte);
}

/** The page table with entries [start, end) set to `pte`. */
export function withPages(pages: readonly number[], start: number, end: number, pte: number): readonly number[] {
  return pages.map((p, k) => (k >= start && k < end ? pte : p));
}

/** Lowest integer >= from that `used` does not contain and that is <= to; -1 when none. */
export function lowestFree(used: readonly number[], from: number, to: number): number {
  for (let v = from; v <= to; v++) if (!used.includes(v)) return v;
  return -1;
}
