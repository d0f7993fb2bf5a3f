/**
 * Replay buffers: a fixed number of past examples kept for rehearsal. A buffer is a storage of
 * `capacity` slots (inputs, labels, task ids and, for DER, the logits the model gave them) plus a
 * policy that decides which offered examples take which slot (reservoir.ts, class-balanced.ts;
 * iCaRL's herding chooses its exemplars itself, herding.ts). Buffers hold plain typed arrays, never
 * tensors: nothing to dispose, and their contents serialise as they are (`state()`).
 */
import { DataFormatError } from '../core/errors.js';
import { createRng, type Rng } from '../core/random.js';
import { StateReader, type StateRecord, type StateValue } from '../core/state.js';
import { rowsToKeep, type ExampleMatch } from './forget.js';

/** Examples offered to a buffer: `n` rows, row-major like `Dataset`. */
export interface Examples {
  /** Inputs, `n * sampleSize` values. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  /** One task id per row, or one for all rows. Default 0. */
  readonly taskIds?: Int32Array | number;
  /** `n * logitsSize` values, required when the buffer keeps logits. */
  readonly logits?: Float32Array;
}

/** Rows read from a buffer. */
export interface BufferBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly taskIds: Int32Array;
  /** Present when the buffer keeps logits. */
  readonly logits?: Float32Array;
  /** The slot each row came from. */
  readonly slots: Int32Array;
}

/** Everything a buffer is, as plain data: what a checkpoint stores. */
export interface BufferState {
  readonly policy: string;
  readonly capacity: number;
  readonly sampleSize: number;
  readonly logitsSize: number;
  readonly size: number;
  /** Examples offered so far (reservoir sampling's n). */
  readonly seen: number;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly taskIds: Int32Array;
  readonly logits: Float32Array;
  /**
   * The state of the generator the policy draws with (which offered examples are kept, which
   * stored ones they replace), when it has one: a buffer restored without it would keep other
   * examples than the original from then on.
   */
  readonly rng?: number;
}

export interface ReplayBuffer {
  /** `reservoir`, `class-balanced`, ... */
  readonly policy: string;
  readonly capacity: number;
  /** Slots filled (never more than `capacity`). */
  readonly size: number;
  /** Examples offered so far. */
  readonly seen: number;
  /** Offers examples; the policy decides which are kept and which stored ones they replace. */
  add(examples: Examples): void;
  /** `min(n, size)` distinct stored rows, chosen uniformly at random. */
  sample(n: number, rng: Rng): BufferBatch;
  /** Every stored row, in slot order. */
  all(): BufferBatch;
  /** Bytes of the stored arrays (the buffer's memory footprint). */
  memoryBytes(): number;
  /** The stored rows and the policy's generator state (`restore` continues exactly from them). */
  state(): BufferState;
  /** Replaces the contents (and the policy's generator) with a `state()` of a buffer with the same policy and shapes. */
  restore(state: BufferState): void;
  /** Removes the stored rows whose input `match` accepts (forget.ts); how many it removed. */
  forget(match: ExampleMatch): number;
}

export interface StorageShape {
  /** Examples kept at most. */
  readonly capacity: number;
  /** Values per input. */
  readonly sampleSize: number;
  /** Values of stored logits per example; 0 (the default) keeps none. */
  readonly logitsSize?: number;
}

/** The slots themselves: preallocated arrays written and read by row. */
export class BufferStorage {
  readonly capacity: number;
  readonly sampleSize: number;
  readonly logitsSize: number;
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly taskIds: Int32Array;
  readonly logits: Float32Array;
  size = 0;
  seen = 0;

