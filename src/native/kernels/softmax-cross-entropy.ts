/**
 * Fused softmax cross-entropy (forward and gradient).
 *
 * `UnforgetSoftmaxCrossEntropy`: inputs `{logits, labels}`, both [batch, classes] (labels
 * one-hot or soft); outputs `[loss per row [batch], probabilities [batch, classes]]`. The
 * probabilities are what the gradient needs, so they are an output (saved by the tape)
 * rather than recomputed.
 *
 * `UnforgetSoftmaxCrossEntropyGrad`: inputs `{dy, probs, labels}`, attr `divisor`;
 * outputs `[dLogits, dLabels]` with dLogits = (dy[row] / divisor) * (probs - labels) and
 * dLabels = -dLogits. `dy` holds one value per row, or one value for all rows (the
 * gradient of a mean over rows, with `divisor` = the number of rows), so the gradient of
 * the mean loss is one kernel call too.
 *
 * Labels get dy * (labels - probs), which is what tfjs's own `softmaxCrossEntropy` gives
 * them (its custom gradient), not the analytic -log(probs) * dy: the two losses are
 * interchangeable, gradients included.
 *
 * Both kernels are registered for `native` (C++, through `lossKernels`) and for `cpu`
 * (the JS implementation below). The cpu registration and the gradient are module side
 * effects: src/native/register.ts imports this module (through kernels/index.ts) before
 * it can run, so the cpu kernel already exists when `toKernelConfig` looks it up as the
 * native kernel's fallback, whatever order user code imports things in.
 */
import { engine, getGradient, getKernel, registerGradient, registerKernel } from '@tensorflow/tfjs-core';
import type {
  GradConfig,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  Tensor,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { add, mul, sub, sum, zeros, zerosLike } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { nativeKernel } from '../kernel-util.js';

export const SOFTMAX_CROSS_ENTROPY = 'UnforgetSoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'UnforgetSoftmaxCrossEntropyGrad';

export interface LossAddon {
  /** Per row: loss[r] = -sum(labels * log_softmax(logits)), probs = softmax(logits). */
  softmaxCrossEntropy(
    logits: Float32Array,
    labels: Float32Array,
    loss: Float32Array,
    probs: Float32Array,
    batch: number,
    classes: number,
  ): void;
  /** dLogits = (dy[row or 0] / divisor) * (probs - labels); dLabels (if given) = -dLogits. */
  softmaxCrossEntropyGrad(
    dy: Float32Array,
    probs: Float32Array,
    labels: Float32Array,
    dLogits: Float32Array,
    dLabels: Float32Array | null,
    batch: number,
    classes: number,
    divisor: number,
  ): void;
}

type Values = ArrayLike<number>;

/** The [batch, classes] geometry both kernels work on, or null when the shapes do not fit it. */
function rowsAndClasses(logits: TensorInfo, labels: TensorInfo): { batch: number; classes: number } | null {
  const [a, b] = [logits.shape, labels.shape];
  if (a.length !== 2 || b.length !== 2 || a[0] !== b[0] || a[1] !== b[1]) return null;
  return { batch: a[0], classes: a[1] };
}

function divisorOf(attrs: NamedAttrMap | undefined): number {
  const d = attrs?.divisor;
  return typeof d === 'number' ? d : 1;
}

// ---------------------------------------------------------------------------------
// JS implementation (the `cpu` kernels, and the `native` fallback for other dtypes)
// ---------------------------------------------------------------------------------

const f = Math.fround;

/**
 * Same float32 rounding steps as tfjs's softmaxCrossEntropy (and as loss.cc): max,
 * exp(x - max) summed in double, lse = max + log(sum), log-probs x - lse.
 */
function forwardJs(x: Values, y: Values, loss: Float32Array, probs: Float32Array, classes: number): void {
  for (let r = 0; r < loss.length; r++) {
    const off = r * classes;
    let mx = x[off];
    for (let c = 1; c < classes; c++) {
      const v = x[off + c];
      if (Number.isNaN(v) || v > mx) mx = v;
    }
    let total = 0;
    for (let c = 0; c < classes; c++) total += f(Math.exp(f(x[off + c] - mx)));
    const lse = f(mx + f(Math.log(f(total))));
    let rowLoss = 0;
    for (let c = 0; c < classes; c++) {
      const logProb = f(x[off + c] - lse);
      probs[off + c] = Math.exp(logProb);
      rowLoss -= f(logProb * y[off + c]);
    }
    loss[r] = rowLoss;
  }
}

function gradJs(
  dy: Values,
  probs: Values,
  labels: Values,
  dLogits: Float32Array,
  dLabels: Float32Array,
  classes: number,
  divisor: number,
): void {
  const batch = classes === 0 ? 0 : dLogits.length / classes;
  for (let r = 0; r < batch; r++) {
    const scale = f(dy[dy.length === 1 ? 0 : r] / divisor);
    for (let c = r * classes; c < (r + 1) * classes; c++) {
      const g = f(scale * f(probs[c] - labels[c]));
      dLogits[c] = g;
      dLabels[c] = -g;
    }
  }
}

function valuesOf(backend: MathBackendCPU, t: TensorInfo): Values {
  const values = backend.data.get(t.dataId).values;
  if (!values || t.dtype === 'string') throw new Error(`${SOFTMAX_CROSS_ENTROPY}: numeric inputs expected`);
  return values as Values;
}

const forwardCpu: KernelFunc = ({ inputs, backend }) => {
  const cpu = backend as MathBackendCPU;
  const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
  const geom = rowsAndClasses(logits, labels);
  if (!geom) {
    throw new Error(`${SOFTMAX_CROSS_ENTROPY}: logits and labels must both be [batch, classes]`);
  }
  const loss = new Float32Array(geom.batch);
  const probs = new Float32Array(geom.batch * geom.classes);
  forwardJs(valuesOf(cpu, logits), valuesOf(cpu, labels), loss, probs, geom.classes);
  return [
    cpu.makeTensorInfo([geom.batch], 'float32', loss),
    cpu.makeTensorInfo([geom.batch, geom.classes], 'float32', probs),
  ];
};

const gradCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const { dy, probs, labels } = inputs as { dy: TensorInfo; probs: TensorInfo; labels: TensorInfo };
  const geom = rowsAndClasses(probs, labels);
  const dyValues = valuesOf(cpu, dy);
  if (!geom || (dyValues.length !== 1 && dyValues.length !== geom.batch)) {
    throw new Error(`${SOFTMAX_CROSS_ENTROPY_GRAD}: dy must hold 1 or batch values, probs and labels match`);
  }
  const n = geom.batch * geom.classes;
  const dLogits = new Float32Array(n);
  const dLabels = new Float32Array(n);
  gradJs(
    dyValues,
    valuesOf(cpu, probs),
    valuesOf(cpu, labels),
    dLogits,
    dLabels,
    geom.classes,
    divisorOf(attrs),
  );
  return [
    cpu.makeTensorInfo(probs.shape, 'float32', dLogits),
    cpu.makeTensorInfo(probs.shape, 'float32', dLabels),
  ];
};

