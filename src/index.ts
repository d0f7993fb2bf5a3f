/**
 * unforget's public entry point. The continual-learning pieces (streams, strategies,
 * metrics) build on this engine layer.
 */
export {
  initEngine,
  BACKEND_NAMES,
  type BackendName,
  type EngineInfo,
  type EngineOptions,
} from './engine/backend.js';
export { softmaxCrossEntropy } from './engine/losses.js';
export {
  sgd,
  adam,
  SgdOptimizer,
  AdamOptimizer,
  type SgdOptions,
  type AdamOptions,
} from './engine/optimizers/index.js';
export { dense, type DenseArgs, type DenseActivation } from './engine/ops/dense.js';
export { fusedDense, FusedDense } from './models/layers/fused-dense.js';
export {
  NativeBackend,
  registerNativeBackend,
  nativeKernelNames,
  loadAddon,
  NATIVE_BACKEND,
  type NativeBackendOptions,
} from './native/index.js';
export * as tf from './engine/tf.js';
