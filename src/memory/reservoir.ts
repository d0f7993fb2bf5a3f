/**
 * Reservoir sampling (Vitter 1985, algorithm R): after n examples have been offered, each of them
 * is in the buffer with probability capacity / n, whatever the stream's order or length. The
 * n-th example (1-based) takes a slot while the buffer is not full, and afterwards replaces a
 * uniformly chosen one with probability capacity / n. ER, DER and DER++ fill their memory this
 * way (Chaudhry et al. 2019; Buzzega et al. 2020); it needs no task boundaries.
 */
import type { Rng } from '../core/random.js';
import { StoredBuffer, type Examples, type StorageShape } from './buffer.js';

export class ReservoirBuffer extends StoredBuffer {
  readonly policy = 'reservoir';

  // Always given here (the base class allows a policy that draws nothing): no checks for undefined.
  declare protected rng: Rng;

  /** `rng` decides which examples are kept; give it its own seed (or a fork) so runs repeat. */
  constructor(shape: StorageShape, rng: Rng) {
    super(shape, rng);
  }

  add(examples: Examples): void {
    const s = this.storage;
    const n = s.count(examples);
    for (let row = 0; row < n; row++) {
      if (s.size < s.capacity) {
        s.write(s.size++, examples, row);
      } else {
        // A uniform slot in [0, seen]: kept (in that slot) when it falls inside the buffer.
        const j = this.rng.int(s.seen + 1);
        if (j < s.capacity) s.write(j, examples, row);
      }
      s.seen++;
    }
  }
}
