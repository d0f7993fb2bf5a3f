/**
 * The LSTM baseline of the copy task (Graves et al. 2014, section 4: the NTM against an LSTM
 * network): `layers` stacked LSTM cells and a linear output layer over the last cell's output,
 * with the same `run` as the NTM so that one training loop serves both.
 */
import * as tf from '../../engine/tf.js';
import { createRng } from '../../core/random.js';
import { lstmController, type Controller } from './controller.js';
import { dense } from './dense.js';

export interface LstmOptions {
  inputSize: number;
  outputSize: number;
  /** Units of every layer. Default 100. */
  hiddenSize?: number;
  /** Default 1. */
  layers?: number;
  seed?: number;
}

export interface LstmNetwork {
  variables: tf.Variable[];
  /** Logits [B, T, outputSize] for inputs [B, T, inputSize]. */
  run(xs: tf.Tensor3D): tf.Tensor3D;
  dispose(): void;
}

export function lstmNetwork(options: LstmOptions): LstmNetwork {
  const hidden = options.hiddenSize ?? 100;
  const rng = createRng(options.seed ?? 0);
  const cells: Controller[] = Array.from({ length: options.layers ?? 1 }, (_, i) =>
    lstmController(rng, [i === 0 ? options.inputSize : hidden], hidden),
  );
  const out = dense(rng, hidden, options.outputSize);
  const variables = [...cells.flatMap((c) => c.variables), ...out.variables];
  return {
    variables,
    run: (xs) =>
      tf.tidy(() => {
        let states = cells.map((c) => c.initialState(xs.shape[0]));
        const outputs = tf.unstack(xs, 1).map((x) => {
          let h = x as tf.Tensor2D;
          states = cells.map((cell, i) => {
            const result = cell.step(states[i], [h]);
            h = result.output;
            return result.state;
          });
          return out.apply(h);
        });
        return tf.stack(outputs, 1) as tf.Tensor3D;
      }),
    dispose: () => tf.dispose(variables),
  };
}
