/**
 * Numpy broadcasting of two shapes, in the form the addon's `binary` function takes.
 *
 * The common cases are a number: {@link SAME_SHAPE}, {@link B_IS_ONE_VALUE} or
 * {@link A_IS_ONE_VALUE}. Any other broadcast is packed as `[rank, dims..., aStrides...,
 * bStrides...]` in one reused Int32Array, so no call converts JS arrays. Output dimensions of
 * size 1 are dropped and adjacent dimensions along which each operand is either read
 * contiguously or broadcast alike are merged, so that a bias add ([N,C] + [C]) or a column
 * broadcast ([N,C] + [N,1]) arrives as rank 2. A stride is 0 along a dimension its operand
 * is broadcast over.
 */

export const SAME_SHAPE = 0;
export const B_IS_ONE_VALUE = 1;
export const A_IS_ONE_VALUE = 2;

/** Ranks above this run the JS kernel (collapsing makes this rank limit practically unreachable). */
export const MAX_BROADCAST_RANK = 16;

export class BroadcastPlan {
  /** The broadcast of the last successful {@link plan}: a flat case's number, or {@link packed}. */
  broadcast: number | Int32Array = SAME_SHAPE;
  readonly packed = new Int32Array(1 + 3 * MAX_BROADCAST_RANK);
  /** The number of output elements of the last successful {@link plan}. */
  size = 0;
  // Per-dimension broadcast pattern while collapsing: bit 0 = a broadcast, bit 1 = b broadcast.
  private readonly pattern = new Int32Array(MAX_BROADCAST_RANK);

  /**
   * Plans `a op b` for values arrays of `aLength` and `bLength` elements. Returns the output
   * shape (one of the input shape arrays when it is the output's), or null when the shapes
   * do not broadcast or do not match the arrays (the JS kernel then raises tfjs's error).
   */
  plan(aShape: number[], bShape: number[], aLength: number, bLength: number): number[] | null {
    const ra = aShape.length;
    const rb = bShape.length;
    if (ra === rb && sameDims(aShape, bShape)) {
      return aLength === bLength ? this.flat(aShape, aLength, SAME_SHAPE) : null;
    }
    // A single value broadcast over the other operand; its rank must not add dimensions.
    if (bLength === 1 && rb <= ra) return this.flat(aShape, aLength, B_IS_ONE_VALUE);
    if (aLength === 1 && ra <= rb) return this.flat(bShape, bLength, A_IS_ONE_VALUE);
    return this.general(aShape, bShape, aLength, bLength);
  }

  private flat(shape: number[], n: number, broadcast: number): number[] | null {
    if (n > 0x7fffffff) return null;
    this.broadcast = broadcast;
    this.size = n;
    return shape;
  }

  private general(aShape: number[], bShape: number[], aLength: number, bLength: number): number[] | null {
    const ra = aShape.length;
    const rb = bShape.length;
    const rank = ra > rb ? ra : rb;
    if (rank > MAX_BROADCAST_RANK) return null;
    const p = this.packed;
    const pattern = this.pattern;
    const outShape = new Array<number>(rank);
    let size = 1;
    let sizeA = 1;
    let sizeB = 1;
    let k = 0; // collapsed dimensions so far, stored at p[1 .. k]
    for (let i = 0; i < rank; i++) {
      const da = i < rank - ra ? 1 : aShape[i - rank + ra];
      const db = i < rank - rb ? 1 : bShape[i - rank + rb];
      let d: number;
      if (da === db) d = da;
      else if (da === 1) d = db;
      else if (db === 1) d = da;
      else return null;
      outShape[i] = d;
      size *= d;
      sizeA *= da;
      sizeB *= db;
      if (d === 1) continue; // indexes nothing
      const pat = (da === 1 ? 1 : 0) | (db === 1 ? 2 : 0);
      if (k > 0 && pattern[k - 1] === pat) {
        p[k] *= d;
      } else {
        p[k + 1] = d;
        pattern[k] = pat;
        k++;
      }
    }
    if (sizeA !== aLength || sizeB !== bLength || size > 0x7fffffff) return null;
    this.size = size;
    // One element (all dimensions 1) is a same-shape op on one value.
    this.broadcast = k === 0 ? SAME_SHAPE : p;
    if (k === 0 || size === 0) return outShape;
    p[0] = k;
    let strideA = 1;
    let strideB = 1;
    for (let j = k - 1; j >= 0; j--) {
      const d = p[1 + j];
      const pat = pattern[j];
      p[1 + k + j] = pat & 1 ? 0 : strideA;
      p[1 + 2 * k + j] = pat & 2 ? 0 : strideB;
      if (!(pat & 1)) strideA *= d;
      if (!(pat & 2)) strideB *= d;
    }
    return outShape;
  }
}

function sameDims(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
