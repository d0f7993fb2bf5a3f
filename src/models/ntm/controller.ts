/**
 * NTM controllers (Graves et al. 2014, section 3.4): a feedforward (MLP) controller, whose only
 * state is the memory, and an LSTM controller. Both map [B, inputSize] to [B, size] per time step
 * and thread their own state; the LSTM cell is also the building block of the LSTM baseline.
 */
import * as tf from '../../engine/tf.js';
import type { Rng } from '../../core/random.js';
import { dense } from './dense.js';

export interface Controller {
  /** Widths of the inputs of a step, e.g. [x, previous reads]. */
  inputSizes: number[];
  /** Width of the output fed to the heads and the output layer. */
  size: number;
  variables: tf.Variable[];
  /** Zero state for a batch (empty for the MLP). */
  initialState(batch: number): tf.Tensor2D[];
  step(state: tf.Tensor2D[], inputs: tf.Tensor2D[]): { output: tf.Tensor2D; state: tf.Tensor2D[] };
}

/** One hidden tanh layer; stateless. */
export function mlpController(rng: Rng, inputSizes: number[], size: number): Controller {
  const layer = dense(rng, inputSizes, size);
  return {
    inputSizes,
    size,
    variables: layer.variables,
    initialState: () => [],
    step: (state, inputs) => ({ output: tf.tanh(layer.apply(...inputs)), state }),
  };
}

/**
 * An LSTM cell (Hochreiter & Schmidhuber 1997, with a forget gate): one dense map of (x, h) per
 * gate (input, forget, cell candidate, output; four small matmuls beat one matmul split in four
 * on the CPU backends); the forget bias starts at 1 so that the cell remembers by default early in
 * training (Jozefowicz et al. 2015). State is [h, c].
 */
export function lstmController(rng: Rng, inputSizes: number[], size: number): Controller {
  const gates = [0, 1, 2, 3].map((k) =>
    dense(rng, [...inputSizes, size], size, new Float32Array(size).fill(k === 1 ? 1 : 0)),
  );
  return {
    inputSizes,
    size,
    variables: gates.flatMap((d) => d.variables),
    initialState: (batch) => [tf.zeros([batch, size]), tf.zeros([batch, size])],
    step: ([h, c], inputs) => {
      const [i, f, g, o] = gates.map((d) => d.apply(...inputs, h));
      const cell: tf.Tensor2D = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const out: tf.Tensor2D = tf.mul(tf.sigmoid(o), tf.tanh(cell));
      return { output: out, state: [out, cell] };
    },
  };
}
