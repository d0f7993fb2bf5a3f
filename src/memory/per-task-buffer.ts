/**
 * A replay memory split into equal parts, one per task seen: `capacity` rows in all, task k's
 * part `floor(capacity / T)` rows plus one for the first `capacity mod T` tasks (T: tasks so
 * far), so parts differ by at most one row. A task's rows are added when it ends
 * (`addTask`: a uniform random subset of its data); the parts of the tasks before it shrink by
 * dropping random rows, so each part stays a uniform sample of its task. A replay batch is drawn
 * with given per-task shares (`sample`): what importance replay tilts towards the tasks that need
 * it, at the budget of a uniform split. Plain typed arrays, as every buffer here.
 */
import type { Rng } from '../core/random.js';
import { DataFormatError } from '../core/errors.js';
import { StateReader, type StateRecord, type StateValue } from '../core/state.js';
import { rowsToKeep, takeRows, type ExampleMatch } from './forget.js';

/** Rows drawn from the buffer; `taskIds` holds each row's task (the key it was added under). */
export interface TaskRows {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly taskIds: Int32Array;
}

interface Part {
  readonly task: number;
  x: Float32Array;
  y: Int32Array;
}

export class PerTaskBuffer {
  private readonly parts: Part[] = [];

  constructor(
    readonly capacity: number,
    readonly sampleSize: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity: expected a positive integer, got ${capacity}`);
    }
    if (!Number.isInteger(sampleSize) || sampleSize < 1) {
      throw new RangeError(`sampleSize: expected a positive integer, got ${sampleSize}`);
    }
  }

  /** The tasks stored, in the order they were added. */
  get tasks(): number[] {
    return this.parts.map((p) => p.task);
  }

  /** Rows stored for each task, in `tasks` order. */
  get sizes(): number[] {
    return this.parts.map((p) => p.y.length);
  }

  get size(): number {
    return this.parts.reduce((n, p) => n + p.y.length, 0);
  }

  /** Bytes of the full buffer (inputs as float32, labels and task ids as int32). */
  memoryBytes(): number {
    return this.capacity * (this.sampleSize * 4 + 8);
  }

  /** Removes the rows whose input `match` accepts, from every task's part; how many it removed. */
  forget(match: ExampleMatch): number {
    let removed = 0;
    for (const part of this.parts) {
      const kept = rowsToKeep(part.x, this.sampleSize, part.y.length, match);
      removed += part.y.length - kept.length;
      if (kept.length < part.y.length)
        Object.assign(part, { x: takeRows(part.x, this.sampleSize, kept), y: takeRows(part.y, 1, kept) });
    }
    return removed;
  }

  /** The share of `capacity` task number `k` (0-based, in adding order) gets among `count` tasks. */
  static quota(capacity: number, count: number, k: number): number {
    return Math.floor(capacity / count) + (k < capacity % count ? 1 : 0);
  }

  /** Stores a uniform random subset of `data` as `task`'s part, shrinking the others to make room. */
  addTask(task: number, data: { x: Float32Array; y: Int32Array }, rng: Rng): void {
    if (this.parts.some((p) => p.task === task)) throw new RangeError(`task ${task} is stored already`);
    const count = this.parts.length + 1;
    this.parts.forEach((part, k) => {
      const keep = Math.min(part.y.length, PerTaskBuffer.quota(this.capacity, count, k));
      const chosen = rng.permutation(part.y.length).subarray(0, keep);
      Object.assign(part, this.pick(part, chosen));
    });
    const quota = PerTaskBuffer.quota(this.capacity, count, count - 1);
    const chosen = rng.permutation(data.y.length).subarray(0, Math.min(quota, data.y.length));
    this.parts.push({ task, ...this.pick(data, chosen) });
  }

  /**
   * `n` rows split across the stored tasks in proportion to `shares` (one per task, in `tasks`
   * order; largest remainders get the rows rounding leaves), each task's drawn uniformly without
   * replacement (with replacement once a part has fewer rows than its count).
   */
  sample(n: number, shares: readonly number[], rng: Rng): TaskRows {
    const counts = PerTaskBuffer.split(n, shares);
    const size = this.sampleSize;
    const total = counts.reduce((a, b) => a + b, 0);
    const x = new Float32Array(total * size);
    const y = new Int32Array(total);
    const taskIds = new Int32Array(total);
    let at = 0;
    this.parts.forEach((part, k) => {
      const rows = part.y.length;
      if (!rows) return;
      const order = rng.permutation(rows);
      for (let r = 0; r < counts[k]; r++) {
        const j = r < rows ? order[r] : rng.int(rows);
        x.set(part.x.subarray(j * size, (j + 1) * size), at * size);
        y[at] = part.y[j];
        taskIds[at] = part.task;
        at++;
      }
    });
    return { x: x.subarray(0, at * size), y: y.subarray(0, at), taskIds: taskIds.subarray(0, at) };
  }

  /** `n` split in proportion to `shares` by largest remainders (ties to the earlier task): sums to n. */
  static split(n: number, shares: readonly number[]): number[] {
    const total = shares.reduce((a, b) => a + b, 0);
    if (!shares.length || !(total > 0)) return shares.map(() => 0);
    const exact = shares.map((s) => (n * s) / total);
    const counts = exact.map(Math.floor);
    const left = n - counts.reduce((a, b) => a + b, 0);
    const byRemainder = exact
      .map((e, k) => k)
      .sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
    for (let r = 0; r < left; r++) counts[byRemainder[r]]++;
    return counts;
  }

  /** The stored parts, task by task (the caller saves the generators it hands in). */
  state(): StateRecord {
    return {
      capacity: this.capacity,
      sampleSize: this.sampleSize,
      parts: this.parts.map((p) => ({ task: p.task, x: p.x, y: p.y })),
    };
  }

  /** Replaces the parts with a `state()` of a buffer of the same capacity and sample size. */
  restore(value: StateValue, where: string): void {
    const state = new StateReader(value, where);
    for (const [field, expected] of [
      ['capacity', this.capacity],
      ['sampleSize', this.sampleSize],
    ] as const) {
      const saved = state.integer(field);
      if (saved !== expected)
        throw new DataFormatError(where, `${field}: expected ${expected}, got ${saved}`);
    }
    const parts = state.list('parts').map((part, k) => {
      const r = new StateReader(part, `${where}.parts[${k}]`);
      const y = r.ints('y');
      return { task: r.integer('task'), x: r.floats('x', y.length * this.sampleSize), y };
    });
    const rows = parts.reduce((n, p) => n + p.y.length, 0);
    if (rows > this.capacity)
      throw new DataFormatError(where, `parts: ${rows} rows exceed the capacity ${this.capacity}`);
    this.parts.splice(0, this.parts.length, ...parts);
  }

  private pick(
    data: { x: Float32Array; y: Int32Array },
    chosen: Int32Array,
  ): { x: Float32Array; y: Int32Array } {
    const size = this.sampleSize;
    const x = new Float32Array(chosen.length * size);
    chosen.forEach((j, k) => x.set(data.x.subarray(j * size, (j + 1) * size), k * size));
    return { x, y: Int32Array.from(chosen, (j) => data.y[j]) };
  }
}
