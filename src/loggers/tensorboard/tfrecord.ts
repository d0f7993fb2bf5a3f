import { crc32c, maskCrc32c } from './crc32c.js';

/** Bytes a record adds around its data: length (8), the length's CRC (4), the data's CRC (4). */
export const RECORD_OVERHEAD = 16;

/**
 * One TFRecord: the data's length as a little-endian uint64, the masked CRC-32C of those 8 bytes,
 * the data, and the masked CRC-32C of the data (both CRCs little-endian uint32). The length has its
 * own CRC so that a reader can tell a torn length from a torn payload without trusting either.
 */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(data.length + RECORD_OVERHEAD);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskCrc32c(crc32c(record.subarray(0, 8))), true);
  record.set(data, 12);
  view.setUint32(12 + data.length, maskCrc32c(crc32c(data)), true);
  return record;
}
