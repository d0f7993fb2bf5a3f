import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as tf from './tf.js';
import { initEngine } from './backend.js';

describe('initEngine', () => {
  const saved = process.env.UNFORGET_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.UNFORGET_BACKEND;
    else process.env.UNFORGET_BACKEND = saved;
  });

  it('picks native when the addon is built, and says which GEMM it uses', async () => {
    delete process.env.UNFORGET_BACKEND;
    const info = await initEngine();
    assert.equal(info.backend, 'native');
    assert.equal(tf.getBackend(), 'native');
    assert.match(info.gemm ?? '', /^(auto|openblas|accelerate|portable)$/);
  });

  it('honours UNFORGET_BACKEND', async () => {
    process.env.UNFORGET_BACKEND = 'cpu';
    const info = await initEngine();
    assert.equal(info.backend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
  });

  it('an explicit option wins over the environment', async () => {
    process.env.UNFORGET_BACKEND = 'cpu';
    assert.equal((await initEngine({ backend: 'native' })).backend, 'native');
  });

  it('refuses an unknown backend name, naming the variable and the choices', async () => {
    process.env.UNFORGET_BACKEND = 'gpu';
    await assert.rejects(initEngine(), /UNFORGET_BACKEND: expected one of native, cpu, wasm, got "gpu"/);
  });
});
