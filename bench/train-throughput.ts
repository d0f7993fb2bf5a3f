/**
 * Training throughput of one workload on one backend, in one process.
 *
 *   npx tsx bench/train-throughput.ts --backend native --workload mlp256 [--passes 3] [--seconds 4]
 *
 * Prints one JSON line: samples/s of each pass (a pass = consecutive steps cycling over a
 * fixed random dataset of 32 batches, --seconds long, after --warmup steps), their median, the last loss, the backend details.
 * bench/run-all.ts runs this for every backend and workload, interleaved, next to PyTorch.
 */
import { parseArgs } from 'node:util';
import * as tf from '../src/engine/tf.js';
import { initEngine, type BackendName } from '../src/engine/backend.js';
import type { NativeBackend } from '../src/native/native-backend.js';
import { STEP_KINDS, makeTrainStep, type StepKind } from './train-step.js';
import { workload } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    workload: { type: 'string', default: 'mlp256' },
    step: { type: 'string', default: 'unforget' },
    passes: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '30' },
    gemm: { type: 'string' },
  },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const engine = await initEngine({ backend: args.backend as BackendName });
  if (args.gemm) {
    // Measure the whole backend on another GEMM of the same build (e.g. the portable one).
    const backend = tf.backend() as NativeBackend;
    backend.addon.setGemm(args.gemm as Parameters<NativeBackend['addon']['setGemm']>[0]);
    engine.gemm = backend.addon.gemm;
  }
  if (!STEP_KINDS.includes(args.step as StepKind))
    throw new Error(`--step: expected ${STEP_KINDS.join('|')}`);
  const w = workload(args.workload!);
  const samples = w.batchSize * 32;
  tf.setBackend(engine.backend);
  const x = tf.randomNormal([samples, ...w.inputShape], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([samples], 0, 10, 'int32', 2);
  const y = tf.cast(tf.oneHot(labels, 10), 'float32');
  const batchesX = tf.split(x, samples / w.batchSize);
  const batchesY = tf.split(y, samples / w.batchSize);
  const model = w.build(args.step === 'tfjs' ? 'tfjs' : 'unforget');
  const { step } = makeTrainStep(model, args.step as StepKind);
  for (let i = 0; i < Number(args.warmup); i++)
    step(batchesX[i % batchesX.length], batchesY[i % batchesY.length]);
  const rates: number[] = [];
  let loss = NaN;
  for (let p = 0; p < Number(args.passes); p++) {
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; ; i = (i + 1) % batchesX.length) {
      loss = step(batchesX[i], batchesY[i]);
      n += w.batchSize;
      if (performance.now() - t0 > Number(args.seconds) * 1000) break;
    }
    rates.push((n / (performance.now() - t0)) * 1000);
  }
  console.log(
    JSON.stringify({
      backend: engine.backend,
      gemm: engine.gemm,
      threads: process.env.UNFORGET_THREADS ?? process.env.OPENBLAS_NUM_THREADS ?? 'default',
      workload: w.name,
      step: args.step,
      samplesPerSecond: Math.round(median(rates)),
      passes: rates.map(Math.round),
      lastLoss: Number(loss.toFixed(4)),
    }),
  );
}

await main();
