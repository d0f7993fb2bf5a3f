/** serve.yaml's checks: each refusal names the field, drift options through the detector's own schema. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { parseServedModelConfig, parseServiceConfig } from './service-config.js';

const learner = {
  model: { type: 'mlp' },
  strategy: { name: 'er', bufferSize: 10 },
  sampleShape: [2],
  numClasses: 2,
};
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  return assert.fail('expected a ConfigError');
};

describe('service config', () => {
  it('fills in drift detection (ADWIN on, per user, ending the task) and takes false', () => {
    const config = parseServiceConfig({ models: [{ name: 'm', learner }] });
    assert.deepEqual(config.models[0].drift, {
      detector: 'adwin',
      options: {},
      perUser: true,
      endTask: true,
    });
    assert.equal(parseServedModelConfig({ name: 'm', learner, drift: false }).drift, false);
  });

  it("refuses a bad drift setting, naming the field, options checked by the detector's schema", () => {
    assert.equal(
      refusal(() =>
        parseServiceConfig({ models: [{ name: 'm', learner, drift: { options: { delta: 2 } } }] }),
      ),
      'models[0].drift.options.delta: expected a number in (0, 1), got 2',
    );
    assert.match(
      refusal(() => parseServedModelConfig({ name: 'm', learner, drift: { detector: 'ks' } })),
      /^drift(\.detector)?: /,
    );
    assert.equal(
      refusal(() => parseServedModelConfig({ name: 'm', learner: { ...learner, growOutputs: true } })),
      'learner.growOutputs: expected false: a served model keeps its outputs',
    );
  });
});
