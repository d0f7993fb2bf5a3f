/**
 * `fusedDense`: tfjs-layers' Dense layer (same arguments, weights, initialisers,
 * serialisation) whose training step runs on src/engine/ops/dense.ts: one kernel forward
 * and one backward per layer on the native backend, where the stock layer records about
 * a dozen. Anywhere the fused op does not apply (other backends, inputs of rank > 2,
 * activations without a fused form) it is the stock layer.
 *
 * It saves as `Dense` (`getClassName()`, which a model's config and model.json take their class
 * names from), so a saved model loads with plain `tf.loadLayersModel`, unforget or not, as stock
 * Dense layers with the same weights. Its own class name stays registered, so that models saved
 * under it before still load where unforget is imported.
 */
import * as tf from '../../engine/tf.js';
import { dense, isFusableActivation } from '../../engine/ops/dense.js';

type DenseLayerArgs = Parameters<typeof tf.layers.dense>[0];
type Kwargs = Parameters<tf.layers.Layer['call']>[1];

// tfjs-layers exports the factory, not the class; the class comes from an instance.
const TfjsDense = Object.getPrototypeOf(tf.layers.dense({ units: 1 })).constructor as new (
  args: DenseLayerArgs,
) => tf.layers.Layer;

/** The fields of tfjs-layers' Dense that its declaration file marks private. */
interface DenseFields {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { getClassName(): string };
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): void;
}

export class FusedDense extends TfjsDense {
  static className = 'UnforgetFusedDense';

  /** The class name it serialises under: the stock layer's, whose config and weights it shares. */
  override getClassName(): string {
    return 'Dense';
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const fields = this as unknown as DenseFields;
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const activation = fields.activation.getClassName().toLowerCase();
    if (
      (Array.isArray(inputs) && inputs.length !== 1) ||
      input.rank !== 2 ||
      !isFusableActivation(activation)
    ) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      fields.invokeCallHook(inputs, kwargs);
      return dense({
        x: input as tf.Tensor2D,
        kernel: fields.kernel.read() as tf.Tensor2D,
        bias: (fields.bias?.read() as tf.Tensor1D | undefined) ?? null,
        activation,
      });
    });
  }
}
// fromConfig is inherited from tfjs-layers' Layer at run time; its type is not visible here.
tf.serialization.registerClass(
  FusedDense as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);

/** Like `tf.layers.dense`, with the fused training step. */
export function fusedDense(args: DenseLayerArgs): tf.layers.Layer {
  return new FusedDense(args);
}
