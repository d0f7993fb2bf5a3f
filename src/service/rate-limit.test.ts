/** Rate limits: the bucket's arithmetic on a fake clock, and a 429 with Retry-After over HTTP. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RateLimiter } from './rate-limit.js';
import { startService } from './service.js';
import { ADMIN, smallConfig } from './testing/fixture.js';

describe('RateLimiter', () => {
  it('lets a burst through, then one request per 1/rate seconds, per key', () => {
    let t = 0;
    const limiter = new RateLimiter(10, 3, () => t);
    assert.deepEqual(
      [0, 1, 2].map(() => limiter.take('a')),
      [0, 0, 0],
    );
    assert.ok(Math.abs(limiter.take('a') - 0.1) < 1e-9, 'the fourth waits 0.1 s');
    assert.equal(limiter.take('b'), 0, 'another key has its own bucket');
    t = 0.1;
    assert.equal(limiter.take('a'), 0);
    assert.ok(limiter.take('a') > 0);
    t = 10;
    assert.deepEqual(
      [0, 1, 2, 3].map(() => limiter.take('a') === 0),
      [true, true, true, false],
      'refills to the burst, no more',
    );
  });

  it('is off at rate 0', () => {
    const limiter = new RateLimiter(0, 1, () => 0);
    assert.ok(Array.from({ length: 100 }, () => limiter.take('a')).every((w) => w === 0));
  });
});

describe('rate limits over HTTP', () => {
  it('answers 429 with Retry-After once a token is past its rate', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'unforget-rate-')), 'data');
    const config = smallConfig(dataDir);
    const service = await startService(
      { ...config, limits: { ...config.limits, requestsPerSecond: 0.5, burst: 3 } },
      { adminToken: ADMIN, log: () => {} },
    );
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      let body: unknown;
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${service.url}/v1/models/clusters`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        });
        statuses.push(response.status);
        if (response.status === 429) {
          retryAfter = response.headers.get('retry-after');
          body = await response.json();
        } else await response.arrayBuffer();
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.equal(retryAfter, '2');
      assert.deepEqual(body, {
        error: { field: 'rate', message: 'expected at most 0.5 requests per second' },
      });
    } finally {
      await service.close();
    }
  });
});
