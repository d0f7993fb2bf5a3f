/**
 * An episodic key-value memory (Sprechmann et al. 2018, "Memory-based parameter adaptation";
 * de Masson d'Autume et al. 2019, "Episodic memory in lifelong language learning"): a fixed
 * budget of examples, each stored with its input, label, task id and key, the network's embedding
 * of the input. The value of an entry is its label.
 *
 * Writing is reservoir sampling (Vitter's algorithm R, as reservoir.ts, with the same draws for
 * the same generator): it needs no task boundaries and, given ER's seed, keeps exactly the
 * examples ER's buffer keeps, so a comparison with ER at the same budget differs only in how the
 * stored examples are used. Keys live beside the rows as plain typed arrays; the embedding moves
 * as the network trains, so an owner recomputes them from the stored inputs (`refreshKeys`)
 * whenever it needs them consistent with the current network.
 *
 * `readMemory` is the read: the k entries whose keys are closest in cosine similarity to each
 * query, attention weights softmax(cos / tau) over them, and the attention-weighted one-hot of
 * their labels. It is differentiable in the queries.
 */
import * as tf from '../engine/tf.js';
import { createRng, type Rng } from '../core/random.js';
import { DataFormatError } from '../core/errors.js';
import { StateReader, type StateRecord, type StateValue } from '../core/state.js';
import {
  BufferStorage,
  bufferStateValue,
  restoreStorage,
  type BufferBatch,
  type Examples,
} from './buffer.js';
import type { ExampleMatch } from './forget.js';

export interface KeyValueShape {
  /** Examples kept at most. */
  readonly capacity: number;
  /** Values per input. */
  readonly sampleSize: number;
  /** Values per key (the embedding's width). */
  readonly keySize: number;
}

export class KeyValueMemory {
  readonly keySize: number;
  private readonly storage: BufferStorage;
  /** `capacity * keySize` values; row `s` is slot `s`'s key. */
  private readonly keyRows: Float32Array;

  /** `rng` decides which examples are kept; give it its own seed (or a fork) so runs repeat. */
  constructor(
    shape: KeyValueShape,
    private rng: Rng,
  ) {
    if (!Number.isInteger(shape.keySize) || shape.keySize < 1) {
      throw new RangeError(`keySize: expected a positive integer, got ${shape.keySize}`);
    }
    this.storage = new BufferStorage(shape);
    this.keySize = shape.keySize;
    this.keyRows = new Float32Array(shape.capacity * shape.keySize);
  }

  get capacity(): number {
    return this.storage.capacity;
  }

  get size(): number {
    return this.storage.size;
  }

  get seen(): number {
    return this.storage.seen;
  }

  /** The filled slots' keys, [size * keySize] (a view: refreshed in place). */
  get keys(): Float32Array {
    return this.keyRows.subarray(0, this.size * this.keySize);
  }

  /** The filled slots' labels, the memory's values (a view). */
  get labels(): Int32Array {
    return this.storage.y.subarray(0, this.size);
  }

  /** Offers examples with their keys (`n * keySize` values); reservoir sampling picks the slots. */
  add(examples: Examples, keys: Float32Array): void {
    const s = this.storage;
    const n = s.count(examples);
    const d = this.keySize;
    if (keys.length !== n * d) throw new RangeError(`keys: expected ${n} x ${d} values, got ${keys.length}`);
    for (let row = 0; row < n; row++) {
      // While there is room every example takes the next slot; then one in [0, seen] is drawn.
      const slot = s.size < s.capacity ? s.size++ : this.rng.int(s.seen + 1);
      if (slot < s.capacity) {
        s.write(slot, examples, row);
        this.keyRows.set(keys.subarray(row * d, (row + 1) * d), slot * d);
      }
      s.seen++;
    }
  }

  /** Every stored row, in slot order. */
  all(): BufferBatch {
    return this.storage.read(Int32Array.from({ length: this.size }, (_, i) => i));
  }

  /** `min(n, size)` distinct stored rows, uniformly at random (for replay). */
  sample(n: number, rng: Rng): BufferBatch {
    return this.storage.read(this.storage.randomSlots(n, rng));
  }

  /**
   * Recomputes every key from its stored input with `embed` (inputs, `rows * sampleSize` values,
   * to keys, `rows * keySize`), and returns the mean cosine similarity between each old key and
   * its new one: 1 when the embedding has not moved (NaN for an empty memory).
   */
  refreshKeys(embed: (x: Float32Array, rows: number) => Float32Array): number {
    const n = this.size;
    if (!n) return NaN;
    const fresh = embed(this.storage.x.subarray(0, n * this.storage.sampleSize), n);
    if (fresh.length !== n * this.keySize) {
      throw new RangeError(`embed: expected ${n} x ${this.keySize} values, got ${fresh.length}`);
    }
    let cosines = 0;
    for (let r = 0; r < n; r++) {
      cosines += cosine(this.keyRows, fresh, r * this.keySize, this.keySize);
    }
    this.keyRows.set(fresh);
    return cosines / n;
  }

