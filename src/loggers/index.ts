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
export { tensorboardLogger, type TensorBoardLoggerOptions } from './tensorboard/tensorboard-logger.js';
export { crc32c, maskCrc32c } from './tensorboard/crc32c.js';
export { encodeRecord } from './tensorboard/tfrecord.js';
export { encodeEvent, FILE_VERSION, type EventMessage, type ScalarValue } from './tensorboard/event-proto.js';
export { describeEnvironment, writeEnvironmentJson, type RunEnvironment } from './report/environment.js';
export { readRunFiles, type RunFiles, type StrategyRun } from './report/run-files.js';
export { runCharts, seenAverage, type ChartSpec } from './report/charts.js';
export { runReportHtml } from './report/report-html.js';
export {
  compareRuns,
  differsFromBest,
  seedStat,
  type ComparedStrategy,
  type ComparisonGroup,
  type SeedStat,
} from './report/compare.js';
export { formatComparisonTable, MARK_RULE } from './report/compare-table.js';
export { resolveRunFolders, expandGlob } from './report/run-paths.js';
// Rendering (vega, resvg) loads on first use; see lazy.ts.
export { writeComparison, writeRunReport } from './report/lazy.js';
export type { WrittenReport } from './report/write-report.js';
export type { WrittenComparison } from './report/write-comparison.js';
