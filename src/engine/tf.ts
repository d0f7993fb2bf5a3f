/**
 * The one TensorFlow.js entry point of unforget. Importing tfjs-layers also registers
 * every op's gradient (tfjs-core's Node bundle leaves them out), which training needs on
 * any backend.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';

export * from '@tensorflow/tfjs-core';
export {
  layers,
  sequential,
  model,
  input,
  initializers,
  LayersModel,
  Sequential,
} from '@tensorflow/tfjs-layers';
