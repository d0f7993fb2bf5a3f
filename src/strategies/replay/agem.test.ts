import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '../../engine/tf.js';
import { initEngine } from '../../engine/backend.js';
import { ConfigError } from '../../core/errors.js';
import { naive } from '../baselines/naive.js';
import type { BufferStorage } from '../../memory/buffer.js';
import type { Plugin } from '../../training/plugin.js';
import { agem, agemPlugin, agemProjection } from './agem.js';
import { dot, flatten } from '../../engine/ops/gradient-vector.js';
import { memoryGradient } from './episodic-memory.js';
import { sixClasses } from '../testing/class-il-replay.js';

await initEngine();

const { stream, runSummary: run } = sixClasses;

/** Every stored row, in slot order. */
const everything = (memory: BufferStorage) =>
  memory.read(Int32Array.from({ length: memory.size }, (_, i) => i));
const norm = (v: tf.Tensor) => Math.sqrt(dot(v, v).dataSync()[0]);

describe('A-GEM', () => {
  it('projects onto the half-space of the reference gradient, and only when the two disagree', () => {
    tf.tidy(() => {
      let projections = 0;
      for (let seed = 0; seed < 100; seed++) {
        const g = tf.randomNormal([50], 0, 1, 'float32', 2 * seed) as tf.Tensor1D;
        const ref = tf.randomNormal([50], 0, 1, 'float32', 2 * seed + 1) as tf.Tensor1D;
        const out = agemProjection(g, ref);
        const before = dot(g, ref).dataSync()[0];
        const after = dot(out, ref).dataSync()[0];
        assert.ok(after >= -1e-5 * norm(g) * norm(ref), `seed ${seed}: ${after}`);
        if (before >= 0) assert.equal(out, g);
        else {
          projections++;
          // The smallest change that does it: g~ - g is along ref, and g~ . ref = 0.
          assert.ok(Math.abs(after) < 1e-5 * norm(g) * norm(ref), `seed ${seed}: ${after}`);
        }
      }
      assert.ok(projections > 20 && projections < 80, `${projections} projections`);
    });
  });

  it('in training, every applied gradient has a non-negative dot product with the memory gradient', () => {
    // minibatchSize >= bufferSize: the reference is the whole memory, which the probe recomputes.
    const plugin = agemPlugin({ bufferSize: 30, minibatchSize: 30, seed: 1 });
    let disagreed = 0;
    let checked = 0;
    const reference = (ctx: Parameters<NonNullable<Plugin['onGradients']>>[0]) =>
      memoryGradient(ctx, everything(plugin.memory!), ctx.trainingSet.sampleShape);
    const before: Plugin = {
      name: 'before',
      transformGradients(ctx) {
        if (
          plugin.memory?.size &&
          dot(flatten(ctx.grads, ctx.model.variables), reference(ctx)).dataSync()[0] < 0
        ) {
          disagreed++;
        }
        return null;
      },
    };
    const after: Plugin = {
      name: 'after',
      onGradients(ctx) {
        if (!plugin.memory?.size) return;
        const g = flatten(ctx.grads, ctx.model.variables);
        const ref = reference(ctx);
        const d = dot(g, ref).dataSync()[0];
        assert.ok(d >= -1e-4 * norm(g) * norm(ref), `step ${ctx.step}: g . g_ref = ${d}`);
        checked++;
      },
    };
    run({ name: 'agem', plugins: [before, plugin, after] });
    assert.equal(plugin.memory?.size, 30);
    // In class-IL the new classes' gradient opposes the old ones' at (nearly) every step: 80 of 80.
    assert.ok(disagreed > 0 && checked >= disagreed, `${disagreed} projected steps of ${checked}`);
  });

  it("beats Naive's ACC on a small class-IL stream (same seed), leaking no tensors", () => {
    const plain = run(naive());
    const projected = run(agem({ bufferSize: 60, minibatchSize: 20 }));
    // Measured: Naive 0.41, A-GEM 0.75.
    assert.ok(projected.acc > plain.acc + 0.2, `A-GEM ${projected.acc} vs Naive ${plain.acc}`);
  });

  it('remembers bufferSize // T random examples of each experience, labelled with its index', () => {
    const plugin = agemPlugin({ bufferSize: 50, seed: 2 });
    run({ name: 'agem', plugins: [plugin] });
    const memory = plugin.memory!;
    assert.equal(memory.size, 48);
    const rows = everything(memory);
    for (let e = 0; e < 3; e++) {
      const labels = Array.from(rows.y).filter((_, r) => rows.taskIds[r] === e);
      assert.equal(labels.length, 16);
      assert.ok(
        labels.every((c) => stream.experiences[e].classes.includes(c)),
        `experience ${e}: ${labels}`,
      );
    }
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    assert.throws(
      () => agem({ bufferSize: 0 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'bufferSize',
    );
    assert.throws(
      () => agem({ minibatchSize: 2.5 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'minibatchSize',
    );
    assert.throws(
      () => agem({ seed: 0.5 }),
      (e: unknown) => e instanceof ConfigError && e.field === 'seed',
    );
    assert.throws(
      () => agem({ memorySize: 100 } as never),
      (e: unknown) => e instanceof ConfigError && e.field === 'memorySize',
    );
    // Fewer slots than experiences: nothing to remember of each.
    assert.throws(
      () => run(agem({ bufferSize: 2 })),
      (e: unknown) => e instanceof ConfigError && e.field === 'bufferSize',
    );
  });
});
