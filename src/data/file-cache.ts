/**
 * The decoded-dataset cache (dataset-cache.ts) for datasets read from a user's own files: the
 * entry's key is made of the files' absolute paths, sizes and modification times, the decoding
 * options and the decoder's version, so editing or replacing a file, or asking for another
 * decoding, decodes again. Each distinct key has its own cache file, under `<cacheDir>/files/`.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataFormatError } from '../core/errors.js';
import { cacheDir as defaultCacheDir, readCache, writeCache, type CachedArray } from './dataset-cache.js';

/** Where a loader caches what it decodes: a folder, `undefined` for `cacheDir()`, or `false` for no cache. */
export type CacheOption = string | false | undefined;

export interface Decoded {
  meta: Record<string, unknown>;
  arrays: Record<string, CachedArray>;
}

/** The key part of one file: absolute path, size and modification time; a missing file is an error naming it. */
export function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${resolve(path)}|${stat.size}|${stat.mtimeMs}`;
  } catch (error) {
    throw new DataFormatError(path, `expected a readable file, got ${(error as NodeJS.ErrnoException).code}`);
  }
}

/** A cache entry for one decoding: what was cached (if anything) and how to store a fresh decoding. */
interface Slot {
  hit?: Decoded;
  store(decoded: Decoded): Decoded;
}

function slot(
  cache: CacheOption,
  kind: string,
  version: number,
  stamps: readonly string[],
  options: unknown,
): Slot {
  if (cache === false) return { store: (decoded) => decoded };
  // The key is a digest of the stamps and options (an image folder's stamps run to megabytes).
  const key = createHash('sha256')
    .update(JSON.stringify({ kind, version, files: stamps, options }))
    .digest('hex');
  const path = join(cache ?? defaultCacheDir(), 'files', `${kind}-${key.slice(0, 20)}.bin`);
  const hit = readCache(path, key);
  return {
    ...(hit ? { hit: { meta: hit.meta, arrays: hit.arrays } } : {}),
    store: (decoded) => {
      try {
        writeCache(path, { key, ...decoded });
      } catch {
        // Best effort: a cache that cannot be written (a read-only folder) costs the next load a decode.
      }
      return decoded;
    },
  };
}

/**
 * What `decode()` returns, read from the cache when an entry was written for the same `kind`,
 * `version`, files (`stamps`, from fileStamp) and `options`; else decoded and written there.
 */
export async function cachedDecode(
  cache: CacheOption,
  kind: string,
  version: number,
  stamps: readonly string[],
  options: unknown,
  decode: () => Promise<Decoded>,
): Promise<Decoded> {
  const entry = slot(cache, kind, version, stamps, options);
  return entry.hit ?? entry.store(await decode());
}

/** `cachedDecode` for a synchronous decoder. */
export function cachedDecodeSync(
  cache: CacheOption,
  kind: string,
  version: number,
  stamps: readonly string[],
  options: unknown,
  decode: () => Decoded,
): Decoded {
  const entry = slot(cache, kind, version, stamps, options);
  return entry.hit ?? entry.store(decode());
}
