/**
 * unforget's optimizers: tfjs `Optimizer`s (so `minimize`, tfjs-layers' `compile` and
 * `fit` work with them) whose updates run in place, one native call per variable, on the
 * `native` backend.
 */
export { sgd, SgdOptimizer, type SgdOptions } from './sgd.js';
export { adam, AdamOptimizer, type AdamOptions } from './adam.js';
export { isCheckpointable, type CheckpointableOptimizer } from './common.js';
