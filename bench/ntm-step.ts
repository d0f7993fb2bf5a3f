/**
 * Seconds per copy-task training step (batch 16, Adam, clipped gradients, 8-bit vectors) of the
 * NTM (controller 100, MLP or LSTM, N=128, M=20, one read and one write head) and of one-layer
 * LSTMs of 52 units (about the MLP-controller NTM's parameter count) and 120 units (about the
 * LSTM-controller NTM's), at a given sequence length. Usage: npx tsx bench/ntm-step.ts [--length 10] [--steps 5]
 */
import { parseArgs } from 'node:util';
import * as tf from '../src/engine/tf.js';
import { initEngine } from '../src/engine/backend.js';
import { adam } from '../src/engine/optimizers/index.js';
import { createRng } from '../src/core/random.js';
import { copyBatch, copyLoss } from '../src/data/copy-task.js';
import { ntm } from '../src/models/ntm/ntm.js';
import { lstmNetwork } from '../src/models/ntm/lstm.js';
import { clippedStep } from '../src/models/ntm/sequence-training.js';
import { parameterCount } from '../src/models/ntm/dense.js';

const { values } = parseArgs({
  options: { length: { type: 'string', default: '10' }, steps: { type: 'string', default: '5' } },
});
const info = await initEngine();
const length = Number(values.length);
const steps = Number(values.steps);
const models = {
  'ntm-mlp': ntm({ inputSize: 9, outputSize: 8, controller: 'mlp', seed: 0 }),
  'ntm-lstm': ntm({ inputSize: 9, outputSize: 8, controller: 'lstm', seed: 0 }),
  'lstm-52': lstmNetwork({ inputSize: 9, outputSize: 8, hiddenSize: 52, seed: 0 }),
  'lstm-120': lstmNetwork({ inputSize: 9, outputSize: 8, hiddenSize: 120, seed: 0 }),
};
for (const [name, model] of Object.entries(models)) {
  const optimizer = adam({ learningRate: 1e-4 });
  const rng = createRng(1);
  const batch = copyBatch(rng, { batch: 16, width: 8, length });
  clippedStep(optimizer, model.variables, () => copyLoss(model.run(batch.inputs), batch)); // warm-up
  const start = performance.now();
  for (let s = 0; s < steps; s++)
    clippedStep(optimizer, model.variables, () => copyLoss(model.run(batch.inputs), batch));
  const seconds = (performance.now() - start) / 1000 / steps;
  tf.dispose([batch.inputs, batch.targets]);
  console.log(
    `${name} (${parameterCount(model.variables)} parameters, backend ${info.backend}): ` +
      `length ${length} (${2 * length + 1} time steps): ${seconds.toFixed(3)} s per step`,
  );
}
