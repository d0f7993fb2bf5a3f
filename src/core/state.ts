/**
 * Saved state: what a checkpoint holds of a plugin, an optimizer or the training loop. Plain data
 * (numbers, strings, typed arrays, lists, records) and never tensors, so the core stays free of tfjs
 * and a file format (checkpoint/file-format.ts) can write it without knowing who made it.
 */
import { DataFormatError } from './errors.js';

export type StateValue =
  | null
  | boolean
  | number
  | string
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | readonly StateValue[]
  | { readonly [key: string]: StateValue };

export type StateRecord = { readonly [key: string]: StateValue };

/**
 * Reads fields of a saved record with checks, so that a checkpoint from another version or
 * another config fails with the field named instead of restoring garbage. `where` names the
 * owner in messages, e.g. `checkpoint plugins[1] (ewc)`.
 */
export class StateReader {
  constructor(
    private readonly value: StateValue,
    private readonly where: string,
  ) {
    if (!isRecord(value)) throw this.error('', 'expected a record');
  }

  private get record(): StateRecord {
    return this.value as StateRecord;
  }

  private error(field: string, detail: string): DataFormatError {
    return new DataFormatError(this.where, `${field ? `${field}: ` : ''}${detail}`);
  }

  has(field: string): boolean {
    return Object.hasOwn(this.record, field) && this.record[field] !== null;
  }

  raw(field: string): StateValue {
    if (!Object.hasOwn(this.record, field)) throw this.error(field, 'missing');
    return this.record[field];
  }

  number(field: string): number {
    const v = this.raw(field);
    if (typeof v !== 'number') throw this.error(field, `expected a number, got ${describe(v)}`);
    return v;
  }

  integer(field: string): number {
    const v = this.number(field);
    if (!Number.isInteger(v)) throw this.error(field, `expected an integer, got ${v}`);
    return v;
  }

  string(field: string): string {
    const v = this.raw(field);
    if (typeof v !== 'string') throw this.error(field, `expected a string, got ${describe(v)}`);
    return v;
  }

  boolean(field: string): boolean {
    const v = this.raw(field);
    if (typeof v !== 'boolean') throw this.error(field, `expected true or false, got ${describe(v)}`);
    return v;
  }

  /** A Float32Array, of `length` values when given. */
  floats(field: string, length?: number): Float32Array {
    return this.typed(field, Float32Array, 'float32', length);
  }

  /** An Int32Array, of `length` values when given. */
  ints(field: string, length?: number): Int32Array {
    return this.typed(field, Int32Array, 'int32', length);
  }

  private typed<T extends Float32Array | Int32Array>(
    field: string,
    type: { new (length: number): T },
    name: string,
    length: number | undefined,
  ): T {
    const v = this.raw(field);
    if (!(v instanceof type)) throw this.error(field, `expected ${name} values, got ${describe(v)}`);
    if (length !== undefined && v.length !== length) {
      throw this.error(field, `expected ${length} values, got ${v.length}`);
    }
    return v as T;
  }

  list(field: string): readonly StateValue[] {
    const v = this.raw(field);
    if (!Array.isArray(v)) throw this.error(field, `expected a list, got ${describe(v)}`);
    return v as readonly StateValue[];
  }

  /** A nested record, read with the same checks. */
  reader(field: string): StateReader {
    return new StateReader(this.raw(field), `${this.where}.${field}`);
  }
}

export function isRecord(value: StateValue | undefined): value is StateRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function describe(v: StateValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of ${v.length}`;
  if (typeof v === 'object') return 'a record';
  return `${typeof v} ${JSON.stringify(v)}`;
}
