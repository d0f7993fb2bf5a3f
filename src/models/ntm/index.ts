/**
 * The Neural Turing Machine (Graves et al. 2014) as a model component, its parts (addressing,
 * memory access, heads, controllers) and the LSTM baseline it is compared with on the copy task.
 */
export { ntm, type Ntm, type NtmOptions, type NtmState } from './ntm.js';
export { lstmNetwork, type LstmNetwork, type LstmOptions } from './lstm.js';
export { lstmController, mlpController, type Controller } from './controller.js';
export {
  address,
  circularShift,
  contentWeights,
  cosineSimilarity,
  interpolate,
  sharpen,
  type AddressingParams,
} from './addressing.js';
export { readMemory, writeMemory } from './memory.js';
export { headGroup, type HeadGroup, type HeadGroupOptions, type HeadParams } from './heads.js';
export { dense, parameterCount, type Dense } from './dense.js';
export { clipByGlobalNorm, clippedStep, DEFAULT_CLIP_NORM } from './sequence-training.js';
export { divergenceGuard, type DivergenceGuard, type DivergenceGuardOptions } from './divergence-guard.js';
