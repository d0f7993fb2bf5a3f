import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../core/random.js';
import { herding, meanRow, normalizeRows } from './herding.js';
import { ExemplarSet } from './exemplar-set.js';

/** The greedy rule spelt out: try every unpicked point, keep the one whose mean with the picked lands closest. */
function bruteForce(points: number[][], m: number, target: number[]): number[] {
  const picked: number[] = [];
  while (picked.length < Math.min(m, points.length)) {
    let best = -1;
    let bestDistance = Infinity;
    points.forEach((_, i) => {
      if (picked.includes(i)) return;
      const members = [...picked, i].map((j) => points[j]);
      const mean = target.map((_, d) => members.reduce((s, p) => s + p[d], 0) / members.length);
      const distance = Math.hypot(...mean.map((v, d) => v - target[d]));
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    });
    picked.push(best);
  }
  return picked;
}

describe('herding', () => {
  it('picks, greedily, the points whose running mean comes closest to the class mean', () => {
    const rng = createRng(3);
    const dim = 3;
    const points = Array.from({ length: 20 }, () => Array.from({ length: dim }, () => rng.normal() + 1));
    const flat = normalizeRows(Float32Array.from(points.flat()), dim);
    const target = normalizeRows(meanRow(flat, dim), dim);
    const rows = Array.from({ length: 20 }, (_, r) => [...flat.subarray(r * dim, (r + 1) * dim)]);
    for (const m of [1, 5, 20, 25]) {
      assert.deepEqual([...herding(flat, dim, m, target)], bruteForce(rows, m, [...target]), `m = ${m}`);
    }
    // Herding's mean of 5 is closer to the target than 5 random points' on average.
    const distance = (idx: ArrayLike<number>) => {
      const mean = target.map((_, d) => Array.from(idx).reduce((s, j) => s + rows[j][d], 0) / idx.length);
      return Math.hypot(...mean.map((v, d) => v - target[d]));
    };
    const random = Array.from({ length: 50 }, () => distance(rng.permutation(20).subarray(0, 5)));
    assert.ok(distance(herding(flat, dim, 5, target)) < Math.min(...random));
  });

  it('normalises rows to unit length, leaving zero rows at zero', () => {
    const out = normalizeRows(Float32Array.from([3, 4, 0, 0]), 2);
    assert.deepEqual([...out], [...Float32Array.from([0.6, 0.8, 0, 0])]);
  });
});

describe('ExemplarSet', () => {
  it('keeps each class in priority order and cuts every class to its first m', () => {
    const memory = new ExemplarSet([2], 4);
    memory.set(3, Float32Array.from([1, 1, 2, 2, 3, 3]));
    memory.set(0, Float32Array.from([9, 9, 8, 8]));
    assert.equal(memory.size, 5);
    memory.reduce(1);
    assert.deepEqual(memory.classes(), [0, 3]);
    const data = memory.toDataset()!;
    assert.deepEqual([...data.y], [0, 3]);
    assert.deepEqual([...data.x], [9, 9, 1, 1]);
    assert.equal(new ExemplarSet([2], 4).toDataset(), null);
  });
});
