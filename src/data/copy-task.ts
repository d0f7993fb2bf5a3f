/**
 * The copy task (Graves et al. 2014, section 4.1): a sequence of L random binary vectors of
 * `width` bits, then a delimiter on an extra input channel, then L blank steps during which the
 * network must output the sequence again. Inputs are [B, 2L+1, width+1]; the targets are the L
 * vectors, compared with the outputs of the last L steps. One length per batch (all rows share
 * it), drawn by the caller, so that no padding or mask is needed.
 */
import * as tf from '../engine/tf.js';
import type { Rng } from '../core/random.js';

export interface CopyBatch {
  /** [B, 2L+1, width+1]: the vectors (channel `width` zero), the delimiter step, blanks. */
  inputs: tf.Tensor3D;
  /** [B, L, width]: what the last L steps must output. */
  targets: tf.Tensor3D;
  length: number;
}

export interface CopyBatchOptions {
  batch: number;
  /** Bits per vector. Graves et al. use 8. */
  width: number;
  length: number;
}

/** A batch of copy sequences of one length; every bit is 0 or 1 with probability 1/2. */
export function copyBatch(rng: Rng, { batch, width, length }: CopyBatchOptions): CopyBatch {
  if (!Number.isInteger(length) || length < 1)
    throw new Error(`copyBatch: length: expected >= 1, got ${length}`);
  const time = 2 * length + 1;
  const inputs = new Float32Array(batch * time * (width + 1));
  const targets = new Float32Array(batch * length * width);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      for (let k = 0; k < width; k++) {
        const bit = rng.next() < 0.5 ? 1 : 0;
        inputs[(b * time + t) * (width + 1) + k] = bit;
        targets[(b * length + t) * width + k] = bit;
      }
    }
    inputs[(b * time + length) * (width + 1) + width] = 1; // the delimiter
  }
  return {
    inputs: tf.tensor3d(inputs, [batch, time, width + 1]),
    targets: tf.tensor3d(targets, [batch, length, width]),
    length,
  };
}

/** A length drawn uniformly from min..max inclusive. */
export const sampleLength = (rng: Rng, min: number, max: number) => min + rng.int(max - min + 1);

/** The logits of the answer phase: the last L steps of [B, 2L+1, width]. */
export const answerLogits = (logits: tf.Tensor3D, length: number): tf.Tensor3D =>
  tf.slice(logits, [0, length + 1, 0], [-1, length, -1]);

/** Mean sigmoid cross-entropy per bit (nats) of the answer phase: the training loss. */
export const copyLoss = (logits: tf.Tensor3D, batch: CopyBatch): tf.Scalar =>
  tf.losses.sigmoidCrossEntropy(batch.targets, answerLogits(logits, batch.length)) as tf.Scalar;

/**
 * Bits wrong per sequence (the paper's error measure): the answer-phase outputs thresholded at
 * 1/2 (logit 0) against the targets, mismatches summed per sequence, averaged over the batch.
 */
export function bitsWrongPerSequence(logits: tf.Tensor3D, batch: CopyBatch): number {
  const wrong = tf.tidy(() =>
    tf.sum(
      tf.cast(
        tf.notEqual(tf.greater(answerLogits(logits, batch.length), 0), tf.greater(batch.targets, 0.5)),
        'float32',
      ),
    ),
  );
  const total = wrong.dataSync()[0];
  wrong.dispose();
  return total / batch.targets.shape[0];
}
