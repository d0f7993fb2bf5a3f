import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from './tf.js';
import { initEngine } from './backend.js';
import { registerFileRouters } from './file-io.js';

await initEngine();

const root = mkdtempSync(join(tmpdir(), 'unforget-file-io-'));
after(() => rmSync(root, { recursive: true, force: true }));
const url = (...parts: string[]) => pathToFileURL(join(root, ...parts)).href;
const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** input - dense - BatchNorm - dense, seeded, its BatchNorm statistics moved off their initial values. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [5] });
  const hidden = tf.layers.dense({
    units: 6,
    activation: 'relu',
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
  });
  const bn = tf.layers.batchNormalization({ momentum: 0.5 });
  const out = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) });
  const model = tf.model({
    inputs: input,
    outputs: out.apply(bn.apply(hidden.apply(input))) as tf.SymbolicTensor,
    name: 'small',
  });
  tf.tidy(() => {
    model.apply(tf.randomUniform([8, 5], -1, 1, 'float32', 3), { training: true });
  });
  return model;
}

describe('file:// in Node', () => {
  it('is registered once, by importing the engine', () => {
    assert.equal(registerFileRouters(), true);
    assert.equal(tf.io.getSaveHandlers('file:///tmp/x').length, 1);
    assert.equal(tf.io.getLoadHandlers('file:///tmp/x/model.json').length, 1);
  });

  it("saves tf.io's layout and loads it back with identical outputs, weights and statistics", async () => {
    const start = tf.memory().numTensors;
    const model = smallModel();
    const result = await model.save(url('round-trip'));
    assert.ok((result.modelArtifactsInfo.weightDataBytes ?? 0) > 0);
    const json = JSON.parse(readFileSync(join(root, 'round-trip', 'model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.equal(json.modelTopology.class_name, 'Model');
    assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
    assert.equal(
      json.weightsManifest[0].weights.length,
      8,
      'kernels, biases, gamma, beta, moving mean and variance',
    );
    const bytes = readFileSync(join(root, 'round-trip', 'weights.bin')).length;
    assert.equal(bytes, result.modelArtifactsInfo.weightDataBytes);
    assert.equal(bytes, 4 * model.getWeights().reduce((n, w) => n + w.size, 0));

    const loaded = await tf.loadLayersModel(url('round-trip', 'model.json'));
    assert.deepEqual(loaded.getWeights().map(values), model.getWeights().map(values));
    const x = tf.randomUniform([4, 5], -1, 1, 'float32', 4);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    assert.deepEqual(values(b), values(a));
    // A folder is read as its model.json.
    const fromFolder = await tf.loadLayersModel(url('round-trip'));
    const c = fromFolder.predict(x) as tf.Tensor;
    assert.deepEqual(values(c), values(a));
    tf.dispose([x, a, b, c]);
    [model, loaded, fromFolder].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });

  it('reads weights split over several files, as the manifest lists them', async () => {
    const start = tf.memory().numTensors;
    const model = smallModel();
    await model.save(url('sharded'));
    const dir = join(root, 'sharded');
    const weights = readFileSync(join(dir, 'weights.bin'));
    const cut = 4 * 7;
    writeFileSync(join(dir, 'group1-shard1of2.bin'), weights.subarray(0, cut));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), weights.subarray(cut));
    rmSync(join(dir, 'weights.bin'));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const loaded = await tf.loadLayersModel(url('sharded', 'model.json'));
    assert.deepEqual(loaded.getWeights().map(values), model.getWeights().map(values));
    [model, loaded].forEach((m) => m.dispose());
    assert.equal(tf.memory().numTensors, start);
  });

  it('says what is missing or wrong', async () => {
    await assert.rejects(
      tf.loadLayersModel(url('nowhere', 'model.json')),
      /nowhere\/model\.json: no such file/,
    );
    const dir = join(root, 'broken');
    const model = smallModel();
    await model.save(url('broken'));
    rmSync(join(dir, 'weights.bin'));
    await assert.rejects(
      tf.loadLayersModel(url('broken', 'model.json')),
      /names weights\.bin, which is not there/,
    );
    writeFileSync(join(root, 'a-file'), 'x');
    await assert.rejects(model.save(url('a-file')), /saves into a folder, and this path is a file/);
    writeFileSync(join(dir, 'model.json'), '{ "weightsManifest": [] }');
    await assert.rejects(
      tf.loadLayersModel(url('broken', 'model.json')),
      /expected a model\.json with a modelTopology/,
    );
    assert.equal(existsSync(join(root, 'a-file')), true);
    model.dispose();
  });
});
