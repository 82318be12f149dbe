// Growable typed arrays for the explorer's per-node and per-state columns (explore.ts,
// familySearch.ts): push or set at an index, doubling the capacity as needed.

export class U32Buf {
  a: Uint32Array;
  n = 0;
  constructor(cap = 1 << 16) { this.a = new Uint32Array(cap); }
  push(v: number): void {
    if (this.n === this.a.length) { const b = new Uint32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
  reserve(n: number): void {
    if (n <= this.a.length) return;
    let cap = this.a.length;
    while (cap < n) cap *= 2;
    const b = new Uint32Array(cap); b.set(this.a.subarray(0, this.n)); this.a = b;
  }
}

export class U8Buf {
  a: Uint8Array;
  constructor(cap = 1 << 16) { this.a = new Uint8Array(cap); }
  set(i: number, v: number): void {
    if (i >= this.a.length) { let cap = this.a.length * 2; while (cap <= i) cap *= 2; const b = new Uint8Array(cap); b.set(this.a); this.a = b; }
    this.a[i] = v;
  }
}

export class U16Buf {
  a: Uint16Array;
  constructor(cap = 1 << 16) { this.a = new Uint16Array(cap); }
  set(i: number, v: number): void {
    if (i >= this.a.length) { let cap = this.a.length * 2; while (cap <= i) cap *= 2; const b = new Uint16Array(cap); b.set(this.a); this.a = b; }
    this.a[i] = v;
  }
}
