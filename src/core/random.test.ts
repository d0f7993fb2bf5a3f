import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from './random.js';

describe('createRng', () => {
  it('gives the same draws for the same seed and different ones for another', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const da = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(
      da,
      Array.from({ length: 5 }, () => b.next()),
    );
    assert.notDeepEqual(
      da,
      Array.from({ length: 5 }, () => c.next()),
    );
  });

  it('draws uniform numbers in [0, 1) with the right mean, and normals with mean 0 and variance 1', () => {
    const rng = createRng(1);
    const n = 20000;
    let sum = 0;
    let sumN = 0;
    let sumN2 = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      const z = rng.normal();
      sumN += z;
      sumN2 += z * z;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    assert.ok(Math.abs(sumN / n) < 0.03);
    assert.ok(Math.abs(sumN2 / n - 1) < 0.05);
  });

  it('makes permutations of 0..n-1 and refuses a non-integer seed', () => {
    const p = Array.from(createRng(3).permutation(100));
    assert.deepEqual(
      [...p].sort((x, y) => x - y),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.notDeepEqual(
      p,
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.throws(() => createRng(1.5), /seed: expected an integer/);
  });
});

describe('Rng.state', () => {
  it('resumes the exact sequence, normals and forks included', () => {
    const a = createRng(11);
    a.next();
    a.normal();
    a.permutation(7);
    const b = createRng(a.state());
    const draw = (r: ReturnType<typeof createRng>) => [r.next(), r.normal(), r.int(1000), r.fork().next()];
    assert.deepEqual(draw(b), draw(a));
    assert.equal(b.state(), a.state());
  });
});
