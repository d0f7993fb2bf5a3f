/**
 * Recycles the output arrays of native kernels.
 *
 * A fresh Float32Array costs 0.1-2 us per KB (zero-fill, page faults, ArrayBuffer GC);
 * on a training step that is more than the arithmetic of most elementwise kernels. The
 * pool hands back arrays of the exact length that were released by `disposeData`.
 *
 * Safety: an array is recycled only if the pool allocated it and it never escaped. It
 * escapes when user code may hold it (`readSync`, which `dataSync()` returns without a
 * copy) or when another tensor aliases it (a JS kernel such as `slice` writing a
 * `subarray` view of it). Escaped arrays are left to the garbage collector.
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<ArrayBufferLike>();
  private readonly escaped = new WeakSet<ArrayBufferLike>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    /** Upper bound on the bytes held by free arrays. */
    readonly capacityBytes: number,
    readonly enabled = true,
  ) {}

  /** An array of `length` floats whose contents are garbage: the caller writes every element. */
  take(length: number): Float32Array {
    if (this.enabled) {
      const list = this.free.get(length);
      const reused = list?.pop();
      if (reused) {
        this.bytes -= reused.byteLength;
        this.escaped.delete(reused.buffer);
        this.hits++;
        return reused;
      }
      this.misses++;
    }
    const fresh = new Float32Array(length);
    if (this.enabled) this.owned.add(fresh.buffer);
    return fresh;
  }

  /** Whether `values` is a pool-owned array (or a view of one). */
  owns(values: unknown): boolean {
    return ArrayBuffer.isView(values) && this.owned.has(values.buffer);
  }

  /** Marks the array as possibly referenced outside its tensor: it will never be recycled. */
  markEscaped(values: unknown): void {
    if (ArrayBuffer.isView(values) && this.owned.has(values.buffer)) this.escaped.add(values.buffer);
  }

  /** Whether the array could be mutated in place without anyone else seeing it. */
  isPrivate(values: unknown): boolean {
    return this.owns(values) && !this.escaped.has((values as Float32Array).buffer);
  }

  /** Returns a released tensor's array to the pool if that is safe and there is room. */
  release(values: unknown): void {
    if (!this.enabled || !(values instanceof Float32Array) || !this.isPrivate(values)) return;
    if (values.byteOffset !== 0 || values.length * 4 !== values.buffer.byteLength) return;
    if (this.bytes + values.byteLength > this.capacityBytes) return;
    // Mark it escaped while pooled so that a second release of the same array is ignored.
    this.escaped.add(values.buffer);
    let list = this.free.get(values.length);
    if (!list) this.free.set(values.length, (list = []));
    list.push(values);
    this.bytes += values.byteLength;
  }

  /** Bytes currently held by free arrays. */
  get heldBytes(): number {
    return this.bytes;
  }

  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }
}
