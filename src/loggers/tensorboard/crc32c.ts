/**
 * CRC-32C (Castagnoli), the checksum TFRecord files carry, and TFRecord's masking of it.
 * Reflected polynomial 0x82f63b78, initial value and final xor 0xffffffff, one table lookup per byte:
 * event files are small (a record per epoch or evaluation), so slicing-by-8 would buy nothing.
 */

const POLYNOMIAL = 0x82f63b78;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * CRC-32C of `data`. `previous` continues a checksum over data split in pieces:
 * `crc32c(b, crc32c(a))` equals `crc32c(a ++ b)`.
 */
export function crc32c(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * TFRecord's masked CRC: rotated right by 15 bits plus a constant, so that a CRC computed over
 * data that itself holds CRCs does not degenerate (TensorFlow's `crc32c::Mask`).
 */
export function maskCrc32c(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}
