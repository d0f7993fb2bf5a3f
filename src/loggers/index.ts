/** Loggers: the only things that print or write files. They read the events of `core/events.ts`. */
export { combineLoggers, type Logger } from './logger.js';
export { consoleLogger, type ConsoleLoggerOptions, type ConsoleStream } from './console.js';
export { formatMatrix, formatSummaryTable, type SummaryTableRow } from './format.js';
export { jsonlLogger } from './jsonl.js';
export { csvLogger, writeMatrixCsv } from './csv.js';
export { writeResultsJson, type ResultSummary, type StrategyResult } from './results-json.js';
export {
  createLoggers,
  isLoggerName,
  loggerRegistry,
  type LoggerContext,
  type LoggerName,
} from './registry.js';
export { writeFileAtomic } from './atomic-write.js';
export { tensorboardLogger, type TensorBoardLoggerOptions } from './tensorboard/tensorboard-logger.js';
export { crc32c, maskCrc32c } from './tensorboard/crc32c.js';
export { encodeRecord } from './tensorboard/tfrecord.js';
export { encodeEvent, FILE_VERSION, type EventMessage, type ScalarValue } from './tensorboard/event-proto.js';
