/**
 * ResNet-18 for small images, as continual-learning papers train it on CIFAR:
 *
 * - `resnet18Reduced`: the reduced ResNet-18 of Lopez-Paz & Ranzato 2017 (GEM's `ResNet18(nclasses,
 *   nf=20)`, which A-GEM and Mammoth's `reduced-resnet18` use too): base width nf = 20;
 * - `resnet18`: ResNet-18 as Mammoth builds it for CIFAR (`resnet18`, nf = 64).
 *
 * Both: a 3x3 stem convolution of stride 1 (no 7x7, no max-pool), BatchNorm, ReLU; four stages of two
 * BasicBlocks of widths nf, 2nf, 4nf, 8nf, the first block of stages 2-4 with stride 2; global
 * average pooling (GEM's `avg_pool2d(out, 4)` on CIFAR's final 4x4 maps; Mammoth's pool over the
 * whole map) and a linear output over the 8nf features. A BasicBlock is
 * `relu(bn(conv3x3(relu(bn(conv3x3(x, stride))))) + shortcut(x))`, the shortcut the identity, or a
 * 1x1 convolution of that stride and BatchNorm where the stride or the width changes. Convolutions
 * have no bias. As in the PyTorch code they come from:
 *
 * - padding 1 on every 3x3 convolution: stride 1 is `same` padding, and a stride-2 convolution pads
 *   one row and column on each side before a `valid` convolution, so that its windows start where
 *   PyTorch's do and line up with the 1x1 shortcut (tfjs's `same` would pad only after);
 * - BatchNorm with epsilon 1e-5 and PyTorch's momentum 0.1 (tfjs's 0.9); tfjs updates the moving
 *   variance with the batch's biased variance, where PyTorch uses the unbiased one;
 * - weights drawn as nn.Conv2d and nn.Linear draw them (`fan-in-uniform`), from the seed.
 *
 * The input's channels are the stream's (GEM and Mammoth fix 3); any height and width work.
 */
import * as tf from '../engine/tf.js';
import { ConfigError } from '../core/errors.js';
import { fusedDense } from './layers/fused-dense.js';
import { fromLayersModel, type LayersClassifier } from './layers-model.js';
import {
  seededInitializers,
  validateImageModel,
  type SeededInitializers,
  type WeightInit,
} from './initializers.js';

type SymbolicTensor = InstanceType<typeof tf.SymbolicTensor>;

export interface ResNetOptions {
  /** Shape of one sample, [height, width, channels]. */
  inputShape: readonly number[];
  numClasses: number;
  /** Base width: the stages have nf, 2nf, 4nf and 8nf channels (resnet18 64, resnet18Reduced 20). */
  nf?: number;
  /** BatchNorm's moving-average momentum, Keras's convention (default 0.9: PyTorch's 0.1). */
  batchNormMomentum?: number;
  /** BatchNorm's epsilon (default 1e-5, PyTorch's). */
  batchNormEpsilon?: number;
  /** Weight initialisation (default `fan-in-uniform`: PyTorch's). */
  init?: WeightInit;
  seed?: number;
}

/** The BasicBlocks of each stage of ResNet-18, and the stride of each stage's first block. */
export const RESNET18_BLOCKS = [2, 2, 2, 2] as const;
export const RESNET18_STRIDES = [1, 2, 2, 2] as const;

export const RESNET_DEFAULTS = {
  batchNormMomentum: 0.9,
  batchNormEpsilon: 1e-5,
  init: 'fan-in-uniform',
} as const satisfies Partial<ResNetOptions>;

interface Builder {
  init: SeededInitializers;
  bn(x: SymbolicTensor, name: string): SymbolicTensor;
  conv(x: SymbolicTensor, filters: number, kernelSize: 1 | 3, stride: number, name: string): SymbolicTensor;
}

const apply = (layer: tf.layers.Layer, x: SymbolicTensor | SymbolicTensor[]) =>
  layer.apply(x) as SymbolicTensor;
const channelsOf = (x: SymbolicTensor) => x.shape[3] as number;

