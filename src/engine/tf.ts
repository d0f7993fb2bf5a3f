/**
 * The one TensorFlow.js entry point of unforget. Importing tfjs-layers also registers
 * every op's gradient (tfjs-core's Node bundle leaves them out), which training needs on
 * any backend. It also gives tf.io `file://` in Node (file-io.ts), which tfjs-node would otherwise
 * provide: `model.save('file:///dir')`, `tf.loadLayersModel('file:///dir/model.json')`.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { registerFileRouters } from './file-io.js';

export * from '@tensorflow/tfjs-core';
export {
  layers,
  sequential,
  model,
  input,
  initializers,
  LayersModel,
  Sequential,
  loadLayersModel,
  SymbolicTensor,
} from '@tensorflow/tfjs-layers';

registerFileRouters();
