/**
 * Dynamic batching of predictions: the inputs of every predict request that arrives within
 * `BATCH_WINDOW_MS` of the first one waiting go through the model in one forward pass. A forward pass of a small model
 * costs about the same for one row as for dozens (its cost is the kernels' fixed overhead), so
 * under concurrent load each request pays a share of one pass instead of a whole one. Each row
 * keeps its own user (their personal head). Rows are independent, so a batch answers each as it
 * would alone, up to the last bits of float32 rounding, which can differ with the batch's size.
 */
import type { ServedModel } from './served-model.js';

/**
 * How long the first request of a batch waits for others. Requests on different connections
 * arrive in different turns of the event loop, so waiting for the next turn alone batches little;
 * one millisecond is small beside a request's own latency and gathers a busy server's requests.
 */
export const BATCH_WINDOW_MS = 1;

interface Waiting {
  readonly x: Float32Array;
  readonly n: number;
  readonly user: string | null;
  readonly resolve: (p: Float32Array[]) => void;
  readonly reject: (e: unknown) => void;
}

export class PredictBatcher {
  private waiting: Waiting[] = [];
  /** Forward passes run (against the requests answered: how much the batching shares). */
  passes = 0;

  constructor(private readonly model: ServedModel) {}

  /** The probabilities of `n` rows of `x` for `user`, from the pass the requests of its window share. */
  predict(x: Float32Array, n: number, user: string | null): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ x, n, user, resolve, reject }) === 1)
        setTimeout(() => this.flush(), BATCH_WINDOW_MS);
    });
  }

  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    const size = this.model.sampleSize;
    const total = batch.reduce((a, w) => a + w.n, 0);
    const x = new Float32Array(total * size);
    const users: (string | null)[] = [];
    for (const w of batch) {
      x.set(w.x, users.length * size);
      for (let i = 0; i < w.n; i++) users.push(w.user);
    }
    let probabilities: Float32Array[];
    try {
      probabilities = this.model.probabilitiesFor(x, users);
    } catch (error) {
      batch.forEach((w) => w.reject(error));
      return;
    }
    this.passes += 1;
    let at = 0;
    for (const w of batch) {
      w.resolve(probabilities.slice(at, at + w.n));
      at += w.n;
    }
  }
}
