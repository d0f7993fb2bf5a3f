/**
 * A Neural Turing Machine (Graves et al. 2014): a controller (LSTM or MLP) with read and write
 * heads on an N x M memory matrix. Usable as a component of other models: `variables` are its
 * trainable tf.Variables, `step` advances one time step, `run` unrolls a batch-first sequence.
 *
 * One time step, given x_t and the state (M_{t-1}, r_{t-1}, w_{t-1}, controller state):
 *   h_t = controller(x_t, r_{t-1})
 *   all heads address M_{t-1} from w_{t-1} (addressing.ts) with parameters emitted from h_t,
 *   the read heads read r_t from M_{t-1}, the write heads erase and add giving M_t (memory.ts),
 *   y_t = W_y [h_t, r_t] + b_y    (logits; the copy task applies the sigmoid in its loss).
 *
 * Initial state: memory is a fixed small constant (1e-6: non-zero so cosine similarity is
 * defined; Collier & Beel 2018 found constant initialisation learns fastest), every head's
 * weighting is fixed at slot 0 (a known starting location that shifts can move from), and the
 * initial read vectors are learned.
 */
import * as tf from '../../engine/tf.js';
import { createRng } from '../../core/random.js';
import { address } from './addressing.js';
import { lstmController, mlpController, type Controller } from './controller.js';
import { dense } from './dense.js';
import { headGroup } from './heads.js';
import { readMemory, writeMemory } from './memory.js';

export interface NtmOptions {
  inputSize: number;
  outputSize: number;
  /** N, the number of memory slots. Default 128. */
  memorySlots?: number;
  /** M, the width of a slot. Default 20. */
  memoryWidth?: number;
  /** Default 'lstm'. */
  controller?: 'lstm' | 'mlp';
  /** Units of the controller. Default 100. */
  controllerSize?: number;
  /** Default 1. */
  readHeads?: number;
  /** Default 1. */
  writeHeads?: number;
  /** R: shifts -R..R are allowed. Default 1. */
  shiftRange?: number;
  /**
   * Initial bias of every head's interpolation gate (default 0, g = 0.5): negative values start
   * the heads closer to location-based addressing (keeping and shifting the previous weighting).
   */
  gateBias?: number;
  /** Seeds the weights. Default 0. */
  seed?: number;
}

export interface NtmState {
  memory: tf.Tensor3D; // [B, N, M]
  reads: tf.Tensor2D; // [B, R * M], the last read vectors side by side
  readWeights: tf.Tensor3D; // [B, R, N]
  writeWeights: tf.Tensor3D; // [B, W, N]
  controller: tf.Tensor2D[];
}

export interface Ntm {
  variables: tf.Variable[];
  initialState(batch: number): NtmState;
  step(state: NtmState, x: tf.Tensor2D): { output: tf.Tensor2D; state: NtmState };
  /** Logits [B, T, outputSize] for inputs [B, T, inputSize]. */
  run(xs: tf.Tensor3D): tf.Tensor3D;
  dispose(): void;
}

const INITIAL_MEMORY = 1e-6;

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`ntm: ${field}: expected a positive integer, got ${value}`);
  return value;
}

export function ntm(options: NtmOptions): Ntm {
  const slots = positiveInteger('memorySlots', options.memorySlots ?? 128);
  const width = positiveInteger('memoryWidth', options.memoryWidth ?? 20);
  const readHeads = positiveInteger('readHeads', options.readHeads ?? 1);
  const writeHeads = positiveInteger('writeHeads', options.writeHeads ?? 1);
  const shiftWidth = 2 * positiveInteger('shiftRange', options.shiftRange ?? 1) + 1;
  const inputSize = positiveInteger('inputSize', options.inputSize);
  const outputSize = positiveInteger('outputSize', options.outputSize);
  const size = positiveInteger('controllerSize', options.controllerSize ?? 100);
  const rng = createRng(options.seed ?? 0);
  const makeController = options.controller === 'mlp' ? mlpController : lstmController;
  const controller: Controller = makeController(rng, [inputSize, readHeads * width], size);
  const { gateBias } = options;
  const readers = headGroup(rng, size, {
    heads: readHeads,
    memoryWidth: width,
    shiftWidth,
    write: false,
    gateBias,
  });
  const writers = headGroup(rng, size, {
    heads: writeHeads,
    memoryWidth: width,
    shiftWidth,
    write: true,
    gateBias,
  });
  const out = dense(rng, [size, readHeads * width], outputSize);
  const initialReads = tf.variable(
    tf.tensor2d(
      Float32Array.from({ length: readHeads * width }, () => 0.01 * rng.normal()),
      [1, readHeads * width],
    ),
  );
  const variables = [
    ...controller.variables,
    ...readers.variables,
    ...writers.variables,
    ...out.variables,
    initialReads,
  ];

  const focusAtSlotZero = (batch: number, heads: number) => {
    const focus = new Float32Array(batch * heads * slots);
    for (let i = 0; i < batch * heads; i++) focus[i * slots] = 1;
    return tf.tensor3d(focus, [batch, heads, slots]);
  };
  const initialState = (batch: number): NtmState => ({
    memory: tf.fill([batch, slots, width], INITIAL_MEMORY) as tf.Tensor3D,
    reads: tf.tile(initialReads, [batch, 1]) as tf.Tensor2D,
    readWeights: focusAtSlotZero(batch, readHeads),
    writeWeights: focusAtSlotZero(batch, writeHeads),
    controller: controller.initialState(batch),
  });

  const step = (state: NtmState, x: tf.Tensor2D) => {
    const b = x.shape[0];
    const { output: h, state: controllerState } = controller.step(state.controller, [x, state.reads]);
    const read = readers.apply(h);
    const write = writers.apply(h);
    const readWeights = address(state.memory, state.readWeights, read);
    const writeWeights = address(state.memory, state.writeWeights, write);
    const reads = tf.reshape(readMemory(state.memory, readWeights), [b, readHeads * width]) as tf.Tensor2D;
    const memory = writeMemory(state.memory, writeWeights, write.erase!, write.add!);
    const output = out.apply(h, reads);
    return { output, state: { memory, reads, readWeights, writeWeights, controller: controllerState } };
  };

  return {
    variables,
    initialState,
    step,
    run: (xs) =>
      tf.tidy(() => {
        let state = initialState(xs.shape[0]);
        const outputs = tf.unstack(xs, 1).map((x) => {
          const result = step(state, x as tf.Tensor2D);
          state = result.state;
          return result.output;
        });
        return tf.stack(outputs, 1) as tf.Tensor3D;
      }),
    dispose: () => tf.dispose(variables),
  };
}
