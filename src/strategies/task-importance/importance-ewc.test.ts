import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initEngine } from '../../engine/backend.js';
import { importanceEwc, importanceEwcDefinition, importanceEwcUniformDefinition } from './importance-ewc.js';
import { refusedField } from '../../core/testing/refused-field.js';

await initEngine();

describe('importance-weighted EWC', () => {
  it("runs the estimator first, then EWC's plugin, named by its weighting", () => {
    const strategy = importanceEwc({ lambda: 10 });
    assert.equal(strategy.name, 'importance-ewc');
    assert.deepEqual(
      strategy.plugins.map((p) => p.name),
      ['task-importance', 'ewc'],
    );
    assert.equal(importanceEwcUniformDefinition.create({}).name, 'importance-ewc-uniform');
    assert.ok(!('weighting' in importanceEwcUniformDefinition.options.shape));
    assert.ok('weighting' in importanceEwcDefinition.options.shape);
  });

  it('refuses an unknown option naming it, and a bad one naming its field', () => {
    assert.equal(
      refusedField(() => importanceEwc({ lamda: 10 } as never)),
      'lamda',
    );
    assert.equal(
      refusedField(() => importanceEwc({ bufferSize: 10 } as never)),
      'bufferSize',
    );
    assert.equal(
      refusedField(() => importanceEwc({ lambda: -1 })),
      'lambda',
    );
    assert.equal(
      refusedField(() => importanceEwc({ importanceHeldOut: 0 })),
      'importanceHeldOut',
    );
  });
});