const cpuKernels: KernelConfig[] = [
  { kernelName: SOFTMAX_CROSS_ENTROPY, backendName: 'cpu', kernelFunc: forwardCpu },
  { kernelName: SOFTMAX_CROSS_ENTROPY_GRAD, backendName: 'cpu', kernelFunc: gradCpu },
];

// ---------------------------------------------------------------------------------
// Native kernels: float32 [batch, classes] inputs; anything else falls back to the JS ones.
// ---------------------------------------------------------------------------------

export const softmaxCrossEntropyNative = nativeKernel(SOFTMAX_CROSS_ENTROPY, ({ inputs, backend }) => {
  const { logits, labels } = inputs;
  const geom = rowsAndClasses(logits, labels);
  const x = backend.f32(logits);
  const y = backend.f32(labels);
  if (!geom || !x || !y || geom.classes < 1) return null;
  const loss = backend.alloc(geom.batch);
  const probs = backend.alloc(geom.batch * geom.classes);
  backend.addon.softmaxCrossEntropy(x, y, loss, probs, geom.batch, geom.classes);
  return [backend.output([geom.batch], loss), backend.output([geom.batch, geom.classes], probs)];
});

export const softmaxCrossEntropyGradNative = nativeKernel(
  SOFTMAX_CROSS_ENTROPY_GRAD,
  ({ inputs, backend, attrs }) => {
    const { dy, probs, labels } = inputs;
    const geom = rowsAndClasses(probs, labels);
    const dyValues = backend.f32(dy);
    const p = backend.f32(probs);
    const y = backend.f32(labels);
    if (!geom || !dyValues || !p || !y) return null;
    if (dyValues.length !== 1 && dyValues.length !== geom.batch) return null;
    const n = geom.batch * geom.classes;
    const dLogits = backend.alloc(n);
    const dLabels = backend.alloc(n);
    const { batch, classes } = geom;
    backend.addon.softmaxCrossEntropyGrad(dyValues, p, y, dLogits, dLabels, batch, classes, divisorOf(attrs));
    return [backend.output(probs.shape, dLogits), backend.output(probs.shape, dLabels)];
  },
);

export const lossKernels = [softmaxCrossEntropyNative, softmaxCrossEntropyGradNative];

// ---------------------------------------------------------------------------------
// Gradient of the forward kernel (used when it is called directly through runKernel).
// ---------------------------------------------------------------------------------

/** d(logits) from d(probs): the softmax backward pass, probs * (dProbs - sum(dProbs * probs)). */
function softmaxBackward(probs: Tensor, dProbs: Tensor): Tensor {
  return mul(probs, sub(dProbs, sum(mul(dProbs, probs), -1, true)));
}

const gradientConfig: GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: ['labels'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    // The tape passes null for an output that is not on the path to the result.
    const [dLoss, dProbs] = dys as Array<Tensor | null>;
    const [labels, probs] = saved;
    // Each closure runs in its own tidy: the output it does not return is disposed.
    const fused = () =>
      dLoss
        ? (engine().runKernel(
            SOFTMAX_CROSS_ENTROPY_GRAD,
            { dy: dLoss, probs, labels },
            { divisor: 1 },
          ) as Tensor[])
        : null;
    return {
      logits: () => {
        const grads = fused();
        const fromLoss = grads ? grads[0] : zerosLike(probs);
        return dProbs ? add(fromLoss, softmaxBackward(probs, dProbs)) : fromLoss;
      },
      labels: () => fused()?.[1] ?? zeros(labels.shape),
    };
  },
};

/**
 * Registers the JS kernels for `cpu` and the gradient, once (already done when this module
 * is imported; calling it again is harmless).
 */
export function registerSoftmaxCrossEntropy(): void {
  for (const config of cpuKernels) {
    if (getKernel(config.kernelName, config.backendName) == null) registerKernel(config);
  }
  if (getGradient(SOFTMAX_CROSS_ENTROPY) == null) registerGradient(gradientConfig);
}

registerSoftmaxCrossEntropy();
