// Helpers of the symmetry-reduced key shared by the State canonicaliser (symmetry.ts) and the
// Store canonicaliser (packed/canon.ts): in-place sorts of the few packed sort keys of a
// collection, the lexicographic comparison of two candidate encodings, and the split point of
// the float64 keys of ATC entries and faults (symmetry.ts, "Packing of small fields").

/** ATC entry and fault keys are hi * P12 + lo, lo = (page << 6) | frame or flags; hi = device << 20 | PASID. */
export const P12 = 4096;

/** Insertion sort of a[0, n) (the arrays here hold a handful of packed keys). */
export function sortKeys(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) { a[j + 1] = a[j]!; j--; }
    a[j + 1] = v;
  }
}

/** sortKeys for int32 keys: one typed-array kind per function keeps its element loads monomorphic. */
export function sortInts(a: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) { a[j + 1] = a[j]!; j--; }
    a[j + 1] = v;
  }
}

/** a[aStart, aStart + an) < b[bStart, bStart + bn), lexicographically. */
export function lexLessAt(a: Int32Array, aStart: number, an: number, b: Int32Array, bStart: number, bn: number): boolean {
  const n = Math.min(an, bn);
  for (let i = 0; i < n; i++) { const x = a[aStart + i]!, y = b[bStart + i]!; if (x !== y) return x < y; }
  return an < bn;
}
