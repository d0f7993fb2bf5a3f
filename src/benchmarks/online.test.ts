import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussianClusters } from '../data/synthetic.js';
import { classSplit } from './class-split.js';
import { deliver, deliveryOrder, onlineStream } from './online.js';
import { refusedField } from '../core/testing/refused-field.js';

const sizes = [30, 20, 40];
/** The experience a concatenated index belongs to. */
const source = (k: number) => (k < 30 ? 0 : k < 50 ? 1 : 2);

describe('deliveryOrder', () => {
  it('delivers every sample exactly once and marks the nominal boundaries', () => {
    for (const blurry of [0, 7, 20]) {
      const { order, boundaries } = deliveryOrder(sizes, blurry, 3);
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        Array.from({ length: 90 }, (_, k) => k),
      );
      assert.deepEqual(boundaries, [30, 50, 90]);
    }
  });

  it('keeps experiences apart with sharp boundaries, and shuffles within each', () => {
    const { order } = deliveryOrder(sizes, 0, 3);
    assert.deepEqual(
      [...order].map(source),
      sizes.flatMap((n, e) => new Array<number>(n).fill(e)),
    );
    assert.notDeepEqual(
      [...order.subarray(0, 30)],
      Array.from({ length: 30 }, (_, k) => k),
    );
  });

  it('mixes neighbours exactly within the window of `blurry` samples around each boundary', () => {
    const w = 8;
    const { order } = deliveryOrder(sizes, w, 3);
    const sharp = deliveryOrder(sizes, 0, 3).order;
    const inWindow = new Set<number>();
    for (const b of [30, 50]) {
      const lo = b - w / 2;
      const window = [...order.subarray(lo, lo + w)];
      // The window holds the sharp order's samples, shuffled across the boundary: some of the
      // next experience's samples come before it.
      assert.deepEqual(
        [...window].sort((a, c) => a - c),
        [...sharp.subarray(lo, lo + w)].sort((a, c) => a - c),
      );
      assert.ok(
        window.slice(0, w / 2).some((k) => source(k) === source(b)),
        `boundary ${b} is blurred`,
      );
      for (let p = lo; p < lo + w; p++) inWindow.add(p);
    }
    order.forEach((k, p) => {
      if (!inWindow.has(p)) assert.equal(k, sharp[p], `position ${p} is outside the windows`);
    });
  });

  it('puts the odd sample of an odd window after the boundary', () => {
    const { order } = deliveryOrder([4, 4], 3, 1);
    const sharp = deliveryOrder([4, 4], 0, 1).order;
    assert.deepEqual([...order.subarray(0, 3)], [...sharp.subarray(0, 3)]);
    assert.deepEqual([...order.subarray(6)], [...sharp.subarray(6)]);
  });

  it('refuses a window wider than an experience', () => {
    assert.throws(() => deliveryOrder(sizes, 21, 0), RangeError);
  });
});

describe('onlineStream', () => {
  const data = gaussianClusters({ numClasses: 4, samplesPerClass: 10, dims: 2, seed: 1 });
  const stream = classSplit(data, { experiences: 2, seed: 0, scenario: 'class-il' });

  it('keeps the experiences and scenario, and says it is online', () => {
    const online = onlineStream(stream, { batchSize: 10, blurry: 4 });
    assert.equal(online.name, `${stream.name}-online`);
    assert.equal(online.scenario, 'class-il');
    assert.equal(online.experiences, stream.experiences);
    assert.deepEqual(online.online, { batchSize: 10, blurry: 4, seed: 0 });
  });

  it('names the bad field', () => {
    assert.equal(
      refusedField(() => onlineStream(stream, { batchSize: 0 })),
      'online.batchSize',
    );
    assert.equal(
      refusedField(() => onlineStream(stream, { batchSize: 10, blurry: 21 })),
      'online.blurry',
    );
    assert.equal(
      refusedField(() => onlineStream(stream, { batchSize: 10, seed: 0.5 })),
      'online.seed',
    );
    const taskIl = classSplit(data, { experiences: 2, seed: 0, scenario: 'task-il' });
    assert.equal(
      refusedField(() => onlineStream(taskIl, { batchSize: 10 })),
      'scenario',
    );
  });

  it('deliver gathers the train samples in delivery order', () => {
    const online = onlineStream(stream, { batchSize: 10, seed: 2 });
    const { data: delivered, boundaries } = deliver(online);
    assert.deepEqual(boundaries, [20, 40]);
    const [first, second] = stream.experiences;
    assert.ok([...delivered.y.subarray(0, 20)].every((y) => first.classes.includes(y)));
    assert.ok([...delivered.y.subarray(20)].every((y) => second.classes.includes(y)));
    // Each delivered sample is one of the train samples, with its own label.
    const rows = new Map<string, number>();
    for (const e of stream.experiences) {
      e.train.y.forEach((y, j) => rows.set(e.train.x.subarray(j * 2, j * 2 + 2).join(), y));
    }
    delivered.y.forEach((y, p) => assert.equal(rows.get(delivered.x.subarray(p * 2, p * 2 + 2).join()), y));
  });
});
