/**
 * The one shape of every drift detector in unforget: feed it values with `update`, then read
 * `driftDetected` / `warningDetected`, which say what the update just made detected (they are
 * true only right after that update). A detector resets itself after a drift, so that it watches
 * the values after the change afresh; `reset()` does the same by hand. `state()` / `restore()` save
 * and put back everything a detector holds, as plain JSON data, so that a detector restored into a
 * fresh object goes on exactly as the one saved (a run's checkpoint holds it).
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
  /**
   * Everything the detector holds, as plain JSON data (numbers, booleans, strings, lists, records;
   * no typed arrays, no NaN or infinities): its name, its options and its internals, random
   * generator included. `JSON.parse(JSON.stringify(d.state()))` restores to the same detector.
   */
  state(): DriftDetectorState;
  /**
   * Puts a `state()` back: from here on the detector behaves as the one saved did. Throws an Error
   * naming the detector and the field for a state of another detector, of other options, or
   * malformed; nothing is changed then. (`restoreDriftDetector` builds the detector a state names.)
   */
  restore(state: DriftDetectorState): void;
}

/** A value of a detector's saved state: JSON data. */
export type DriftStateValue =
  null | boolean | number | string | readonly DriftStateValue[] | { readonly [key: string]: DriftStateValue };

/** What `state()` returns: the detector's name, its options (defaults filled in) and its internals. */
export interface DriftDetectorState<Name extends DriftDetectorName = DriftDetectorName> {
  readonly name: Name;
  readonly options: { readonly [key: string]: DriftStateValue };
  readonly [field: string]: DriftStateValue;
}

/**
 * Reads a saved state's fields for a detector's `restore`, with checks: the state must be a record
 * of this detector's name and options; each read names the field when it is missing or not what
 * is expected (`Adwin.restore: ticks: expected an integer >= 0, got -1`).
 */
export class DetectorStateReader {
  private readonly record: Readonly<Record<string, unknown>>;

  constructor(
    /** The class, as messages name it: `Adwin`. */
    private readonly owner: string,
    name: DriftDetectorName,
    options: Readonly<Record<string, unknown>>,
    state: unknown,
  ) {
    if (!isPlainRecord(state)) {
      throw this.error('', `expected a detector state { name, options, ... }, got ${describeState(state)}`);
    }
    this.record = state;
    if (state.name !== name) {
      throw this.error(
        'name',
        `expected a state of ${JSON.stringify(name)}, got ${describeState(state.name)}`,
      );
    }
    const saved = state.options;
    if (!isPlainRecord(saved)) throw this.error('options', `expected a record, got ${describeState(saved)}`);
    for (const key of new Set([...Object.keys(options), ...Object.keys(saved)])) {
      if (saved[key] !== options[key]) {
        throw this.error(
          `options.${key}`,
          `the state's is ${describeState(saved[key])}, this detector's ${describeState(options[key])} (a state restores into a detector made with its options; restoreDriftDetector builds one)`,
        );
      }
    }
  }

  private error(field: string, detail: string): Error {
    return new Error(`${this.owner}.restore: ${field ? `${field}: ` : ''}${detail}`);
  }

  private raw(field: string): unknown {
    if (!Object.hasOwn(this.record, field)) throw this.error(field, 'missing');
    return this.record[field];
  }

  /** A finite number. */
  number(field: string): number {
    const v = this.raw(field);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw this.error(field, `expected a finite number, got ${describeState(v)}`);
    }
    return v;
  }

  /** An integer in [min, max]. */
  integer(field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(field);
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
      throw this.error(field, `expected an integer ${range}, got ${describeState(v)}`);
    }
    return v as number;
  }

  /** An integer >= min, or null (read as undefined: not known yet). */
  integerOrNone(field: string, min = 0): number | undefined {
    return this.raw(field) === null ? undefined : this.integer(field, min);
  }

  boolean(field: string): boolean {
    const v = this.raw(field);
    if (typeof v !== 'boolean') throw this.error(field, `expected true or false, got ${describeState(v)}`);
    return v;
  }

  /** A finite number, or null standing for `none` (the infinity a running minimum starts at). */
  numberOr(field: string, none: number): number {
    const v = this.raw(field);
    if (v === null) return none;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw this.error(field, `expected a finite number or null, got ${describeState(v)}`);
    }
    return v;
  }

  /** One of `values`. */
  oneOf<T extends string | null>(field: string, values: readonly T[]): T {
    const v = this.raw(field);
    if (!values.includes(v as T)) {
      throw this.error(
        field,
        `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${describeState(v)}`,
      );
    }
    return v as T;
  }

  /** A list of finite numbers, of `length` when given. */
  numbers(field: string, length?: number): number[] {
    return this.numberList(field, this.raw(field), length);
  }

  /** A list of `rows` lists of finite numbers (each of `length` when given). */
  numberRows(field: string, rows: number | undefined, length?: number): number[][] {
    const v = this.raw(field);
    if (!Array.isArray(v) || (rows !== undefined && v.length !== rows)) {
      const what = rows === undefined ? 'a list' : `a list of ${rows}`;
      throw this.error(field, `expected ${what} (of lists of numbers), got ${describeState(v)}`);
    }
    return v.map((row: unknown, i) => this.numberList(`${field}[${i}]`, row, length));
  }

  private numberList(field: string, v: unknown, length: number | undefined): number[] {
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
      const what = length === undefined ? 'a list of numbers' : `a list of ${length} numbers`;
      throw this.error(field, `expected ${what}, got ${describeState(v)}`);
    }
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0)
      throw this.error(`${field}[${bad}]`, `expected a finite number, got ${describeState(v[bad])}`);
    return v as number[];
  }

  /** Refuses the state with `detail` about `field` (a check across fields). */
  fail(field: string, detail: string): never {
    throw this.error(field, detail);
  }
}

/** `value` with an infinity as null (JSON has none): what `DetectorStateReader.numberOr` reads back. */
export const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

function isPlainRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** A saved value as a refusal shows it. */
export function describeState(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (ArrayBuffer.isView(value)) return 'a typed array';
  if (isPlainRecord(value)) return 'a record';
  if (typeof value === 'string') return JSON.stringify(value);
  return value === undefined ? 'nothing' : String(value);
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
