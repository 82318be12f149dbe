// hash64 (src/explorer/visited.ts) in WebAssembly, for the packed engine's successors: each
// group of four of hash64's eight lanes is one 128-bit SIMD register (i32x4), so a round takes four
// words at once, and the two groups are two independent chains. The same bits as hash64, which
// stays the reference (test/fingerprint.test.ts compares the two on random words and lengths).
//
// WebAssembly reads only its own memory, so the kernel owns a buffer in it (`buf`, an IntBuf over
// that memory). The family expander, whose records are read before its next expansion, writes
// them there and each is hashed where it lies (hash()). The packed expander, whose records may
// leave its hands (copied, or handed over to another thread: a WebAssembly memory cannot be
// transferred), writes each record there, hashes it and copies it into its own buffer (begin(),
// finish()). The module is assembled here from its instructions (no toolchain, no binary file
// kept; the SIMD opcodes are those of the WebAssembly SIMD proposal's binary encoding,
// github.com/WebAssembly/simd proposals/simd/BinarySIMD.md, and the tests check the bits);
// makeHashKernel() returns undefined where this Node cannot instantiate it (--jitless), and the
// expanders then hash in JavaScript, with the same result.
import { IntBuf } from '../encode.ts';
import { FMIX_M1, FMIX_M2, HASH_SEED, P1, P2, P3, P4 } from '../visited.ts';

// ---- the module's bytes (WebAssembly binary format, core and SIMD instructions)

