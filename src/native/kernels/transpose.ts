/** Transpose (float32 and int32) over the addon's tiled transpose. */
import type { NativeBackend } from '../native-backend.js';
import { nativeKernel } from '../kernel-util.js';

/** The addon's limit on the rank of a transpose (see reduce-transpose.h). */
const MAX_RANK = 32;

/** Reused descriptor [rank, shape..., perm...]: one typed array crosses N-API per call. */
const desc = new Int32Array(1 + 2 * MAX_RANK);

/** Whether `perm` is a permutation of 0..rank-1. */
function isPermutation(perm: unknown, rank: number): perm is number[] {
  if (!Array.isArray(perm) || perm.length !== rank || rank > MAX_RANK) return false;
  let seen = 0;
  for (const p of perm) {
    if (!Number.isInteger(p) || p < 0 || p >= rank || seen & (1 << p)) return false;
    seen |= 1 << p;
  }
  return true;
}

/**
 * Writes `values` (of a tensor of `shape`) transposed by `perm` into `out`; the caller
 * has checked `perm`. Both arrays hold 4-byte elements.
 */
export function transposeInto(
  backend: NativeBackend,
  values: Float32Array | Int32Array,
  shape: readonly number[],
  perm: readonly number[],
  out: Float32Array | Int32Array,
): void {
  const rank = shape.length;
  desc[0] = rank;
  for (let i = 0; i < rank; i++) {
    desc[1 + i] = shape[i];
    desc[1 + rank + i] = perm[i];
  }
  backend.addon.transpose(values, out, desc);
}

export const transpose = nativeKernel('Transpose', ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const rank = x.shape.length;
  if (!isPermutation(attrs.perm, rank)) return null;
  const perm = attrs.perm;
  const outShape = perm.map((p) => x.shape[p]);
  const size = outShape.reduce((a, b) => a * b, 1);
  if (x.dtype === 'float32') {
    const values = backend.f32(x);
    if (!values) return null;
    const out = backend.alloc(size);
    transposeInto(backend, values, x.shape, perm, out);
    return backend.output(outShape, out);
  }
  if (x.dtype === 'int32') {
    const values = backend.data.get(x.dataId)?.values;
    if (!(values instanceof Int32Array)) return null;
    const out = new Int32Array(size);
    transposeInto(backend, values, x.shape, perm, out);
    return backend.makeTensorInfo(outShape, 'int32', out);
  }
  return null;
});
