import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';

/** The field a ConfigError thrown by `f` names, or null when `f` throws nothing. */
export function refusedField(f: () => unknown): string | null {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.field;
  }
  return null;
}
