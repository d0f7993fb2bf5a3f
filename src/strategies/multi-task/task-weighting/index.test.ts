import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../core/errors.js';
import { createWeighting, WEIGHTING_NAMES } from './index.js';

describe('createWeighting', () => {
  it('makes each weighting by name, equal by default', () => {
    assert.deepEqual(
      WEIGHTING_NAMES.map((weighting) => createWeighting({ weighting }).name),
      ['equal', 'uncertainty', 'uncertainty-normalized', 'gradnorm', 'dwa'],
    );
    assert.equal(createWeighting().name, 'equal');
  });

  it('names the bad field', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.field;
      }
      return null;
    };
    assert.equal(
      field(() => createWeighting({ weighting: 'mean' as 'equal' })),
      'weighting',
    );
    assert.equal(
      field(() => createWeighting({ weighting: 'dwa', dwaWindow: 1.5 })),
      'dwaWindow',
    );
    assert.equal(
      field(() => createWeighting({ weightLr: 0 })),
      'weightLr',
    );
    assert.equal(
      field(() => createWeighting({ dwaTemperature: -1 })),
      'dwaTemperature',
    );
  });
});
