/**
 * Forgetting stored examples on request (a user's data deleted): every memory that keeps inputs
 * removes the rows a match accepts. Rows are matched by their input's exact float32 values, the
 * only identity a stored row keeps (memories do not know who sent an example), so an identical
 * input sent by someone else goes too: deletion errs on the side of removing.
 */

/** True for a stored input (one row, `sampleSize` values) that must be forgotten. */
export type ExampleMatch = (row: Float32Array) => boolean;

/** FNV-1a over a row's bytes: a cheap bucket key; equality is then checked value by value. */
function hashRow(row: Float32Array): number {
  const bytes = new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * A match for the rows of `x` (`sampleSize` values each, row-major): true for an input whose bit
 * pattern equals one of them. Bitwise, so -0 and 0 differ and a NaN matches itself, as a copy would.
 */
export function matchRows(x: Float32Array, sampleSize: number): ExampleMatch {
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || x.length % sampleSize !== 0) {
    throw new RangeError(`x: expected rows of ${sampleSize} values, got ${x.length} values`);
  }
  const buckets = new Map<number, Float32Array[]>();
  for (let at = 0; at < x.length; at += sampleSize) {
    const row = x.slice(at, at + sampleSize);
    const h = hashRow(row);
    const bucket = buckets.get(h);
    if (bucket) bucket.push(row);
    else buckets.set(h, [row]);
  }
  return (row) => buckets.get(hashRow(row))?.some((r) => sameBytes(r, row)) ?? false;
}

/** The rows of `x` (`count` rows of `sampleSize`) that `match` does not accept, in order. */
export function rowsToKeep(
  x: Float32Array,
  sampleSize: number,
  count: number,
  match: ExampleMatch,
): Int32Array {
  const kept: number[] = [];
  for (let r = 0; r < count; r++) if (!match(x.subarray(r * sampleSize, (r + 1) * sampleSize))) kept.push(r);
  return Int32Array.from(kept);
}

/** The rows `kept` of a row-major array with `width` values per row, in that order. */
export function takeRows<T extends Float32Array | Int32Array>(values: T, width: number, kept: Int32Array): T {
  const out = new (values.constructor as new (n: number) => T)(kept.length * width);
  kept.forEach((r, i) => out.set(values.subarray(r * width, (r + 1) * width), i * width));
  return out;
}
