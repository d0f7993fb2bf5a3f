import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { consoleLogger, type ConsoleStream } from './console.js';
import { csvLogger } from './csv.js';
import { jsonlLogger } from './jsonl.js';
import { combineLoggers, type Logger } from './logger.js';
import { tensorboardLogger } from './tensorboard/tensorboard-logger.js';

/** What every logger factory may use; each takes what it needs. */
export interface LoggerContext {
  /** Folder of this run's files (one per strategy run, so that files of several runs do not mix). */
  readonly dir: string;
  /** Epochs per experience, the console progress bar's total. */
  readonly epochs?: number;
  /** Console output; default process.stdout. */
  readonly stream?: ConsoleStream;
}

/** Names a config can list (`loggers: ['console', 'jsonl']`) and the factories they stand for. */
export const loggerRegistry = {
  console: (context: LoggerContext): Logger =>
    consoleLogger({ stream: context.stream, epochs: context.epochs }),
  jsonl: (context: LoggerContext): Logger => jsonlLogger(join(context.dir, 'events.jsonl')),
  csv: (context: LoggerContext): Logger => csvLogger(join(context.dir, 'matrix.csv')),
  tensorboard: (context: LoggerContext): Logger => tensorboardLogger({ dir: context.dir }),
} as const;

export type LoggerName = keyof typeof loggerRegistry;

export function isLoggerName(name: string): name is LoggerName {
  return Object.hasOwn(loggerRegistry, name);
}

/** The loggers named (e.g. from a config's `loggers` field) combined into one. */
export function createLoggers(names: readonly string[], context: LoggerContext, field = 'loggers'): Logger {
  // Check every name before building any logger, so that a bad name leaves no file opened.
  names.forEach((name, i) => {
    if (!isLoggerName(name)) {
      throw new ConfigError(
        `${field}[${i}]`,
        `unknown logger '${name}', expected one of ${Object.keys(loggerRegistry).join(', ')}`,
      );
    }
  });
  const loggers = (names as readonly LoggerName[]).map((name) => loggerRegistry[name](context));
  return combineLoggers(loggers);
}
