import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationEvent, TrainingEvent } from '../../core/events.js';
import { averageForgetting } from '../../metrics/average-forgetting.js';
import type { Logger } from '../logger.js';
import { encodeEvent, FILE_VERSION, type ScalarValue } from './event-proto.js';
import { encodeRecord } from './tfrecord.js';

export interface TensorBoardLoggerOptions {
  /** The run folder: files go to `<dir>/tensorboard/<strategy>/`. */
  readonly dir: string;
  /** Wall clock in milliseconds (the events' `wall_time`, the file name's time); default `Date.now`. */
  readonly now?: () => number;
  /**
   * Events already recorded for this run folder (a resumed run's metrics.jsonl up to its
   * checkpoint). When a strategy's run starts, the events of its last recorded run-start onwards
   * set the epoch count and the accuracy rows, unwritten, so that the new file continues the steps
   * of the earlier one instead of starting again at 1.
   */
  readonly history?: readonly TrainingEvent[];
}

/** One record's content: a step and the scalars drawn at it. */
interface Point {
  readonly step: number;
  readonly scalars: readonly ScalarValue[];
}

/**
 * Writes each strategy's run as a TensorBoard event file,
 * `<dir>/tensorboard/<strategy>/events.out.tfevents.<unix seconds>.unforget`: TensorBoard takes
 * every folder as a run, so `tensorboard --logdir <dir>` (or a folder of run folders) draws the
 * strategies side by side. A `run-start` event opens a new file, so one logger serves the
 * strategies of a run one after another.
 *
 * Scalars, and the step each is drawn at:
 * - `train/loss`: each epoch's mean loss, at step = epochs completed so far in the strategy's run
 *   (1, 2, ...): epochs line up across strategies, where sample counts (replay adds samples) would not;
 * - `eval/accuracy/exp<j>`, `eval/ACC` (mean accuracy over the experiences trained so far) and
 *   `eval/forgetting` (average forgetting of src/metrics over the experiences trained so far, from
 *   the second experience on), at step = experiences trained so far: the untrained baseline
 *   evaluation is step 0 (accuracies only), the evaluation after experience i is step i + 1;
 * - `method/<plugin>/<name>`: a `method-metrics` value, at the step of the evaluation it precedes.
 * Every tag's steps increase within a file, which TensorBoard needs to not discard points as stale.
 *
 * Each event is written with one synchronous write, so a crash loses at most the record being
 * written (TensorBoard's reader stops at a torn last record). Write errors surface at `close()`,
 * keeping training uninterrupted, like the other file loggers.
 */
export function tensorboardLogger(options: TensorBoardLoggerOptions): Logger {
  const now = options.now ?? Date.now;
  let fd: number | undefined;
  let failure: unknown;
  let epochs = 0;
  /** `rows[i]` = accuracies after experience i, one per experience: row i of the accuracy matrix. */
  let rows: number[][] = [];

  function write(step: number, scalars?: readonly ScalarValue[], fileVersion?: string): void {
    if (fd === undefined || failure !== undefined) return;
    try {
      writeSync(fd, encodeRecord(encodeEvent({ wallTime: now() / 1000, step, fileVersion, scalars })));
    } catch (error) {
      failure = error;
    }
  }

  function closeFile(): void {
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch (error) {
      failure ??= error;
    }
    fd = undefined;
  }

  function open(strategy: string): void {
    closeFile();
    epochs = 0;
    rows = [];
    const history = options.history ?? [];
    let start = history.length - 1;
    while (start >= 0 && !isRunStartOf(history[start], strategy)) start--;
    if (start >= 0) {
      const end = history.findIndex((e, i) => i > start && e.type === 'run-start');
      for (const event of history.slice(start + 1, end < 0 ? undefined : end)) pointOf(event);
    }
    // Registry names are already safe; anything else ('..', '/') must not leave the folder.
    const folder = join(options.dir, 'tensorboard', strategy.replace(/[^\w+-]/g, '_'));
    try {
      mkdirSync(folder, { recursive: true });
      const base = join(folder, `events.out.tfevents.${Math.floor(now() / 1000)}.unforget`);
      // A strategy run twice within a second gets a second file rather than appending to the first.
      let path = base;
      for (let n = 1; existsSync(path); n++) path = `${base}.${n}`;
      fd = openSync(path, 'wx');
    } catch (error) {
      failure ??= error;
      return;
    }
    write(0, undefined, FILE_VERSION);
  }

  function evaluationScalars(event: EvaluationEvent): ScalarValue[] {
    const after = event.afterExperience;
    const scalars = event.perExperience.map(({ experience, accuracy }) => ({
      tag: `eval/accuracy/exp${experience}`,
      value: accuracy,
    }));
    if (after < 0) return scalars;
    const row: number[] = [];
    for (const { experience, accuracy } of event.perExperience) row[experience] = accuracy;
    rows[after] = row;
    // The top-left (after + 1)-square of R: rows of the evaluations so far, columns of the
    // experiences trained so far; holes (an evaluation missing) stay undefined and are checked.
    const size = after + 1;
    const square = Array.from({ length: size }, (_, i) =>
      Array.from({ length: size }, (_, j) => rows[i]?.[j]),
    );
    const seen = square[after];
    if (isAccuracies(seen)) {
      scalars.push({ tag: 'eval/ACC', value: seen.reduce((a, b) => a + b, 0) / size });
    }
    // With one experience trained, forgetting is undefined (NaN in src/metrics) and not drawn.
    if (after > 0 && square.every(isAccuracies)) {
      scalars.push({ tag: 'eval/forgetting', value: averageForgetting(square) });
    }
    return scalars;
  }

  /** What `event` draws, if anything; advances the epoch count and accuracy rows it depends on. */
  function pointOf(event: TrainingEvent): Point | undefined {
    switch (event.type) {
      case 'epoch-end':
        epochs += 1;
        return { step: epochs, scalars: [{ tag: 'train/loss', value: event.loss }] };
      case 'evaluation':
        return { step: event.afterExperience + 1, scalars: evaluationScalars(event) };
      case 'method-metrics':
        return {
          step: event.afterExperience + 1,
          scalars: Object.entries(event.values).map(([name, value]) => ({
            tag: `method/${event.plugin}/${name}`,
            value,
          })),
        };
      default:
        return undefined;
    }
  }

  return {
    onEvent(event: TrainingEvent) {
      if (event.type === 'run-start') {
        open(event.strategy);
        return;
      }
      const point = pointOf(event);
      if (point !== undefined) write(point.step, point.scalars);
    },
    async close() {
      closeFile();
      if (failure !== undefined) throw failure;
    },
  };
}

/** Whether every entry is a valid accuracy: what averageForgetting accepts without throwing. */
function isAccuracies(values: readonly (number | undefined)[]): values is number[] {
  return values.every((v) => v !== undefined && Number.isFinite(v) && v >= 0 && v <= 1);
}

function isRunStartOf(event: TrainingEvent, strategy: string): boolean {
  return event.type === 'run-start' && event.strategy === strategy;
}
