/**
 * Losses on the fused kernels of src/native/kernels/softmax-cross-entropy.ts.
 */
import * as tf from './tf.js';
import { NativeBackend } from '../native/native-backend.js';
import {
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_CROSS_ENTROPY_GRAD,
  registerSoftmaxCrossEntropy,
} from '../native/kernels/softmax-cross-entropy.js';

registerSoftmaxCrossEntropy();

/**
 * Mean over rows of the softmax cross-entropy between `labels` (one-hot or soft, same
 * shape as `logits`, classes on the last axis) and `logits`: the value and gradients of
 * `tf.losses.softmaxCrossEntropy(labels, logits)` with its default reduction
 * (SUM_BY_NONZERO_WEIGHTS without weights, i.e. a mean).
 *
 * On backends with the fused kernels (`native`, `cpu`) a training step costs one kernel
 * forward and one backward, plus the tape's copies of the two saved tensors, where tfjs
 * runs ~10 kernels forward and more backward. Elsewhere (wasm) it is tfjs's own loss.
 */
export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  const backendName = tf.getBackend();
  const fused =
    tf.getKernel(SOFTMAX_CROSS_ENTROPY, backendName) != null &&
    tf.getKernel(SOFTMAX_CROSS_ENTROPY_GRAD, backendName) != null;
  if (!fused || logits.rank < 1 || logits.size === 0 || !tf.util.arraysEqual(labels.shape, logits.shape)) {
    // tfjs's loss also raises its own error for mismatched shapes.
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  }
  const classes = logits.shape[logits.rank - 1];
  const rows = logits.size / classes;
  if (logits.rank === 2) return fusedMean(labels, logits, rows);
  return tf.tidy(() =>
    fusedMean(tf.reshape(labels, [rows, classes]), tf.reshape(logits, [rows, classes]), rows),
  );
}

/**
 * The fused loss as one custom-gradient op over [rows, classes] inputs. Its gradient is
 * one UnforgetSoftmaxCrossEntropyGrad call that folds the mean's 1/rows in (tfjs's
 * registered-gradient route would add ~6 kernels for the sum and the division).
 */
function fusedMean(labels: tf.Tensor, logits: tf.Tensor, rows: number): tf.Scalar {
  const op = tf.customGrad<tf.Scalar>((lab, log, save) => {
    const [rowLoss, probs] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, {
      logits: log as tf.Tensor,
      labels: lab as tf.Tensor,
    }) as tf.Tensor[];
    (save as tf.GradSaveFunc)([lab as tf.Tensor, probs]);
    return {
      value: tf.scalar(meanOfRows(rowLoss, rows)) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
        const [savedLabels, savedProbs] = saved;
        const [dLogits, dLabels] = tf
          .engine()
          .runKernel(
            SOFTMAX_CROSS_ENTROPY_GRAD,
            { dy, probs: savedProbs, labels: savedLabels },
            { divisor: rows },
          ) as tf.Tensor[];
        return [dLabels, dLogits];
      },
    };
  });
  return op(labels, logits);
}

/**
 * The mean of the per-row losses, rounded as tfjs's sum-then-divide in float32. It is
 * computed in JS rather than with Sum + RealDiv kernels because the fused kernels only
 * run on backends whose tensors live in JS typed arrays, where reading is free (on native
 * the array is read without marking it escaped, so the pool can still recycle it).
 */
function meanOfRows(rowLoss: tf.Tensor, rows: number): number {
  const backend = tf.backend();
  const values =
    (backend instanceof NativeBackend ? backend.f32(rowLoss) : null) ?? (rowLoss.dataSync() as Float32Array);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return Math.fround(Math.fround(total) / rows);
}
