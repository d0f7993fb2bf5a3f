import type { TrainingEvent } from '../core/events.js';

/**
 * Prints or writes what a run emits. Loggers are the only part of unforget that does I/O (see
 * docs/architecture.md): the core emits events, loggers turn them into terminal lines and files.
 */
export interface Logger {
  /** Called for every event, in emission order. Synchronous so that training never waits on I/O. */
  onEvent(event: TrainingEvent): void;
  /** Flushes and releases what the logger holds open (files, progress bars). Call once, at the end. */
  close?(): Promise<void>;
}

/** One logger that forwards every event to each of `loggers`, in order. */
export function combineLoggers(loggers: readonly Logger[]): Logger {
  return {
    onEvent(event) {
      for (const logger of loggers) logger.onEvent(event);
    },
    async close() {
      // Close every logger even when one fails, so that no file is left half-flushed; then report.
      const results = await Promise.allSettled(loggers.map((logger) => logger.close?.()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}
