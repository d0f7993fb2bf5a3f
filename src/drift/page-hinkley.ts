/**
 * The Page-Hinkley test (Page 1954, "Continuous Inspection Schemes"), a cumulative-sum test for a
 * change of the mean. With x̄_t the mean of the values since the last reset,
 *
 *   up:   m_t = alpha · m_{t-1} + (x_t - x̄_t - delta),   drift when m_t - min_{s<=t} m_s > threshold
 *   down: d_t = alpha · d_{t-1} + (x_t - x̄_t + delta),   drift when max_{s<=t} d_s - d_t > threshold
 *
 * `delta` is the size of change tolerated, `alpha` a forgetting factor on the sums (1 gives the
 * classic test) and no drift is reported before `minInstances` values. `mode` picks which
 * direction is watched. After a drift everything restarts from the next value.
 */
import { z } from 'zod';
import {
  DetectorStateReader,
  detectorOptions,
  finiteOrNull,
  finiteValue,
  type DriftDetector,
  type DriftDetectorState,
} from './detector.js';

export const pageHinkleyOptions = z.strictObject({
  minInstances: z.int().positive().default(30).describe('no drift is reported before this many values'),
  delta: z.number().min(0).default(0.005).describe('magnitude of change tolerated'),
  threshold: z
    .number()
    .positive()
    .default(50)
    .describe('a drift when the test statistic exceeds this (lambda)'),
  alpha: z
    .number()
    .gt(0)
    .max(1)
    .default(1 - 0.0001)
    .describe('forgetting factor of the cumulative sums'),
  mode: z.enum(['up', 'down', 'both']).default('both').describe('watch for an increase, a decrease or both'),
});

export type PageHinkleyOptions = z.input<typeof pageHinkleyOptions>;

export class PageHinkley implements DriftDetector<number> {
  readonly name = 'page-hinkley';
  readonly options: Readonly<z.output<typeof pageHinkleyOptions>>;
  private n = 0;
  private mean = 0;
  private sumUp = 0;
  private minUp = Infinity;
  private sumDown = 0;
  private maxDown = -Infinity;
  private drift = false;
  private direction: 'up' | 'down' | undefined;

  constructor(options: PageHinkleyOptions = {}) {
    this.options = detectorOptions(pageHinkleyOptions, options);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  /** Page-Hinkley has no warning zone: always false. */
  get warningDetected(): boolean {
    return false;
  }

  /** Which way the mean moved at the drift just detected; undefined after any other update. */
  get driftDirection(): 'up' | 'down' | undefined {
    return this.direction;
  }

  /** Values seen since the last reset. */
  get count(): number {
    return this.n;
  }

  /** Mean of the values since the last reset. */
  get estimation(): number {
    return this.mean;
  }

  /** The up test's statistic m_t - min m (0 before any value). */
  get statisticUp(): number {
    return this.n ? this.sumUp - this.minUp : 0;
  }

  /** The down test's statistic max d - d_t (0 before any value). */
  get statisticDown(): number {
    return this.n ? this.maxDown - this.sumDown : 0;
  }

  update(value: number): void {
    const x = finiteValue('PageHinkley', value);
    this.drift = false;
    this.direction = undefined;
    const { alpha, delta, threshold, mode, minInstances } = this.options;
    this.n++;
    this.mean += (x - this.mean) / this.n;
    this.sumUp = alpha * this.sumUp + (x - this.mean - delta);
    this.minUp = Math.min(this.minUp, this.sumUp);
    this.sumDown = alpha * this.sumDown + (x - this.mean + delta);
    this.maxDown = Math.max(this.maxDown, this.sumDown);
    if (this.n < minInstances) return;
    const up = mode !== 'down' && this.sumUp - this.minUp > threshold;
    const down = mode !== 'up' && this.maxDown - this.sumDown > threshold;
    if (up || down) {
      this.restart();
      this.drift = true;
      this.direction = up ? 'up' : 'down';
    }
  }

  reset(): void {
    this.restart();
    this.drift = false;
    this.direction = undefined;
  }

  /** The counters and sums since the last reset (the running min and max null before any value). */
  state(): DriftDetectorState<'page-hinkley'> {
    return {
      name: this.name,
      options: { ...this.options },
      n: this.n,
      mean: this.mean,
      sumUp: this.sumUp,
      minUp: finiteOrNull(this.minUp),
      sumDown: this.sumDown,
      maxDown: finiteOrNull(this.maxDown),
      drift: this.drift,
      direction: this.direction ?? null,
    };
  }

  restore(state: DriftDetectorState): void {
    const read = new DetectorStateReader('PageHinkley', this.name, this.options, state);
    const values = {
      n: read.integer('n'),
      mean: read.number('mean'),
      sumUp: read.number('sumUp'),
      minUp: read.numberOr('minUp', Infinity),
      sumDown: read.number('sumDown'),
      maxDown: read.numberOr('maxDown', -Infinity),
      drift: read.boolean('drift'),
      direction: read.oneOf('direction', ['up', 'down', null] as const),
    };
    this.n = values.n;
    this.mean = values.mean;
    this.sumUp = values.sumUp;
    this.minUp = values.minUp;
    this.sumDown = values.sumDown;
    this.maxDown = values.maxDown;
    this.drift = values.drift;
    this.direction = values.direction ?? undefined;
  }

  private restart(): void {
    this.n = 0;
    this.mean = 0;
    this.sumUp = 0;
    this.minUp = Infinity;
    this.sumDown = 0;
    this.maxDown = -Infinity;
  }
}