function builder(o: Required<Omit<ResNetOptions, 'seed'>> & { seed?: number }): Builder {
  const init = seededInitializers(o.init, o.seed ?? 0);
  return {
    init,
    bn: (x, name) =>
      apply(
        tf.layers.batchNormalization({ momentum: o.batchNormMomentum, epsilon: o.batchNormEpsilon, name }),
        x,
      ),
    conv(x, filters, kernelSize, stride, name) {
      // PyTorch's padding: 1 for 3x3 (same at stride 1; both sides, then valid, at stride 2), 0 for 1x1.
      const padded =
        kernelSize === 3 && stride > 1
          ? apply(tf.layers.zeroPadding2d({ padding: 1, name: `${name}.pad` }), x)
          : x;
      const layer = tf.layers.conv2d({
        filters,
        kernelSize,
        strides: stride,
        padding: kernelSize === 3 && stride === 1 ? 'same' : 'valid',
        useBias: false,
        kernelInitializer: init.kernel(kernelSize * kernelSize * channelsOf(x)),
        name,
      });
      return apply(layer, padded);
    },
  };
}

function basicBlock(
  b: Builder,
  x: SymbolicTensor,
  planes: number,
  stride: number,
  name: string,
): SymbolicTensor {
  let out = b.conv(x, planes, 3, stride, `${name}.conv1`);
  out = apply(tf.layers.reLU({ name: `${name}.relu1` }), b.bn(out, `${name}.bn1`));
  out = b.bn(b.conv(out, planes, 3, 1, `${name}.conv2`), `${name}.bn2`);
  const shortcut =
    stride !== 1 || channelsOf(x) !== planes
      ? b.bn(b.conv(x, planes, 1, stride, `${name}.shortcut.conv`), `${name}.shortcut.bn`)
      : x;
  return apply(
    tf.layers.reLU({ name: `${name}.relu2` }),
    apply(tf.layers.add({ name: `${name}.add` }), [out, shortcut]),
  );
}

function validate(o: Required<Omit<ResNetOptions, 'seed'>> & { seed?: number }, where: string): void {
  validateImageModel(where, o);
  if (!Number.isInteger(o.nf) || o.nf < 1)
    throw new ConfigError(`${where}.nf`, `expected a positive integer, got ${o.nf}`);
  if (!(o.batchNormMomentum >= 0 && o.batchNormMomentum < 1)) {
    throw new ConfigError(
      `${where}.batchNormMomentum`,
      `expected a value in [0, 1), got ${o.batchNormMomentum}`,
    );
  }
  if (!(o.batchNormEpsilon > 0)) {
    throw new ConfigError(
      `${where}.batchNormEpsilon`,
      `expected a positive number, got ${o.batchNormEpsilon}`,
    );
  }
}

/** ResNet-18 (see the file's comment) as a tfjs-layers functional model, nf 64 unless given. */
export function resnet18LayersModel(options: ResNetOptions, where = 'resnet18'): tf.LayersModel {
  const o = { ...RESNET_DEFAULTS, nf: 64, ...options };
  validate(o, where);
  const b = builder(o);
  const input = tf.input({ shape: [...o.inputShape], name: 'input' });
  let x = b.conv(input, o.nf, 3, 1, 'conv1');
  x = apply(tf.layers.reLU({ name: 'relu1' }), b.bn(x, 'bn1'));
  RESNET18_BLOCKS.forEach((blocks, stage) => {
    const planes = o.nf * 2 ** stage;
    for (let k = 0; k < blocks; k++) {
      x = basicBlock(b, x, planes, k === 0 ? RESNET18_STRIDES[stage] : 1, `layer${stage + 1}.${k}`);
    }
  });
  const features = apply(tf.layers.globalAveragePooling2d({ name: 'avgpool' }), x);
  const fanIn = channelsOf(x);
  const logits = apply(
    fusedDense({
      units: o.numClasses,
      kernelInitializer: b.init.kernel(fanIn),
      biasInitializer: b.init.bias(fanIn),
      name: 'classifier',
    }),
    features,
  );
  return tf.model({ inputs: input, outputs: logits, name: where });
}

function classifier(options: ResNetOptions, nf: number, where: string): LayersClassifier {
  const full = { ...options, nf: options.nf ?? nf };
  const [h, w, c] = options.inputShape;
  return fromLayersModel(resnet18LayersModel(full, where), {
    name: `${where}(${h}x${w}x${c}, nf ${full.nf}, ${options.numClasses} classes)`,
  });
}

/** Mammoth's ResNet-18 for CIFAR: nf 64 (see the file's comment). */
export function resnet18(options: ResNetOptions): LayersClassifier {
  return classifier(options, 64, 'resnet18');
}

/** GEM's reduced ResNet-18 (Lopez-Paz & Ranzato 2017): nf 20 (see the file's comment). */
export function resnet18Reduced(options: ResNetOptions): LayersClassifier {
  return classifier(options, 20, 'resnet18-reduced');
}
