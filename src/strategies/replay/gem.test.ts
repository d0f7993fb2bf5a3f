import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { ConfigError } from '../../core/errors.js';
import type { BufferStorage } from '../../memory/buffer.js';
import { naive } from '../baselines/naive.js';
import type { Plugin } from '../../training/plugin.js';
import { gem, gemPlugin, gemProjection } from './gem.js';
import { dot, flatten } from '../../engine/ops/gradient-vector.js';
import { memoryGradient } from './episodic-memory.js';
import { sixClasses } from '../testing/class-il-replay.js';

await initEngine();

const { runSummary: run } = sixClasses;

const norm = (v: tf.Tensor) => Math.sqrt(dot(v, v).dataSync()[0]);

describe('GEM', () => {
  it('projects so that no past gradient has a negative dot product (random vectors, exact dual)', () => {
    tf.tidy(() => {
      let projections = 0;
      for (let seed = 0; seed < 100; seed++) {
        const k = 1 + (seed % 6);
        const g = tf.randomNormal([200], 0, 1, 'float32', 2 * seed) as tf.Tensor1D;
        const past = tf.randomNormal([k, 200], 0, 1, 'float32', 2 * seed + 1) as tf.Tensor2D;
        for (const gamma of [0, 0.5]) {
          const out = gemProjection(g, past, gamma, 0);
          const dots = tf.matMul(past, tf.reshape(out, [-1, 1])).dataSync();
          const scale = norm(out) * norm(past);
          dots.forEach((d, i) =>
            assert.ok(d >= -1e-6 * scale, `seed ${seed}, gamma ${gamma}, row ${i}: ${d}`),
          );
          if (out !== g) projections++;
          else
            assert.ok(
              tf
                .matMul(past, tf.reshape(g, [-1, 1]))
                .dataSync()
                .every((d) => d >= 0),
            );
        }
        // With gamma 0 the projection is the closest such vector: one past gradient gives A-GEM's.
        const row = tf.reshape(past, [-1]);
        if (k === 1 && dot(g, row).dataSync()[0] < 0) {
          const agem = tf.sub(g, tf.mul(row, tf.div(dot(g, row), dot(row, row))));
          const diff = norm(tf.sub(gemProjection(g, past, 0, 0), agem));
          assert.ok(diff < 1e-4 * norm(g), `seed ${seed}: ${diff}`);
        }
      }
      assert.ok(projections > 50, `${projections} projections`);
    });
  });

  it('in training, every applied gradient has dot >= -1e-6 (relative) with every past experience gradient', () => {
    // ridge 0: the dual is solved exactly, so the constraints hold up to rounding.
    const plugin = gemPlugin({ bufferSize: 30, ridge: 0 });
    let checked = 0;
    const probe: Plugin = {
      name: 'probe',
      onGradients(ctx) {
        const memory = plugin.memory!;
        if (!memory.size) return;
        const g = flatten(ctx.grads, ctx.model.variables);
        for (const e of new Set(memory.taskIds.subarray(0, memory.size))) {
          const ref = memoryGradient(ctx, rowsOf(memory, e), ctx.trainingSet.sampleShape);
          const d = dot(g, ref).dataSync()[0];
          assert.ok(d >= -1e-6 * norm(g) * norm(ref), `step ${ctx.step}, experience ${e}: ${d}`);
          checked++;
        }
      },
    };
    run({ name: 'gem', plugins: [plugin, probe] });
    // 40 steps with one past experience, 40 with two.
    assert.equal(checked, 120);
  });

  it("beats Naive's ACC on a small class-IL stream (same seed), leaking no tensors", () => {
    const plain = run(naive());
    const projected = run(gem({ bufferSize: 60 }));
    // Measured: Naive 0.41, GEM 0.93.
    assert.ok(projected.acc > plain.acc + 0.3, `GEM ${projected.acc} vs Naive ${plain.acc}`);
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    const field = (name: string) => (e: unknown) => e instanceof ConfigError && e.field === name;
    assert.throws(() => gem({ bufferSize: -1 }), field('bufferSize'));
    assert.throws(() => gem({ gamma: -0.1 }), field('gamma'));
    assert.throws(() => gem({ ridge: NaN }), field('ridge'));
    assert.throws(() => gem({ seed: 1.5 }), field('seed'));
    assert.throws(() => gem({ margin: 0.5 } as never), field('margin'));
    assert.throws(() => run(gem({ bufferSize: 2 })), field('bufferSize'));
  });
});

/** The remembered rows of experience `e`. */
function rowsOf(memory: BufferStorage, e: number) {
  return memory.read(
    Int32Array.from({ length: memory.size }, (_, s) => s).filter((s) => memory.taskIds[s] === e),
  );
}
