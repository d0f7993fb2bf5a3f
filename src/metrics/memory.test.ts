import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMemorySampler } from './memory.js';

describe('createMemorySampler', () => {
  it('keeps the maximum over samples, including one at start and one at stop', () => {
    const readings = [100, 300, 200, 250];
    let next = 0;
    const sampler = createMemorySampler({ intervalMs: 60_000, readRss: () => readings[next++] });
    assert.equal(sampler.peakBytes, 0);
    sampler.start(); // 100
    sampler.sample(); // 300
    sampler.sample(); // 200
    assert.equal(sampler.peakBytes, 300);
    assert.equal(sampler.stop(), 300); // 250
    assert.equal(next, 4);
  });

  it('samples on its own while started and stops sampling at stop', async () => {
    let reads = 0;
    const sampler = createMemorySampler({ intervalMs: 5, readRss: () => ++reads * 10 });
    sampler.start();
    await sleep(60);
    const peak = sampler.stop();
    assert.ok(reads >= 4, `expected periodic samples, got ${reads} reads`);
    assert.equal(peak, reads * 10);
    await sleep(30);
    assert.equal(sampler.peakBytes, peak);
  });

  it('reads the real RSS by default and refuses a non-positive interval', () => {
    const sampler = createMemorySampler();
    sampler.start();
    const peak = sampler.stop();
    assert.ok(peak > 1e6 && peak >= process.memoryUsage().rss / 2, `implausible RSS ${peak}`);
    assert.throws(
      () => createMemorySampler({ intervalMs: 0 }),
      /intervalMs: expected a positive number, got 0/,
    );
  });
});
