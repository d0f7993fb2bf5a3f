import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../../engine/backend.js';
import { ConfigError } from '../../core/errors.js';
import { mlp } from '../../models/mlp.js';
import { importanceLwf, importanceLwfDefinition, importanceLwfUniformDefinition } from './importance-lwf.js';

await initEngine();

const field = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.field;
  }
  return null;
};

const copyModel = () => mlp({ inputShape: [2], hiddenSizes: [], numClasses: 2 });

describe('importance-weighted LwF', () => {
  it("runs the estimator first, then LwF's plugin, named by its weighting", () => {
    const strategy = importanceLwf({ copyModel });
    assert.equal(strategy.name, 'importance-lwf');
    assert.deepEqual(
      strategy.plugins.map((p) => p.name),
      ['task-importance', 'lwf'],
    );
    assert.equal(importanceLwfUniformDefinition.create({ copyModel }).name, 'importance-lwf-uniform');
    assert.ok(!('weighting' in importanceLwfUniformDefinition.options.shape));
    assert.ok('weighting' in importanceLwfDefinition.options.shape);
  });

  it('needs copyModel, and refuses an unknown option naming it and a bad one naming its field', () => {
    assert.equal(
      field(() => importanceLwfDefinition.create({})),
      'copyModel',
    );
    assert.equal(
      field(() => importanceLwf({ copyModel, lambda: 10 } as never)),
      'lambda',
    );
    assert.equal(
      field(() => importanceLwf({ copyModel, temperature: 0 })),
      'temperature',
    );
    assert.equal(
      field(() => importanceLwf({ copyModel, importanceTemperature: 0 })),
      'importanceTemperature',
    );
  });
});
