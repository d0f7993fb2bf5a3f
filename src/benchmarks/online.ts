/**
 * Online (task-free) streams: the train sets of a stream's experiences delivered once, in small
 * batches, with no boundary announced to the strategy, and optionally blurry boundaries where the
 * classes of neighbouring experiences mix (as in Aljundi et al. 2019's task-free setting and
 * Buzzega et al. 2020's online runs; Bang et al. 2021 call the mixed stream "blurry"). The
 * experiences themselves are kept: evaluation still runs at the nominal boundaries, so an online
 * run has the same accuracy matrix, ACC and forgetting as an offline one.
 */
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { sampleSize, type Dataset } from '../data/dataset.js';
import type { Stream } from './stream.js';

export interface OnlineOptions {
  /** Samples per delivered batch, e.g. 10. */
  batchSize: number;
  /**
   * Samples mixed across each boundary (see `deliveryOrder`); 0, the default, keeps boundaries
   * sharp. At most the smallest experience's train size, so windows never overlap.
   */
  blurry?: number;
  /** Fixes the delivery order; default 0. */
  seed?: number;
}

/**
 * The same stream delivered online: experiences, test sets and scenario unchanged (class-IL or
 * domain-IL: task-IL would hand the trainer the task ids, i.e. the boundaries), `online` set and
 * `-online` appended to the name.
 */
export function onlineStream(stream: Stream, options: OnlineOptions): Stream {
  const { batchSize, blurry = 0, seed = 0 } = options;
  if (stream.online) throw new ConfigError('online', `stream ${stream.name} is already online`);
  if (stream.scenario !== 'class-il' && stream.scenario !== 'domain-il') {
    throw new ConfigError('scenario', `an online stream needs class-il or domain-il, got ${stream.scenario}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConfigError('online.batchSize', `expected a positive integer, got ${batchSize}`);
  }
  const smallest = Math.min(...stream.experiences.map((e) => e.train.y.length));
  if (!Number.isInteger(blurry) || blurry < 0 || blurry > smallest) {
    throw new ConfigError(
      'online.blurry',
      `expected an integer in [0, ${smallest}] (the smallest experience's train size), got ${blurry}`,
    );
  }
  if (!Number.isInteger(seed)) throw new ConfigError('online.seed', `expected an integer, got ${seed}`);
  return { ...stream, name: `${stream.name}-online`, online: { batchSize, blurry, seed } };
}

/** Where the samples go: `order[p]` is the sample delivered at position p. */
export interface DeliveryOrder {
  /** Indices into the train sets of all experiences concatenated in stream order. */
  readonly order: Int32Array;
  /**
   * `boundaries[e]`: the position where experience e nominally ends (its train sets' cumulative
   * size); the last one is the stream's length. Evaluation after experience e happens once the
   * first `boundaries[e]` samples have been delivered.
   */
  readonly boundaries: readonly number[];
}

/**
 * The delivery order of train sets of `sizes` samples: each experience's samples shuffled, the
 * experiences one after the other. With `blurry = w > 0`, around each boundary b the positions
 * [b - floor(w/2), b + ceil(w/2)) are shuffled together: the last floor(w/2) samples of the
 * experience before and the first ceil(w/2) of the one after, so the two mix over a window of w
 * samples and nothing moves further than w positions. Every sample is delivered exactly once.
 */
export function deliveryOrder(sizes: readonly number[], blurry: number, seed: number): DeliveryOrder {
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(`sizes: expected positive integers, got [${sizes.join(', ')}]`);
  }
  if (!Number.isInteger(blurry) || blurry < 0 || blurry > Math.min(...sizes)) {
    throw new RangeError(`blurry: expected an integer in [0, ${Math.min(...sizes)}], got ${blurry}`);
  }
  const rng = createRng(seed);
  const total = sizes.reduce((a, b) => a + b, 0);
  const order = new Int32Array(total);
  const boundaries: number[] = [];
  let offset = 0;
  for (const n of sizes) {
    const shuffled = rng.fork().permutation(n);
    for (let k = 0; k < n; k++) order[offset + k] = offset + shuffled[k];
    offset += n;
    boundaries.push(offset);
  }
  const before = Math.floor(blurry / 2);
  for (const b of boundaries.slice(0, -1)) {
    if (blurry === 0) break;
    const window = order.subarray(b - before, b - before + blurry);
    const mixed = rng
      .fork()
      .permutation(blurry)
      .map((k) => window[k]);
    window.set(mixed);
  }
  return { order, boundaries };
}

/** An online stream's training data in delivery order, and where each experience nominally ends. */
export function deliver(stream: Stream): { data: Dataset; boundaries: readonly number[] } {
  if (!stream.online) throw new ConfigError('online', `stream ${stream.name} is not online`);
  const trains = stream.experiences.map((e) => e.train);
  const { order, boundaries } = deliveryOrder(
    trains.map((d) => d.y.length),
    stream.online.blurry,
    stream.online.seed,
  );
  // Gathered straight from the experiences' train sets: no concatenated copy of the whole stream.
  const size = sampleSize(trains[0]);
  const x = new Float32Array(order.length * size);
  const y = new Int32Array(order.length);
  const starts = boundaries.map((end, e) => end - trains[e].y.length);
  order.forEach((k, p) => {
    let e = 0;
    while (k >= boundaries[e]) e++;
    const j = k - starts[e];
    x.set(trains[e].x.subarray(j * size, (j + 1) * size), p * size);
    y[p] = trains[e].y[j];
  });
  return { data: { ...trains[0], x, y }, boundaries };
}
