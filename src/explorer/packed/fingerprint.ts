// A reducer State's fingerprint as the packed engine computes it without symmetry reduction
// (EXP-FP-IMAGE): its plain key loaded into a PackedStore, then the hash of that Store's image.
// Counterexample replay (src/explorer/counterexample.ts) matches the nodes of such a search with it.
import type { Config } from '../../model/config.ts';
import type { State } from '../../model/state.ts';
import { encodeState, IntBuf } from '../encode.ts';
import { hash64 } from '../visited.ts';
import { loadKey, PackedStore } from './store-io.ts';

/** The image fingerprint of the state whose key starts at a[start], loaded into `st` (its image written to `buf`), into h. */
export function imageFingerprintOfKey(st: PackedStore, a: Int32Array, start: number, buf: IntBuf, h: Uint32Array): void {
  loadKey(st, a, start);
  buf.reset();
  st.writeImage(buf);
  hash64(buf.a, 0, buf.n, h);
}

/** A function writing the image fingerprint of a State of `config` into h[0] (high) and h[1] (low). */
export function storeImageFingerprint(config: Config): (s: State, h: Uint32Array) => void {
  const st = new PackedStore(config), key = new IntBuf(256), img = new IntBuf(256);
  return (s, h) => {
    key.reset();
    encodeState(s, key, false);
    imageFingerprintOfKey(st, key.a, 0, img, h);
  };
}
