/**
 * The one shape of every drift detector in unforget: feed it values with `update`, then read
 * `driftDetected` / `warningDetected`, which say what the update just made detected (they are
 * true only right after that update). A detector resets itself after a drift, so that it watches
 * the values after the change afresh; `reset()` does the same by hand.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { schemaProblems } from '../core/validation.js';

/** The names `createDriftDetector` knows. */
export type DriftDetectorName = 'adwin' | 'page-hinkley' | 'ddm' | 'ks' | 'mmd';

/** What a two-sample detector (KS, MMD) takes: one number, or one vector of features. */
export type DriftInput = number | ArrayLike<number>;

export interface DriftDetector<Input = number> {
  /** Its registry name (`adwin`, `page-hinkley`, ...). */
  readonly name: DriftDetectorName;
  /** Takes the next value of the stream. */
  update(value: Input): void;
  /** True right after the update that detected a drift (the detector has then reset itself). */
  readonly driftDetected: boolean;
  /** True right after an update that is in the warning zone (only DDM has one; false for the others). */
  readonly warningDetected: boolean;
  /** Forgets every value seen, as if just constructed. */
  reset(): void;
}

/**
 * `given` checked against a detector's options schema, with the defaults filled in; throws a
 * ConfigError naming the first bad field (`delta`, or `options` when it is not an object).
 */
export function detectorOptions<Schema extends z.ZodType>(schema: Schema, given: unknown): z.output<Schema> {
  const result = schema.safeParse(given ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const [first] = schemaProblems(schema, result.error);
  throw new ConfigError(first.path || 'options', first.message);
}

/** Refuses a value that is not a finite number, naming the detector and the value. */
export function finiteValue(detector: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${detector}.update: expected a finite number, got ${describe(value)}`);
  }
  return value;
}

/**
 * `value` as a vector of `dims` finite features (a number is a vector of one); `dims` undefined
 * accepts any length (the first update fixes it).
 */
export function featureVector(
  detector: string,
  value: DriftInput,
  dims: number | undefined,
): ArrayLike<number> {
  const vector: ArrayLike<number> = typeof value === 'number' ? [value] : value;
  if (vector === null || typeof vector !== 'object' || typeof vector.length !== 'number') {
    throw new Error(`${detector}.update: expected a number or a list of numbers, got ${describe(value)}`);
  }
  if (vector.length === 0) throw new Error(`${detector}.update: expected at least one feature, got none`);
  if (dims !== undefined && vector.length !== dims) {
    throw new Error(
      `${detector}.update: expected ${dims} feature${dims === 1 ? '' : 's'} (as the first values), got ${vector.length}`,
    );
  }
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new Error(`${detector}.update: expected finite features, got ${describe(x)} at feature ${i}`);
    }
  }
  return vector;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return value === undefined ? 'nothing' : String(value);
}