  /** The stored rows, their keys and the keeping generator's state: checkpoint data (core/state.ts). */
  state(): StateRecord {
    return {
      rows: bufferStateValue(this.storage.state(KEY_VALUE)),
      keySize: this.keySize,
      keys: this.keys.slice(),
      rng: this.rng.state(),
    };
  }

  /**
   * Puts a `state()` of a memory of the same shape back, generator included, so that it keeps
   * the same examples from then on; a DataFormatError at `where` naming the field otherwise.
   */
  restore(value: StateValue, where: string): void {
    const r = new StateReader(value, where);
    const keySize = r.integer('keySize');
    if (keySize !== this.keySize) {
      throw new DataFormatError(where, `keySize: expected ${this.keySize}, got ${keySize}`);
    }
    const rng = createRng(r.integer('rng'));
    // Checked before anything is replaced: a refused state leaves the memory as it was.
    const keys = r.floats('keys', r.reader('rows').integer('size') * keySize);
    restoreStorage(this.storage, KEY_VALUE, r.raw('rows'), `${where}.rows`);
    this.keyRows.set(keys);
    this.rng = rng;
  }

  /** Removes the entries whose input `match` accepts, their keys with them; how many it removed. */
  forget(match: ExampleMatch): number {
    const before = this.size;
    const kept = this.storage.forget(match);
    const d = this.keySize;
    kept.forEach((slot, to) => this.keyRows.copyWithin(to * d, slot * d, (slot + 1) * d));
    return before - kept.length;
  }

  /** Bytes of the stored inputs, labels, task ids and keys. */
  memoryBytes(): number {
    return this.storage.memoryBytes() + this.keyRows.byteLength;
  }
}

/** The policy name of the memory's rows in a checkpoint. */
const KEY_VALUE = 'key-value';

function cosine(a: Float32Array, b: Float32Array, at: number, d: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = at; i < at + d; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(Math.max(aa * bb, 1e-24));
}

/** What a read returns for a batch of B queries over N entries. */
export interface MemoryRead {
  /** Neighbours per query: `min(options.k, N)`. */
  readonly k: number;
  /** The slots of each query's k nearest keys, most similar first, row-major [B * k]. */
  readonly indices: Int32Array;
  /** Attention softmax(cos / tau) over each query's k nearest keys, 0 elsewhere; rows sum to 1, [B, N]. */
  readonly weights: tf.Tensor2D;
  /** The attention-weighted one-hot labels of the neighbours, a distribution over classes, [B, C]. */
  readonly read: tf.Tensor2D;
}

export interface ReadOptions {
  /** Neighbours per query (at most the number of keys). */
  readonly k: number;
  /** Temperature of the attention over cosine similarities. */
  readonly tau: number;
  readonly numClasses: number;
}

// Added to the scores of entries outside a query's k nearest: exp() of it is exactly 0.
const OUTSIDE = -1e9;

/**
 * Reads `keys` [N, D] with labels `values` [N] for `queries` [B, D]. The neighbours are chosen
 * without gradient, on a copy of the similarities (a selection needs none); the attention is a
 * softmax over all N similarities with the others masked out, so the read is two dense matrix
 * products, differentiable in the queries (a gather of [B, k, D] neighbour keys costs more than
 * the whole product on the CPU backend).
 */
export function readMemory(
  queries: tf.Tensor2D,
  keys: tf.Tensor2D,
  values: tf.Tensor1D,
  options: ReadOptions,
): MemoryRead {
  const [batch] = queries.shape;
  const n = keys.shape[0];
  const k = Math.min(options.k, n);
  const similarities = tf.matMul(unit(queries), unit(keys), false, true); // [B, N]
  const indices = nearest(similarities.dataSync() as Float32Array, batch, n, k);
  const mask = new Float32Array(batch * n).fill(OUTSIDE);
  indices.forEach((slot, i) => (mask[Math.floor(i / k) * n + slot] = 0));
  const weights = tf.softmax(tf.add(tf.div(similarities, options.tau), tf.tensor2d(mask, [batch, n])));
  const read = tf.matMul(weights, tf.oneHot(values, options.numClasses));
  return { k, indices, weights: weights as tf.Tensor2D, read: read as tf.Tensor2D };
}

/** The k largest entries of each row of a [rows, n] matrix, largest first (ties: lower index first). */
function nearest(scores: Float32Array, rows: number, n: number, k: number): Int32Array {
  const out = new Int32Array(rows * k);
  const best = new Float32Array(k);
  for (let r = 0; r < rows; r++) {
    const row = scores.subarray(r * n, (r + 1) * n);
    const picks = out.subarray(r * k, (r + 1) * k);
    let filled = 0;
    for (let j = 0; j < n; j++) {
      const v = row[j];
      if (filled === k && v <= best[k - 1]) continue;
      // Insertion into the sorted top-k so far.
      let at = filled < k ? filled++ : k - 1;
      while (at > 0 && best[at - 1] < v) {
        best[at] = best[at - 1];
        picks[at] = picks[at - 1];
        at--;
      }
      best[at] = v;
      picks[at] = j;
    }
  }
  return out;
}

/** Rows scaled to unit length (a zero row stays zero). */
function unit(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
}
