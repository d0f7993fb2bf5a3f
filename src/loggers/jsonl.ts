import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from './logger.js';

/**
 * Appends every event to `path` as one JSON line, except the transient `progress` events. Events
 * are plain data, so the file replays into the same metrics later (`summarize(lines.map(JSON.parse))`).
 * Each line is written as its event happens (a synchronous append, a few per epoch), so the file
 * follows a long experience as it goes and a killed run keeps every line it emitted.
 */
export function jsonlLogger(path: string): Logger {
  mkdirSync(dirname(path), { recursive: true });
  // An open or write error surfaces at close(): onEvent stays quiet and training is not interrupted.
  let failure: Error | undefined;
  let fd = -1;
  try {
    fd = openSync(path, 'a');
  } catch (error) {
    failure = error as Error;
  }
  let open = fd >= 0;
  return {
    onEvent(event) {
      if (event.type === 'progress' || failure || !open) return;
      const line = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
      try {
        for (let at = 0; at < line.length;) at += writeSync(fd, line, at, line.length - at);
      } catch (error) {
        failure = error as Error;
      }
    },
    async close() {
      if (open) closeSync(fd);
      open = false;
      if (failure !== undefined) throw failure;
    },
  };
}
