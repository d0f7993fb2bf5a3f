import { SingleBar } from 'cli-progress';
import type { DriftWatchEvent, TrainingEvent } from '../core/events.js';
import { driftSummary, summarize } from '../metrics/index.js';
import { formatMatrix, percent } from './format.js';
import type { Logger } from './logger.js';

export { formatMatrix, formatSummaryTable, type SummaryTableRow } from './format.js';

/** Where the console logger writes: process.stdout, or anything with `write` (tests, files). */
export interface ConsoleStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface ConsoleLoggerOptions {
  /** Default process.stdout. */
  readonly stream?: ConsoleStream;
  /** Plain lines, no progress bar. Forced when the stream is not a TTY or `CI=true`. */
  readonly plain?: boolean;
  /**
   * Epochs per experience: the progress bar's total. The template emits epoch-level events only,
   * so the bar advances one tick per `epoch-end`; without `epochs` there is no total to show an ETA
   * against, and the logger prints plain lines.
   */
  readonly epochs?: number;
  /**
   * What a resumed run emitted before its checkpoint: taken in without printing, so that the
   * summary at the end names the strategy and has the baseline, as in a run never stopped.
   */
  readonly history?: readonly TrainingEvent[];
}

/**
 * Prints a run as it goes: a progress bar per experience (samples/s, loss, ETA) on a terminal,
 * plain lines otherwise; at `run-end`, the accuracy matrix and the summary (ACC, forgetting, BWT,
 * FWT, wall time). An online run's drift detection prints a line when it starts, one per drift
 * (with its delay after the nearest boundary before it; while a progress bar is drawn, the lines
 * wait for it to end) and one at the end (metrics/drift.ts).
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stdout;
  const plain =
    options.plain === true ||
    stream.isTTY !== true ||
    process.env.CI === 'true' ||
    options.epochs === undefined;
  const print = (line: string) => stream.write(`${line}\n`);
  // summarize() needs the whole run; events are small (one per epoch and evaluation).
  const events: TrainingEvent[] = [...(options.history ?? [])];
  let strategy = options.history?.find((e) => e.type === 'run-start')?.strategy ?? '';
  let bar: SingleBar | undefined;
  let watch = options.history?.find((e): e is DriftWatchEvent => e.type === 'drift-watch');
  /** Lines that came while a progress bar was drawn: printed once it stops. */
  const pending: string[] = [];
  const say = (line: string) => (bar === undefined ? print(line) : pending.push(line));

  function stopBar() {
    bar?.stop();
    bar = undefined;
    pending.splice(0).forEach(print);
  }

  /** Where a drift at `sample` stands: its delay after the nearest boundary before it. */
  function driftPlace(sample: number): string {
    const before = (watch?.boundaries.slice(0, -1) ?? []).filter((b) => b <= sample);
    const boundary = before.at(-1);
    return boundary === undefined
      ? 'before the first boundary'
      : `delay ${sample - boundary + 1} after the boundary at ${boundary}`;
  }

  function onEvent(event: TrainingEvent): void {
    events.push(event);
    switch (event.type) {
      case 'run-start':
        strategy = event.strategy;
        print(`${strategy}: ${event.stream.numExperiences} experiences (${event.stream.scenario})`);
        break;
      case 'experience-start':
        if (plain) {
          print(`experience ${event.experience}: classes ${event.classes.join(',')}`);
        } else {
          bar = new SingleBar({
            // A TTY stream is a tty.WriteStream, which has the cursor methods cli-progress uses.
            stream: stream as NodeJS.WritableStream,
            format: `experience ${event.experience} [{bar}] {percentage}% | epoch {epoch} | {rate} samples/s | loss {loss} | ETA {eta_formatted}`,
            hideCursor: true,
          });
          // The total (samples x epochs) is known from the first progress event.
          bar.start(1, 0, { rate: '-', loss: '-', epoch: '-' });
        }
        break;
      case 'progress':
        if (bar !== undefined) {
          const epochs = options.epochs ?? 1;
          bar.setTotal(event.epochSamples * epochs);
          bar.update(event.epoch * event.epochSamples + event.samples, {
            rate: event.seconds > 0 ? String(Math.round(event.samples / event.seconds)) : '-',
            loss: event.loss.toFixed(4),
            epoch: `${event.epoch + 1}/${epochs}`,
          });
        }
        break;
      case 'epoch-end': {
        const rate = event.seconds > 0 ? Math.round(event.samples / event.seconds) : NaN;
        if (bar !== undefined) {
          const epochs = options.epochs ?? 1;
          const total = bar.getTotal();
          bar.update(Math.round(((event.epoch + 1) / epochs) * total), {
            rate: String(rate),
            loss: event.loss.toFixed(4),
            epoch: `${event.epoch + 1}/${epochs}`,
          });
        } else {
          const total = options.epochs === undefined ? '' : `/${options.epochs}`;
          print(
            `  epoch ${event.epoch + 1}${total}  loss ${event.loss.toFixed(4)}  ${rate} samples/s  ${event.seconds.toFixed(2)} s`,
          );
        }
        break;
      }
      case 'experience-end':
        stopBar();
        print(`experience ${event.experience}: trained in ${event.seconds.toFixed(2)} s`);
        break;
      case 'evaluation': {
        const name = event.afterExperience < 0 ? 'baseline' : `after experience ${event.afterExperience}`;
        print(`  eval ${name}: ${event.perExperience.map((e) => percent(e.accuracy)).join(' ')}`);
        break;
      }
      case 'drift-watch':
        watch = event;
        say(
          `drift: ${event.detector} on the prequential error; boundaries at ${event.boundaries.slice(0, -1).join(', ') || 'none'} (of ${event.boundaries.at(-1) ?? 0} examples)`,
        );
        break;
      case 'drift':
        say(
          `  drift (${event.detector}) at example ${event.sample}, step ${event.step}, experience ${event.experience}: ${driftPlace(event.sample)}`,
        );
        break;
      case 'run-end':
        stopBar();
        printSummary();
        printDrift();
        break;
    }
  }

  function printDrift(): void {
    const drift = driftSummary(events);
    if (!drift) return;
    const delay = Number.isFinite(drift.meanDelay)
      ? `, mean delay ${drift.meanDelay.toFixed(1)} examples`
      : '';
    print(
      `${strategy}: drift (${drift.detector}): ${drift.detected} of ${drift.boundaries.length} boundaries detected${delay}, ${drift.falseAlarms} false alarm${drift.falseAlarms === 1 ? '' : 's'}`,
    );
  }

  function printSummary(): void {
    let summary;
    try {
      summary = summarize(events);
    } catch (error) {
      // An incomplete run (e.g. stopped early) still ends; say why there is no summary instead of
      // throwing out of the training loop.
      print(`${strategy}: no summary: ${(error as Error).message}`);
      return;
    }
    print(`accuracy matrix (%), ${strategy}:`);
    print(formatMatrix(summary.matrix));
    print(
      `${strategy}: ACC ${percent(summary.acc)}%  forgetting ${percent(summary.forgetting)}%  ` +
        `BWT ${percent(summary.bwt)}%  FWT ${percent(summary.fwt)}%  wall ${summary.wallSeconds.toFixed(1)} s`,
    );
  }

  return {
    onEvent,
    async close() {
      stopBar();
    },
  };
}
