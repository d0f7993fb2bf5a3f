import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BufferPool } from './buffer-pool.js';
import { registerNativeBackend } from './register.js';
import type { NativeBackend } from './native-backend.js';

describe('BufferPool', () => {
  it('hands a released array back for the same length only', () => {
    const pool = new BufferPool(1 << 20);
    const a = pool.take(100);
    pool.release(a);
    assert.notEqual(pool.take(99), a);
    assert.equal(pool.take(100), a);
    assert.equal(pool.hits, 1);
  });

  it('never recycles an escaped array, a foreign array or an array twice', () => {
    const pool = new BufferPool(1 << 20);
    const escaped = pool.take(8);
    pool.markEscaped(escaped);
    pool.release(escaped);
    const foreign = new Float32Array(8);
    pool.release(foreign);
    assert.notEqual(pool.take(8), escaped);
    const twice = pool.take(16);
    pool.release(twice);
    pool.release(twice);
    assert.equal(pool.take(16), twice);
    assert.notEqual(pool.take(16), twice);
  });

  it('keeps at most its capacity in free arrays', () => {
    const pool = new BufferPool(1000);
    const arrays = [pool.take(100), pool.take(100), pool.take(100)];
    arrays.forEach((a) => pool.release(a));
    assert.equal(pool.heldBytes, 800);
  });

  it('does nothing when disabled', () => {
    const pool = new BufferPool(1 << 20, false);
    const a = pool.take(4);
    pool.release(a);
    assert.notEqual(pool.take(4), a);
  });
});

describe('the native backend with its pool', () => {
  const registration = registerNativeBackend();

  it('reuses the output array of a disposed kernel result', async () => {
    assert.ok(registration.ok);
    await tf.setBackend('native');
    const backend = tf.backend() as NativeBackend;
    const a = tf.ones([16, 16]);
    const first = tf.matMul(a, a);
    const array = backend.f32(first);
    first.dispose();
    const second = tf.matMul(a, a);
    assert.equal(backend.f32(second), array, 'the freed array was reused');
    tf.dispose([a, second]);
  });

  it('never reuses an array that user code holds from dataSync()', async () => {
    await tf.setBackend('native');
    const a = tf.ones([16, 16]);
    const first = tf.matMul(a, a);
    const held = first.dataSync();
    first.dispose();
    const second = tf.matMul(tf.mul(a, 2), a);
    assert.equal(held[0], 16, 'the array handed out keeps its values');
    assert.equal(second.dataSync()[0], 32);
    tf.dispose([a, second]);
  });

  it('never reuses an array aliased by a slice view', async () => {
    await tf.setBackend('native');
    const a = tf.ones([16, 16]);
    const product = tf.matMul(a, a);
    const rows = tf.slice(product, [0, 0], [2, 16]); // a subarray view of product's array
    product.dispose();
    const other = tf.matMul(tf.mul(a, 3), a);
    assert.deepEqual(Array.from(rows.dataSync()).slice(0, 3), [16, 16, 16]);
    assert.equal(other.dataSync()[0], 48);
    tf.dispose([a, rows, other]);
  });
});
