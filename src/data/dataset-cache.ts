/**
 * A small on-disk cache for parsed datasets, so that sources that are slow to parse (Fashion-MNIST
 * ships as 150 MB of JSON) are parsed once per machine.
 *
 * File layout (all integers little-endian uint32):
 *   magic "UFDC" | format version | header length | header JSON | padding to 8 bytes | arrays
 * The header names each array's type and length and carries the caller's `key`, which changes
 * whenever the source or the conversion changes. A file that fails any check (other magic or
 * version, other key, wrong length) is treated as absent and rebuilt, never trusted. Writes go to
 * a temporary file that is renamed into place, so a crash never leaves a half-written cache.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export type CachedArray = Uint8Array | Int32Array | Float32Array;

/** What a cache file holds: named typed arrays plus JSON-serialisable metadata. */
export interface CacheEntry {
  /** Identifies the source and conversion; a cache with another key is stale. */
  key: string;
  meta: Record<string, unknown>;
  arrays: Record<string, CachedArray>;
}

const MAGIC = 0x43444655; // "UFDC" read as a little-endian uint32
const FORMAT_VERSION = 1;
const PREAMBLE = 12;
const ALIGN = 8;

const ARRAY_TYPES = {
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
} as const;
type ArrayType = keyof typeof ARRAY_TYPES;

interface Header {
  key: string;
  meta: Record<string, unknown>;
  arrays: { name: string; type: ArrayType; length: number }[];
}

/**
 * The folder for unforget's caches: `UNFORGET_CACHE_DIR`, else `$XDG_CACHE_HOME/unforget`, else
 * `~/.cache/unforget`.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.UNFORGET_CACHE_DIR) return env.UNFORGET_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'unforget');
  return join(homedir(), '.cache', 'unforget');
}

/** Writes `entry` to `path` atomically (temporary file, fsync, rename). */
export function writeCache(path: string, entry: CacheEntry): void {
  const header: Header = {
    key: entry.key,
    meta: entry.meta,
    arrays: Object.entries(entry.arrays).map(([name, array]) => ({
      name,
      type: typeOf(array),
      length: array.length,
    })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const preamble = Buffer.alloc(PREAMBLE);
  preamble.writeUInt32LE(MAGIC, 0);
  preamble.writeUInt32LE(FORMAT_VERSION, 4);
  preamble.writeUInt32LE(headerBytes.length, 8);
  const padding = Buffer.alloc(padTo(PREAMBLE + headerBytes.length) - PREAMBLE - headerBytes.length);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    for (const chunk of [preamble, headerBytes, padding]) writeSync(fd, chunk);
    for (const array of Object.values(entry.arrays)) {
      writeSync(fd, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
}

/** Reads the cache at `path` if it exists, is intact and was written for `key`; else undefined. */
export function readCache(path: string, key: string): CacheEntry | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  if (
    bytes.length < PREAMBLE ||
    bytes.readUInt32LE(0) !== MAGIC ||
    bytes.readUInt32LE(4) !== FORMAT_VERSION
  ) {
    return undefined;
  }
  const headerLength = bytes.readUInt32LE(8);
  if (PREAMBLE + headerLength > bytes.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', PREAMBLE, PREAMBLE + headerLength)) as Header;
  } catch {
    return undefined;
  }
  if (header.key !== key || !Array.isArray(header.arrays)) return undefined;
  let offset = padTo(PREAMBLE + headerLength);
  const arrays: Record<string, CachedArray> = {};
  for (const { name, type, length } of header.arrays) {
    const Type = ARRAY_TYPES[type];
    if (!Type || !Number.isInteger(length) || length < 0) return undefined;
    const byteLength = length * Type.BYTES_PER_ELEMENT;
    if (offset + byteLength > bytes.length) return undefined;
    // A copy into a fresh, aligned buffer: the file buffer's offset need not suit Int32/Float32.
    const array = new Type(length);
    new Uint8Array(array.buffer).set(bytes.subarray(offset, offset + byteLength));
    arrays[name] = array;
    offset += byteLength;
  }
  if (offset !== bytes.length) return undefined;
  return { key: header.key, meta: header.meta, arrays };
}

function typeOf(array: CachedArray): ArrayType {
  if (array instanceof Uint8Array) return 'uint8';
  if (array instanceof Int32Array) return 'int32';
  return 'float32';
}

function padTo(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