const uleb = (n: number): number[] => { const o: number[] = []; do { let b = n & 127; n >>>= 7; if (n !== 0) b |= 128; o.push(b); } while (n !== 0); return o; };
const sleb = (n: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = n & 127;
    n >>= 7;
    if ((n === 0 && (b & 64) === 0) || (n === -1 && (b & 64) !== 0)) { o.push(b); return o; }
    o.push(b | 128);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const I32 = 0x7f, V128 = 0x7b, VOID = 0x40;
const local = { get: (i: number) => [0x20, ...uleb(i)], set: (i: number) => [0x21, ...uleb(i)], tee: (i: number) => [0x22, ...uleb(i)] };
const i32 = {
  const: (n: number) => [0x41, ...sleb(n | 0)],
  add: [0x6a], mul: [0x6c], xor: [0x73], shl: [0x74], shrU: [0x76], rotl: [0x77], geU: [0x4f],
  /** i32.load and i32.store with a 4-byte alignment hint and a byte offset. */
  load: (offset: number) => [0x28, 2, ...uleb(offset)], store: (offset: number) => [0x36, 2, ...uleb(offset)],
};
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const i32x4 = {
  /** v128.load, 4-byte alignment hint: a successor's words are 4-byte aligned. */
  load: (offset: number) => simd(0x00, 2, ...uleb(offset)),
  splat: simd(0x11), extractLane: (l: number) => simd(0x1b, l), replaceLane: (l: number) => simd(0x1c, l),
  or: simd(0x50), shl: simd(0xab), shrU: simd(0xad), add: simd(0xae), mul: simd(0xb5),
};
const block = (...body: number[][]) => [0x02, VOID, ...body.flat(), 0x0b];
const loop = (...body: number[][]) => [0x03, VOID, ...body.flat(), 0x0b];
const brIf = (depth: number) => [0x0d, depth], br = (depth: number) => [0x0c, depth];

// hash(p, n): hash64 of the n words at byte p; h1 (high) at byte 0, h2 (low) at byte 4
const p = 0, n = 1, end = 2, end8 = 3, end4 = 4, v1 = 5, v2 = 6, v3 = 7, v4 = 8, h1 = 9, h2 = 10; // i32 locals
const lanesA = 11, lanesB = 12, kP2 = 13, kP1 = 14, t = 15; // v128 locals
const LOCALS = [[9, I32], [5, V128]];

/** acc = rotl(acc + x * P2, 13) * P1 on four lanes, x being on the stack. */
const roundOn = (acc: number) => [
  ...local.get(kP2), ...i32x4.mul, ...local.get(acc), ...i32x4.add, ...local.tee(t),
  ...i32.const(13), ...i32x4.shl, ...local.get(t), ...i32.const(19), ...i32x4.shrU, ...i32x4.or,
  ...local.get(kP1), ...i32x4.mul, ...local.set(acc),
];
/** A v128 of four i32 values (each given as the instructions that push it): splat the first, replace lanes 1-3. */
const lanes = (a: number[], b: number[], c: number[], d: number[]) => [...a, ...i32x4.splat, ...b, ...i32x4.replaceLane(1), ...c, ...i32x4.replaceLane(2), ...d, ...i32x4.replaceLane(3)];
/** murmur3's finalizer on local h. */
const fmix = (h: number, m1: number, m2: number, s1: number) => [
  ...local.get(h), ...local.get(h), ...i32.const(s1), ...i32.shrU, ...i32.xor, ...i32.const(m1), ...i32.mul, ...local.set(h),
  ...local.get(h), ...local.get(h), ...i32.const(13), ...i32.shrU, ...i32.xor, ...i32.const(m2), ...i32.mul, ...local.set(h),
  ...local.get(h), ...local.get(h), ...i32.const(16), ...i32.shrU, ...i32.xor, ...local.set(h),
];

const HASH_BODY: number[] = [
  // end = p + 4n, end8 = p + 32 (n >> 3), end4 = p + 16 (n >> 2)
  ...local.get(p), ...local.get(n), ...i32.const(2), ...i32.shl, ...i32.add, ...local.set(end),
  ...local.get(p), ...local.get(n), ...i32.const(3), ...i32.shrU, ...i32.const(5), ...i32.shl, ...i32.add, ...local.set(end8),
  ...local.get(p), ...local.get(n), ...i32.const(2), ...i32.shrU, ...i32.const(4), ...i32.shl, ...i32.add, ...local.set(end4),
  ...lanes(
    [...i32.const(HASH_SEED[0]!), ...local.get(n), ...i32.add],
    [...i32.const(HASH_SEED[1]!), ...local.get(n), ...i32.xor],
    i32.const(HASH_SEED[2]!),
    [...i32.const(HASH_SEED[3]!), ...local.get(n), ...i32.const(P4), ...i32.mul, ...i32.xor],
  ), ...local.set(lanesA),
  ...lanes(i32.const(HASH_SEED[4]!), i32.const(HASH_SEED[5]!), i32.const(HASH_SEED[6]!), i32.const(HASH_SEED[7]!)), ...local.set(lanesB),
  ...i32.const(P2), ...i32x4.splat, ...local.set(kP2), ...i32.const(P1), ...i32x4.splat, ...local.set(kP1),
  // blocks of eight words: four into lanes 1-4, four into lanes 5-8
  ...block(loop(
    local.get(p), local.get(end8), i32.geU, brIf(1),
    local.get(p), i32x4.load(0), roundOn(lanesA),
    local.get(p), i32x4.load(16), roundOn(lanesB),
    local.get(p), i32.const(32), i32.add, local.set(p), br(0),
  )),
  // lanes 5-8 folded into lanes 1-4
  ...local.get(lanesB), ...roundOn(lanesA),
  // a last group of four (at most one: fewer than eight words are left)
  ...block(loop(
    local.get(p), local.get(end4), i32.geU, brIf(1),
    local.get(p), i32x4.load(0), roundOn(lanesA),
    local.get(p), i32.const(16), i32.add, local.set(p), br(0),
  )),
  ...local.get(lanesA), ...i32x4.extractLane(0), ...local.set(v1),
  ...local.get(lanesA), ...i32x4.extractLane(1), ...local.set(v2),
  ...local.get(lanesA), ...i32x4.extractLane(2), ...local.set(v3),
  ...local.get(lanesA), ...i32x4.extractLane(3), ...local.set(v4),
  // the last words into lane 1: v1 = rotl(v1 + w * P3, 17) * P4
  ...block(loop(
    local.get(p), local.get(end), i32.geU, brIf(1),
    local.get(v1), local.get(p), i32.load(0), i32.const(P3), i32.mul, i32.add, i32.const(17), i32.rotl, i32.const(P4), i32.mul, local.set(v1),
    local.get(p), i32.const(4), i32.add, local.set(p), br(0),
  )),
  // h1 = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)
  ...local.get(v1), ...i32.const(1), ...i32.rotl, ...local.get(v2), ...i32.const(7), ...i32.rotl, ...i32.add,
  ...local.get(v3), ...i32.const(12), ...i32.rotl, ...i32.add, ...local.get(v4), ...i32.const(18), ...i32.rotl, ...i32.add, ...local.set(h1),
  // h2 = v1 ^ rotl(v2, 16) ^ v3 * P3 ^ rotl(v4, 5) * P1
  ...local.get(v1), ...local.get(v2), ...i32.const(16), ...i32.rotl, ...i32.xor, ...local.get(v3), ...i32.const(P3), ...i32.mul, ...i32.xor,
  ...local.get(v4), ...i32.const(5), ...i32.rotl, ...i32.const(P1), ...i32.mul, ...i32.xor, ...local.set(h2),
  ...fmix(h1, P2, P3, 15),
  ...fmix(h2, FMIX_M1, FMIX_M2, 16),
  ...i32.const(0), ...local.get(h1), ...i32.store(0),
  ...i32.const(0), ...local.get(h2), ...i32.store(4),
  0x0b,
];

/** Pages (64 KiB) the memory starts with: 1 MiB, room for a node's successors (the family
 *  expander's records) and for any one successor without growing it. */
const INITIAL_PAGES = 16;
/** Where the kernel's buffer starts in its memory (after the two result words). */
const BUF_AT = 16;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const code = [...vector(LOCALS.map(([count, type]) => [...uleb(count!), type!])), ...HASH_BODY];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...vector([[I32], [I32]]), 0]])), // type 0: (i32, i32) -> ()
    ...section(3, vector([[0]])), // function 0: type 0
    ...section(5, vector([[0, ...uleb(INITIAL_PAGES)]])), // one memory, no maximum
    ...section(7, vector([[...name('memory'), 2, 0], [...name('hash'), 0, 0]])),
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}

