import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../../engine/backend.js';
import { mlp } from '../../models/mlp.js';
import { importanceLwf, importanceLwfDefinition, importanceLwfUniformDefinition } from './importance-lwf.js';
import { refusedField } from '../../core/testing/refused-field.js';

await initEngine();

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
      refusedField(() => importanceLwfDefinition.create({})),
      'copyModel',
    );
    assert.equal(
      refusedField(() => importanceLwf({ copyModel, lambda: 10 } as never)),
      'lambda',
    );
    assert.equal(
      refusedField(() => importanceLwf({ copyModel, temperature: 0 })),
      'temperature',
    );
    assert.equal(
      refusedField(() => importanceLwf({ copyModel, importanceTemperature: 0 })),
      'importanceTemperature',
    );
  });
});
