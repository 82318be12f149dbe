// faults-resolvable (INV-FAULTS-RESOLVABLE) on the explored graph: from every reachable state, a
// state with no pending stall or page request (State.faults empty) must be reachable.
// Computed as the least fixpoint good = noFaults OR some successor good, by backward sweeps over
// the forward successor lists (nodes in decreasing BFS index, so each sweep propagates along all
// edges to later nodes at once; back edges take another sweep). Equivalent to reverse
// reachability from the fault-free states, without storing reverse edges.

/**
 * Returns the lowest-numbered node (so one of least depth) that cannot reach a fault-free node,
 * or -1 when every node can.
 */
export function faultsResolvable(n: number, hasFault: Uint8Array, edgeStart: Uint32Array, targets: Uint32Array): number {
  const good = new Uint8Array(n);
  for (let i = 0; i < n; i++) good[i] = hasFault[i] ? 0 : 1;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = n - 1; i >= 0; i--) {
      if (good[i]) continue;
      for (let e = edgeStart[i]!; e < edgeStart[i + 1]!; e++) {
        if (good[targets[e]!]) { good[i] = 1; changed = true; break; }
      }
    }
  }
  for (let i = 0; i < n; i++) if (!good[i]) return i;
  return -1;
}