  constructor(shape: StorageShape) {
    const { capacity, sampleSize, logitsSize = 0 } = shape;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity: expected a positive integer, got ${capacity}`);
    }
    if (!Number.isInteger(sampleSize) || sampleSize < 1) {
      throw new RangeError(`sampleSize: expected a positive integer, got ${sampleSize}`);
    }
    if (!Number.isInteger(logitsSize) || logitsSize < 0) {
      throw new RangeError(`logitsSize: expected a non-negative integer, got ${logitsSize}`);
    }
    this.capacity = capacity;
    this.sampleSize = sampleSize;
    this.logitsSize = logitsSize;
    this.x = new Float32Array(capacity * sampleSize);
    this.y = new Int32Array(capacity);
    this.taskIds = new Int32Array(capacity);
    this.logits = new Float32Array(capacity * logitsSize);
  }

  /** Rows in `examples`, after checking their arrays agree with each other and with the storage. */
  count(examples: Examples): number {
    const n = examples.y.length;
    if (examples.x.length !== n * this.sampleSize) {
      throw new RangeError(
        `x: expected ${n} x ${this.sampleSize} values for ${n} labels, got ${examples.x.length}`,
      );
    }
    if (typeof examples.taskIds !== 'number' && examples.taskIds && examples.taskIds.length !== n) {
      throw new RangeError(`taskIds: expected ${n} task ids, got ${examples.taskIds.length}`);
    }
    if (this.logitsSize && examples.logits?.length !== n * this.logitsSize) {
      throw new RangeError(
        `logits: expected ${n} x ${this.logitsSize} values, got ${examples.logits?.length ?? 'none'}`,
      );
    }
    return n;
  }

  /** Copies row `row` of `examples` into `slot`. */
  write(slot: number, examples: Examples, row: number): void {
    const s = this.sampleSize;
    this.x.set(examples.x.subarray(row * s, (row + 1) * s), slot * s);
    this.y[slot] = examples.y[row];
    const t = examples.taskIds;
    this.taskIds[slot] = t === undefined ? 0 : typeof t === 'number' ? t : t[row];
    if (this.logitsSize && examples.logits) {
      const k = this.logitsSize;
      this.logits.set(examples.logits.subarray(row * k, (row + 1) * k), slot * k);
    }
  }

  /** The rows in `slots`, copied out. */
  read(slots: Int32Array): BufferBatch {
    const s = this.sampleSize;
    const k = this.logitsSize;
    const x = new Float32Array(slots.length * s);
    const y = new Int32Array(slots.length);
    const taskIds = new Int32Array(slots.length);
    const logits = k ? new Float32Array(slots.length * k) : undefined;
    slots.forEach((slot, r) => {
      x.set(this.x.subarray(slot * s, (slot + 1) * s), r * s);
      y[r] = this.y[slot];
      taskIds[r] = this.taskIds[slot];
      logits?.set(this.logits.subarray(slot * k, (slot + 1) * k), r * k);
    });
    return { x, y, taskIds, slots, ...(logits ? { logits } : {}) };
  }

  /** `min(n, size)` distinct filled slots, uniformly at random (a partial Fisher-Yates shuffle). */
  randomSlots(n: number, rng: Rng): Int32Array {
    const take = Math.min(Math.max(0, Math.floor(n)), this.size);
    const pool = Int32Array.from({ length: this.size }, (_, i) => i);
    for (let i = 0; i < take; i++) {
      const j = i + rng.int(this.size - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    return pool.slice(0, take);
  }

  memoryBytes(): number {
    return this.x.byteLength + this.y.byteLength + this.taskIds.byteLength + this.logits.byteLength;
  }

  /**
   * Removes the rows whose input `match` accepts, moving the others down in their order; returns
   * the slots kept, old numbering, in their new order (a caller with arrays of its own beside the
   * rows, such as keys, moves them the same way). `seen` stays: the examples were offered.
   */
  forget(match: ExampleMatch): Int32Array {
    const kept = rowsToKeep(this.x, this.sampleSize, this.size, match);
    if (kept.length === this.size) return kept;
    const [s, k] = [this.sampleSize, this.logitsSize];
    kept.forEach((slot, to) => {
      // to <= slot always: copying down in order never overwrites a row still to be moved.
      this.x.copyWithin(to * s, slot * s, (slot + 1) * s);
      this.y[to] = this.y[slot];
      this.taskIds[to] = this.taskIds[slot];
      if (k) this.logits.copyWithin(to * k, slot * k, (slot + 1) * k);
    });
    this.size = kept.length;
    return kept;
  }

  state(policy: string): BufferState {
    return {
      policy,
      capacity: this.capacity,
      sampleSize: this.sampleSize,
      logitsSize: this.logitsSize,
      size: this.size,
      seen: this.seen,
      x: this.x.slice(0, this.size * this.sampleSize),
      y: this.y.slice(0, this.size),
      taskIds: this.taskIds.slice(0, this.size),
      logits: this.logits.slice(0, this.size * this.logitsSize),
    };
  }

  restore(policy: string, state: BufferState): void {
    const expected = `${policy} ${this.capacity}/${this.sampleSize}/${this.logitsSize}`;
    const got = `${state.policy} ${state.capacity}/${state.sampleSize}/${state.logitsSize}`;
    if (expected !== got) {
      throw new RangeError(
        `buffer state: expected policy capacity/sampleSize/logitsSize ${expected}, got ${got}`,
      );
    }
    if (!(Number.isInteger(state.size) && state.size >= 0 && state.size <= this.capacity)) {
      throw new RangeError(`buffer state: size ${state.size} is outside [0, ${this.capacity}]`);
    }
    if (!(Number.isInteger(state.seen) && state.seen >= state.size)) {
      throw new RangeError(
        `buffer state: seen: expected an integer >= size ${state.size}, got ${state.seen}`,
      );
    }
    // Short arrays would otherwise restore silently as a mix of the state's rows and stale ones.
    const lengths = {
      x: state.size * this.sampleSize,
      y: state.size,
      taskIds: state.size,
      logits: state.size * this.logitsSize,
    } as const;
    for (const [field, length] of Object.entries(lengths) as [keyof typeof lengths, number][]) {
      if (state[field].length < length) {
        throw new RangeError(
          `buffer state: ${field}: expected ${length} values for ${state.size} rows, got ${state[field].length}`,
        );
      }
    }
    this.x.set(state.x.subarray(0, state.size * this.sampleSize));
    this.y.set(state.y.subarray(0, state.size));
    this.taskIds.set(state.taskIds.subarray(0, state.size));
    this.logits.set(state.logits.subarray(0, state.size * this.logitsSize));
    this.size = state.size;
    this.seen = state.seen;
  }
}

/**
 * A `ReplayBuffer` over a `BufferStorage`: everything but the policy. Reading (`sample`, `all`),
 * the footprint and checkpointing (`state`, `restore`) depend only on the stored rows, so each
 * policy (reservoir.ts, class-balanced.ts) extends this and writes only its `add`: which offered
 * examples are kept and which slots they take. A policy that keeps bookkeeping of its own beside
 * the rows (class-balanced's per-class counts) rebuilds it in an overriding `restore`.
 */
export abstract class StoredBuffer implements ReplayBuffer {
  abstract readonly policy: string;
  protected readonly storage: BufferStorage;
  /** The policy's generator, if it draws: replaced on `restore` by one at the saved state. */
  protected rng: Rng | undefined;

  constructor(shape: StorageShape, rng?: Rng) {
    this.storage = new BufferStorage(shape);
    this.rng = rng;
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

  abstract add(examples: Examples): void;

  sample(n: number, rng: Rng): BufferBatch {
    return this.storage.read(this.storage.randomSlots(n, rng));
  }

  all(): BufferBatch {
    return this.storage.read(Int32Array.from({ length: this.storage.size }, (_, i) => i));
  }

  memoryBytes(): number {
    return this.storage.memoryBytes();
  }

  forget(match: ExampleMatch): number {
    const before = this.storage.size;
    return before - this.storage.forget(match).length;
  }

  state(): BufferState {
    const rows = this.storage.state(this.policy);
    return this.rng ? { ...rows, rng: this.rng.state() } : rows;
  }

  restore(state: BufferState): void {
    const { rng } = state;
    const valid = rng !== undefined && Number.isInteger(rng) && rng >= 0 && rng <= 0xffffffff;
    if (this.rng && !valid) {
      throw new RangeError(
        `buffer state: rng: expected the ${this.policy} policy's generator state (a uint32), got ${rng}`,
      );
    }
    this.storage.restore(this.policy, state);
    if (this.rng && valid) this.rng = createRng(rng);
  }
}

