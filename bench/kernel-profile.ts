/**
 * Where the time of a training step goes: per-kernel wall time, kernel calls per step,
 * and the time outside kernels (engine bookkeeping, autodiff tape, layers, optimizer).
 *
 *   npx tsx bench/kernel-profile.ts --backend native --workload mlp256 [--steps 50]
 *
 * Every kernel registered for the backend is wrapped with a timer; nested kernel calls
 * (a JS kernel calling another) are counted once, in the outer kernel.
 */
import { parseArgs } from 'node:util';
import * as tf from '../src/engine/tf.js';
import { initEngine, type BackendName } from '../src/engine/backend.js';
import { nativeKernelNames } from '../src/native/register.js';
import { makeTrainStep, type StepKind } from './train-step.js';
import { workload } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    workload: { type: 'string', default: 'mlp256' },
    step: { type: 'string', default: 'unforget' },
    steps: { type: 'string', default: '50' },
    top: { type: 'string', default: '16' },
  },
});

interface Tally {
  calls: number;
  ns: bigint;
}
const tallies = new Map<string, Tally>();
let depth = 0;

function instrument(backendName: string): void {
  for (const kernel of tf.getKernelsForBackend(backendName)) {
    const inner = kernel.kernelFunc;
    tf.unregisterKernel(kernel.kernelName, backendName);
    tf.registerKernel({
      ...kernel,
      kernelFunc: (params) => {
        if (depth++ > 0) {
          try {
            return inner(params);
          } finally {
            depth--;
          }
        }
        const t0 = process.hrtime.bigint();
        try {
          return inner(params);
        } finally {
          depth--;
          const t = tallies.get(kernel.kernelName) ?? { calls: 0, ns: 0n };
          t.calls++;
          t.ns += process.hrtime.bigint() - t0;
          tallies.set(kernel.kernelName, t);
        }
      },
    });
  }
}

async function main() {
  const engine = await initEngine({ backend: args.backend as BackendName });
  instrument(engine.backend);
  const w = workload(args.workload!);
  const x = tf.randomNormal([w.batchSize, ...w.inputShape], 0, 1, 'float32', 1);
  const y = tf.cast(tf.oneHot(tf.randomUniform([w.batchSize], 0, 10, 'int32', 2), 10), 'float32');
  const model = w.build(args.step === 'tfjs' ? 'tfjs' : 'unforget');
  const { step } = makeTrainStep(model, args.step as StepKind);
  for (let i = 0; i < 3; i++) step(x, y);
  tallies.clear();
  const steps = Number(args.steps);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < steps; i++) step(x, y);
  const stepMs = Number(process.hrtime.bigint() - t0) / 1e6 / steps;
  const native = new Set(engine.backend === 'native' ? nativeKernelNames() : []);
  const rows = [...tallies.entries()]
    .map(([name, t]) => ({ name, calls: t.calls / steps, ms: Number(t.ns) / 1e6 / steps }))
    .sort((a, b) => b.ms - a.ms);
  const inKernels = rows.reduce((s, r) => s + r.ms, 0);
  const inNative = rows.filter((r) => native.has(r.name)).reduce((s, r) => s + r.ms, 0);
  const calls = rows.reduce((s, r) => s + r.calls, 0);
  console.log(
    `${engine.backend}${engine.gemm ? `/${engine.gemm}` : ''} ${w.description}, step=${args.step}: ` +
      `${stepMs.toFixed(3)} ms/step, ${calls} kernel calls/step; in kernels ${inKernels.toFixed(3)} ms ` +
      `(native-capable ${inNative.toFixed(3)}, JS-only ${(inKernels - inNative).toFixed(3)}), ` +
      `outside kernels ${(stepMs - inKernels).toFixed(3)} ms (${((100 * (stepMs - inKernels)) / stepMs).toFixed(0)}%)`,
  );
  console.log('kernel                    calls/step   ms/step   share');
  for (const r of rows.slice(0, Number(args.top))) {
    console.log(
      `${r.name.padEnd(26)}${String(r.calls).padStart(10)}${r.ms.toFixed(3).padStart(10)}${((100 * r.ms) / stepMs).toFixed(1).padStart(7)}%` +
        (native.has(r.name) ? '  native' : ''),
    );
  }
}

await main();
