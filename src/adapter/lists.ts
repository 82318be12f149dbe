// Inserting into and removing from the Store's short ordered lists (pending faults, deferred
// frees) in place. Array.prototype.splice returns an array of what it removed, a fresh array
// on every call even when nothing is removed: on the packed explorer's paths that was garbage
// for every fault reported, answered or reloaded (docs/performance.md, "Events made once").

/** list.splice(at, 0, x) without the returned array. */
export function insertAt<T>(list: T[], at: number, x: T): void {
  list.push(x);
  for (let j = list.length - 1; j > at; j--) list[j] = list[j - 1]!;
  list[at] = x;
}

/** list.splice(at, 1) without the returned array. */
export function removeAt<T>(list: T[], at: number): void {
  for (let j = at; j + 1 < list.length; j++) list[j] = list[j + 1]!;
  list.pop();
}