/** A `BufferState` as checkpoint data (core/state.ts). */
export function bufferStateValue(state: BufferState): StateRecord {
  const { policy, capacity, sampleSize, logitsSize, size, seen, x, y, taskIds, logits, rng } = state;
  const rows = { policy, capacity, sampleSize, logitsSize, size, seen, x, y, taskIds, logits };
  return rng === undefined ? rows : { ...rows, rng };
}

/** Reads `bufferStateValue`'s record back, each field checked (a DataFormatError naming it). */
export function readBufferState(value: StateValue, where: string): BufferState {
  const r = new StateReader(value, where);
  return {
    policy: r.string('policy'),
    capacity: r.integer('capacity'),
    sampleSize: r.integer('sampleSize'),
    logitsSize: r.integer('logitsSize'),
    size: r.integer('size'),
    seen: r.integer('seen'),
    x: r.floats('x'),
    y: r.ints('y'),
    taskIds: r.ints('taskIds'),
    logits: r.floats('logits'),
    ...(r.has('rng') ? { rng: r.integer('rng') } : {}),
  };
}

/**
 * Restores `buffer` from checkpoint data: what `bufferStateValue(buffer.state())` saved. A state
 * that does not fit the buffer (another policy, capacity or row size: other options) is refused
 * as a DataFormatError at `where`, naming the field.
 */
export function restoreBuffer(buffer: ReplayBuffer, value: StateValue, where: string): void {
  const state = readBufferState(value, where);
  asFormatError(where, () => buffer.restore(state));
}

/** As `restoreBuffer`, for a bare storage whose owner fills it itself (A-GEM's and GEM's memory). */
export function restoreStorage(
  storage: BufferStorage,
  policy: string,
  value: StateValue,
  where: string,
): void {
  const state = readBufferState(value, where);
  asFormatError(where, () => storage.restore(policy, state));
}

/** Runs `restore`, turning its RangeError (a state that does not fit) into a DataFormatError at `where`. */
function asFormatError(where: string, restore: () => void): void {
  try {
    restore();
  } catch (error) {
    if (error instanceof RangeError) throw new DataFormatError(where, error.message);
    throw error;
  }
}
