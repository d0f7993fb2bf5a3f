/**
 * The training workloads of the engine benchmark: the three of issue 2, shared by the
 * throughput benchmark, the kernel profiler and the end-to-end backend tests, and the reduced
 * ResNet-18 on 32x32x3 images (issue 16). bench/torch_reference.py builds the same networks in
 * PyTorch.
 */
import * as tf from '../src/engine/tf.js';
import { fusedDense } from '../src/models/layers/fused-dense.js';
import { resnet18LayersModel } from '../src/models/resnet.js';

/** `unforget` builds dense layers with fusedDense (what unforget's models use); `tfjs` with tf.layers.dense. */
export type Flavour = 'unforget' | 'tfjs';
type DenseFactory = typeof tf.layers.dense;
const denseOf = (flavour: Flavour): DenseFactory =>
  (flavour === 'unforget' ? fusedDense : tf.layers.dense) as DenseFactory;

export interface Workload {
  name: string;
  description: string;
  batchSize: number;
  inputShape: number[];
  build(flavour: Flavour): tf.LayersModel;
}

function mlp(hidden: number, flavour: Flavour): tf.LayersModel {
  const dense = denseOf(flavour);
  return tf.sequential({
    layers: [
      dense({ inputShape: [784], units: hidden, activation: 'relu' }),
      dense({ units: hidden, activation: 'relu' }),
      dense({ units: 10 }),
    ],
  });
}

function cnn(flavour: Flavour): tf.LayersModel {
  const dense = denseOf(flavour);
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      dense({ units: 128, activation: 'relu' }),
      dense({ units: 10 }),
    ],
  });
}

export const WORKLOADS: Record<string, Workload> = {
  mlp256: {
    name: 'mlp256',
    description: 'MLP 784-256-256-10, batch 32',
    batchSize: 32,
    inputShape: [784],
    build: (flavour) => mlp(256, flavour),
  },
  mlp1024: {
    name: 'mlp1024',
    description: 'MLP 784-1024-1024-10, batch 256',
    batchSize: 256,
    inputShape: [784],
    build: (flavour) => mlp(1024, flavour),
  },
  cnn: {
    name: 'cnn',
    description: 'CNN conv3x3x32-pool-conv3x3x64-pool-128-10, batch 64',
    batchSize: 64,
    inputShape: [28, 28, 1],
    build: cnn,
  },
  'resnet18-reduced': {
    name: 'resnet18-reduced',
    description: 'reduced ResNet-18 (nf 20, BatchNorm in training mode) on 32x32x3, 10 classes, batch 32',
    batchSize: 32,
    inputShape: [32, 32, 3],
    // The unforget model itself; its output layer is fusedDense in both flavours.
    build: () => resnet18LayersModel({ inputShape: [32, 32, 3], numClasses: 10, nf: 20, seed: 0 }),
  },
};

export function workload(name: string): Workload {
  const w = WORKLOADS[name];
  if (!w) throw new Error(`workload: expected one of ${Object.keys(WORKLOADS).join(', ')}, got "${name}"`);
  return w;
}
