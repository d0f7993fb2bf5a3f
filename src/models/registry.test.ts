import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '../engine/tf.js';
import { initEngine } from '../engine/backend.js';
import { modelWeights } from './classifier.js';
import { cnn } from './cnn.js';
import { FusedDense } from './layers/fused-dense.js';
import type { LayersClassifier } from './layers-model.js';
import { models, type ModelShape } from './registry.js';

await initEngine();

const shape: ModelShape = { inputShape: [8, 8, 3], numClasses: 4, experiences: 2, seed: 3 };
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const root = mkdtempSync(join(tmpdir(), 'unforget-models-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('model registry: image models and files', () => {
  it('names cnn, resnet18-reduced, resnet18 and layers, each option with its line', () => {
    for (const name of ['cnn', 'resnet18-reduced', 'resnet18', 'layers']) {
      const definition = models.get(name);
      for (const [key, field] of Object.entries(definition.options.shape)) {
        assert.ok((field as { description?: string }).description, `${name}.${key} has a description`);
      }
    }
    assert.deepEqual(models.get('cnn').options.parse({}), {
      filters: [32, 64],
      kernelSize: 3,
      pool: 'max',
      batchNorm: false,
      batchNormMomentum: 0.9,
      hiddenSizes: [128],
      dropout: 0,
      init: 'glorot',
    });
    assert.equal(models.get('resnet18-reduced').options.parse({}).nf, 20);
    assert.equal(models.get('resnet18').options.parse({}).nf, 64);
    assert.equal(models.get('resnet18').options.parse({}).init, 'fan-in-uniform');
    assert.throws(() => models.get('cnn').options.parse({ dropout: 1 }));
    assert.throws(() => models.get('layers').options.parse({}), 'layers needs its path');
  });

  it("builds the image models for the stream's shape and seed", () => {
    const start = tf.memory().numTensors;
    const cnnEntry = models.get('cnn');
    const options = cnnEntry.options.parse({ filters: [4], hiddenSizes: [8], batchNorm: true });
    const [a, b] = [cnnEntry.build(options, shape), cnnEntry.build(options, shape)];
    assert.equal(a.numClasses, 4);
    assert.equal(a.stateVariables?.length, 2);
    modelWeights(a).forEach((v, i) =>
      assert.deepEqual(values(v), values(modelWeights(b)[i]), `the run's seed fixes weight ${i}`),
    );
    const resnet = models.get('resnet18-reduced');
    const r = resnet.build(resnet.options.parse({ nf: 4 }), shape);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1);
    const logits = r.logits(x);
    assert.deepEqual(logits.shape, [2, 4]);
    tf.dispose([x, logits]);
    [a, b, r].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });

  it('`layers`: prepare reads the file once; every build starts from its weights, checked against the stream', async () => {
    // A classifier's model (fromLayersModel has read its graph) saves as any tfjs model does.
    const trained = cnn({
      inputShape: [8, 8, 3],
      numClasses: 4,
      filters: [4],
      hiddenSizes: [8],
      batchNorm: true,
      seed: 7,
    });
    tf.tidy(() => {
      trained.logits(tf.randomUniform([6, 8, 8, 3], 0, 1, 'float32', 2), undefined, true);
    });
    await trained.model.save(pathToFileURL(join(root, 'net')).href);
    const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 3);
    const expected = tf.tidy(() => values(trained.logits(x)));
    trained.dispose();

    const entry = models.get('layers');
    const options = entry.options.parse({ path: 'net/model.json' });
    const start = tf.memory().numTensors;
    const prepared = await entry.prepare!(options, { baseDir: root });
    assert.equal(tf.memory().numTensors, start, 'what prepare read holds no tensors');
    const [a, b] = [
      entry.build(options, shape, prepared),
      entry.build(options, shape, prepared),
    ] as LayersClassifier[];
    assert.equal(a.name, 'layers(net/model.json)');
    assert.equal(a.stateVariables.length, 2, "the file's BatchNorm statistics");
    assert.equal(a.model.layers.filter((l) => l instanceof FusedDense).length, 2, 'dense layers built fused');
    for (const model of [a, b]) {
      const y = tf.tidy(() => values(model.logits(x)));
      y.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `output ${i}: ${v} vs ${expected[i]}`));
    }
    tf.tidy(() => a.variables[0].assign(tf.zerosLike(a.variables[0])));
    assert.notDeepEqual(values(b.variables[0]), values(a.variables[0]), 'each build its own weights');
    [a, b].forEach((m) => m.dispose());
    x.dispose();
    assert.equal(tf.memory().numTensors, start - 1);

    assert.throws(() => entry.build(options, shape), /read by the definition's prepare/);
    assert.throws(
      () => entry.build(options, { ...shape, numClasses: 10 }, prepared),
      /has 4 outputs, the stream has 10 classes/,
    );
    assert.throws(
      () => entry.build(options, { ...shape, inputShape: [28, 28, 1] }, prepared),
      /takes samples of shape \[8, 8, 3\], the stream's are \[28, 28, 1\]/,
    );
    await assert.rejects(
      entry.prepare!({ path: 'missing/model.json' }, { baseDir: root }),
      /model\.path: cannot load/,
    );
  });
});
