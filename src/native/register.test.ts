import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeOptionsFromEnv } from './register.js';

describe('nativeOptionsFromEnv', () => {
  it('reads threads from UNFORGET_THREADS, else OPENBLAS_NUM_THREADS', () => {
    assert.equal(nativeOptionsFromEnv({ UNFORGET_THREADS: '3', OPENBLAS_NUM_THREADS: '1' }).threads, 3);
    assert.equal(nativeOptionsFromEnv({ OPENBLAS_NUM_THREADS: '1' }).threads, 1);
    assert.equal(nativeOptionsFromEnv({}).threads, undefined);
  });

  it('refuses bad values, naming the variable and what was expected', () => {
    assert.throws(
      () => nativeOptionsFromEnv({ UNFORGET_THREADS: 'two' }),
      /UNFORGET_THREADS: expected a positive integer, got "two"/,
    );
    assert.throws(
      () => nativeOptionsFromEnv({ OPENBLAS_NUM_THREADS: '0' }),
      /OPENBLAS_NUM_THREADS: expected a positive integer/,
    );
    assert.throws(
      () => nativeOptionsFromEnv({ UNFORGET_GEMM: 'mkl' }),
      /UNFORGET_GEMM: expected one of auto, portable/,
    );
  });

  it('reads the pool switch and the GEMM', () => {
    assert.equal(nativeOptionsFromEnv({ UNFORGET_POOL: '0' }).pool, false);
    assert.equal(nativeOptionsFromEnv({ UNFORGET_GEMM: 'portable' }).gemm, 'portable');
  });
});
