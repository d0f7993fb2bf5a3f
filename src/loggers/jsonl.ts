import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Logger } from './logger.js';

/**
 * Appends every event to `path` as one JSON line, except the transient `progress` events. Events
 * are plain data, so the file replays into the same metrics later (`summarize(lines.map(JSON.parse))`).
 * `close()` flushes and closes the file.
 */
export function jsonlLogger(path: string): Logger {
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path, { flags: 'a' });
  // A write error surfaces at close(): onEvent stays synchronous and training is not interrupted.
  let failure: Error | undefined;
  out.on('error', (error) => (failure ??= error));
  return {
    onEvent(event) {
      if (event.type === 'progress') return;
      out.write(`${JSON.stringify(event)}\n`);
    },
    async close() {
      out.end();
      await finished(out);
      if (failure !== undefined) throw failure;
    },
  };
}
