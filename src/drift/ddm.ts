/**
 * DDM, the Drift Detection Method (Gama, Medas, Castillo & Rodrigues 2004, "Learning with Drift
 * Detection"), on a stream of a learner's errors: 1 when its prediction was wrong, 0 when right.
 * After i values, p_i is the error rate and s_i = sqrt(p_i (1 - p_i) / i) its standard deviation;
 * from `minInstances` values on the detector keeps the p_min, s_min at which p + s was lowest, and
 * reports a warning when p_i + s_i >= p_min + warningLevel · s_min and a drift (then restarts its
 * counters) when p_i + s_i >= p_min + driftLevel · s_min.
 *
 * One choice the paper leaves open: while p_i is 0 (or 1), s_i is 0 and p_min + s_min would make
 * the next change of p a drift whatever its size, so a minimum is only recorded where s_i > 0.
 */
import { z } from 'zod';
import {
  DetectorStateReader,
  detectorOptions,
  finiteOrNull,
  type DriftDetector,
  type DriftDetectorState,
} from './detector.js';

export const ddmOptions = z
  .strictObject({
    minInstances: z
      .int()
      .positive()
      .default(30)
      .describe('values before p_min is kept and a warning or drift is reported'),
    warningLevel: z
      .number()
      .positive()
      .default(2)
      .describe('a warning at p + s >= p_min + warningLevel · s_min'),
    driftLevel: z.number().positive().default(3).describe('a drift at p + s >= p_min + driftLevel · s_min'),
  })
  .refine((o) => o.driftLevel > o.warningLevel, {
    path: ['driftLevel'],
    message: 'expected a number above warningLevel',
  });

export type DdmOptions = z.input<typeof ddmOptions>;

export class Ddm implements DriftDetector<number> {
  readonly name = 'ddm';
  readonly options: Readonly<z.output<typeof ddmOptions>>;
  private n = 0;
  private errors = 0;
  private pMin = Infinity;
  private sMin = Infinity;
  private drift = false;
  private warning = false;

  constructor(options: DdmOptions = {}) {
    this.options = detectorOptions(ddmOptions, options);
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  get warningDetected(): boolean {
    return this.warning;
  }

  /** Values seen since the last reset (i). */
  get count(): number {
    return this.n;
  }

  /** Error rate since the last reset (p_i; 0 before any value). */
  get errorRate(): number {
    return this.n ? this.errors / this.n : 0;
  }

  /** The lowest p recorded since the last reset (Infinity while none is). */
  get minErrorRate(): number {
    return this.pMin;
  }

  /** The s at that lowest p + s (Infinity while none is). */
  get minStd(): number {
    return this.sMin;
  }

  /** Takes the next error: 1 if the prediction was wrong, 0 if it was right. */
  update(error: number): void {
    if (error !== 0 && error !== 1) {
      throw new Error(
        `Ddm.update: expected an error indicator, 0 or 1 (1 = the prediction was wrong), got ${String(error)}`,
      );
    }
    this.drift = false;
    this.warning = false;
    this.n++;
    this.errors += error;
    if (this.n < this.options.minInstances) return;
    const p = this.errors / this.n;
    const s = Math.sqrt((p * (1 - p)) / this.n);
    if (s > 0 && p + s < this.pMin + this.sMin) {
      this.pMin = p;
      this.sMin = s;
    }
    if (p + s >= this.pMin + this.options.driftLevel * this.sMin) {
      this.restart();
      this.drift = true;
    } else if (p + s >= this.pMin + this.options.warningLevel * this.sMin) {
      this.warning = true;
    }
  }

  reset(): void {
    this.restart();
    this.drift = false;
    this.warning = false;
  }

  /** The counters since the last reset; p_min and s_min null while none is recorded. */
  state(): DriftDetectorState<'ddm'> {
    return {
      name: this.name,
      options: { ...this.options },
      n: this.n,
      errors: this.errors,
      pMin: finiteOrNull(this.pMin),
      sMin: finiteOrNull(this.sMin),
      drift: this.drift,
      warning: this.warning,
    };
  }

  restore(state: DriftDetectorState): void {
    const read = new DetectorStateReader('Ddm', this.name, this.options, state);
    const n = read.integer('n');
    const errors = read.integer('errors', 0, n);
    const values = {
      pMin: read.numberOr('pMin', Infinity),
      sMin: read.numberOr('sMin', Infinity),
      drift: read.boolean('drift'),
      warning: read.boolean('warning'),
    };
    this.n = n;
    this.errors = errors;
    this.pMin = values.pMin;
    this.sMin = values.sMin;
    this.drift = values.drift;
    this.warning = values.warning;
  }

  private restart(): void {
    this.n = 0;
    this.errors = 0;
    this.pMin = Infinity;
    this.sMin = Infinity;
  }
}
