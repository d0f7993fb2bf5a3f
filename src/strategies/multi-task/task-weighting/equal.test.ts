import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { equalWeighting } from './equal.js';

describe('equal weighting', () => {
  it('weighs every task 1 and adds nothing, whatever the losses', () => {
    const w = equalWeighting();
    w.observe({ tasks: [2, 0], losses: [5, 0.1] });
    w.observe({ tasks: [1], losses: [100] });
    assert.deepEqual([w.weight(0), w.weight(1), w.weight(2), w.weight(7)], [1, 1, 1, 1]);
    assert.equal(w.offset(0), 0);
    assert.deepEqual(
      [...w.weights()],
      [
        [0, 1],
        [1, 1],
        [2, 1],
      ],
    );
  });
});
