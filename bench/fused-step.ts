/**
 * ms per training step of an MLP 784-256-256-10 (batch 32) on the `native` backend:
 *   (a) tf.losses.softmaxCrossEntropy + tf.train.sgd
 *   (b) unforget's fused softmaxCrossEntropy + in-place sgd
 * plus the two mixed pairs, to attribute the gain. Variants run side by side in one
 * process, interleaved round by round; the figure is the median over the rounds.
 *
 *   npx tsx bench/fused-step.ts [--rounds 5] [--steps 50]
 */
import * as tf from '../src/engine/tf.js';
import { registerNativeBackend } from '../src/native/register.js';
import { softmaxCrossEntropy } from '../src/engine/losses.js';
import { sgd } from '../src/engine/optimizers/index.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = option('rounds', 5);
const STEPS = option('steps', 50);
const BATCH = 32;
const LEARNING_RATE = 0.01;

type Loss = (labels: tf.Tensor, logits: tf.Tensor) => tf.Scalar;
interface Variant {
  name: string;
  loss: Loss;
  optimizer: () => tf.Optimizer;
}

const tfjsLoss: Loss = (labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
const variants: Variant[] = [
  { name: '(a) tfjs loss + tf.train.sgd', loss: tfjsLoss, optimizer: () => tf.train.sgd(LEARNING_RATE) },
  {
    name: '(b) fused loss + unforget sgd',
    loss: softmaxCrossEntropy,
    optimizer: () => sgd({ learningRate: LEARNING_RATE }),
  },
  {
    name: '    fused loss + tf.train.sgd',
    loss: softmaxCrossEntropy,
    optimizer: () => tf.train.sgd(LEARNING_RATE),
  },
  {
    name: '    tfjs loss + unforget sgd',
    loss: tfjsLoss,
    optimizer: () => sgd({ learningRate: LEARNING_RATE }),
  },
];

/** One MLP per variant, each with its own variables and optimizer, same initial values. */
function setup(variant: Variant) {
  const dense = (inputs: number, units: number, seed: number) =>
    [
      tf.variable(tf.randomUniform([inputs, units], -0.05, 0.05, 'float32', seed)) as tf.Variable<tf.Rank.R2>,
      tf.variable(tf.zeros([units])) as tf.Variable<tf.Rank.R1>,
    ] as const;
  const [w1, b1] = dense(784, 256, 1);
  const [w2, b2] = dense(256, 256, 2);
  const [w3, b3] = dense(256, 10, 3);
  const x = tf.randomUniform([BATCH, 784], 0, 1, 'float32', 4) as tf.Tensor2D;
  const y = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 5) as tf.Tensor1D, 10), 'float32'),
  );
  const optimizer = variant.optimizer();
  const vars = [w1, b1, w2, b2, w3, b3];
  const f = () => {
    const h1 = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
    const h2 = tf.fused.matMul({ a: h1, b: w2, bias: b2, activation: 'relu' });
    const logits = tf.fused.matMul({ a: h2, b: w3, bias: b3 });
    return variant.loss(y, logits);
  };
  const step = () => optimizer.minimize(f, false, vars);
  const dispose = () => {
    optimizer.dispose();
    tf.dispose([...vars, x, y]);
  };
  return { step, dispose };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function kernelsPerStep(step: () => void): Promise<number> {
  const info = await tf.profile(() => {
    step();
    return [];
  });
  return info.kernels.length;
}

async function main() {
  const registration = registerNativeBackend();
  if (!registration.ok) throw new Error(`native backend unavailable: ${registration.reason}`);
  await tf.setBackend('native');
  const runs = variants.map((v) => ({ variant: v, ...setup(v), times: [] as number[], kernels: 0 }));
  for (const run of runs) {
    for (let i = 0; i < 10; i++) run.step(); // warm-up: JIT, buffer pool, first-step copies
    run.kernels = await kernelsPerStep(run.step);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of runs) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < STEPS; i++) run.step();
      run.times.push(Number(process.hrtime.bigint() - start) / 1e6 / STEPS);
    }
  }
  console.log(`MLP 784-256-256-10, batch ${BATCH}, backend native (gemm: ${registration.gemm})`);
  console.log(`median (and min) of ${ROUNDS} rounds x ${STEPS} steps; kernels per step from tf.profile`);
  const base = median(runs[0].times);
  for (const run of runs) {
    const ms = median(run.times);
    const best = Math.min(...run.times).toFixed(3);
    const speedup = (base / ms).toFixed(2);
    console.log(
      `${run.variant.name.padEnd(32)} ${ms.toFixed(3)} ms/step (min ${best})  x${speedup}  ${run.kernels} kernels`,
    );
    run.dispose();
  }
}

await main();
