// Small helpers for immutable arrays kept in a canonical order.
//
// Every array in a State is built element by element with push(), here or in the explorer's
// decoder, or copied with slice() (which keeps the elements kind of what it copies); never by
// spread, map() or filter(). V8 then gives all arrays of a kind one elements kind, whoever built
// them: objects (and booleans) PACKED_ELEMENTS, page tables PACKED_SMI_ELEMENTS. With
// spread/map/filter the same field came in up to four kinds (packed or holey, small-integer or
// generic, depending on how far the builtin had been optimised), and every read of it in the
// transitions, checks and canonicaliser was polymorphic. Page tables have their own helpers
// (`pageTable`, `withPage`, `withPages`) so that number and object arrays never share an
// allocation site (V8 would make both generic).

export type Cmp<T> = (a: T, b: T) => number;

/** Insert keeping order (after equal keys); returns a new array. */
export function insertSorted<T>(arr: readonly T[], item: T, cmp: Cmp<T>): readonly T[] {
  const out: T[] = [];
  let i = 0;
  for (; i < arr.length && cmp(arr[i]!, item) <= 0; i++) out.push(arr[i]!);
  out.push(item);
  for (; i < arr.length; i++) out.push(arr[i]!);
  return out;
}

export function replaceAt<T>(arr: readonly T[], i: number, item: T): readonly T[] {
  // slice() keeps the elements kind of `arr` (one per field, see above) and copies in one go
  const out = arr.slice();
  out[i] = item;
  return out;
}

export function removeAt<T>(arr: readonly T[], i: number): readonly T[] {
  const out: T[] = [];
  for (let k = 0; k < arr.length; k++) if (k !== i) out.push(arr[k]!);
  return out;
}

/** The elements for which `keep` holds, in order (filter()). */
export function keepIf<T>(arr: readonly T[], keep: (t: T) => boolean): readonly T[] {
  const out: T[] = [];
  for (let k = 0; k < arr.length; k++) if (keep(arr[k]!)) out.push(arr[k]!);
  return out;
}

/** f applied to each element, in order (map()), for arrays of objects or booleans. */
export function mapEach<T, U>(arr: readonly T[], f: (t: T, i: number) => U): readonly U[] {
  const out: U[] = [];
  for (let k = 0; k < arr.length; k++) out.push(f(arr[k]!, k));
  return out;
}

/** A page table of n entries, all `pte`. */
export function pageTable(n: number, pte: number): readonly number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(pte);
  return out;
}

/**
 * The page table with entry i set to `pte`. The same body as replaceAt(), on purpose: with one
 * call site shared with object arrays, V8's optimised slice() made page tables generic (measured:
 * 4,021 of 50,196 successors' page tables were PACKED_ELEMENTS instead of small-integer).
 */
export function withPage(pages: readonly number[], i: number, pte: number): readonly number[] {
  const out = pages.slice();
  out[i] = pte;
  return out;
}

/** The page table with entries [start, end) set to `pte`. */
export function withPages(pages: readonly number[], start: number, end: number, pte: number): readonly number[] {
  const out: number[] = [];
  for (let k = 0; k < pages.length; k++) out.push(k >= start && k < end ? pte : pages[k]!);
  return out;
}

/** Lowest integer >= from that `used` does not contain and that is <= to; -1 when none. */
export function lowestFree(used: readonly number[], from: number, to: number): number {
  for (let v = from; v <= to; v++) if (!used.includes(v)) return v;
  return -1;
}
