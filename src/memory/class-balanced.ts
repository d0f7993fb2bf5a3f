/**
 * GDumb's greedy class-balanced sampler (Prabhu, Torr & Dokania 2020, "GDumb: A Simple Approach
 * that Questions Our Progress in Continual Learning", Algorithm 1). An offered example is stored
 * while there is room. Once the buffer is full it is stored only if its class holds fewer examples
 * than the largest class, and then it replaces a uniformly chosen example of the largest class
 * (of one of them, chosen uniformly, on a tie). The classes in the buffer therefore end up within
 * one example of each other whenever the stream offers enough of each, whatever their order, and
 * a class new to the stream always gets in. It needs no task boundaries.
 *
 * The victim is the k-th slot of its class in slot order (as Mammoth's balanced sampler picks it),
 * so the buffer's behaviour depends only on its stored labels: a restored buffer continues exactly
 * as the original would have, given the same random draws.
 */
import type { Rng } from '../core/random.js';
import { StoredBuffer, type BufferState, type Examples, type StorageShape } from './buffer.js';
import type { ExampleMatch } from './forget.js';

export class ClassBalancedBuffer extends StoredBuffer {
  readonly policy = 'class-balanced';
  /** Stored examples per class label. */
  private counts = new Map<number, number>();

  // Always given here (the base class allows a policy that draws nothing): no checks for undefined.
  declare protected rng: Rng;

  /** `rng` picks the replaced examples; give it its own seed (or a fork) so runs repeat. */
  constructor(shape: StorageShape, rng: Rng) {
    super(shape, rng);
  }

  /** Stored examples per class, by ascending label. */
  classCounts(): Map<number, number> {
    return new Map([...this.counts].sort((a, b) => a[0] - b[0]));
  }

  add(examples: Examples): void {
    const s = this.storage;
    const n = s.count(examples);
    for (let row = 0; row < n; row++) {
      const label = examples.y[row];
      s.seen++;
      if (s.size < s.capacity) {
        s.write(s.size++, examples, row);
        this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
        continue;
      }
      const largest = Math.max(...this.counts.values());
      if ((this.counts.get(label) ?? 0) >= largest) continue;
      const ties = [...this.counts].filter(([, c]) => c === largest).map(([c]) => c);
      ties.sort((a, b) => a - b);
      const victim = ties[this.rng.int(ties.length)];
      const slot = this.nthSlotOf(victim, this.rng.int(largest));
      s.write(slot, examples, row);
      this.counts.set(victim, largest - 1);
      this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
    }
  }

  /** Restores the rows, then counts their labels again. */
  override restore(state: BufferState): void {
    super.restore(state);
    this.recount();
  }

  /** Removes the matching rows, then counts the labels left. */
  override forget(match: ExampleMatch): number {
    const removed = super.forget(match);
    this.recount();
    return removed;
  }

  private recount(): void {
    this.counts = new Map();
    for (const label of this.storage.y.subarray(0, this.storage.size)) {
      this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
    }
  }

  /** The slot of the `k`-th (0-based) stored example of class `label`, in slot order. */
  private nthSlotOf(label: number, k: number): number {
    const y = this.storage.y;
    for (let slot = 0, found = 0; slot < this.storage.size; slot++) {
      if (y[slot] === label && found++ === k) return slot;
    }
    throw new Error(`class-balanced buffer: class ${label} has no example ${k}`);
  }
}
