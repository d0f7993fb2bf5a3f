/**
 * Checks, before anything trains or is written, that a folder the command will write into can be
 * made and written: a file standing where a folder must be, or a folder the user may not write,
 * is a ConfigError naming the flag, not an ENOTDIR or EACCES stack trace halfway through a run.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';

/**
 * Refuses `path` as a folder to write in: the nearest part of it that exists must be a folder
 * this process may write (and enter).
 */
export function assertWritableFolder(path: string, field: string): void {
  let at = resolve(path);
  for (;;) {
    const stat = existing(at);
    if (stat) {
      if (!stat.isDirectory()) {
        throw new ConfigError(
          field,
          `${path}: ${at === resolve(path) ? 'is' : `${at} is`} a file, not a folder`,
        );
      }
      break;
    }
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
  } catch {
    throw new ConfigError(field, `${path}: cannot write in ${at} (permission denied)`);
  }
}

/** The path's stats, or null where nothing is (also below a file, where stat says ENOTDIR). */
function existing(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}