/** An IntBuf over the kernel's memory: it grows the memory (which keeps its contents) instead of copying. */
class KernelBuf extends IntBuf {
  constructor(private readonly kernel: HashKernel) {
    super(0);
    this.a = kernel.words();
  }
  override ensure(extra: number): void {
    if (this.n + extra > this.a.length) this.a = this.kernel.grow(this.n + extra);
  }
}

export class HashKernel {
  /** The kernel's buffer: records written here are hashed where they lie (hash()). */
  readonly buf: KernelBuf;
  private result: Uint32Array;
  /** views[k]: buf.a's first k words (one view per length, made once: finish() copies from it). */
  private views: Int32Array[] = [];
  private readonly hashAt: (p: number, n: number) => void;

  constructor(private readonly memory: WebAssembly.Memory, hash: (p: number, n: number) => void) {
    this.hashAt = hash;
    this.result = new Uint32Array(memory.buffer, 0, 2);
    this.buf = new KernelBuf(this);
  }

  /** The buffer's words as one view of the memory. */
  words(): Int32Array {
    return new Int32Array(this.memory.buffer, BUF_AT, (this.memory.buffer.byteLength - BUF_AT) >> 2);
  }

  /** Grows the memory to hold `words` words after BUF_AT (views of it made before are let go). */
  grow(words: number): Int32Array {
    const bytes = BUF_AT + 4 * words, now = this.memory.buffer.byteLength;
    if (bytes > now) this.memory.grow(Math.ceil((bytes - now) / 65536));
    this.result = new Uint32Array(this.memory.buffer, 0, 2);
    this.views = [];
    return this.words();
  }

  /** hash64 of buf.a[start, start + n), into h[0] (high) and h[1] (low). */
  hash(start: number, n: number, h: Uint32Array): void {
    this.hashAt(BUF_AT + 4 * start, n);
    const r = this.result;
    h[0] = r[0]!;
    h[1] = r[1]!;
  }

  /** The buffer, emptied, for one record (then finish()). */
  begin(): IntBuf {
    this.buf.reset();
    return this.buf;
  }

  /** hash64 of the record written into the buffer since begin(), into h; the record appended to `out`. */
  finish(out: IntBuf, h: Uint32Array): void {
    const n = this.buf.n;
    this.hash(0, n, h);
    out.ensure(n);
    out.a.set(this.views[n] ??= new Int32Array(this.memory.buffer, BUF_AT, n), out.n);
    out.n += n;
  }
}

/** A kernel of its own (each expander, in each thread), or undefined where WebAssembly cannot run. */
export function makeHashKernel(): HashKernel | undefined {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), {});
    const { memory, hash } = instance.exports as { memory: WebAssembly.Memory; hash: (p: number, n: number) => void };
    return new HashKernel(memory, hash);
  } catch {
    return undefined;
  }
}
