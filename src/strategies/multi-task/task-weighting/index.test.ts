import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWeighting, WEIGHTING_NAMES } from './index.js';
import { refusedField } from '../../../core/testing/refused-field.js';

describe('createWeighting', () => {
  it('makes each weighting by name, equal by default', () => {
    assert.deepEqual(
      WEIGHTING_NAMES.map((weighting) => createWeighting({ weighting }).name),
      ['equal', 'uncertainty', 'uncertainty-normalized', 'gradnorm', 'dwa'],
    );
    assert.equal(createWeighting().name, 'equal');
  });

  it('names the bad field', () => {
    assert.equal(
      refusedField(() => createWeighting({ weighting: 'mean' as 'equal' })),
      'weighting',
    );
    assert.equal(
      refusedField(() => createWeighting({ weighting: 'dwa', dwaWindow: 1.5 })),
      'dwaWindow',
    );
    assert.equal(
      refusedField(() => createWeighting({ weightLr: 0 })),
      'weightLr',
    );
    assert.equal(
      refusedField(() => createWeighting({ dwaTemperature: -1 })),
      'dwaTemperature',
    );
  });
});
