// Small helpers for immutable arrays kept in a canonical order.

export type Cmp<T> = (a: T, b: T) => number;

/** Insert keeping order (after equal keys); returns a new array. */
export function insertSorted<T>(arr: readonly T[], item: T, cmp: Cmp<T>): readonly T[] {
  let i = 0;
  while (i < arr.length && cmp(arr[i]!, item) <= 0) i++;
  return [...arr.slice(0, i), item, ...arr.slice(i)];
}

export function replaceAt<T>(arr: readonly T[], i: number, item: T): readonly T[] {
  const out = arr.slice();
  out[i] = item;
  return out;
}

export function removeAt<T>(arr: readonly T[], i: number): readonly T[] {
  return [...arr.slice(0, i), ...arr.slice(i + 1)];
}

/** Lowest integer >= from that `used` does not contain and that is <= to; -1 when none. */
export function lowestFree(used: readonly number[], from: number, to: number): number {
  for (let v = from; v <= to; v++) if (!used.includes(v)) return v;
  return -1;
}
