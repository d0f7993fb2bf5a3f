import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c as reference } from '@node-rs/crc32';
import { createRng } from '../../core/random.js';
import { crc32c, maskCrc32c } from './crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('gives the published check values', () => {
    // The CRC catalogue's check value, and RFC 3720 (iSCSI) appendix B.4's test vectors.
    assert.equal(crc32c(ascii('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });

  it('equals @node-rs/crc32 on random buffers, also when continued over pieces', () => {
    const rng = createRng(7);
    for (let n = 0; n < 200; n++) {
      const data = Uint8Array.from({ length: Math.floor(rng.next() * 3000) }, () =>
        Math.floor(rng.next() * 256),
      );
      const expected = reference(data);
      assert.equal(crc32c(data), expected, `buffer ${n} of ${data.length} bytes`);
      const cut = Math.floor(rng.next() * (data.length + 1));
      assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), expected);
    }
  });

  it('masks as TFRecord does: rotate right by 15, add 0xa282ead8, modulo 2^32', () => {
    // Worked by hand: 0xe3069283 rotated right by 15 is 0x2507c60d; + 0xa282ead8 = 0xc78ab0e5.
    assert.equal(maskCrc32c(0xe3069283), 0xc78ab0e5);
    assert.equal(maskCrc32c(0), 0xa282ead8);
    // The addition wraps: 0xffffffff rotated is itself, + 0xa282ead8 overflows 32 bits.
    assert.equal(maskCrc32c(0xffffffff), 0xa282ead7);
    const unmask = (m: number) => {
      const r = (m - 0xa282ead8) >>> 0;
      return ((r << 15) | (r >>> 17)) >>> 0;
    };
    const rng = createRng(3);
    for (let n = 0; n < 100; n++) {
      const crc = Math.floor(rng.next() * 2 ** 32);
      assert.equal(unmask(maskCrc32c(crc)), crc);
    }
  });
});
