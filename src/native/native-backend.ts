/**
 * The `native` backend: the tfjs cpu backend with its hot kernels in C++.
 *
 * It keeps the cpu backend's storage (one typed array per tensor), so every JS kernel of
 * `cpu` works unchanged on it, and native kernels read and write those same arrays with
 * no copies. Output arrays of native kernels come from a {@link BufferPool}.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataType, TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { GemmName, NativeAddon } from './addon-api.js';
import { BufferPool } from './buffer-pool.js';

type DataId = object;

export interface NativeBackendOptions {
  /** GEMM threads; default: OpenBLAS's own choice (OPENBLAS_NUM_THREADS, else all cores). */
  threads?: number;
  /** Recycle kernel outputs (default true; UNFORGET_POOL=0 turns it off, for measurements). */
  pool?: boolean;
  /** Most bytes the pool keeps in free arrays (default 512 MiB). */
  poolCapacityBytes?: number;
  /**
   * The GEMM behind matmul and conv: `auto` (default: unforget's portable GEMM for small
   * products, the linked BLAS for large ones; the portable one where no BLAS is linked),
   * `portable`, or `blas` / `openblas` / `accelerate`. Why `auto`: docs/performance.md.
   */
  gemm?: GemmName | 'blas';
}

export class NativeBackend extends MathBackendCPU {
  readonly pool: BufferPool;
  /** Kernel calls served natively and by the inherited JS kernels, by kernel name. */
  readonly calls = { native: new Map<string, number>(), fallback: new Map<string, number>() };
  private writingOutput = false;

  constructor(
    readonly addon: NativeAddon,
    options: NativeBackendOptions = {},
  ) {
    super();
    // MathBackendCPU prints an "install tfjs-node" banner on first use; this is the faster path.
    (this as unknown as { firstUse: boolean }).firstUse = false;
    this.pool = new BufferPool(options.poolCapacityBytes ?? 512 * 2 ** 20, options.pool ?? true);
    if (options.threads !== undefined) addon.setNumThreads(options.threads);
    addon.setGemm(options.gemm ?? 'auto');
  }

  /** An output array for a native kernel; its initial contents are unspecified. */
  alloc(length: number): Float32Array {
    return this.pool.take(length);
  }

  /** Wraps an array from {@link alloc} as a float32 tensor. */
  output(shape: number[], values: Float32Array): TensorInfo {
    this.writingOutput = true;
    try {
      return this.makeTensorInfo(shape, 'float32', values);
    } finally {
      this.writingOutput = false;
    }
  }

  /** The float32 array behind a tensor, or null when it is stored otherwise. */
  f32(t: TensorInfo): Float32Array | null {
    if (t.dtype !== 'float32') return null;
    const values = this.data.get(t.dataId)?.values;
    return values instanceof Float32Array ? values : null;
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    // Anything but our own output call that stores a pooled array (or a view of one,
    // such as slice's subarray) aliases it: it must never be recycled.
    if (!this.writingOutput) this.pool.markEscaped(values);
    return super.write(values, shape, dtype);
  }

  override readSync(dataId: DataId): backend_util.BackendValues {
    // dataSync() hands this very array to user code.
    this.pool.markEscaped(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    // has() first: get() of an id this backend never stored makes tfjs try to move the
    // data here, which reads it back through readSync and recurses.
    const values = this.data.has(dataId) ? this.data.get(dataId)?.values : undefined;
    const released = super.disposeData(dataId, force);
    if (released) this.pool.release(values);
    return released;
  }

  countCall(kernelName: string, native: boolean): void {
    const map = native ? this.calls.native : this.calls.fallback;
    map.set(kernelName, (map.get(kernelName) ?? 0) + 1);
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}
